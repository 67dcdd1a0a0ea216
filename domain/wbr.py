"""The weekly business review's parts that are rules, not arithmetic: how values combine
into a period, and variance notes.

An owner annotates a metric's variance for a date with a **variance note** ("Prime Day
moved into this week"): an aggregate of its own, so that notes on one metric are
written without contending with that metric's observations. A note is corrected
with a reason, and the old text stays in the history; the review shows the notes
dated within its range, as they read at the position it is shown as of.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import RuleViolation
from domain.metrics import Aggregation, Metric
from domain.values import required_text

MAX_NOTE_LENGTH = 2000
MAX_REASON_LENGTH = 2000


def combine(aggregation: Aggregation, values: Sequence[Decimal]) -> Decimal | None:
    """The values of one period (in date order) combined as the metric adds up; None when
    there are none. MEAN divides exactly as Decimal does (28 significant digits)."""
    if not values:
        return None
    if aggregation is Aggregation.SUM:
        return sum(values, Decimal(0))
    if aggregation is Aggregation.MEAN:
        return sum(values, Decimal(0)) / len(values)
    if aggregation is Aggregation.LAST:
        return values[-1]
    if aggregation is Aggregation.MIN:
        return min(values)
    return max(values)


class NoteUnchanged(RuleViolation):
    """A correction records a new text for the note; the same text again changes nothing."""

    rule = "note-unchanged"


class VarianceNote(AttributedAggregate):
    class Written(AttributedAggregate.Created):
        metric_id: UUID
        day: date
        text: str

    class Corrected(AttributedAggregate.Event):
        text: str
        previous_text: str
        reason: str

    def __init__(self, metric_id: UUID, day: date, text: str) -> None:
        self.metric_id = metric_id
        self.day = day
        self.text = text

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def write(cls, metric: Metric, day: date, text: str) -> VarianceNote:
        """A note on ``metric`` for ``day``; a metric may have several notes for one day."""
        return cls(
            metric_id=metric.id,
            day=day,
            text=required_text("text", text, max_length=MAX_NOTE_LENGTH, multiline=True),
        )

    def correct(self, text: str, reason: str) -> None:
        """A new text for the note, with why; the old text stays in the history."""
        new = required_text("text", text, max_length=MAX_NOTE_LENGTH, multiline=True)
        why = required_text("reason", reason, max_length=MAX_REASON_LENGTH, multiline=True)
        if new == self.text:
            raise NoteUnchanged("The note already reads as given", note_id=str(self.id))
        self._corrected(text=new, previous_text=self.text, reason=why)

    @event(Corrected)
    def _corrected(self, text: str, previous_text: str, reason: str) -> None:
        self.text = text
