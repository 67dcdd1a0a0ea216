"""The callers tests act as."""

from __future__ import annotations

from domain.people.values import PersonId
from services.principal import Principal, Role


def principal(handle: str, *roles: Role) -> Principal:
    return Principal(subject=PersonId(handle), roles=frozenset(roles))


CEO = principal("ceo@example.com", Role.LEADERSHIP)
PLANNER = principal("planner@example.com", Role.PLANNER)
