"""The deck for many metrics over two years of weekly values, against one SQL query.

200 metrics (50 in quick mode) with two years of weekly values (104 each) are loaded
in bulk and projected. The figure is the rate of whole decks computed the way every
reader gets them (``projections/wbr/deck.py``: the metrics, their observations and
goals read in three queries, then each metric's 6-12 view in Python, notes read
after); the baseline, in the same run on the same read pool, is one SQL query that
adds up the same spans for every metric (the seven weeks and their prior-year weeks,
the months and their prior-year months, month, quarter and year to date and their
prior-year spans) over the observation rows, leaving only the division for the
changes. Goal: the deck at least a quarter of the query's rate.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from bench.context import Context
from bench.environment import note
from bench.harness import Figure, Report, at_least, median

GOAL_RATIO = 0.25
WEEKS = 104
WEEK_ENDING = date(2024, 9, 28)

BASELINE = """
WITH spans AS (
  SELECT * FROM unnest($2::text[], $3::date[], $4::date[]) AS s(name, first_day, last_day)
)
SELECT o.metric_id, s.name, sum(o.value) AS total
FROM {views}.metric_observations o
JOIN spans s ON o.period_end BETWEEN s.first_day AND s.last_day
WHERE o.metric_id = ANY($1) AND o.valid_to IS NULL
GROUP BY o.metric_id, s.name
"""


def spans(view: Any) -> list[tuple[str, date, date]]:
    """Every span the 6-12 view adds up, named, from one metric's computed view."""
    found: list[tuple[str, date, date]] = []
    for kind, periods in (("w", view.weeks), ("m", view.months)):
        for index, period in enumerate(periods):
            found.append((f"{kind}{index}", period.start, period.end))
            found.append((f"{kind}{index}py", period.prior_year_start, period.prior_year_end))
    first = view.weeks[0]
    found.append(("w-1", first.start - timedelta(days=7), first.start - timedelta(days=1)))
    for name in ("month_to_date", "quarter_to_date", "year_to_date"):
        total = getattr(view, name)
        found.append((name, total.start, total.end))
        found.append((f"{name}py", total.prior_year_start, total.prior_year_end))
    return found


def load(url: str, directory: str, metrics: int) -> Any:
    from bench.wbr import define_metrics, open_runtime
    from services.api.commands import CommandContext
    from services.principal import Principal, Role
    from services.wbr.commands import BulkValue

    runtime = open_runtime(url, directory)
    principal = Principal("bench@example.com", frozenset({Role.LEADERSHIP}))  # type: ignore[arg-type]
    ids = define_metrics(runtime, principal, "deck", metrics)
    first = WEEK_ENDING - timedelta(weeks=WEEKS - 1)
    values = [
        BulkValue(
            period_end=first + timedelta(weeks=week),
            value=Decimal(1000 + 7 * week + index),
            where="bench",
            metric_id=metric_id,
        )
        for index, metric_id in enumerate(ids)
        for week in range(WEEKS)
    ]
    context = CommandContext(principal, "bench")
    position = 0
    for start in range(0, len(values), 5_000):
        outcome = runtime.wbr.record_observations(context, values[start : start + 5_000])
        position = outcome.position or position
    return runtime, position


async def measure(runtime: Any, position: int, repeats: int) -> tuple[list[float], list[float]]:
    from projections.reading import ReadSession
    from projections.wbr import deck as decks
    from projections.wbr import queries

    await runtime.start()
    try:
        deadline = time.monotonic() + 600
        while True:
            status = await runtime.views_status()
            if status is not None and status.position >= position:
                break
            if time.monotonic() > deadline:
                raise TimeoutError("the views did not reach the bench's writes in 10 minutes")
            await asyncio.sleep(0.5)
        pool = runtime.read_pool
        deck_times: list[float] = []
        query_times: list[float] = []
        for _ in range(repeats):
            async with ReadSession(pool) as db:
                begun = time.perf_counter()
                sections = await decks.deck(db, WEEK_ENDING, None, {}, None)
                deck_times.append(time.perf_counter() - begun)
            views = [view for section in sections for view in section.metrics]
            named = spans(views[0].view)
            async with ReadSession(pool) as db:
                begun = time.perf_counter()
                ids = [row["id"] for row in await queries.deck_metrics(db, None, None)]
                rows = await db.fetch(
                    BASELINE,
                    ids,
                    [name for name, _, _ in named],
                    [first for _, first, _ in named],
                    [last for _, _, last in named],
                )
                query_times.append(time.perf_counter() - begun)
            assert len(rows) >= len(ids), "the query adds up every metric's spans"
        return deck_times, query_times
    finally:
        await runtime.stop()


def run(context: Context, report: Report) -> None:
    metrics = context.pick(200, 50, smoke=5)
    with context.database("wbr_deck") as url, TemporaryDirectory() as directory:
        runtime, position = load(url, str(Path(directory)), metrics)
        try:
            deck_times, query_times = asyncio.run(measure(runtime, position, context.scale.repeats))
        finally:
            runtime.close()
    deck_seconds, query_seconds = median(deck_times), median(query_times)
    note(f"deck of {metrics} metrics: {deck_seconds:.3f}s; one SQL query: {query_seconds:.3f}s")
    report.add(
        Figure(
            name=f"WBR deck, {metrics} metrics x {WEEKS} weeks",
            value=round(1 / deck_seconds, 3),
            unit="decks/s",
            baseline=round(1 / query_seconds, 3),
            baseline_name="one SQL query adding up the same spans",
            goal=at_least(GOAL_RATIO),
            runs=len(deck_times),
            detail={"metrics": metrics, "weeks": WEEKS, "deck_s": round(deck_seconds, 4)},
        )
    )
