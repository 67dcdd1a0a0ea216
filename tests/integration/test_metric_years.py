"""A log written before values moved to MetricYear: the metric's own ``Observed`` and
``ObservationCorrected`` events and a snapshot of version 3 that holds every value.
It still loads, projects the same rows, rebuilds to the views it serves, and the rules
still see its values: a duplicate period is refused, a correction finds the old value."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import psycopg
import pytest
from eventsourcing.domain import Snapshot

from domain.errors import DomainError
from domain.metrics import Metric, MetricYear, NothingToCorrect, ObservationExists
from domain.provenance import acting_as
from projections.audit.queries import history_page
from projections.feeds.queries import FeedFilter, events_after
from projections.paging import PageRequest
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.application import SNAPSHOT_INTERVAL
from services.audit import chain as audit
from services.commands import Outcome
from services.metrics.rest import RecordObservation
from services.migrations import (
    MIGRATIONS_TABLE,
    class_versions,
    migrate_event_store,
    retake_old_snapshots,
)
from services.runtime import Runtime
from tests.goal_fixtures import company
from tests.people import CEO

# Weekly values from the last Sunday of 2023 into 2025: three years, past a snapshot.
FIRST = date(2023, 12, 31)
OLD_WEEKS = SNAPSHOT_INTERVAL + 40  # to 2025-09-14
CORRECTED = FIRST + timedelta(weeks=3)  # 2024-01-21, corrected under the old schema
OLD_2025 = date(2025, 1, 5)  # in the weeks written, and in the last year they reach


def old_value(week: int) -> Decimal:
    return Decimal(f"{100 + week}.5")


def write_old_schema(runtime: Runtime, metric_id: UUID) -> Metric:
    """Values recorded as the code before MetricYear did: events of the metric itself.
    Then its latest snapshot is replaced by one of class version 3 (every value in it)."""
    app = runtime.app
    metric: Metric = app.repository.get(metric_id)
    with acting_as("old-release@acme.example", "before-metric-years"):
        for week in range(OLD_WEEKS):
            metric._observed(period_end=FIRST + timedelta(weeks=week), value=old_value(week))
        metric._observation_corrected(
            period_end=CORRECTED, value=Decimal(7), previous_value=old_value(3), reason="Typo"
        )
    app.save(metric)
    assert app.snapshots is not None
    snapshot_class: Any = getattr(Metric, "Snapshot", Snapshot)
    snapshot = snapshot_class.take(metric)
    state = dict(snapshot.state)
    del state["legacy_years"]
    values = {(FIRST + timedelta(weeks=w)).isoformat(): str(old_value(w)) for w in range(OLD_WEEKS)}
    values[CORRECTED.isoformat()] = "7"
    state.update(observations=values, class_version=3)
    app.snapshots.put(
        [
            snapshot_class(
                originator_id=snapshot.originator_id,
                originator_version=snapshot.originator_version,
                timestamp=snapshot.timestamp,
                topic=snapshot.topic,
                state=state,
            )
        ]
    )
    [latest] = app.snapshots.get(metric_id, desc=True, limit=1)
    assert latest.state["class_version"] == 3 and "observations" in latest.state  # type: ignore[attr-defined]
    return metric


def observations(runtime: Runtime, metric_id: UUID) -> dict[date, tuple[Decimal, int, str | None]]:
    with psycopg.connect(runtime.database.url) as conn:
        rows = conn.execute(
            "SELECT period_end, value, corrections, correction_reason "
            "FROM views.metric_observations WHERE metric_id = %s AND valid_to IS NULL",
            (metric_id,),
        ).fetchall()
    return {period: (value, corrections, reason) for period, value, corrections, reason in rows}


def metric_version(runtime: Runtime, metric_id: UUID) -> int:
    with psycopg.connect(runtime.database.url) as conn:
        row = conn.execute(
            "SELECT version FROM views.metrics WHERE id = %s AND valid_to IS NULL", (metric_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def record(
    runtime: Runtime, metric_id: UUID, period: date, value: str, reason: str | None = None
) -> Outcome:
    return runtime.metrics.record_observation(
        CommandContext(CEO, "t"),
        metric_id,
        RecordObservation(period_end=period, value=Decimal(value), reason=reason),
    )


def refusal(
    runtime: Runtime, metric_id: UUID, period: date, value: str, reason: str | None = None
) -> DomainError:
    with pytest.raises(DomainError) as refused:
        record(runtime, metric_id, period, value, reason)
    return refused.value


async def test_an_old_schema_log_projects_rebuilds_and_keeps_its_rules(serving: Runtime) -> None:
    org = company(serving)
    metric = write_old_schema(serving, org.speed)
    loaded: Metric = serving.app.repository.get(org.speed)
    assert loaded.version == metric.version and loaded.legacy_years == [2023, 2024, 2025]
    assert not hasattr(loaded, "observations")

    head = serving.app.recorder.max_notification_id()
    assert head is not None and await serving.watcher.wait_for(head, 10)
    projected = observations(serving, org.speed)
    assert len(projected) == OLD_WEEKS
    assert projected[FIRST] == (old_value(0), 0, None)
    assert projected[CORRECTED] == (Decimal(7), 1, "Typo")
    assert metric_version(serving, org.speed) == metric.version

    refused = refusal(serving, org.speed, OLD_2025, "1")
    assert isinstance(refused, ObservationExists)
    week = (OLD_2025 - FIRST).days // 7
    assert (refused.detail, refused.context) == (
        f"'Delivery speed' already has the value {old_value(week)} for the period ending "
        "2025-01-05; send a correction with a reason to change it",
        {"metric_id": str(org.speed), "period_end": "2025-01-05"},
    )
    assert isinstance(refusal(serving, org.speed, CORRECTED, "8"), ObservationExists)
    assert isinstance(
        refusal(serving, org.speed, date(2024, 12, 30), "1", "No such value"), NothingToCorrect
    )

    corrected = record(serving, org.speed, CORRECTED, "8", "Recounted")
    added = record(serving, org.speed, OLD_2025 + timedelta(days=1), "9")
    assert (corrected.id, corrected.kind) == (org.speed, "Metric")
    assert corrected.version == added.version == metric.version  # values leave the metric be
    [started, fixed] = serving.app.events.get(MetricYear.create_id(org.speed, 2024))
    assert isinstance(started, MetricYear.Started) and started.carried[CORRECTED.isoformat()] == "7"
    assert len(started.carried) == 52
    assert isinstance(fixed, MetricYear.ObservationCorrected)
    assert (fixed.previous_value, fixed.value) == (Decimal(7), Decimal(8))
    assert isinstance(
        refusal(serving, org.speed, OLD_2025 + timedelta(days=1), "9"), ObservationExists
    )

    assert await serving.watcher.wait_for(added.position, 10)
    projected = observations(serving, org.speed)
    assert projected[CORRECTED] == (Decimal(8), 2, "Recounted")
    assert projected[OLD_2025 + timedelta(days=1)] == (Decimal(9), 0, None)
    assert len(projected) == OLD_WEEKS + 1
    assert metric_version(serving, org.speed) == metric.version

    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        history = await history_page(db, PageRequest(size=500), aggregate_id=org.speed, at=None)
        before = await history_page(db, PageRequest(size=500), aggregate_id=org.speed, at=head)
    types = [row["type"] for row in history.rows]
    assert types.count("Metric.Observed") == OLD_WEEKS
    assert types.count("Metric.ObservationCorrected") == 1
    assert types[-4:] == [
        "MetricYear.Started",
        "MetricYear.ObservationCorrected",
        "MetricYear.Started",
        "MetricYear.Observed",
    ]
    assert history.total == len(types) == before.total + 4
    positions = [row["position"] for row in history.rows]
    assert positions == sorted(positions)

    conn = await asyncpg.connect(serving.database.url)
    try:
        concerning, _ = await events_after(
            conn, FeedFilter(teams=(org.books,)), after=head, limit=100
        )
    finally:
        await conn.close()
    assert [row["type"] for row in concerning] == types[-4:], "the owner team's feed has them"

    report = await audit.verify_views(serving.database.url, serving.projection_runner())
    assert report.differences == [] and report.left_out == [] and report.ok
    assert audit.verify_chain(serving.database.url).intact


def test_a_year_the_old_schema_never_recorded_starts_empty(runtime: Runtime) -> None:
    org = company(runtime)
    write_old_schema(runtime, org.speed)
    record(runtime, org.speed, date(2026, 1, 4), "1")
    [started, _] = runtime.app.events.get(MetricYear.create_id(org.speed, 2026))
    assert isinstance(started, MetricYear.Started) and started.carried == {}


def test_migrating_retakes_an_old_snapshot_once_at_the_current_version(runtime: Runtime) -> None:
    """A version-3 snapshot holds every value: decoding it is what made such a metric
    slow, so the migration snapshots it again, once, without them."""
    app = runtime.app
    metric_id = company(runtime).speed
    before: Metric = app.repository.get(write_old_schema(runtime, metric_id).id)
    assert app.snapshots is not None
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        conn.execute(f"DELETE FROM {MIGRATIONS_TABLE} WHERE fingerprint = %s", (class_versions(),))
    migrate_event_store(app, runtime.database.url)

    [latest] = app.snapshots.get(metric_id, desc=True, limit=1)
    state = latest.state  # type: ignore[attr-defined]
    assert state["class_version"] == Metric.class_version
    assert "observations" not in state and state["legacy_years"] == [2023, 2024, 2025]
    after: Metric = app.repository.get(metric_id)
    assert (after.version, after.legacy_years) == (before.version, before.legacy_years)
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        assert retake_old_snapshots(app, conn) == 0, "every snapshot is current now"
