"""Rebuilding every view from the log, against only reading and decoding the log.

The baseline reads the whole log in the runner's own batches (its SELECT) and
decodes each event with the application's mapper, writing nothing: the floor
no rebuild can beat. The figure is ``ProjectionRunner.build_shadow`` from
position zero into a schema beside the live views (dropped after each run),
which is what ``flywheel replay`` and a release that changes the views do.
Both run on the generated company; each is the median of several runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg
from eventsourcing.persistence import StoredEvent

from bench.company import open_app, progress_printer
from bench.context import Context
from bench.environment import note
from bench.harness import Figure, Report, at_least, median, stopwatch
from projections.runner import Progress, ProjectionRunner
from services.application import Flywheel
from services.cli import REPLAY_BATCH
from services.recorder import EVENTS_TABLE
from services.registry import VIEWS

SHADOW_SCHEMA = "views_bench"
GOAL_RATIO = 0.25  # of the read-and-decode rate (issue 21)
GOAL_RATE = 25_000.0  # events/s (issue 21)
FULL_REPEATS = 3


@dataclass(frozen=True)
class Pass:
    """One pass over the log: how many events in how many seconds."""

    events: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.events / self.seconds


def runner_for(url: str, app: Flywheel) -> ProjectionRunner:
    return ProjectionRunner(
        url, app.mapper, views=VIEWS, events_table=EVENTS_TABLE, batch_size=REPLAY_BATCH
    )


async def _read_and_decode(url: str, app: Flywheel) -> Pass:
    runner = runner_for(url, app)
    select = runner._select  # the runner's own statement, so the batches are the same
    conn = await asyncpg.connect(url)
    try:
        with stopwatch() as elapsed:
            position, events = 0, 0
            while rows := await conn.fetch(select, position, runner.batch_size, 2**63 - 1):
                for row in rows:
                    app.mapper.to_domain_event(
                        StoredEvent(
                            originator_id=row["originator_id"],
                            originator_version=row["originator_version"],
                            topic=row["topic"],
                            state=row["state"],
                        )
                    )
                events += len(rows)
                position = rows[-1]["notification_id"]
        return Pass(events, elapsed())
    finally:
        await conn.close()


async def _rebuild(
    url: str, app: Flywheel, schema: str, on_progress: Callable[[Progress], None] | None
) -> Pass:
    runner = runner_for(url, app)
    conn = await asyncpg.connect(url)
    try:
        with stopwatch() as elapsed:
            cursor = await runner.build_shadow(conn, schema, on_progress)
        return Pass(cursor.position, elapsed())
    finally:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await conn.close()


def read_and_decode(url: str, app: Flywheel) -> Pass:
    return asyncio.run(_read_and_decode(url, app))


def rebuild(
    url: str,
    app: Flywheel,
    schema: str = SHADOW_SCHEMA,
    on_progress: Callable[[Progress], None] | None = None,
) -> Pass:
    """Build every view from position zero into ``schema``, then drop it."""
    return asyncio.run(_rebuild(url, app, schema, on_progress))


def run(context: Context, report: Report) -> None:
    url = context.company()
    repeats = context.scale.repeats if context.quick else FULL_REPEATS
    app = open_app(url)
    reads: list[Pass] = []
    rebuilds: list[Pass] = []
    try:
        for attempt in range(1, repeats + 1):
            reads.append(read_and_decode(url, app))
            note(f"run {attempt}/{repeats}: read and decode {reads[-1].rate:,.0f} events/s")
            progress = None if context.quick else progress_printer(f"rebuild {attempt}")
            rebuilds.append(rebuild(url, app, on_progress=progress))
            note(f"run {attempt}/{repeats}: rebuild {rebuilds[-1].rate:,.0f} events/s")
    finally:
        app.close()
    events = rebuilds[0].events
    read_rate = median(p.rate for p in reads)
    rebuild_rate = median(p.rate for p in rebuilds)
    detail: dict[str, float | int | str] = {
        "events": events,
        "rebuild_seconds": round(median(p.seconds for p in rebuilds), 2),
        "read_seconds": round(median(p.seconds for p in reads), 2),
    }
    report.add(
        Figure(
            "rebuild rate vs read-and-decode",
            rebuild_rate,
            "events/s",
            baseline=read_rate,
            baseline_name="read and decode",
            goal=at_least(GOAL_RATIO),
            runs=repeats,
            detail=detail,
        )
    )
    report.add(
        Figure(
            "rebuild rate",
            rebuild_rate,
            "events/s",
            baseline=read_rate,
            baseline_name="read and decode",
            goal=at_least(GOAL_RATE, on="value"),
            runs=repeats,
            detail=detail,
        )
    )
