"""Every refusal of a metric, compared whole (rule, text, payload), at its edges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.metrics import (
    MAX_ABSOLUTE_VALUE,
    MAX_HYPOTHESIS_LENGTH,
    MAX_REASON_LENGTH,
    MAX_UNIT_LENGTH,
    CompoundMetric,
    DefinitionUnchanged,
    Direction,
    DriverAlreadyDeclared,
    FinancialMetricMustBeOutput,
    InputMetricDrivesOutputs,
    Metric,
    MetricKind,
    MetricYear,
    NothingToCorrect,
    ObservationExists,
    OutputMetricCannotDrive,
)
from domain.org.team import TeamDisbanded
from tests.unit.refusals import blank, invalid, refusal, too_long
from tests.unit.test_metrics import WEEK_1, metric, team, year_of


def recorded(aggregate: Metric | MetricYear) -> list[object]:
    return list(aggregate.collect_events())


def define(**changes: object) -> Metric:
    arguments: dict[str, object] = {
        "name": "Revenue",
        "kind": MetricKind.OUTPUT,
        "financial": True,
        "unit": "USD",
        "direction": Direction.INCREASE,
        "definition": "Net sales",
        "owner": team(),
        **changes,
    }
    return Metric.define(**arguments)  # type: ignore[arg-type]


def test_a_metric_keeps_what_it_was_defined_with() -> None:
    owner = team()
    revenue = define(owner=owner, unit=" " + "u" * MAX_UNIT_LENGTH + " ")
    assert (revenue.name, revenue.kind, revenue.financial, revenue.unit) == (
        "Revenue",
        MetricKind.OUTPUT,
        True,
        "u" * MAX_UNIT_LENGTH,
    )
    assert (revenue.direction, revenue.owner_team_id, revenue.definition_version) == (
        Direction.INCREASE,
        owner.id,
        1,
    )
    assert refusal(lambda: define(unit="u" * (MAX_UNIT_LENGTH + 1))) == too_long(
        "unit", MAX_UNIT_LENGTH
    )


def test_the_definition_refusals() -> None:
    assert refusal(lambda: define(composed_of=["Visits", "Orders"])) == (
        CompoundMetric,
        "A metric cannot be a weighted blend of other metrics (asked to compose Visits, "
        "Orders): a blend hides which input moved the output, so nobody can tell what to act "
        "on; Amazon dropped its early 'fitness function' for this reason. Define each input as "
        "its own metric and declare the outputs it drives.",
        {"composed_of": ["Visits", "Orders"]},
    )
    assert refusal(lambda: define(kind=MetricKind.INPUT)) == (
        FinancialMetricMustBeOutput,
        "Only output metrics may be financial: financial results lag and cannot be moved "
        "directly, so they are never inputs",
        {},
    )
    owner = team("Gone")
    owner.disband("Closed")
    assert refusal(lambda: define(owner=owner)) == (
        TeamDisbanded,
        "Team 'Gone' is disbanded and cannot own a metric",
        {"team_id": str(owner.id)},
    )


def test_the_redefinition_refusals() -> None:
    selection = metric()
    assert refusal(lambda: selection.redefine("New", " "), selection) == blank("reason")
    assert refusal(lambda: selection.redefine("New", "r" * (MAX_REASON_LENGTH + 1))) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    same = selection.definition
    assert refusal(lambda: selection.redefine(f" {same} ", "Why"), selection) == (
        DefinitionUnchanged,
        "Metric 'In-stock selection' is already defined as given (version 1)",
        {"metric_id": str(selection.id)},
    )


def test_the_driver_refusals_name_both_metrics() -> None:
    selection, revenue = metric(), metric("Revenue", MetricKind.OUTPUT)
    speed = metric("Speed")
    assert refusal(lambda: revenue.declare_driver(selection, "h"), revenue) == (
        OutputMetricCannotDrive,
        "'Revenue' is an output metric: outputs lag and are driven, they drive nothing. "
        "Declare the driver on an input metric",
        {"metric_id": str(revenue.id)},
    )
    assert refusal(lambda: selection.declare_driver(speed, "h"), selection) == (
        InputMetricDrivesOutputs,
        "'Speed' is an input metric; an input metric drives output metrics only",
        {"metric_id": str(speed.id)},
    )
    assert refusal(lambda: selection.declare_driver(revenue, " "), selection) == blank("hypothesis")
    long_hypothesis = "h" * (MAX_HYPOTHESIS_LENGTH + 1)
    assert refusal(lambda: selection.declare_driver(revenue, long_hypothesis)) == too_long(
        "hypothesis", MAX_HYPOTHESIS_LENGTH
    )
    selection.declare_driver(revenue, " More selection, more sales ")
    [declared] = recorded(selection)
    assert isinstance(declared, Metric.DriverDeclared)
    assert (declared.output_metric_id, declared.hypothesis) == (
        revenue.id,
        "More selection, more sales",
    )
    assert refusal(lambda: selection.declare_driver(revenue, "Again"), selection) == (
        DriverAlreadyDeclared,
        "'In-stock selection' already declares that it drives 'Revenue'",
        {"metric_id": str(selection.id), "output_metric_id": str(revenue.id)},
    )


@pytest.mark.parametrize("value", [MAX_ABSOLUTE_VALUE, -MAX_ABSOLUTE_VALUE])
def test_values_of_ten_to_the_eighteen_are_refused(value: Decimal) -> None:
    selection = metric()
    values = year_of(selection)
    assert refusal(lambda: values.observe(selection, WEEK_1, value), values) == invalid(
        "value", "`value` must be smaller than 10^18 in magnitude"
    )


@pytest.mark.parametrize("value", [MAX_ABSOLUTE_VALUE - 1, -(MAX_ABSOLUTE_VALUE - 1), Decimal(0)])
def test_values_just_under_ten_to_the_eighteen_are_recorded(value: Decimal) -> None:
    selection = metric()
    values = year_of(selection)
    values.observe(selection, WEEK_1, value)
    assert values.values == {"2025-01-05": str(value)}


def test_the_observation_refusals_name_the_period() -> None:
    selection = metric()
    values = year_of(selection)
    assert refusal(lambda: values.observe(selection, WEEK_1, Decimal("Infinity"))) == invalid(
        "value", "`value` must be a finite number"
    )
    assert refusal(lambda: values.correct(selection, WEEK_1, Decimal("NaN"), "Why")) == invalid(
        "value", "`value` must be a finite number"
    )
    assert refusal(lambda: values.correct(selection, WEEK_1, Decimal(1), "Why"), values) == (
        NothingToCorrect,
        "'In-stock selection' has no value for the period ending 2025-01-05 to correct; "
        "record it without a reason",
        {"metric_id": str(selection.id), "period_end": "2025-01-05"},
    )
    values.observe(selection, WEEK_1, Decimal("0.5"))
    values.collect_events()
    assert refusal(lambda: values.observe(selection, WEEK_1, Decimal(1)), values) == (
        ObservationExists,
        "'In-stock selection' already has the value 0.5 for the period ending 2025-01-05; "
        "send a correction with a reason to change it",
        {"metric_id": str(selection.id), "period_end": "2025-01-05"},
    )
    assert refusal(lambda: values.correct(selection, WEEK_1, Decimal(1), " "), values) == blank(
        "reason"
    )
    values.correct(selection, WEEK_1, Decimal("0.6"), " Late data ")
    [corrected] = recorded(values)
    assert isinstance(corrected, MetricYear.ObservationCorrected)
    assert (corrected.value, corrected.previous_value, corrected.reason) == (
        Decimal("0.6"),
        Decimal("0.5"),
        "Late data",
    )


def test_a_corrections_reason_may_run_over_lines_up_to_its_limit() -> None:
    selection = metric()
    values = year_of(selection)
    values.observe(selection, WEEK_1, Decimal("0.5"))
    values.collect_events()
    assert refusal(
        lambda: values.correct(selection, WEEK_1, Decimal(1), "r" * (MAX_REASON_LENGTH + 1)),
        values,
    ) == too_long("reason", MAX_REASON_LENGTH)
    values.correct(selection, WEEK_1, Decimal("0.6"), " The feed was late;\nrerun on Monday ")
    values.correct(selection, WEEK_1, Decimal("0.7"), "r" * MAX_REASON_LENGTH)
    first, _ = recorded(values)
    assert isinstance(first, MetricYear.ObservationCorrected)
    assert first.reason == "The feed was late;\nrerun on Monday"


def test_a_redefinitions_reason_and_a_drivers_hypothesis_may_run_over_lines() -> None:
    selection, revenue = metric(), metric("Revenue", MetricKind.OUTPUT)
    selection.redefine("Pages in stock", " The old text\ncounted drafts ")
    selection.declare_driver(revenue, " More selection,\nmore sales ")
    redefined, declared = recorded(selection)
    assert isinstance(redefined, Metric.Redefined)
    assert isinstance(declared, Metric.DriverDeclared)
    assert (redefined.reason, declared.hypothesis) == (
        "The old text\ncounted drafts",
        "More selection,\nmore sales",
    )


def test_a_definition_may_run_over_lines() -> None:
    defined = define(definition=" Orders placed,\nless cancellations ")
    assert defined.definition == "Orders placed,\nless cancellations"
