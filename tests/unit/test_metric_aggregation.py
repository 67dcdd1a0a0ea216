"""How a metric adds up: set at definition, changed by a redefinition, and the default
that metrics defined before aggregations existed take through the upcasts."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from domain.metrics import (
    Aggregation,
    DefinitionUnchanged,
    Direction,
    Metric,
    MetricKind,
    MetricYear,
    default_aggregation,
)
from domain.org.team import Team
from domain.people.values import PersonId
from services.application import Flywheel


def team() -> Team:
    chartered = Team.charter(name="Retail", mission="Sell things", leader=PersonId("lead@x.io"))
    chartered.collect_events()
    return chartered


def metric(unit: str = "orders", aggregation: Aggregation | None = None) -> Metric:
    return Metric.define(
        name="Orders",
        kind=MetricKind.OUTPUT,
        financial=False,
        unit=unit,
        direction=Direction.INCREASE,
        definition="Orders placed",
        owner=team(),
        aggregation=aggregation,
    )


def test_the_aggregation_is_set_at_definition() -> None:
    assert metric(aggregation=Aggregation.LAST).aggregation is Aggregation.LAST
    assert metric(aggregation=Aggregation("max")).aggregation is Aggregation.MAX


def test_without_an_aggregation_a_count_adds_up_and_a_percentage_is_averaged() -> None:
    assert metric("orders").aggregation is Aggregation.SUM
    assert metric("%").aggregation is Aggregation.MEAN
    assert default_aggregation(" Percent ") is Aggregation.MEAN


def test_a_redefinition_changes_the_aggregation_and_adds_a_version() -> None:
    defined = metric()
    defined.collect_events()
    defined.redefine("Orders placed", "Balances are stock, not flow", aggregation=Aggregation.LAST)
    assert defined.aggregation is Aggregation.LAST and defined.definition_version == 2
    (redefined,) = defined.collect_events()
    assert isinstance(redefined, Metric.Redefined) and redefined.aggregation is Aggregation.LAST
    defined.redefine("Orders placed and paid", "Count paid orders only")
    assert defined.aggregation is Aggregation.LAST, "a redefinition without one keeps it"


def test_the_same_text_and_aggregation_again_is_no_new_version() -> None:
    defined = metric(aggregation=Aggregation.SUM)
    with pytest.raises(DefinitionUnchanged):
        defined.redefine("Orders placed", "again", aggregation=Aggregation.SUM)


def test_the_aggregation_survives_the_event_store() -> None:
    app = Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    defined = metric(aggregation=Aggregation.MIN)
    app.save(defined)
    loaded = app.repository.get(defined.id)
    assert loaded.aggregation is Aggregation.MIN


def test_events_recorded_before_aggregations_upcast_to_the_default() -> None:
    """Version 1 events (no aggregation) read back with the unit's default, through the store."""
    app = Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    defined = metric(unit="%")
    defined.redefine("Share of orders", "Say what it is")
    stored = []
    for pending in defined.collect_events():
        record = app.mapper.to_stored_event(pending)
        state = json.loads(record.state)
        del state["aggregation"]
        state.pop("class_version", None)
        stored.append(replace(record, state=json.dumps(state).encode()))
    app.recorder.insert_events(stored)
    loaded = app.repository.get(defined.id)
    assert loaded.aggregation is Aggregation.MEAN and loaded.definition == "Share of orders"
    events = list(app.events.get(defined.id))
    assert events[0].aggregation is Aggregation.MEAN  # type: ignore[attr-defined]
    assert events[1].aggregation is None  # type: ignore[attr-defined]


def test_a_metric_snapshot_of_version_2_takes_the_default_for_its_unit() -> None:
    state: dict[str, object] = {"unit": "EUR", "observations": {"2025-01-05": "1"}}
    Metric.upcast_v2_v3(state)
    assert state["aggregation"] is Aggregation.SUM
    state = {"unit": "%"}
    Metric.upcast_v2_v3(state)
    assert state["aggregation"] is Aggregation.MEAN


def test_observations_may_be_daily_or_weekly() -> None:
    daily = metric()
    values = MetricYear.start(daily, 2025)
    values.observe(daily, date(2025, 1, 1), Decimal(3))
    values.observe(daily, date(2025, 1, 2), Decimal(4))
    assert values.values == {"2025-01-01": "3", "2025-01-02": "4"}
