"""Does Flywheel stay as fast as the company grows?

- **Long aggregates.** Loading an aggregate with 10,000 events against one with
  10 (``app.repository.get``; snapshots every 50 events bound the replay): a
  team whose members came and went 10,000 times, and a metric observed 10,000
  times (its values live in one ``MetricYear`` per year, so the metric stays one
  event; what recording a value loads, the metric and its year, is measured too).
- **Rebuild time against event count.** ``build_shadow`` of companies of about
  N, 2N and 4N events (the shared company is the 4N one): the rate should not
  fall as the log grows, i.e. time stays linear.
- **A bigger company, the same latency.** Adding and removing a member over
  HTTP and the GraphQL page of 50 teams (leader, members, services and their
  APIs, goals of this year), on a small company against the shared one, each
  served by its own ``flywheel serve``. The small one has the same density per
  team and at least 50 teams, so the page holds as much: in full mode it is the
  quick company (~57,000 events against ~1M), in quick mode 51 teams of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

import httpx
import psycopg

from bench.company import load_company, open_app, scaled
from bench.company_org import CHIEF
from bench.company_writer import Writer
from bench.context import QUICK, THIS_YEAR, Context
from bench.environment import Server, headers, note, token
from bench.harness import Figure, Report, at_least, at_most, median, percentile
from bench.rebuild import rebuild
from domain.claims import ClaimKind, normalised_name
from domain.metrics import Direction, Metric, MetricKind, MetricYear
from domain.org.team import Attachment, Team
from domain.people.values import Function, PersonId
from services.application import SNAPSHOT_INTERVAL
from services.migrations import migrate_event_store

# Half a snapshot interval past a snapshot: a typical load replays 25 events after it.
LONG_EVENTS = 10_000 + SNAPSHOT_INTERVAL // 2
SHORT_EVENTS = 10
GOAL_LOAD_RATIO = 2.0
GOAL_REBUILD_RATIO = 0.8
GOAL_LATENCY_RATIO = 1.3
SMALL_QUICK = 0.85  # in quick mode, of the quick company: 51 teams
SIZES = (0.25, 0.5)  # of the mode's company, which is the largest size
# A full-size pass takes minutes and is its own long average; the rebuild benchmark
# already takes the median of three passes of the full company.
FULL_REBUILD_REPEATS = 1

TEAMS_PAGE = """
query TeamsPage($year: Int!) {
  teams(first: 50) {
    totalCount
    nodes {
      name
      leader { person { handle } since }
      members { person { handle } function attachment }
      services(first: 20) {
        nodes { name status apis(first: 10) { nodes { name apiVersion kind visibility } } }
      }
      apis(first: 20) { nodes { name apiVersion status } }
      goals(planYear: $year, first: 20) { nodes { description status target blindside } }
    }
  }
}
"""


def run(context: Context, report: Report) -> None:
    long_aggregates(context, report)
    rebuild_against_size(context, report)
    latency_against_size(context, report)


# -- long aggregates -----------------------------------------------------------


def _team(writer: Writer, name: str, events: int) -> Team:
    """A team of ``events`` events: chartered, then members added and removed in turn."""
    leader = PersonId(f"lead-{name}@acme.example")
    with writer.command(CHIEF) as work:
        team = work.add(Team.charter(name=name, mission="Measured", leader=leader))
        work.claim(ClaimKind.TEAM_NAME, normalised_name(name), team.id)
        work.claim(ClaimKind.TEAM_LEADER, leader, team.id)
    person = PersonId(f"churn-{name}@acme.example")
    for number in range(events - 1):
        with writer.command(leader) as work:
            work.touch(team)
            if number % 2:
                team.remove_member(person, "Rotates out")
            else:
                team.add_member(person, Function.ENGINEERING, Attachment.REPORTS)
    return team


def _metric(writer: Writer, owner: Team, name: str, observations: int) -> UUID:
    """A metric defined, then observed week after week ``observations`` times."""
    with writer.command(owner.leader) as work:
        metric = work.add(
            Metric.define(
                name=name,
                kind=MetricKind.INPUT,
                financial=False,
                unit="count",
                direction=Direction.INCREASE,
                definition="Orders per week",
                owner=owner,
            )
        )
        work.claim(ClaimKind.METRIC_NAME, normalised_name(name), metric.id)
    first = date(1900, 1, 7)
    for week in range(observations):
        period = first + timedelta(weeks=week)
        with writer.command(owner.leader) as work:
            work.year(metric, period).observe(metric, period, Decimal(1000 + week))
    return metric.id


def _last_year_id(metric_id: UUID, observations: int) -> UUID:
    """The year of a ``_metric``'s last value: what recording the next one loads with it."""
    last = date(1900, 1, 7) + timedelta(weeks=observations - 1)
    return MetricYear.create_id(metric_id, last.year)


def _median_get(get: Callable[[UUID], object], aggregate_id: UUID, times: int) -> float:
    laps = []
    for _ in range(times):
        started = time.perf_counter()
        get(aggregate_id)
        laps.append(time.perf_counter() - started)
    return median(laps)


def long_aggregates(context: Context, report: Report) -> None:
    times = context.pick(200, 50, smoke=5)
    with context.database("scale") as url:
        app = open_app(url)
        try:
            migrate_event_store(app, url)
            writer = Writer(app)
            long_team = _team(writer, "Long", LONG_EVENTS).id
            short_team = _team(writer, "Short", SHORT_EVENTS).id
            owner = _team(writer, "Owner", 1)
            long_metric = _metric(writer, owner, "Long orders", LONG_EVENTS)
            short_metric = _metric(writer, owner, "Short orders", SHORT_EVENTS)
            writer.flush()
            note(f"aggregates written: {writer.saved:,} events, {writer.snapshots_saved} snapshots")
            get = app.repository.get

            def with_last_year(observations: int) -> Callable[[UUID], object]:
                return lambda metric_id: (
                    get(metric_id),
                    get(_last_year_id(metric_id, observations)),
                )

            for what, long_id, short_id, long_get, short_get in (
                ("a team of {} events", long_team, short_team, get, get),
                ("a metric of {} observations", long_metric, short_metric, get, get),
                (
                    "a metric and its last year, of {} observations",
                    long_metric,
                    short_metric,
                    with_last_year(LONG_EVENTS),
                    with_last_year(SHORT_EVENTS),
                ),
            ):
                longs, shorts = [], []
                for _ in range(context.scale.repeats):  # alternate, so both see the same noise
                    longs.append(_median_get(long_get, long_id, times))
                    shorts.append(_median_get(short_get, short_id, times))
                report.add(
                    Figure(
                        f"load {what.format(f'{LONG_EVENTS:,}')} vs {SHORT_EVENTS}",
                        median(longs) * 1000,
                        "ms",
                        baseline=median(shorts) * 1000,
                        baseline_name=what.format(SHORT_EVENTS).partition(" of ")[2],
                        goal=at_most(GOAL_LOAD_RATIO),
                        runs=context.scale.repeats,
                        detail={"gets_per_run": times},
                    )
                )
        finally:
            app.close()


# -- rebuild time against event count ----------------------------------------------


def rebuild_against_size(context: Context, report: Report) -> None:
    repeats = context.scale.repeats if context.quick else FULL_REBUILD_REPEATS
    base = context.scale
    rates: list[tuple[int, float]] = []
    for fraction in SIZES:
        with context.database("scale_rebuild") as url:
            note(f"generating a company of {fraction:g} x the {context.mode} one")
            load_company(url, scaled(base, fraction), views=False)
            rates.append(_rebuild_rate(url, repeats))
    rates.append(_rebuild_rate(context.company(), repeats))
    (smallest, small_rate), (largest, large_rate) = rates[0], rates[-1]
    detail: dict[str, float | int | str] = {}
    for events, rate in rates:
        detail[f"events_per_s_at_{events}"] = round(rate)
    report.add(
        Figure(
            f"rebuild rate at {largest:,} events vs {smallest:,}",
            large_rate,
            "events/s",
            baseline=small_rate,
            baseline_name=f"at {smallest:,} events",
            goal=at_least(GOAL_REBUILD_RATIO),
            runs=repeats,
            detail=detail,
        )
    )


def _rebuild_rate(url: str, repeats: int) -> tuple[int, float]:
    app = open_app(url)
    try:
        passes = [rebuild(url, app, "views_scale") for _ in range(repeats)]
    finally:
        app.close()
    rate = median(p.rate for p in passes)
    note(f"rebuild of {passes[0].events:,} events: {rate:,.0f} events/s")
    return passes[0].events, rate


# -- latency against company size --------------------------------------------------


def _a_team(url: str) -> UUID:
    """A team in the middle of the tree, the same kind of team in either company."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT t.id FROM views.teams t JOIN views.teams p ON p.id = t.parent_id "
            "AND p.valid_to IS NULL WHERE t.valid_to IS NULL AND p.parent_id IS NOT NULL "
            "AND t.status = 'ACTIVE' ORDER BY t.name LIMIT 1"
        ).fetchone()
    assert row is not None, "the company has no team two levels down"
    return UUID(str(row[0]))


def _measure(url: str, rounds: int) -> tuple[list[float], list[float]]:
    """Command latencies (add then remove a member) and GraphQL page latencies."""
    team_id = _a_team(url)
    auth = headers(token(CHIEF, "leadership"))
    commands: list[float] = []
    pages: list[float] = []
    with Server(url) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        for number in range(rounds + 3):  # the first three warm up
            person = f"bench-{number}@acme.example"
            added = _timed(
                lambda p=person: client.post(
                    f"/api/v1/teams/{team_id}/members",
                    json={"person": p, "function": "ENGINEERING", "attachment": "REPORTS"},
                    headers=auth,
                )
            )
            removed = _timed(
                lambda p=person: client.delete(
                    f"/api/v1/teams/{team_id}/members/{p}", params={"reason": "Done"}, headers=auth
                )
            )
            page = _timed(
                lambda: client.post(
                    "/graphql",
                    json={"query": TEAMS_PAGE, "variables": {"year": THIS_YEAR}},
                    headers=auth,
                )
            )
            if number >= 3:
                commands += [added, removed]
                pages.append(page)
    return commands, pages


def _timed(send: Callable[[], httpx.Response]) -> float:
    started = time.perf_counter()
    response = send()
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    if response.request.url.path == "/graphql" and response.json().get("errors"):
        raise RuntimeError(f"GraphQL errors: {response.json()['errors'][:2]}")
    return elapsed


def latency_against_size(context: Context, report: Report) -> None:
    rounds = context.pick(60, 20, smoke=3)
    large_url = context.company()
    # The page lists 50 teams, so the small company has at least 50, as dense as the large.
    small_scale = scaled(context.scale, SMALL_QUICK) if context.quick else QUICK
    with context.database("scale_small") as small_url:
        note(f"generating a small company ({small_scale.label})")
        small_events = load_company(small_url, small_scale)
        small = _measure(small_url, rounds)
        large = _measure(large_url, rounds)
    large_events = context.company_events
    for name, index in (("command (add or remove a member)", 0), ("GraphQL page of 50 teams", 1)):
        report.add(
            Figure(
                f"{name} at {large_events:,} events vs {small_events:,}",
                median(large[index]) * 1000,
                "ms",
                baseline=median(small[index]) * 1000,
                baseline_name=f"at {small_events:,} events",
                goal=at_most(GOAL_LATENCY_RATIO),
                runs=len(large[index]),
                detail={
                    "p90_ms": round(percentile(large[index], 0.9) * 1000, 2),
                    "baseline_p90_ms": round(percentile(small[index], 0.9) * 1000, 2),
                },
            )
        )
