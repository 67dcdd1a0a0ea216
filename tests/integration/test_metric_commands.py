"""Metric commands racing on a real PostgreSQL event store: exactly one wins, and the
recorded state says so. Rules and roles are tested in memory, tests/unit/commands."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.metrics import (
    Direction,
    DriverAlreadyDeclared,
    MetricKind,
    MetricNameTaken,
    MetricYear,
    ObservationExists,
)
from services.api.commands import CommandContext
from services.metrics.rest import DeclareDriver, DefineMetric, RecordObservation
from services.runtime import Runtime
from tests.goal_fixtures import company
from tests.integration.test_team_commands import RACERS, event_count, race
from tests.people import CEO

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
    return runtime.metrics.define_metric(
        CommandContext(who, "t"),  # type: ignore[arg-type]
        DefineMetric(**arguments),  # type: ignore[arg-type]
    )


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
                CommandContext(CEO, "t"),
                org.speed,
                RecordObservation(period_end=WEEK, value=Decimal(n)),
            )
            for n in range(RACERS)
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, ObservationExists) for loss in losses), losses
    year = runtime.app.repository.get(MetricYear.create_id(org.speed, WEEK.year))
    assert len(year.values) == 1


def test_racing_driver_declarations_let_exactly_one_through(runtime: Runtime) -> None:
    org = company(runtime)
    wins, losses = race(
        [
            lambda n=n: runtime.metrics.declare_driver(
                CommandContext(CEO, "t"),
                org.selection,
                DeclareDriver(output_metric_id=org.revenue, hypothesis=f"h{n}"),
            )
            for n in range(RACERS)
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, DriverAlreadyDeclared) for loss in losses), losses
    assert runtime.app.repository.get(org.selection).drives == [org.revenue]
