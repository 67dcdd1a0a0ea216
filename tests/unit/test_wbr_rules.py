"""The weekly business review's rules on their own: how a period's values combine, and
variance notes written and corrected; every refusal compared whole."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.metrics import Aggregation, Direction, Metric, MetricKind
from domain.org.team import Team
from domain.people.values import PersonId
from domain.wbr import MAX_NOTE_LENGTH, MAX_REASON_LENGTH, NoteUnchanged, VarianceNote, combine
from tests.unit.refusals import blank, refusal, too_long

DAY = date(2027, 3, 1)
VALUES = [Decimal(3), Decimal(1), Decimal(2), Decimal(4), Decimal(-1)]


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (Aggregation.SUM, Decimal(9)),
        (Aggregation.MEAN, Decimal("1.8")),
        (Aggregation.LAST, Decimal(-1)),
        (Aggregation.MIN, Decimal(-1)),
        (Aggregation.MAX, Decimal(4)),
    ],
)
def test_a_periods_values_combine_as_the_metric_adds_up(
    aggregation: Aggregation, expected: Decimal
) -> None:
    assert combine(aggregation, VALUES) == expected
    assert combine(aggregation, []) is None


@pytest.mark.parametrize("aggregation", list(Aggregation))
def test_one_value_combines_to_itself(aggregation: Aggregation) -> None:
    assert combine(aggregation, [Decimal("2.5")]) == Decimal("2.5")


def test_the_mean_divides_exactly_as_decimal_does() -> None:
    assert combine(Aggregation.MEAN, [Decimal(1), Decimal(1), Decimal(0)]) == Decimal(
        "0.6666666666666666666666666667"
    )
    assert combine(Aggregation.LAST, [Decimal(5), Decimal(7)]) == Decimal(7)


def metric() -> Metric:
    owner = Team.charter(name="Retail", mission="Sell things", leader=PersonId("lead@x.io"))
    return Metric.define(
        name="Orders",
        kind=MetricKind.OUTPUT,
        financial=False,
        unit="orders",
        direction=Direction.INCREASE,
        definition="Orders placed",
        owner=owner,
    )


def recorded(note: VarianceNote) -> list[Any]:
    return list(note.collect_events())


def test_a_note_is_written_on_a_metric_for_a_day() -> None:
    orders = metric()
    note = VarianceNote.write(orders, DAY, " Prime Day\nmoved ")
    assert (note.metric_id, note.day, note.text) == (orders.id, DAY, "Prime Day\nmoved")
    (written,) = recorded(note)
    assert isinstance(written, VarianceNote.Written)
    assert (written.metric_id, written.day, written.text) == (orders.id, DAY, "Prime Day\nmoved")
    assert VarianceNote.write(orders, DAY, "n" * MAX_NOTE_LENGTH).text == "n" * MAX_NOTE_LENGTH
    assert refusal(lambda: VarianceNote.write(orders, DAY, " ")) == blank("text")
    assert refusal(lambda: VarianceNote.write(orders, DAY, "n" * (MAX_NOTE_LENGTH + 1))) == (
        too_long("text", MAX_NOTE_LENGTH)
    )


def test_a_note_is_corrected_to_a_new_text_with_a_reason() -> None:
    note = VarianceNote.write(metric(), DAY, "Prime Day")
    note.collect_events()
    assert refusal(lambda: note.correct(" ", "r"), note) == blank("text")
    assert refusal(lambda: note.correct("n" * (MAX_NOTE_LENGTH + 1), "r"), note) == too_long(
        "text", MAX_NOTE_LENGTH
    )
    assert refusal(lambda: note.correct("New", " "), note) == blank("reason")
    assert refusal(lambda: note.correct("New", "r" * (MAX_REASON_LENGTH + 1)), note) == (
        too_long("reason", MAX_REASON_LENGTH)
    )
    assert refusal(lambda: note.correct(" Prime Day ", "r"), note) == (
        NoteUnchanged,
        "The note already reads as given",
        {"note_id": str(note.id)},
    )
    note.correct(" Prime Day\nand a storm ", " Forgot \n the storm ")
    assert note.text == "Prime Day\nand a storm"
    (corrected,) = recorded(note)
    assert isinstance(corrected, VarianceNote.Corrected)
    assert (corrected.text, corrected.previous_text, corrected.reason) == (
        "Prime Day\nand a storm",
        "Prime Day",
        "Forgot \n the storm",
    )
    note.correct("n" * MAX_NOTE_LENGTH, "r" * MAX_REASON_LENGTH)
    assert note.text == "n" * MAX_NOTE_LENGTH
