"""Who is calling: a person and the roles their token grants."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from domain.people.values import PersonId


class Role(Enum):
    """Roles a token can grant. Leading a team is not a role: it is derived
    from the current state of that team, so it can never be stale in a token."""

    LEADERSHIP = "leadership"
    MEMBER = "member"
    PLANNER = "planner"
    AUDITOR = "auditor"
    # Manages webhook endpoints (and so receives the log they carry); nothing else.
    INTEGRATOR = "integrator"


@dataclass(frozen=True)
class Principal:
    subject: PersonId
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_leadership(self) -> bool:
        return Role.LEADERSHIP in self.roles
