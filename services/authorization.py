"""Who may run a command: the role checks every area's commands share.

Roles come from the caller's token (:class:`~services.principal.Role`); leading or
belonging to a team is read from the team's current state, so it is never stale.
Each check raises :class:`~services.commands.Forbidden` (403) naming the action.
"""

from __future__ import annotations

from domain.org.team import Team
from domain.people.values import PersonId
from services.commands import Forbidden
from services.principal import Principal


def require_leadership(principal: Principal, action: str) -> None:
    if not principal.is_leadership:
        raise Forbidden(f"{action} needs the `leadership` role")


def require_leader_or_leadership(principal: Principal, team: Team, action: str) -> None:
    if not (principal.is_leadership or principal.subject == team.leader):
        raise Forbidden(f"{action} needs the `leadership` role or leadership of team '{team.name}'")


def require_owner_or_leadership(principal: Principal, owner: Team, action: str) -> None:
    """The owning team's leader or leadership. A disbanded team has no leader any more:
    only leadership acts on the services it left behind (e.g. to transfer them)."""
    if owner.disbanded and not principal.is_leadership:
        raise Forbidden(f"{action} needs the `leadership` role: team '{owner.name}' is disbanded")
    require_leader_or_leadership(principal, owner, action)


def require_team_member(principal: Principal, team: Team, action: str) -> None:
    """Leadership, the team's leader, or one of its current members."""
    if principal.is_leadership or principal.subject == team.leader:
        return
    if principal.subject not in team.members:
        raise Forbidden(f"{action} needs the `leadership` role or membership of team '{team.name}'")


def require_self_or_leadership(principal: Principal, person: PersonId, action: str) -> None:
    if not (principal.is_leadership or principal.subject == person):
        raise Forbidden(f"{action} needs the `leadership` role")
