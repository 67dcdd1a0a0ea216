"""Metric commands against a real PostgreSQL event store: rules, refusals, races."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from domain.errors import InvalidValue, NotFound
from domain.metrics import (
    CompoundMetric,
    DefinitionUnchanged,
    Direction,
    DriverAlreadyDeclared,
    FinancialMetricMustBeOutput,
    InputMetricDrivesOutputs,
    Metric,
    MetricKind,
    MetricNameTaken,
    NothingToCorrect,
    ObservationExists,
    OutputMetricCannotDrive,
)
from domain.teams import TeamDisbanded
from services.commands import Forbidden, VersionMismatch
from services.principal import Role
from services.runtime import Runtime
from tests.integration.goal_fixtures import company, define
from tests.integration.test_team_commands import (
    RACERS,
    event_count,
    race,
    refused_and_nothing_recorded,
)
from tests.people import CEO, PLANNER, principal

WEEK = date(2025, 3, 2)


def define_as(runtime: Runtime, who: object, name: str, owner: object, **extra: object) -> object:
    arguments: dict[str, object] = {
        "name": name,
        "kind": MetricKind.INPUT,
        "financial": False,
        "unit": "%",
        "direction": Direction.INCREASE,
        "definition": "d",
        "owner_team_id": owner,
        **extra,
    }
    return runtime.metrics.define_metric(who, "t", **arguments)  # type: ignore[arg-type]


def test_a_metric_is_saved_with_its_name_claim(runtime: Runtime) -> None:
    org = company(runtime)
    metric = runtime.app.repository.get(org.revenue)
    assert isinstance(metric, Metric)
    assert (metric.name, metric.kind, metric.financial) == ("Revenue", MetricKind.OUTPUT, True)
    refusal = refused_and_nothing_recorded(
        runtime,
        MetricNameTaken,
        lambda: define(runtime, " revenue ", MetricKind.OUTPUT, org.retail),
    )
    assert str(org.revenue) == refusal.context["metric_id"]  # type: ignore[attr-defined]


def test_definition_rules_record_nothing(runtime: Runtime) -> None:
    org = company(runtime)
    refused_and_nothing_recorded(
        runtime,
        CompoundMetric,
        lambda: define_as(runtime, CEO, "Fitness", org.retail, composed_of=["Revenue", "0.4"]),
    )
    refused_and_nothing_recorded(
        runtime,
        FinancialMetricMustBeOutput,
        lambda: define_as(runtime, CEO, "Cash input", org.retail, financial=True),
    )
    refused_and_nothing_recorded(
        runtime, NotFound, lambda: define_as(runtime, CEO, "Orphan", uuid4())
    )
    refused_and_nothing_recorded(
        runtime, InvalidValue, lambda: define_as(runtime, CEO, "No unit", org.retail, unit=" ")
    )
    runtime.teams.disband_team(CEO, "t", org.finance, reason="Outsourced")
    refused_and_nothing_recorded(
        runtime, TeamDisbanded, lambda: define_as(runtime, CEO, "Late", org.finance)
    )


def test_the_owner_teams_leader_or_leadership_define_and_change_metrics(
    runtime: Runtime,
) -> None:
    org = company(runtime)
    rita = principal("rita@x.io", Role.MEMBER)
    define_as(runtime, rita, "Price", org.retail)
    for who in (PLANNER, principal("bo@x.io", Role.MEMBER)):
        refused_and_nothing_recorded(
            runtime, Forbidden, lambda who=who: define_as(runtime, who, "Nope", org.retail)
        )
    refused_and_nothing_recorded(
        runtime,
        Forbidden,
        lambda: runtime.metrics.redefine_metric(
            principal("bo@x.io"), "t", org.selection, definition="new", reason="r"
        ),
    )
    changed = runtime.metrics.redefine_metric(
        rita, "t", org.selection, definition="In-stock detail page views", reason="Better"
    )
    assert changed.version == 2


def test_redefinitions_keep_versions_and_refuse_blends_and_repeats(runtime: Runtime) -> None:
    org = company(runtime)
    runtime.metrics.redefine_metric(
        CEO, "t", org.selection, definition="In-stock detail page views", reason="Availability"
    )
    refused_and_nothing_recorded(
        runtime,
        DefinitionUnchanged,
        lambda: runtime.metrics.redefine_metric(
            CEO, "t", org.selection, definition="In-stock detail page views", reason="again"
        ),
    )
    refused_and_nothing_recorded(
        runtime,
        CompoundMetric,
        lambda: runtime.metrics.redefine_metric(
            CEO, "t", org.selection, definition="blend", reason="r", composed_of=["weights"]
        ),
    )
    metric = runtime.app.repository.get(org.selection)
    assert (metric.definition_version, metric.definition) == (2, "In-stock detail page views")


def test_drivers_go_from_inputs_to_outputs_only(runtime: Runtime) -> None:
    org = company(runtime)

    def declare(source: object, output: object) -> object:
        return runtime.metrics.declare_driver(
            CEO,
            "t",
            source,
            output_metric_id=output,
            hypothesis="h",  # type: ignore[arg-type]
        )

    declare(org.selection, org.revenue)
    declare(org.selection, org.visits)
    refused_and_nothing_recorded(
        runtime, OutputMetricCannotDrive, lambda: declare(org.revenue, org.visits)
    )
    refused_and_nothing_recorded(
        runtime, InputMetricDrivesOutputs, lambda: declare(org.selection, org.speed)
    )
    refused_and_nothing_recorded(
        runtime, DriverAlreadyDeclared, lambda: declare(org.selection, org.revenue)
    )
    refused_and_nothing_recorded(runtime, NotFound, lambda: declare(org.selection, uuid4()))
    refused_and_nothing_recorded(runtime, NotFound, lambda: declare(uuid4(), org.revenue))
    assert runtime.app.repository.get(org.selection).drives == [org.revenue, org.visits]


def test_one_observation_per_period_and_corrections_with_reasons(runtime: Runtime) -> None:
    org = company(runtime)

    def record(value: str, reason: str | None = None, period: date = WEEK) -> object:
        return runtime.metrics.record_observation(
            CEO, "t", org.revenue, period_end=period, value=Decimal(value), reason=reason
        )

    record("1200.50")
    refused_and_nothing_recorded(runtime, ObservationExists, lambda: record("1300"))
    refused_and_nothing_recorded(
        runtime, NothingToCorrect, lambda: record("5", "typo", date(2025, 3, 9))
    )
    refused_and_nothing_recorded(
        runtime, InvalidValue, lambda: record("NaN", None, date(2025, 4, 6))
    )
    record("1250.50", "Refunds were double counted")
    metric = runtime.app.repository.get(org.revenue)
    assert metric.observations == {"2025-03-02": "1250.50"}


def test_racing_definitions_of_one_name_let_exactly_one_through(runtime: Runtime) -> None:
    org = company(runtime)
    before = event_count(runtime)
    wins, losses = race(
        [
            lambda n=n: define_as(runtime, CEO, "Conversion", org.retail, unit=f"u{n}")
            for n in range(RACERS)
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, MetricNameTaken) for loss in losses), losses
    assert event_count(runtime) == before + 2  # the metric and its name claim


def test_racing_observations_for_one_period_let_exactly_one_through(runtime: Runtime) -> None:
    org = company(runtime)
    wins, losses = race(
        [
            lambda n=n: runtime.metrics.record_observation(
                CEO, "t", org.speed, period_end=WEEK, value=Decimal(n)
            )
            for n in range(RACERS)
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, ObservationExists) for loss in losses), losses
    assert len(runtime.app.repository.get(org.speed).observations) == 1


def test_racing_driver_declarations_let_exactly_one_through(runtime: Runtime) -> None:
    org = company(runtime)
    wins, losses = race(
        [
            lambda n=n: runtime.metrics.declare_driver(
                CEO, "t", org.selection, output_metric_id=org.revenue, hypothesis=f"h{n}"
            )
            for n in range(RACERS)
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, DriverAlreadyDeclared) for loss in losses), losses


def test_a_stale_expected_version_is_refused(runtime: Runtime) -> None:
    org = company(runtime)
    refused_and_nothing_recorded(
        runtime,
        VersionMismatch,
        lambda: runtime.metrics.redefine_metric(
            CEO, "t", org.selection, definition="new", reason="r", expected_version=5
        ),
    )
    redefined = runtime.metrics.redefine_metric(
        CEO, "t", org.selection, definition="new", reason="r", expected_version=1
    )
    assert redefined.version == 2
