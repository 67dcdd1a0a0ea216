"""Goal commands racing on a real PostgreSQL event store: exactly one wins, and the
recorded state says so. Rules and roles are tested in memory, tests/unit/commands."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.goals import (
    Goal,
)
from domain.metrics import Metric
from services.api.commands import CommandContext
from services.metrics.rest import RedefineMetric
from services.runtime import Runtime
from tests.goal_fixtures import company, set_goal
from tests.integration.test_team_commands import RACERS, race
from tests.people import CEO


def events_in_log_order(runtime: Runtime) -> list[tuple[int, Any]]:
    notifications = runtime.app.recorder.select_notifications(start=1, limit=10_000)
    return [
        (n.id, runtime.app.mapper.to_domain_event(n))  # type: ignore[arg-type]
        for n in notifications
    ]


def test_a_goal_set_during_a_redefinition_binds_the_version_in_force_when_saved(
    runtime: Runtime,
) -> None:
    """Each goal is recorded on its metric, so a goal that read the old definition
    conflicts with the redefinition and is set again on the new version."""
    org = company(runtime)
    commands = [
        lambda: runtime.metrics.redefine_metric(
            CommandContext(CEO, "t"),
            org.selection,
            RedefineMetric(definition="Demand-weighted in-stock %", reason="Better"),
        ),
        *[(lambda: set_goal(runtime, org.retail, org.selection)) for _ in range(RACERS - 1)],
    ]
    wins, losses = race(commands)
    assert losses == []
    assert len(wins) == RACERS
    redefined_at = None
    set_at: dict[UUID, tuple[int, int]] = {}
    for position, event in events_in_log_order(runtime):
        if isinstance(event, Metric.Redefined):
            redefined_at = position
        if isinstance(event, Goal.Set):
            set_at[event.originator_id] = (position, event.metric_definition_version)
    assert redefined_at is not None and len(set_at) == RACERS - 1
    for position, version in set_at.values():
        assert version == (2 if position > redefined_at else 1), (position, redefined_at)
