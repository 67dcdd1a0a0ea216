"""Metrics and goals survive the event store's encoding and snapshots, in memory."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from domain.goals import CheckInStatus, Goal, GoalOutcome
from domain.metrics import Direction, Metric, MetricKind, MetricYear
from domain.org.team import Team
from domain.people.values import PersonId
from services.application import SNAPSHOT_INTERVAL, Flywheel


def in_memory_app() -> Flywheel:
    return Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def retail() -> tuple[Team, Metric]:
    team = Team.charter(name="Retail", mission="Sell", leader=PersonId("lead@x.io"))
    metric = Metric.define(
        name="Revenue",
        kind=MetricKind.OUTPUT,
        financial=True,
        unit="USD",
        direction=Direction.INCREASE,
        definition="Net sales",
        owner=team,
    )
    return team, metric


def test_numbers_dates_and_enums_come_back_as_themselves() -> None:
    app = in_memory_app()
    team, metric = retail()
    goal = Goal.set(
        team=team,
        metric=metric,
        plan_year=2025,
        baseline=Decimal("1000000.25"),
        target=Decimal("1200000"),
        due_date=date(2025, 12, 31),
        description="Grow",
    )
    goal.check_in(CheckInStatus.YELLOW, "Soft Q1", "Holiday push")
    goal.close(GoalOutcome.MISSED, "Fell short")
    values = MetricYear.start(metric, 2025)
    values.observe(metric, date(2025, 1, 5), Decimal("0.10"))
    app.save(team, metric, goal, values)
    set_event, checked_in, closed = app.events.get(goal.id)
    assert isinstance(set_event, Goal.Set)
    assert set_event.baseline == Decimal("1000000.25") and set_event.due_date == date(2025, 12, 31)
    assert isinstance(checked_in, Goal.CheckedIn) and checked_in.status is CheckInStatus.YELLOW
    assert isinstance(closed, Goal.Closed) and closed.outcome is GoalOutcome.MISSED
    loaded = app.repository.get(metric.id)
    assert loaded.kind is MetricKind.OUTPUT and loaded.direction is Direction.INCREASE
    assert app.repository.get(values.id).values == {"2025-01-05": "0.10"}


def test_snapshots_rebuild_the_same_metric_and_goal() -> None:
    app = in_memory_app()
    team, metric = retail()
    values = MetricYear.start(metric, 2024)
    for day in range(SNAPSHOT_INTERVAL + 3):
        values.observe(metric, date(2024, 1, 1) + timedelta(days=day), Decimal(day))
    goal = Goal.set(
        team=team,
        metric=metric,
        plan_year=2025,
        baseline=Decimal(1),
        target=Decimal(2),
        due_date=date(2025, 6, 30),
        description="Grow",
    )
    for _ in range(SNAPSHOT_INTERVAL + 1):
        metric.bind_goal(goal.id)
    for week in range(SNAPSHOT_INTERVAL):
        goal.check_in(CheckInStatus.GREEN, f"week {week}")
    goal.flag_top_level()
    app.save(team, metric, goal, values)
    assert app.snapshots is not None
    for snapshotted in (metric, goal, values):
        assert list(app.snapshots.get(snapshotted.id))
    assert app.repository.get(values.id).values == values.values
    loaded_metric = app.repository.get(metric.id)
    assert loaded_metric.goals_bound == SNAPSHOT_INTERVAL + 1
    assert loaded_metric.kind is MetricKind.OUTPUT and loaded_metric.legacy_years == []
    loaded_goal = app.repository.get(goal.id)
    assert loaded_goal.status is CheckInStatus.GREEN and loaded_goal.top_level
    assert loaded_goal.target == Decimal(2) and loaded_goal.due_date == date(2025, 6, 30)


def test_a_metric_snapshot_of_version_1_keeps_its_values_as_decimal_text() -> None:
    state = {"observations": {"2025-01-05": Decimal("0.10"), "2025-01-12": Decimal("7")}}
    Metric.upcast_v1_v2(state)
    assert state["observations"] == {"2025-01-05": "0.10", "2025-01-12": "7"}
