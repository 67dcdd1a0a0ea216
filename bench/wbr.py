"""The weekly business review: observations in bulk, and the deck for many metrics.

**Bulk observations.** 10,000 observations (2,000 in quick mode) for 20 metrics,
recorded through ``POST /api/v1/observations``'s command (one all-or-nothing command,
one atomic save); beside it, in the same run on the same runtime, the
single-observation command, one call per observation, timed over a sample (1,000
observations; 200 in quick mode: each is a full command, and on a shared two-core
machine 10,000 of them take many minutes) and scaled to the same count. The figure is
the bulk path's time; its baseline is the single path's for the same number.

**The deck**: see ``bench/wbr_deck.py`` (run after the bulk figure).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from uuid import UUID

from bench.context import Context
from bench.environment import note
from bench.harness import Figure, Report, at_most

METRICS = 20
GOAL_BULK_RATIO = 0.2  # "in seconds, not minutes": at least five times faster


def open_runtime(url: str, directory: str):  # type: ignore[no-untyped-def]
    from services.runtime import Runtime
    from services.settings import load_settings

    return Runtime.open(
        load_settings({"DATABASE_URL": url, "FLYWHEEL_DATA_DIR": str(Path(directory) / "data")})
    )


def define_metrics(runtime, principal, tag: str, count: int) -> list[UUID]:  # type: ignore[no-untyped-def]
    from domain.metrics import Direction, MetricKind
    from services.api.commands import CommandContext
    from services.metrics.rest import DefineMetric
    from services.org.rest import CharterTeam

    context = CommandContext(principal, "bench")
    team = runtime.org.charter_team(
        context, CharterTeam(name=f"WBR {tag}", mission="measure", leader=f"lead-{tag}@x.io")
    ).id
    return [
        runtime.metrics.define_metric(
            context,
            DefineMetric(
                name=f"{tag} metric {n}",
                kind=MetricKind.OUTPUT,
                financial=False,
                unit="count",
                direction=Direction.INCREASE,
                definition="Counted",
                owner_team_id=team,
            ),
        ).id
        for n in range(count)
    ]


def days(count: int) -> list[date]:
    first = date(2024, 1, 1)
    return [first + timedelta(days=n) for n in range(count)]


def run(context: Context, report: Report) -> None:
    from services.api.commands import CommandContext
    from services.metrics.rest import RecordObservation
    from services.principal import Principal, Role
    from services.wbr.commands import BulkValue

    total = context.pick(10_000, 2_000, smoke=200)
    sample = context.pick(1_000, 200, smoke=20)
    principal = Principal("bench@example.com", frozenset({Role.LEADERSHIP}))  # type: ignore[arg-type]
    per_metric = total // METRICS
    with context.database("wbr_bulk") as url, TemporaryDirectory() as directory:
        runtime = open_runtime(url, directory)
        try:
            single_ids = define_metrics(runtime, principal, "single", METRICS)
            bulk_ids = define_metrics(runtime, principal, "bulk", METRICS)
            started = time.perf_counter()
            for metric_id in single_ids:
                for day in days(sample // METRICS):
                    runtime.metrics.record_observation(
                        CommandContext(principal, "bench"),
                        metric_id,
                        RecordObservation(period_end=day, value=Decimal(day.day)),
                    )
            single = (time.perf_counter() - started) * total / sample
            values = [
                BulkValue(period_end=day, value=Decimal(day.day), where="bench", metric_id=m)
                for m in bulk_ids
                for day in days(per_metric)
            ]
            started = time.perf_counter()
            outcome = runtime.wbr.record_observations(CommandContext(principal, "bench"), values)
            bulk = time.perf_counter() - started
            assert outcome.recorded == total, outcome
        finally:
            runtime.close()
    note(f"{total} observations: bulk {bulk:.2f}s, one command each {single:.2f}s (scaled)")
    report.add(
        Figure(
            name=f"{total} observations recorded in bulk (one command)",
            value=round(bulk, 3),
            unit="s",
            baseline=round(single, 3),
            baseline_name="one single-observation command each",
            goal=at_most(GOAL_BULK_RATIO),
            detail={"observations": total, "metrics": METRICS, "single_sample": sample},
        )
    )

    from bench import wbr_deck

    wbr_deck.run(context, report)
