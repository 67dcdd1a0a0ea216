"""Expected outcomes: which observations decide them, in which direction."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.decisions import (
    MAX_NOTE_LENGTH,
    MAX_RESPONSE_LENGTH,
    ExpectedOutcome,
    OutcomeStatus,
    outcome_status,
    response_text,
)
from domain.errors import InvalidValue
from domain.metrics import Direction, Metric, MetricKind
from domain.org.team import Team
from domain.people.values import PersonId
from tests.unit.refusals import blank, refusal, too_long

BY = date(2026, 3, 31)
AFTER = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("direction", "observed", "today", "status"),
    [
        (Direction.INCREASE, Decimal(90), BY, OutcomeStatus.PENDING),  # on `by` itself
        (Direction.INCREASE, Decimal(90), AFTER, OutcomeStatus.MET),  # exactly the target
        (Direction.INCREASE, Decimal("89.9"), AFTER, OutcomeStatus.MISSED),
        (Direction.DECREASE, Decimal(90), AFTER, OutcomeStatus.MET),
        (Direction.DECREASE, Decimal("89.9"), AFTER, OutcomeStatus.MET),
        (Direction.DECREASE, Decimal("90.1"), AFTER, OutcomeStatus.MISSED),
        (Direction.INCREASE, None, AFTER, OutcomeStatus.UNKNOWN),
    ],
)
def test_the_metric_decides_in_its_direction(
    direction: Direction, observed: Decimal | None, today: date, status: OutcomeStatus
) -> None:
    assert outcome_status(direction, Decimal(90), BY, observed, today) is status


def test_an_expected_outcome_is_a_checked_value() -> None:
    team = Team.charter(name="T", mission="m", leader=PersonId("l@x.io"))
    metric = Metric.define(
        name="Speed",
        kind=MetricKind.INPUT,
        financial=False,
        unit="h",
        direction=Direction.DECREASE,
        definition="d",
        owner=team,
    )
    outcome = ExpectedOutcome.of(metric, Decimal(36), BY, "  under a day and a half ")
    assert (outcome.metric_id, outcome.note) == (metric.id, "under a day and a half")
    with pytest.raises(InvalidValue) as refused:
        ExpectedOutcome.of(metric, Decimal("NaN"), BY, None)
    assert refused.value.field == "target"
    assert ExpectedOutcome.of(metric, Decimal(1), BY, None).note == ""


def test_an_expected_outcomes_note_is_optional_multi_line_text_up_to_its_limit() -> None:
    team = Team.charter(name="T", mission="m", leader=PersonId("l@x.io"))
    metric = Metric.define(
        name="Speed",
        kind=MetricKind.INPUT,
        financial=False,
        unit="h",
        direction=Direction.DECREASE,
        definition="d",
        owner=team,
    )
    outcome = ExpectedOutcome.of(metric, Decimal("36.50"), BY, " Under a day\nand a half ")
    assert outcome == ExpectedOutcome(metric.id, Decimal("36.50"), BY, "Under a day\nand a half")
    assert ExpectedOutcome.of(metric, Decimal(1), BY, "n" * MAX_NOTE_LENGTH).note == (
        "n" * MAX_NOTE_LENGTH
    )
    assert refusal(
        lambda: ExpectedOutcome.of(metric, Decimal(1), BY, "n" * (MAX_NOTE_LENGTH + 1))
    ) == (too_long("note", MAX_NOTE_LENGTH))


def test_a_response_to_dissent_may_run_over_lines_up_to_its_limit() -> None:
    assert response_text(" Heard;\nwe fund it in OP2 ") == "Heard;\nwe fund it in OP2"
    assert response_text("r" * MAX_RESPONSE_LENGTH) == "r" * MAX_RESPONSE_LENGTH
    assert refusal(lambda: response_text("r" * (MAX_RESPONSE_LENGTH + 1))) == too_long(
        "response", MAX_RESPONSE_LENGTH
    )
    assert refusal(lambda: response_text(" ")) == blank("response")
