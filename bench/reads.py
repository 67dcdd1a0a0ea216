"""GraphQL reads of the generated company against a hand-written endpoint.

Five reads (bench/reads_queries.py): the **team page** (50 teams by name with
leader, members, their first 20 services, APIs and this year's goals), the
**API boundaries** of the whole company, the **goal mix** of the whole company
for this year, the **PR/FAQ funnel** of the whole company, and the **roadmap**
timeline of the whole company (every item by target date, with its team). Each
is served by ``flywheel serve`` over GraphQL and, as the baseline, by
bench/baseline_server.py: raw ASGI under uvicorn, asyncpg over the same view
tables, msgspec, the same data in the same JSON shape (the answers are compared
once; timestamps only differ in spelling, ``Z`` for ``+00:00``).

Each measurement drives one read with ``CONCURRENCY`` keep-alive clients for
``scale.seconds``; GraphQL and the baseline alternate within each repeat, and
figures are medians over the repeats. Throughput counts answers per second; the
latencies are per answer as the client sees it. The team page's latency goal is
measured with one client (a planning tool opening the page), since with four at
once on one process each answer also waits for the others.
"""

from __future__ import annotations

import json
from typing import Any

from bench.context import THIS_YEAR, Context
from bench.environment import Server, note
from bench.harness import Figure, Report, at_least, at_most, median
from bench.reads_load import CONCURRENCY, Load, Target, analyse, baseline_server, drive
from bench.reads_queries import QUERIES, ReadQuery

GOAL_TEAM_PAGE_P99_MS = 50.0
GOAL_THROUGHPUT_RATIO = 0.25
# `flywheel serve --workers 2` on the team page (issue 21): its own goal.
WORKERS = 2
GOAL_WORKERS_THROUGHPUT_RATIO = 0.35
MAX_REPEATS = 3


def run(context: Context, report: Report) -> None:
    url = context.company()
    analyse(url)
    repeats = min(context.scale.repeats, MAX_REPEATS)
    seconds = context.scale.seconds
    loads: dict[tuple[str, str], list[Load]] = {}
    with (
        Server(url) as server,
        Server(url, FLYWHEEL_WORKERS=str(WORKERS)) as workers_server,
        baseline_server(url) as (baseline_url, _pid),
    ):
        targets = {
            query.name: {
                "graphql": Target.graphql(server.url, query, THIS_YEAR),
                "baseline": Target.baseline(baseline_url, query, THIS_YEAR),
            }
            for query in QUERIES
        }
        team_page = next(query for query in QUERIES if query.name == "team_page")
        targets["team_page"]["workers"] = Target.graphql(workers_server.url, team_page, THIS_YEAR)
        same = {
            name: same_data(pair["graphql"], pair["baseline"]) for name, pair in targets.items()
        }
        same["team_page workers"] = same_data(
            targets["team_page"]["workers"], targets["team_page"]["baseline"]
        )
        for name, equal in same.items():
            verdict = "the same data" if equal else "DIFFERENT data"
            note(f"{name}: GraphQL and the baseline answer {verdict}")
        if different := [name for name, equal in same.items() if not equal]:
            # A rate of answers that differ compares nothing: the baseline is out of date.
            raise AssertionError(f"GraphQL and the baseline answer different data: {different}")
        for repeat in range(repeats):
            for query in QUERIES:
                sides = ("graphql", "baseline") if repeat % 2 == 0 else ("baseline", "graphql")
                for side in sides:
                    load = drive(targets[query.name][side], seconds)
                    loads.setdefault((query.name, side), []).append(load)
                    note(
                        f"repeat {repeat + 1}/{repeats} {query.name} {side}: {load.rate:.1f}/s, "
                        f"p50 {load.ms(0.5):.1f} ms, p99 {load.ms(0.99):.1f} ms"
                    )
            workers = drive(targets["team_page"]["workers"], seconds)
            loads.setdefault(("team_page", "workers"), []).append(workers)
            note(
                f"repeat {repeat + 1}/{repeats} team_page, {WORKERS} workers: "
                f"{workers.rate:.1f}/s, p50 {workers.ms(0.5):.1f} ms, p99 {workers.ms(0.99):.1f} ms"
            )
            for side in ("graphql", "baseline", "workers"):
                alone = drive(targets["team_page"][side], seconds / 2, concurrency=1)
                loads.setdefault(("team_page", f"{side} alone"), []).append(alone)
                note(
                    f"repeat {repeat + 1}/{repeats} team_page {side}, one client: "
                    f"p50 {alone.ms(0.5):.1f} ms, p99 {alone.ms(0.99):.1f} ms"
                )
    graphql_alone, baseline_alone = (
        loads["team_page", "graphql alone"],
        loads["team_page", "baseline alone"],
    )
    report.add(
        Figure(
            name="reads.team_page.p99 one client",
            value=median(load.ms(0.99) for load in graphql_alone),
            unit="ms",
            baseline=median(load.ms(0.99) for load in baseline_alone),
            baseline_name="asyncpg+msgspec",
            goal=at_most(GOAL_TEAM_PAGE_P99_MS, on="value"),
            runs=len(graphql_alone),
            detail={
                "p50_ms": round(median(load.ms(0.5) for load in graphql_alone), 2),
                "baseline_p50_ms": round(median(load.ms(0.5) for load in baseline_alone), 2),
                "concurrency": 1,
            },
        )
    )
    add_workers_figures(report, loads, same["team_page workers"])
    for query in QUERIES:
        add_figures(
            report,
            query,
            loads[(query.name, "graphql")],
            loads[(query.name, "baseline")],
            same[query.name],
        )


def add_figures(
    report: Report, query: ReadQuery, graphql: list[Load], baseline: list[Load], same: bool
) -> None:
    detail: dict[str, float | int | str] = {
        "concurrency": CONCURRENCY,
        "p50_ms": round(median(load.ms(0.5) for load in graphql), 2),
        "p99_ms": round(median(load.ms(0.99) for load in graphql), 2),
        "baseline_p50_ms": round(median(load.ms(0.5) for load in baseline), 2),
        "baseline_p99_ms": round(median(load.ms(0.99) for load in baseline), 2),
        "response_bytes": graphql[-1].response_bytes,
        "baseline_response_bytes": baseline[-1].response_bytes,
        "same_data": "yes" if same else "no",
    }
    report.add(
        Figure(
            name=f"reads.{query.name}.throughput",
            value=median(load.rate for load in graphql),
            unit="answers/s",
            baseline=median(load.rate for load in baseline),
            baseline_name="asyncpg+msgspec",
            goal=at_least(GOAL_THROUGHPUT_RATIO),
            runs=len(graphql),
            detail=detail,
        )
    )
    report.add(
        Figure(
            name=f"reads.{query.name}.p99",
            value=float(detail["p99_ms"]),
            unit="ms",
            baseline=float(detail["baseline_p99_ms"]),
            baseline_name="asyncpg+msgspec",
            goal=None,  # the latency goal is on one client, above; this is under load
            runs=len(graphql),
            detail={
                "p50_ms": detail["p50_ms"],
                "baseline_p50_ms": detail["baseline_p50_ms"],
                "concurrency": CONCURRENCY,
            },
        )
    )


def add_workers_figures(
    report: Report, loads: dict[tuple[str, str], list[Load]], same: bool
) -> None:
    """The team page from ``serve --workers 2``, beside the same run's baseline (and, in
    the detail, the one-process server's figure of the same run)."""
    workers, baseline = loads["team_page", "workers"], loads["team_page", "baseline"]
    one_process = loads["team_page", "graphql"]
    report.add(
        Figure(
            name=f"reads.team_page.throughput {WORKERS} workers",
            value=median(load.rate for load in workers),
            unit="answers/s",
            baseline=median(load.rate for load in baseline),
            baseline_name="asyncpg+msgspec",
            goal=at_least(GOAL_WORKERS_THROUGHPUT_RATIO),
            runs=len(workers),
            detail={
                "concurrency": CONCURRENCY,
                "one_process_rate": round(median(load.rate for load in one_process), 2),
                "p99_ms": round(median(load.ms(0.99) for load in workers), 2),
                "same_data": "yes" if same else "no",
            },
        )
    )
    alone = loads["team_page", "workers alone"]
    baseline_alone = loads["team_page", "baseline alone"]
    report.add(
        Figure(
            name=f"reads.team_page.p99 one client {WORKERS} workers",
            value=median(load.ms(0.99) for load in alone),
            unit="ms",
            baseline=median(load.ms(0.99) for load in baseline_alone),
            baseline_name="asyncpg+msgspec",
            goal=at_most(GOAL_TEAM_PAGE_P99_MS, on="value"),
            runs=len(alone),
            detail={"p50_ms": round(median(load.ms(0.5) for load in alone), 2), "concurrency": 1},
        )
    )


def same_data(graphql: Target, baseline: Target) -> bool:
    return _normalised(graphql.fetch()["data"]) == _normalised(baseline.fetch()["data"])


def _normalised(data: Any) -> str:
    text = json.dumps(data, sort_keys=True)
    return text.replace('Z"', '+00:00"')
