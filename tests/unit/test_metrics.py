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
    NothingToCorrect,
    ObservationExists,
    OutputMetricCannotDrive,
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


def test_one_value_per_period_and_corrections_carry_a_reason() -> None:
    selection = metric()
    selection.observe(WEEK_1, Decimal("91.5"))
    with pytest.raises(ObservationExists) as refused:
        selection.observe(WEEK_1, Decimal("92"))
    assert "91.5" in refused.value.detail
    selection.correct(WEEK_1, Decimal("92"), "Late warehouse feed")
    observed, corrected = selection.collect_events()
    assert isinstance(observed, Metric.Observed) and observed.value == Decimal("91.5")
    assert isinstance(corrected, Metric.ObservationCorrected)
    assert (corrected.previous_value, corrected.value, corrected.reason) == (
        Decimal("91.5"),
        Decimal("92"),
        "Late warehouse feed",
    )
    assert selection.observations == {"2025-01-05": "92"}


def test_a_correction_needs_a_value_to_correct_and_a_reason() -> None:
    selection = metric()
    with pytest.raises(NothingToCorrect):
        selection.correct(WEEK_1, Decimal(1), "typo")
    selection.observe(WEEK_1, Decimal(1))
    selection.collect_events()
    with pytest.raises(InvalidValue):
        selection.correct(WEEK_1, Decimal(2), "")
    assert selection.collect_events() == []


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("Infinity"), Decimal("1e18")])
def test_values_are_finite_numbers_of_sensible_size(value: Decimal) -> None:
    with pytest.raises(InvalidValue):
        metric().observe(WEEK_1, value)


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
