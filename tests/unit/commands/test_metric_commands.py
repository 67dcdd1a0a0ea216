"""Metric commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

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
    MetricYear,
    NothingToCorrect,
    ObservationExists,
    OutputMetricCannotDrive,
)
from domain.org.team import TeamDisbanded
from services.api.commands import CommandContext
from services.commands import Forbidden, VersionMismatch
from services.metrics.rest import DeclareDriver, DefineMetric, RecordObservation, RedefineMetric
from services.org.rest import DisbandTeam
from services.principal import Role
from tests.commands import (
    Commands,
    refused_and_nothing_recorded,
)
from tests.goal_fixtures import company, define
from tests.people import CEO, PLANNER, principal

WEEK = date(2025, 3, 2)


def define_as(flywheel: Commands, who: object, name: str, owner: object, **extra: object) -> object:
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
    return flywheel.metrics.define_metric(
        CommandContext(who, "t"),  # type: ignore[arg-type]
        DefineMetric(**arguments),  # type: ignore[arg-type]
    )


def test_a_metric_is_saved_with_its_name_claim(flywheel: Commands) -> None:
    org = company(flywheel)
    metric = flywheel.app.repository.get(org.revenue)
    assert isinstance(metric, Metric)
    assert (metric.name, metric.kind, metric.financial) == ("Revenue", MetricKind.OUTPUT, True)
    refusal = refused_and_nothing_recorded(
        flywheel,
        MetricNameTaken,
        lambda: define(flywheel, " revenue ", MetricKind.OUTPUT, org.retail),
    )
    assert str(org.revenue) == refusal.context["metric_id"]  # type: ignore[attr-defined]


def test_definition_rules_record_nothing(flywheel: Commands) -> None:
    org = company(flywheel)
    refused_and_nothing_recorded(
        flywheel,
        CompoundMetric,
        lambda: define_as(flywheel, CEO, "Fitness", org.retail, composed_of=["Revenue", "0.4"]),
    )
    refused_and_nothing_recorded(
        flywheel,
        FinancialMetricMustBeOutput,
        lambda: define_as(flywheel, CEO, "Cash input", org.retail, financial=True),
    )
    refused_and_nothing_recorded(
        flywheel, NotFound, lambda: define_as(flywheel, CEO, "Orphan", uuid4())
    )
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: define_as(flywheel, CEO, "No unit", org.retail, unit=" ")
    )
    flywheel.org.disband_team(
        CommandContext(CEO, "t"), org.finance, DisbandTeam(reason="Outsourced")
    )
    refused_and_nothing_recorded(
        flywheel, TeamDisbanded, lambda: define_as(flywheel, CEO, "Late", org.finance)
    )


def test_the_owner_teams_leader_or_leadership_define_and_change_metrics(
    flywheel: Commands,
) -> None:
    org = company(flywheel)
    rita = principal("rita@x.io", Role.MEMBER)
    define_as(flywheel, rita, "Price", org.retail)
    for who in (PLANNER, principal("bo@x.io", Role.MEMBER)):
        refused_and_nothing_recorded(
            flywheel, Forbidden, lambda who=who: define_as(flywheel, who, "Nope", org.retail)
        )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.metrics.redefine_metric(
            CommandContext(principal("bo@x.io"), "t"),
            org.selection,
            RedefineMetric(definition="new", reason="r"),
        ),
    )
    changed = flywheel.metrics.redefine_metric(
        CommandContext(rita, "t"),
        org.selection,
        RedefineMetric(definition="In-stock detail page views", reason="Better"),
    )
    assert changed.version == 2


def test_redefinitions_keep_versions_and_refuse_blends_and_repeats(flywheel: Commands) -> None:
    org = company(flywheel)
    flywheel.metrics.redefine_metric(
        CommandContext(CEO, "t"),
        org.selection,
        RedefineMetric(definition="In-stock detail page views", reason="Availability"),
    )
    refused_and_nothing_recorded(
        flywheel,
        DefinitionUnchanged,
        lambda: flywheel.metrics.redefine_metric(
            CommandContext(CEO, "t"),
            org.selection,
            RedefineMetric(definition="In-stock detail page views", reason="again"),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        CompoundMetric,
        lambda: flywheel.metrics.redefine_metric(
            CommandContext(CEO, "t"),
            org.selection,
            RedefineMetric(definition="blend", reason="r", composed_of=["weights"]),
        ),
    )
    metric = flywheel.app.repository.get(org.selection)
    assert (metric.definition_version, metric.definition) == (2, "In-stock detail page views")


def test_drivers_go_from_inputs_to_outputs_only(flywheel: Commands) -> None:
    org = company(flywheel)

    def declare(source: UUID, output: UUID) -> object:
        return flywheel.metrics.declare_driver(
            CommandContext(CEO, "t"), source, DeclareDriver(output_metric_id=output, hypothesis="h")
        )

    declare(org.selection, org.revenue)
    declare(org.selection, org.visits)
    refused_and_nothing_recorded(
        flywheel, OutputMetricCannotDrive, lambda: declare(org.revenue, org.visits)
    )
    refused_and_nothing_recorded(
        flywheel, InputMetricDrivesOutputs, lambda: declare(org.selection, org.speed)
    )
    refused_and_nothing_recorded(
        flywheel, DriverAlreadyDeclared, lambda: declare(org.selection, org.revenue)
    )
    refused_and_nothing_recorded(flywheel, NotFound, lambda: declare(org.selection, uuid4()))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: declare(uuid4(), org.revenue))
    assert flywheel.app.repository.get(org.selection).drives == [org.revenue, org.visits]


def test_one_observation_per_period_and_corrections_with_reasons(flywheel: Commands) -> None:
    org = company(flywheel)

    def record(value: str, reason: str | None = None, period: date = WEEK) -> object:
        return flywheel.metrics.record_observation(
            CommandContext(CEO, "t"),
            org.revenue,
            RecordObservation(period_end=period, value=Decimal(value), reason=reason),
        )

    record("1200.50")
    refused_and_nothing_recorded(flywheel, ObservationExists, lambda: record("1300"))
    refused_and_nothing_recorded(
        flywheel, NothingToCorrect, lambda: record("5", "typo", date(2025, 3, 9))
    )
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: record("NaN", None, date(2025, 4, 6))
    )
    record("1250.50", "Refunds were double counted")
    year = flywheel.app.repository.get(MetricYear.create_id(org.revenue, 2025))
    assert year.values == {"2025-03-02": "1250.50"}


def test_a_stale_expected_version_is_refused(flywheel: Commands) -> None:
    org = company(flywheel)
    refused_and_nothing_recorded(
        flywheel,
        VersionMismatch,
        lambda: flywheel.metrics.redefine_metric(
            CommandContext(CEO, "t").at_version(5),
            org.selection,
            RedefineMetric(definition="new", reason="r"),
        ),
    )
    redefined = flywheel.metrics.redefine_metric(
        CommandContext(CEO, "t").at_version(1),
        org.selection,
        RedefineMetric(definition="new", reason="r"),
    )
    assert redefined.version == 2
