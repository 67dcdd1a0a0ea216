"""The generated company: about a million events at full scale, views built.

``load_company(url, scale)`` writes a realistic company into an empty database
through the eventsourcing application, the way its commands would
(bench/company_writer.py: domain methods inside ``acting_as``, the commands'
claims, many commands per ``app.save``), so commands run against it afterwards
meet the same rules. Plan years are generated in order (bench/company_org.py,
bench/company_plans.py, bench/company_prfaqs.py, bench/company_roadmaps.py); where
each ends in the log is recorded in ``bench_marks`` (``year:2025`` ...), so a
benchmark can read "a year back" with ``atPosition``. The live views are then built
by the projection runner.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import asyncpg
import psycopg

from bench.company_hiring import Hiring
from bench.company_org import Org
from bench.company_plans import OP2_WEEK, REVISE_WEEK, WEEKS, Plans
from bench.company_prfaqs import PrFaqs
from bench.company_roadmaps import Roadmaps
from bench.company_writer import Writer
from bench.context import PLAN_YEARS, THIS_YEAR, Scale
from bench.environment import note
from projections.runner import Progress, ProjectionRunner
from services.application import Flywheel
from services.cli import REPLAY_BATCH
from services.database import Database
from services.migrations import migrate_event_store, migrate_views
from services.recorder import EVENTS_TABLE

SEED = 20250101
THIS_YEAR_WEEKS = 48  # "this year" is under way: data up to the end of November
FIRST_YEAR_SHARE = 0.6  # of services and APIs; the rest grow over the later years
MARKS_TABLE = "bench_marks"
PROGRESS_SECONDS = 5.0


def scaled(scale: Scale, fraction: float) -> Scale:
    """A smaller (or larger) company of the same shape."""
    return replace(
        scale,
        teams=max(4, round(scale.teams * fraction)),
        services=max(8, round(scale.services * fraction)),
        apis=max(12, round(scale.apis * fraction)),
        metrics=max(8, round(scale.metrics * fraction)),
        goals=max(12, round(scale.goals * fraction)),
    )


def open_app(url: str) -> Flywheel:
    database = Database(url=url, read_url=url, description="bench company")
    return Flywheel(env=database.eventsourcing_env(pool_size=2))


def load_company(url: str, scale: Scale, *, views: bool = True) -> int:
    """Generate the company into the empty database at ``url``; returns its events.
    With ``views`` the live views are built too (as ``flywheel migrate`` builds them)."""
    app = open_app(url)
    try:
        migrate_event_store(app, url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {MARKS_TABLE} "
                "(name text PRIMARY KEY, position bigint NOT NULL)"
            )
        writer = Writer(app)
        started = time.perf_counter()
        generate(writer, scale, url)
        seconds = time.perf_counter() - started
        note(
            f"loaded {writer.saved:,} events ({writer.snapshots_saved:,} snapshots) in "
            f"{seconds:.1f}s: {writer.saved / seconds:,.0f} events/s "
            f"({writer.seconds_saving:.1f}s of it saving)"
        )
        for name, count in writer.counts.most_common():
            note(f"  {count:>9,}  {name}")
        if views:
            build_views(url, app)
        return writer.saved
    finally:
        app.close()


def generate(writer: Writer, scale: Scale, url: str) -> None:
    rng = random.Random(SEED)
    org = Org(writer, rng)
    plans = Plans(org, rng)
    prfaqs = PrFaqs(org, random.Random(SEED + 1))  # the rest of the company stays as it was
    roadmaps = Roadmaps(org, prfaqs, random.Random(SEED + 2))
    hiring = Hiring(org, random.Random(SEED + 3))
    years = PLAN_YEARS[-scale.plan_years :]
    later = max(len(years) - 1, 1)
    for index, year in enumerate(years):
        share = FIRST_YEAR_SHARE if index == 0 else (1 - FIRST_YEAR_SHARE) / later
        if index == 0:
            org.charter_tree(scale.teams, scale.depth)
        else:
            org.churn(date(year, 1, 15))
        org.grow_boundaries(round(scale.services * share), round(scale.apis * share))
        if index == 0:
            plans.define_metrics(scale.metrics)
        else:
            plans.redefine_some(year)
        plans.set_goals(year, scale.goals // len(years))
        plans.op1(year)
        prfaqs.year(year)
        roadmaps.year(year)
        hiring.year(year)
        for week in range(THIS_YEAR_WEEKS if year == THIS_YEAR else WEEKS):
            plans.observe(year, week)
            plans.check_in(year, week)
            if week == REVISE_WEEK:
                plans.revise_targets(year)
            if week == OP2_WEEK:
                plans.op2(year)
        if year != THIS_YEAR:
            plans.close_goals(year)
        writer.flush()
        position = mark(url, f"year:{year}")
        note(f"plan year {year} written: log at {position:,} ({writer.saved:,} events)")


def mark(url: str, name: str) -> int:
    """Record where the log stands now under ``name``; returns the position."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(f"SELECT coalesce(max(notification_id), 0) FROM {EVENTS_TABLE}")
        position = int(row.fetchone()[0])  # type: ignore[index]
        conn.execute(
            f"INSERT INTO {MARKS_TABLE} (name, position) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (name, position),
        )
    return position


def marks(url: str) -> dict[str, int]:
    """The recorded positions by name (``year:2025`` ...)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(f"SELECT name, position FROM {MARKS_TABLE}").fetchall()
    return {str(name): int(position) for name, position in rows}


def progress_printer(what: str) -> Callable[[Progress], None]:
    last = [0.0]

    def show(progress: Progress) -> None:
        if progress.seconds - last[0] >= PROGRESS_SECONDS or progress.position >= progress.head:
            last[0] = progress.seconds
            rate = progress.applied / progress.seconds if progress.seconds else 0.0
            note(
                f"{what}: {progress.position:,} / {progress.head:,} "
                f"({rate:,.0f} events/s, {progress.seconds:.0f}s)"
            )

    return show


def build_views(url: str, app: Flywheel) -> None:
    """Build the live views from the log with the projection runner, as ``flywheel
    migrate`` does (beside, then swapped in), and catch them up to the head."""

    async def run() -> None:
        runner = ProjectionRunner(
            url, app.mapper, events_table=EVENTS_TABLE, batch_size=REPLAY_BATCH
        )
        started = time.perf_counter()
        await migrate_views(runner, progress_printer("building the views"))
        conn = await asyncpg.connect(url)
        try:
            cursor = await runner.prepare(conn)
            await runner.catch_up(conn, cursor)
        finally:
            await conn.close()
        note(f"views built to {cursor.position:,} in {time.perf_counter() - started:.1f}s")

    asyncio.run(run())
