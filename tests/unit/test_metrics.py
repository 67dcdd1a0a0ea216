"""The rules of input and output metrics, checked on the aggregate alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.metrics import (
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
    legacy_values,
)
from domain.org.team import Team, TeamDisbanded
from domain.people.values import PersonId

WEEK_1 = date(2025, 1, 5)


def team(name: str = "Retail") -> Team:
    chartered = Team.charter(name=name, mission="Sell things", leader=PersonId("lead@x.io"))
    chartered.collect_events()
    return chartered


def metric(
    name: str = "In-stock selection",
    kind: MetricKind = MetricKind.INPUT,
    *,
    financial: bool = False,
    owner: Team | None = None,
) -> Metric:
    defined = Metric.define(
        name=name,
        kind=kind,
        financial=financial,
        unit="%",
        direction=Direction.INCREASE,
        definition="Detail page views of in-stock items",
        owner=owner or team(),
    )
    defined.collect_events()
    return defined


def event_names(aggregate: Metric) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


def test_a_metric_is_defined_with_its_kind_and_first_definition_version() -> None:
    owner = team()
    defined = Metric.define(
        name="  Free cash flow ",
        kind=MetricKind("output"),
        financial=True,
        unit="USD",
        direction=Direction("increase"),
        definition="Operating cash flow minus capital expenditure",
        owner=owner,
    )
    [event] = defined.collect_events()
    assert isinstance(event, Metric.Defined)
    assert (event.name, event.kind, event.financial, event.owner_team_id) == (
        "Free cash flow",
        MetricKind.OUTPUT,
        True,
        owner.id,
    )
    assert (event.actor, event.correlation_id) == ("ceo@example.com", "test-correlation")
    assert defined.definition_version == 1


def test_only_output_metrics_may_be_financial() -> None:
    with pytest.raises(FinancialMetricMustBeOutput):
        metric(kind=MetricKind.INPUT, financial=True)


def test_a_compound_metric_is_refused_with_the_reason() -> None:
    with pytest.raises(CompoundMetric) as refused:
        Metric.define(
            name="Fitness",
            kind=MetricKind.OUTPUT,
            financial=False,
            unit="points",
            direction=Direction.INCREASE,
            definition="0.4 * revenue + 0.6 * selection",
            owner=team(),
            composed_of=["revenue", "selection"],
        )
    assert refused.value.rule == "compound-metric"
    assert "hides which input moved the output" in refused.value.detail
    assert "fitness function" in (CompoundMetric.__doc__ or "")


def test_a_metric_needs_an_active_owner() -> None:
    owner = team()
    owner.disband("Closed")
    with pytest.raises(TeamDisbanded):
        metric(owner=owner)


@pytest.mark.parametrize(
    ("field", "values"),
    [
        ("name", {"name": " "}),
        ("unit", {"unit": ""}),
        ("definition", {"definition": "x" * 4001}),
    ],
)
def test_names_units_and_definitions_must_be_given(field: str, values: dict[str, str]) -> None:
    arguments = {"name": "N", "unit": "%", "definition": "d", **values}
    with pytest.raises(InvalidValue) as refused:
        Metric.define(
            kind=MetricKind.INPUT,
            financial=False,
            direction=Direction.DECREASE,
            owner=team(),
            **arguments,
        )
    assert refused.value.field == field


def test_redefining_adds_a_version_with_its_reason() -> None:
    selection = metric()
    selection.redefine("Demand-weighted in-stock percentage", "Views overweight rare items")
    [event] = selection.collect_events()
    assert isinstance(event, Metric.Redefined)
    assert (event.definition_version, event.reason) == (2, "Views overweight rare items")
    assert selection.definition == "Demand-weighted in-stock percentage"


def test_a_redefinition_needs_a_reason_a_change_and_no_blend() -> None:
    selection = metric()
    with pytest.raises(InvalidValue):
        selection.redefine("New text", " ")
    with pytest.raises(DefinitionUnchanged):
        selection.redefine("Detail page views of in-stock items", "again")
    with pytest.raises(CompoundMetric):
        selection.redefine("Blend", "why not", composed_of=["weights"])
    assert selection.collect_events() == []
    assert selection.definition_version == 1


def test_an_input_metric_declares_the_outputs_it_drives() -> None:
    selection, revenue = metric(), metric("Revenue", MetricKind.OUTPUT, financial=True)
    selection.declare_driver(revenue, "More in-stock selection converts more visits")
    [event] = selection.collect_events()
    assert isinstance(event, Metric.DriverDeclared)
    assert (event.output_metric_id, event.hypothesis) == (
        revenue.id,
        "More in-stock selection converts more visits",
    )
    with pytest.raises(DriverAlreadyDeclared):
        selection.declare_driver(revenue, "again")


def test_outputs_drive_nothing_and_inputs_drive_only_outputs() -> None:
    selection, price = metric(), metric("Price", MetricKind.INPUT)
    revenue = metric("Revenue", MetricKind.OUTPUT)
    with pytest.raises(OutputMetricCannotDrive):
        revenue.declare_driver(revenue, "circular")
    with pytest.raises(InputMetricDrivesOutputs):
        selection.declare_driver(price, "inputs link to outputs only")
    with pytest.raises(InvalidValue):
        selection.declare_driver(revenue, "  ")
    assert selection.collect_events() == revenue.collect_events() == []


def year_of(selection: Metric, year: int = WEEK_1.year) -> MetricYear:
    """The metric's year, started (its Started event collected)."""
    started = MetricYear.start(selection, year)
    started.collect_events()
    return started


def test_one_value_per_period_and_corrections_carry_a_reason() -> None:
    selection = metric()
    values = year_of(selection)
    values.observe(selection, WEEK_1, Decimal("91.5"))
    with pytest.raises(ObservationExists) as refused:
        values.observe(selection, WEEK_1, Decimal("92"))
    assert "91.5" in refused.value.detail
    values.correct(selection, WEEK_1, Decimal("92"), "Late warehouse feed")
    observed, corrected = values.collect_events()
    assert isinstance(observed, MetricYear.Observed) and observed.value == Decimal("91.5")
    assert observed.metric_id == selection.id
    assert isinstance(corrected, MetricYear.ObservationCorrected)
    assert (corrected.metric_id, corrected.previous_value, corrected.value, corrected.reason) == (
        selection.id,
        Decimal("91.5"),
        Decimal("92"),
        "Late warehouse feed",
    )
    assert values.values == {"2025-01-05": "92"} and values.value(WEEK_1) == Decimal("92")
    assert selection.collect_events() == [], "a value leaves the metric itself unchanged"


def test_a_correction_needs_a_value_to_correct_and_a_reason() -> None:
    selection = metric()
    values = year_of(selection)
    with pytest.raises(NothingToCorrect):
        values.correct(selection, WEEK_1, Decimal(1), "typo")
    values.observe(selection, WEEK_1, Decimal(1))
    values.collect_events()
    with pytest.raises(InvalidValue):
        values.correct(selection, WEEK_1, Decimal(2), "")
    assert values.collect_events() == []


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1e18")])
def test_values_are_finite_numbers_of_sensible_size(value: Decimal) -> None:
    selection = metric()
    with pytest.raises(InvalidValue):
        year_of(selection).observe(selection, WEEK_1, value)


def test_a_year_is_found_by_the_metric_and_the_year() -> None:
    selection, other = metric(), metric("Price")
    values = MetricYear.start(selection, 2025)
    assert values.id == MetricYear.create_id(selection.id, 2025)
    assert len({values.id, MetricYear.create_id(selection.id, 2026)}) == 2
    assert MetricYear.create_id(other.id, 2025) != values.id
    [started] = values.collect_events()
    assert isinstance(started, MetricYear.Started)
    assert (started.metric_id, started.owner_team_id, started.year, started.carried) == (
        selection.id,
        selection.owner_team_id,
        2025,
        {},
    )


def test_a_year_holds_the_periods_ending_in_it_from_the_first_day_to_the_last() -> None:
    selection = metric()
    values = year_of(selection)
    values.observe(selection, date(2025, 1, 1), Decimal(1))
    values.observe(selection, date(2025, 12, 31), Decimal(2))
    assert values.values == {"2025-01-01": "1", "2025-12-31": "2"}
    for outside in (date(2024, 12, 31), date(2026, 1, 1)):
        with pytest.raises(ValueError, match="do not hold"):
            values.observe(selection, outside, Decimal(3))
    with pytest.raises(ValueError, match="do not hold"):
        values.observe(metric("Price"), date(2025, 6, 1), Decimal(3))
    assert len(values.collect_events()) == 2


def test_values_carried_from_the_metric_are_refused_again_and_may_be_corrected() -> None:
    selection = metric()
    values = MetricYear.start(selection, 2025, {"2025-01-05": "7"})
    values.collect_events()
    with pytest.raises(ObservationExists) as refused:
        values.observe(selection, WEEK_1, Decimal(8))
    assert "the value 7 for the period ending 2025-01-05" in refused.value.detail
    values.correct(selection, WEEK_1, Decimal(8), "Recounted")
    [corrected] = values.collect_events()
    assert isinstance(corrected, MetricYear.ObservationCorrected)
    assert corrected.previous_value == Decimal(7)


def test_the_metric_remembers_only_the_years_it_was_observed_in_under_the_old_schema() -> None:
    selection = metric()
    selection._observed(period_end=date(2024, 12, 29), value=Decimal(1))
    selection._observed(period_end=WEEK_1, value=Decimal(2))
    selection._observation_corrected(
        period_end=WEEK_1, value=Decimal(3), previous_value=Decimal(2), reason="Typo"
    )
    assert selection.legacy_years == [2024, 2025]
    history = selection.collect_events()
    assert legacy_values(history, 2025) == {"2025-01-05": "3"}
    assert legacy_values(history, 2024) == {"2024-12-29": "1"}
    assert legacy_values(history, 2023) == {}


def test_a_metric_snapshot_of_version_3_keeps_the_years_of_its_values() -> None:
    state: dict[str, object] = {
        "observations": {"2025-01-05": "1", "2024-12-29": "2", "2025-03-02": "3"}
    }
    Metric.upcast_v3_v4(state)
    assert state == {"legacy_years": [2024, 2025]}
    state = {"observations": {}}
    Metric.upcast_v3_v4(state)
    assert state == {"legacy_years": []}


def test_binding_a_goal_records_the_definition_version_in_force() -> None:
    selection = metric()
    selection.redefine("Demand-weighted in-stock percentage", "Better signal")
    selection.collect_events()
    goal_id = Metric.create_id()
    assert selection.bind_goal(goal_id) == 2
    [event] = selection.collect_events()
    assert isinstance(event, Metric.GoalBound)
    assert (event.goal_id, event.definition_version) == (goal_id, 2)


def test_metric_rules_are_in_the_catalogue() -> None:
    catalogue = RuleViolation.catalogue()
    assert {
        "compound-metric",
        "financial-metric-must-be-output",
        "metric-name-taken",
        "definition-unchanged",
        "output-metric-cannot-drive",
        "input-metric-drives-outputs",
        "driver-already-declared",
        "observation-exists",
        "nothing-to-correct",
    } <= set(catalogue)
