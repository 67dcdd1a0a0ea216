"""Commands on teams: charter, appoint a leader, add and remove members, move, disband.

Each method checks who may run it, then hands a command to the
:class:`~services.commands.CommandBus`, which saves the team together with the
claims it takes or releases in one atomic write.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.boundaries import Service
from domain.claims import ClaimKind, normalised_name
from domain.org.chart import ORG_CHART_ID, OrgChart
from domain.org.team import (
    Attachment,
    PersonDedicatedElsewhere,
    PersonLeadsAnotherTeam,
    Team,
    TeamHasActiveSubteams,
    TeamNameTaken,
    TeamOwnsActiveServices,
)
from domain.people.values import PersonId, person_id
from services.authorization import require_leader_or_leadership, require_leadership
from services.commands import AreaCommands, Outcome, UnitOfWork

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.org.rest import AddMember, AppointLeader, CharterTeam, DisbandTeam, MoveTeam


def _team_name(work: UnitOfWork, team_id: UUID) -> str:
    team = work.find(Team, team_id)
    return team.name if team is not None else str(team_id)


def _take_leadership(work: UnitOfWork, leader: PersonId, team: Team) -> None:
    other = work.claim(ClaimKind.TEAM_LEADER, leader, team.id)
    if other is not None:
        raise PersonLeadsAnotherTeam(
            f"{leader} already leads team '{_team_name(work, other)}'; "
            "a person leads at most one team at a time",
            person=leader,
            team_id=str(other),
        )


def _lineage(work: UnitOfWork, parent: Team, moving: UUID) -> list[tuple[UUID, str]]:
    """The parent and its ancestors, nearest first, up to the root or to ``moving``."""
    chain = [parent]
    while chain[-1].id != moving and chain[-1].parent_id is not None:
        ancestor = work.get(Team, chain[-1].parent_id, label="team")
        if any(ancestor.id == team.id for team in chain):
            raise RuntimeError(f"The recorded org tree loops at team {ancestor.id}")
        chain.append(ancestor)
    return [(team.id, team.name) for team in chain]


def _service_names(work: UnitOfWork, service_ids: list[UUID]) -> str:
    """The services named in quotes, alphabetically."""
    services = [work.find(Service, service_id) for service_id in service_ids]
    names = [
        f"'{service.name}'" if service is not None else str(service_id)
        for service, service_id in zip(services, service_ids, strict=True)
    ]
    return ", ".join(sorted(names))


def _take_name(work: UnitOfWork, team: Team) -> None:
    other = work.claim(ClaimKind.TEAM_NAME, normalised_name(team.name), team.id)
    if other is not None:
        raise TeamNameTaken(f"An active team is already named '{team.name}'", team_id=str(other))


class OrgCommands(AreaCommands):
    def charter_team(self, context: CommandContext, body: CharterTeam) -> Outcome:
        require_leadership(context.principal, "Chartering a team")
        leader_id = person_id(body.leader, field="leader")
        parent_id = body.parent_id

        def charter(work: UnitOfWork) -> Team:
            team = work.add(
                Team.charter(
                    name=body.name, mission=body.mission, leader=leader_id, parent_id=parent_id
                )
            )
            if parent_id is not None:
                work.get(Team, parent_id, label="parent team").attach_subteam(team.id)
            _take_name(work, team)
            _take_leadership(work, leader_id, team)
            return team

        return self.run(context, charter, versioned=False)

    def appoint_leader(
        self, context: CommandContext, team_id: UUID, body: AppointLeader
    ) -> Outcome:
        require_leadership(context.principal, "Appointing a leader")
        leader_id = person_id(body.leader, field="leader")

        def appoint(team: Team, work: UnitOfWork) -> None:
            previous = team.leader
            was_dedicated = team.attachment_of(leader_id) is Attachment.DEDICATED
            team.appoint_leader(leader_id, body.reason)
            work.release(ClaimKind.TEAM_LEADER, previous, team.id)
            _take_leadership(work, leader_id, team)
            if was_dedicated:
                work.release(ClaimKind.DEDICATED_MEMBER, leader_id, team.id)

        return self.change(context, Team, team_id, appoint, label="team")

    def add_member(self, context: CommandContext, team_id: UUID, body: AddMember) -> Outcome:
        member = person_id(body.person)

        def add(team: Team, work: UnitOfWork) -> None:
            require_leader_or_leadership(context.principal, team, "Adding a member")
            team.add_member(member, body.function, body.attachment)
            if body.attachment is Attachment.DEDICATED:
                other = work.claim(ClaimKind.DEDICATED_MEMBER, member, team.id)
                if other is not None:
                    raise PersonDedicatedElsewhere(
                        f"{member} is already a dedicated member of team "
                        f"'{_team_name(work, other)}'",
                        person=member,
                        team_id=str(other),
                    )

        return self.change(context, Team, team_id, add, label="team")

    def remove_member(
        self, context: CommandContext, team_id: UUID, person: str, reason: str = ""
    ) -> Outcome:
        member = person_id(person)

        def remove(team: Team, work: UnitOfWork) -> None:
            require_leader_or_leadership(context.principal, team, "Removing a member")
            was_dedicated = team.attachment_of(member) is Attachment.DEDICATED
            team.remove_member(member, reason)
            if was_dedicated:
                work.release(ClaimKind.DEDICATED_MEMBER, member, team.id)

        return self.change(context, Team, team_id, remove, label="team")

    def move_team(self, context: CommandContext, team_id: UUID, body: MoveTeam) -> Outcome:
        """Move a team under another parent, or make it a root: a reorganisation."""
        require_leadership(context.principal, "Reorganising teams")
        parent_id = body.parent_id

        def move(work: UnitOfWork) -> Team:
            # Read the chart before the tree: a move committed after this read bumps the
            # chart's version and makes this save conflict; one committed before it is
            # already visible in the ancestors read below.
            chart = work.find(OrgChart, ORG_CHART_ID) or work.add(OrgChart.start())
            team = work.get(Team, team_id, label="team")
            new_parent = (
                None if parent_id is None else work.get(Team, parent_id, label="parent team")
            )
            lineage = [] if new_parent is None else _lineage(work, new_parent, team.id)
            previous_parent_id = team.parent_id
            team.move_under(parent_id, body.reason, lineage=lineage)
            if new_parent is not None:
                new_parent.attach_subteam(team.id)
            if previous_parent_id is not None:
                work.get(Team, previous_parent_id, label="team").detach_subteam(team.id)
            chart.record_move(team.id, parent_id)
            return team

        return self.run(context, move)

    def disband_team(self, context: CommandContext, team_id: UUID, body: DisbandTeam) -> Outcome:
        require_leadership(context.principal, "Disbanding a team")

        def disband(team: Team, work: UnitOfWork) -> None:
            dedicated = [
                PersonId(person)
                for person, attachment in team.members.items()
                if attachment == Attachment.DEDICATED.value
            ]
            try:
                team.disband(body.reason)
            except TeamHasActiveSubteams as refusal:
                names = [f"'{_team_name(work, subteam)}'" for subteam in team.subteams]
                raise TeamHasActiveSubteams(
                    f"Team '{team.name}' still has active subteams: {', '.join(names)}; "
                    "move or disband them first",
                    **refusal.context,
                ) from None
            except TeamOwnsActiveServices as refusal:
                raise TeamOwnsActiveServices(
                    f"Team '{team.name}' still owns active services: "
                    f"{_service_names(work, team.services)}; transfer or retire them first",
                    **refusal.context,
                ) from None
            for person in dedicated:
                work.release(ClaimKind.DEDICATED_MEMBER, person, team.id)
            work.release(ClaimKind.TEAM_LEADER, team.leader, team.id)
            work.release(ClaimKind.TEAM_NAME, normalised_name(team.name), team.id)
            if team.parent_id is not None:
                parent = work.find(Team, team.parent_id)
                if parent is not None:
                    parent.detach_subteam(team.id)

        return self.change(context, Team, team_id, disband, label="team")
