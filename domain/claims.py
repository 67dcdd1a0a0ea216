"""Unique keys held by one holder at a time: the write side's index aggregates.

Rules that span aggregates ("a person leads at most one team", "names of active
teams are unique") cannot be checked inside one aggregate. Each such key is a
:class:`Claim` whose id is derived from the key itself, ``uuid5(namespace,
"kind:key")``. A command saves the claim together with the aggregate it changes,
in one atomic ``app.save(team, claim)``; two commands racing for the same key
both append to the claim's stream at the same version, and the event store's
optimistic concurrency lets only one of them through.
"""

from __future__ import annotations

from enum import StrEnum
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate

CLAIMS_NAMESPACE = UUID("5f0c7d5e-0b7a-4e43-9d3c-4a2f6e1b9c10")


class ClaimKind(StrEnum):
    TEAM_LEADER = "team-leader"
    TEAM_NAME = "team-name"
    DEDICATED_MEMBER = "dedicated-member"
    SERVICE_NAME = "service-name"
    METRIC_NAME = "metric-name"
    ALLOCATION_CYCLE = "allocation-cycle"  # "2027:OP1": one cycle of each kind a year
    ROADMAP_PRFAQ = "roadmap-prfaq"  # an approved PR/FAQ becomes at most one roadmap item
    ROADMAP_BASELINE = "roadmap-baseline"  # a named baseline's name, once


def normalised_name(name: str) -> str:
    """Names compare without case and with runs of blanks collapsed."""
    return " ".join(name.casefold().split())


def claim_id(kind: ClaimKind, key: str) -> UUID:
    return uuid5(CLAIMS_NAMESPACE, f"{kind.value}:{key}")


class ClaimHeld(Exception):
    """The key is held by someone else."""

    def __init__(self, holder: UUID) -> None:
        super().__init__(f"held by {holder}")
        self.holder = holder


class Claim(AttributedAggregate):
    class Registered(AttributedAggregate.Created):
        kind: str
        key: str
        holder: UUID

    class Taken(AttributedAggregate.Event):
        holder: UUID

    class Released(AttributedAggregate.Event):
        holder: UUID

    def __init__(self, kind: str, key: str, holder: UUID) -> None:
        self.kind = kind
        self.key = key
        self.holder: UUID | None = holder

    @staticmethod
    def create_id(kind: str, key: str) -> UUID:
        return claim_id(ClaimKind(kind), key)

    @classmethod
    def register(cls, kind: ClaimKind, key: str, holder: UUID) -> Claim:
        return cls(kind=kind.value, key=key, holder=holder)

    def take(self, holder: UUID) -> None:
        if self.holder == holder:
            return
        if self.holder is not None:
            raise ClaimHeld(self.holder)
        self._taken(holder=holder)

    def release(self, holder: UUID) -> None:
        if self.holder == holder:
            self._released(holder=holder)

    @event(Taken)
    def _taken(self, holder: UUID) -> None:
        self.holder = holder

    @event(Released)
    def _released(self, holder: UUID) -> None:
        self.holder = None
