"""Reading a year back costs about what reading now costs.

The reads of bench/reads.py, each three ways against one ``flywheel serve`` on
the generated company, in the same run:

- **current**: this plan year (2027) now;
- **atPosition**: last plan year (2026) as it stood where its data ends in the
  log (``year:2026`` in ``bench_marks``), i.e. that year's view a year ago;
- **asOf**: the same, named by the log time at that position (from
  ``views.event_log``), which the server turns back into a position.

A year back reads the version of each row valid then (``valid_from <= p AND
(valid_to IS NULL OR valid_to > p)``) instead of the current one (``valid_to IS
NULL``), among more versions. The figure is the as-of latency over the current
one (p50, one client at a time, so each answer's own cost), goal <= 1.5.
"""

from __future__ import annotations

from datetime import datetime

import psycopg

from bench.company import marks
from bench.context import PLAN_YEARS, THIS_YEAR, Context
from bench.environment import Server, note
from bench.harness import Figure, Report, at_most, median
from bench.reads_load import Load, Target, analyse, drive
from bench.reads_queries import QUERIES

GOAL_RATIO = 1.5
MAX_REPEATS = 3
CLIENTS = 1
LAST_YEAR = PLAN_YEARS[-2]


def run(context: Context, report: Report) -> None:
    url = context.company()
    analyse(url)
    position = marks(url)[f"year:{LAST_YEAR}"]
    moment = log_time(url, position)
    note(f"a year back: position {position:,} (year:{LAST_YEAR}), log time {moment.isoformat()}")
    repeats = min(context.scale.repeats, MAX_REPEATS)
    seconds = context.scale.seconds / 2
    loads: dict[tuple[str, str], list[Load]] = {}
    with Server(url) as server:
        for repeat in range(repeats):
            for query in QUERIES:
                targets = {
                    "current": Target.graphql(server.url, query, THIS_YEAR),
                    "at_position": Target.graphql(server.url, query, LAST_YEAR, at=position),
                    "as_of": Target.graphql(server.url, query, LAST_YEAR, as_of=moment),
                }
                order = list(targets) if repeat % 2 == 0 else list(reversed(targets))
                for way in order:
                    load = drive(targets[way], seconds, CLIENTS)
                    loads.setdefault((query.name, way), []).append(load)
                    note(
                        f"repeat {repeat + 1}/{repeats} {query.name} {way}: "
                        f"p50 {load.ms(0.5):.1f} ms, p99 {load.ms(0.99):.1f} ms"
                    )
    for query in QUERIES:
        current = loads[(query.name, "current")]
        for way in ("at_position", "as_of"):
            past = loads[(query.name, way)]
            report.add(
                Figure(
                    name=f"asof.{query.name}.{way}.p50",
                    value=median(load.ms(0.5) for load in past),
                    unit="ms",
                    baseline=median(load.ms(0.5) for load in current),
                    baseline_name="current",
                    goal=at_most(GOAL_RATIO),
                    runs=len(past),
                    detail={
                        "p99_ms": round(median(load.ms(0.99) for load in past), 2),
                        "current_p99_ms": round(median(load.ms(0.99) for load in current), 2),
                        "position": position,
                        "plan_year": LAST_YEAR,
                        "current_plan_year": THIS_YEAR,
                        "response_bytes": past[-1].response_bytes,
                        "current_response_bytes": current[-1].response_bytes,
                    },
                )
            )


def log_time(url: str, position: int) -> datetime:
    """The log time of the event at (or last before) ``position``."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT at FROM views.event_log WHERE position <= %s ORDER BY position DESC LIMIT 1",
            (position,),
        ).fetchone()
    assert row is not None, f"no event at or before position {position}"
    moment: datetime = row[0]
    return moment
