"""The org chart: the one record every reorganisation passes through.

A move is checked against the new parent's ancestors, which the move reads but
does not change. Two moves that each pass their own check can still close a loop
together: with B under C and D under A, "A under B" and "C under D" are each
fine, and together they make A > B > C > D > A. Optimistic concurrency only
catches writes to the same stream, so every move also records itself here, in
the same save as the teams it changes. Concurrent moves then conflict on this one
stream; the one that is retried reads the tree again and meets the cycle.

Reorganisations are rare and leadership-only, so serialising them costs nothing
that matters. Chartering and disbanding cannot close a loop and do not pass here.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate

ORG_CHART_NAMESPACE = UUID("0d7c3c9e-5a51-4d0e-8f4a-7b1f3f0c2e61")
ORG_CHART_ID = uuid5(ORG_CHART_NAMESPACE, "org-chart")


class OrgChart(AttributedAggregate):
    class Started(AttributedAggregate.Created):
        pass

    class TeamMoved(AttributedAggregate.Event):
        team_id: UUID
        parent_id: UUID | None

    def __init__(self) -> None:
        self.moves = 0

    @staticmethod
    def create_id() -> UUID:
        return ORG_CHART_ID

    @classmethod
    def start(cls) -> OrgChart:
        return cls()

    def record_move(self, team_id: UUID, parent_id: UUID | None) -> None:
        self._team_moved(team_id=team_id, parent_id=parent_id)

    @event(TeamMoved)
    def _team_moved(self, team_id: UUID, parent_id: UUID | None) -> None:
        self.moves += 1
