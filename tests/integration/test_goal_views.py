"""Metric and goal views against real PostgreSQL: projections, queries, reports, as-of."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from domain.goals import CheckInStatus, GoalOutcome
from projections.goals import queries as goals_queries
from projections.goals import reports as goal_reports
from projections.goals.reports import MixFigures, Scope
from projections.metrics import queries as metrics_queries
from projections.paging import PageRequest
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.goals.rest import CloseGoal, FlagTopLevel, ReviseTarget
from services.metrics.rest import DeclareDriver, RecordObservation, RedefineMetric
from services.runtime import Runtime
from tests.goal_fixtures import Company, check_in, company, set_goal
from tests.integration.test_projections import runner_for, snapshot
from tests.people import CEO

WAIT = 10.0


@dataclass
class History:
    org: Company
    goals: dict[str, UUID]
    before_redefinition: int
    head: int


def build(runtime: Runtime) -> History:
    """Goals for 2025 across the tree (and two for 2024), a redefinition, check-ins."""
    org = company(runtime)
    goals = {
        "commerce-visits": set_goal(runtime, org.commerce, org.visits),
        "commerce-revenue": set_goal(runtime, org.commerce, org.revenue),
        "retail-selection": set_goal(runtime, org.retail, org.selection),
        "retail-selection-2": set_goal(runtime, org.retail, org.selection, target=30),
        "retail-revenue": set_goal(runtime, org.retail, org.revenue),
        "books-speed": set_goal(runtime, org.books, org.speed),
        "finance-revenue": set_goal(runtime, org.finance, org.revenue),
        "retail-2024": set_goal(runtime, org.retail, org.selection, 2024),
        "books-2024": set_goal(runtime, org.books, org.speed, 2024),
    }
    for name in ("commerce-visits", "retail-selection", "finance-revenue"):
        runtime.goals.set_top_level(
            CommandContext(CEO, "h"), goals[name], FlagTopLevel(top_level=True)
        )
    before = runtime.metrics.redefine_metric(
        CommandContext(CEO, "h"),
        org.selection,
        RedefineMetric(definition="In-stock detail page views", reason="Availability"),
    ).position
    runtime.metrics.declare_driver(
        CommandContext(CEO, "h"),
        org.selection,
        DeclareDriver(output_metric_id=org.revenue, hypothesis="Selection sells"),
    )
    runtime.metrics.declare_driver(
        CommandContext(CEO, "h"),
        org.speed,
        DeclareDriver(output_metric_id=org.revenue, hypothesis="Fast delivery converts"),
    )
    runtime.metrics.declare_driver(
        CommandContext(CEO, "h"),
        org.speed,
        DeclareDriver(output_metric_id=org.visits, hypothesis="Fast delivery retains"),
    )
    check_in(runtime, goals["retail-selection"], CheckInStatus.GREEN)
    check_in(runtime, goals["retail-selection"], CheckInStatus.RED)
    check_in(runtime, goals["books-speed"], CheckInStatus.GREEN)
    check_in(runtime, goals["books-speed"], CheckInStatus.YELLOW)
    check_in(runtime, goals["books-speed"], CheckInStatus.RED)
    runtime.goals.revise_target(
        CommandContext(CEO, "h"),
        goals["books-speed"],
        ReviseTarget(target=Decimal(15), reason="Carrier strike"),
    )
    head = runtime.metrics.record_observation(
        CommandContext(CEO, "h"),
        org.revenue,
        RecordObservation(period_end=date(2025, 1, 5), value=Decimal("100.5")),
    ).position
    return History(org, goals, before, head)


@pytest.fixture
async def history(serving: Runtime) -> History:
    built = build(serving)
    assert await serving.watcher.wait_for(built.head, WAIT)
    return built


@pytest.fixture
async def db(serving: Runtime, history: History) -> AsyncIterator[ReadSession]:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        yield session


async def test_metrics_keep_every_definition_and_goals_keep_theirs(
    serving: Runtime, history: History, db: ReadSession
) -> None:
    org = history.org
    metric = (await metrics_queries.metrics_by_id(db, [org.selection], None))[org.selection]
    assert (metric["kind"], metric["definition_version"]) == ("INPUT", 2)
    assert metric["definition"] == "In-stock detail page views"
    versions = (await metrics_queries.definition_history(db, [org.selection], None))[org.selection]
    assert [(v["version"], v["reason"]) for v in versions] == [(1, None), (2, "Availability")]
    old_goal = history.goals["retail-selection"]
    goal = (await goals_queries.goals_by_id(db, [old_goal], None))[old_goal]
    assert goal["metric_definition_version"] == 1, "set before the redefinition"
    then = await metrics_queries.metrics_by_id(db, [org.selection], history.before_redefinition - 1)
    assert then[org.selection]["definition_version"] == 1


async def test_the_metric_tree_has_input_to_output_edges(history: History, db: ReadSession) -> None:
    org = history.org
    drives = await metrics_queries.drivers(db, [org.speed], None)
    assert [(e["output_id"], e["hypothesis"]) for e in drives[org.speed]] == [
        (org.revenue, "Fast delivery converts"),
        (org.visits, "Fast delivery retains"),
    ]
    driven = await metrics_queries.drivers(db, [org.revenue], None, side="output_id")
    assert {e["input_id"] for e in driven[org.revenue]} == {org.selection, org.speed}
    every = await metrics_queries.drivers(db, None, None)
    assert sum(len(edges) for edges in every.values()) == 3
    before = await metrics_queries.drivers(db, None, history.before_redefinition)
    assert before == {}


async def test_observations_are_corrected_with_history_kept(
    serving: Runtime, history: History
) -> None:
    org = history.org
    corrected = serving.metrics.record_observation(
        CommandContext(CEO, "h"),
        org.revenue,
        RecordObservation(period_end=date(2025, 1, 5), value=Decimal("99.5"), reason="Refund"),
    )
    serving.metrics.record_observation(
        CommandContext(CEO, "h"),
        org.revenue,
        RecordObservation(period_end=date(2025, 1, 12), value=Decimal(101)),
    )
    last = serving.metrics.record_observation(
        CommandContext(CEO, "h"),
        org.revenue,
        RecordObservation(period_end=date(2025, 1, 19), value=Decimal(102)),
    )
    assert await serving.watcher.wait_for(last.position, WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        everything = (
            await metrics_queries.observations(
                db, [org.revenue], None, metrics_queries.Period(), PageRequest(10)
            )
        )[org.revenue]
        assert [(o["period_end"].day, o["value"]) for o in everything.rows] == [
            (5, Decimal("99.5")),
            (12, Decimal(101)),
            (19, Decimal(102)),
        ]
        assert (everything.rows[0]["corrections"], everything.rows[0]["correction_reason"]) == (
            1,
            "Refund",
        )
        window = metrics_queries.Period(date(2025, 1, 6), date(2025, 1, 31))
        first = (
            await metrics_queries.observations(db, [org.revenue], None, window, PageRequest(1))
        )[org.revenue]
        assert (first.total, first.has_next, first.rows[0]["period_end"].day) == (2, True, 12)
        rest = await metrics_queries.observations(
            db, [org.revenue], None, window, PageRequest(1, (first.rows[0]["period_end"],))
        )
        assert [o["period_end"].day for o in rest[org.revenue].rows] == [19]
        before = await metrics_queries.observations(
            db, [org.revenue], corrected.position - 1, metrics_queries.Period(), PageRequest(10)
        )
        assert [o["value"] for o in before[org.revenue].rows] == [Decimal("100.5")]


async def test_check_ins_targets_and_blindsides(history: History, db: ReadSession) -> None:
    jumped, warned = history.goals["retail-selection"], history.goals["books-speed"]
    goals = await goals_queries.goals_by_id(db, [jumped, warned], None)
    assert (goals[jumped]["status"], goals[jumped]["blindside"]) == ("RED", True)
    assert (goals[warned]["status"], goals[warned]["blindside"]) == ("RED", False)
    pages = await goals_queries.check_ins(db, [jumped, warned], None, PageRequest(10))
    assert [(c["status"], c["blindside"]) for c in pages[jumped].rows] == [
        ("GREEN", False),
        ("RED", True),
    ]
    assert [c["status"] for c in pages[warned].rows] == ["GREEN", "YELLOW", "RED"]
    assert pages[warned].rows[1]["path_to_green"] == "Recover by next month"
    assert pages[warned].rows[0]["actor"] == "ceo@example.com"
    targets = await goals_queries.target_history(db, [warned], None)
    assert [(t["target"], t["reason"]) for t in targets[warned]] == [
        (Decimal(20), None),
        (Decimal(15), "Carrier strike"),
    ]
    assert goals[warned]["target"] == Decimal(15)


async def test_a_goals_progress_as_of_positions_between_its_check_ins(
    history: History, db: ReadSession
) -> None:
    """Progress (status, blindside, freshness, version) is read from the latest check-in
    at the position read, which the goal's own later changes (a target revised) keep."""
    goal_id = history.goals["books-speed"]
    now = (await goals_queries.goals_by_id(db, [goal_id], None))[goal_id]
    pages = await goals_queries.check_ins(db, [goal_id], None, PageRequest(10))
    green, yellow, red = (row["position"] for row in pages[goal_id].rows)
    revised = now["version"]

    async def as_of(position: int) -> tuple[Any, ...]:
        goal = (await goals_queries.goals_by_id(db, [goal_id], position))[goal_id]
        return (
            goal["status"],
            goal["blindside"],
            goal["last_check_in_at"] is not None,
            goal["fresh_position"],
            goal["version"],
            goal["target"],
        )

    set_at = now["set_position"]
    assert await as_of(set_at) == (None, False, False, set_at, 1, Decimal(20))
    assert await as_of(green - 1) == (None, False, False, set_at, 1, Decimal(20))
    assert await as_of(green) == ("GREEN", False, True, green, 2, Decimal(20))
    assert await as_of(yellow - 1) == ("GREEN", False, True, green, 2, Decimal(20))
    assert await as_of(yellow) == ("YELLOW", False, True, yellow, 3, Decimal(20))
    assert await as_of(red) == ("RED", False, True, red, 4, Decimal(20))
    assert await as_of(history.head) == ("RED", False, True, red, revised, Decimal(15))
    assert revised == 5
    before_red = await goals_queries.check_ins(db, [goal_id], red - 1, PageRequest(10))
    assert [row["status"] for row in before_red[goal_id].rows] == ["GREEN", "YELLOW"]

    jumped = history.goals["retail-selection"]
    jumps = await goals_queries.check_ins(db, [jumped], None, PageRequest(10))
    first, second = (row["position"] for row in jumps[jumped].rows)
    for position, blindside in ((first, False), (second - 1, False), (second, True)):
        goal = (await goals_queries.goals_by_id(db, [jumped], position))[jumped]
        assert goal["blindside"] is blindside
    red_now = await goals_queries.goal_page(
        db, None, goals_queries.GoalFilter(status="RED"), PageRequest(20)
    )
    assert {row["id"] for row in red_now.rows} == {jumped, goal_id}
    red_then = await goals_queries.goal_page(
        db, yellow, goals_queries.GoalFilter(status="RED"), PageRequest(20)
    )
    assert {row["id"] for row in red_then.rows} == {jumped}


async def test_goal_mix_for_a_team_its_subtree_and_the_company(
    history: History, db: ReadSession
) -> None:
    org = history.org
    company_mix = await goal_reports.goal_mix(db, None, 2025, Scope())
    assert company_mix.figures == MixFigures(total=7, input=3, output=4, financial=3)
    assert company_mix.figures.input_share == pytest.approx(3 / 7)
    assert company_mix.figures.financial_share == pytest.approx(3 / 7)
    assert company_mix.top_level == MixFigures(total=3, input=1, output=2, financial=1)
    assert {row.team["name"]: row.figures.total for row in company_mix.by_team} == {
        "Books": 1,
        "Commerce": 2,
        "Finance": 1,
        "Retail": 3,
    }
    subtree = await goal_reports.goal_mix(db, None, 2025, Scope(org.retail, include_subteams=True))
    assert subtree.figures == MixFigures(total=4, input=3, output=1, financial=1)
    assert (subtree.figures.input_share, subtree.figures.financial_share) == (0.75, 0.25)
    assert [row.team["name"] for row in subtree.by_team] == ["Books", "Retail"]
    alone = await goal_reports.goal_mix(db, None, 2025, Scope(org.retail))
    assert alone.figures == MixFigures(total=3, input=2, output=1, financial=1)
    assert alone.top_level == MixFigures(total=1, input=1)
    last_year = await goal_reports.goal_mix(db, None, 2024, Scope(org.commerce, True))
    assert last_year.figures == MixFigures(total=2, input=2)
    empty = await goal_reports.goal_mix(db, None, 2031, Scope())
    assert (empty.figures.total, empty.figures.input_share, empty.figures.financial_share) == (
        0,
        0.0,
        0.0,
    )


async def test_goal_mix_as_of_a_past_position(history: History, db: ReadSession) -> None:
    early = await goal_reports.goal_mix(db, history.before_redefinition, 2025, Scope())
    assert early.top_level.total == 3
    first_goal = (await goals_queries.goals_by_id(db, [history.goals["commerce-visits"]], None))[
        history.goals["commerce-visits"]
    ]
    at_first = await goal_reports.goal_mix(db, first_goal["set_position"], 2025, Scope())
    assert at_first.figures == MixFigures(total=1, output=1)
    assert at_first.top_level.total == 0


async def test_attainment_and_the_too_easy_flag(serving: Runtime, history: History) -> None:
    goals = history.goals
    outcomes = {
        "commerce-visits": GoalOutcome.ACHIEVED,
        "commerce-revenue": GoalOutcome.ACHIEVED,
        "retail-selection": GoalOutcome.MISSED,
        "retail-revenue": GoalOutcome.DROPPED,
    }
    last = 0
    for name, outcome in outcomes.items():
        last = serving.goals.close_goal(
            CommandContext(CEO, "a"), goals[name], CloseGoal(outcome=outcome, note="n")
        ).position
    assert await serving.watcher.wait_for(last, WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        year = await goal_reports.attainment(db, None, 2025, Scope())
        assert (year.achieved, year.missed, year.dropped, year.open) == (2, 1, 1, 3)
        assert (year.closed, year.achieved_share, year.too_easy) == (4, 0.5, False)
        commerce = await goal_reports.attainment(db, None, 2025, Scope(history.org.commerce))
        assert (commerce.achieved, commerce.achieved_share) == (2, 1.0)
        assert not commerce.too_easy, "two closed goals are too few to judge"
    assert goal_reports.Attainment(achieved=5).too_easy
    assert goal_reports.Attainment(achieved=9, missed=1).too_easy
    assert not goal_reports.Attainment(achieved=8, missed=2).too_easy


async def test_stale_goals_are_open_goals_without_a_recent_check_in(
    history: History, db: ReadSession
) -> None:
    now = datetime.now(UTC)
    assert (
        await goals_queries.stale_goal_page(
            db, None, now - timedelta(weeks=2), None, PageRequest(50)
        )
    ).total == 0
    in_a_month = await goals_queries.stale_goal_page(
        db, None, now + timedelta(weeks=4), None, PageRequest(50)
    )
    assert in_a_month.total == 9
    checked_in_last = history.goals["books-speed"]
    assert in_a_month.rows[-1]["id"] == checked_in_last, "stalest first"
    books = await goals_queries.stale_goal_page(
        db, None, now + timedelta(weeks=4), history.org.books, PageRequest(1)
    )
    assert (books.total, books.has_next) == (2, True)


async def test_pages_of_goals_and_metrics(history: History, db: ReadSession) -> None:
    org = history.org
    by_team = await goals_queries.goals_of_teams(
        db, [org.retail, org.books, org.finance], None, 2025, PageRequest(2)
    )
    assert (by_team[org.retail].total, len(by_team[org.retail].rows)) == (3, 2)
    assert by_team[org.retail].has_next and not by_team[org.books].has_next
    assert by_team[org.finance].total == 1
    rest = await goals_queries.goals_of_teams(
        db,
        [org.retail],
        None,
        2025,
        PageRequest(2, (by_team[org.retail].rows[-1]["set_position"],)),
    )
    assert [row["id"] for row in rest[org.retail].rows] == [history.goals["retail-revenue"]]
    filtered = await goals_queries.goal_page(
        db,
        None,
        goals_queries.GoalFilter(plan_year=2025, kind="INPUT", status="RED"),
        PageRequest(10),
    )
    assert {row["id"] for row in filtered.rows} == {
        history.goals["retail-selection"],
        history.goals["books-speed"],
    }
    top = await goals_queries.goal_page(
        db, None, goals_queries.GoalFilter(top_level=True, team_id=org.finance), PageRequest(10)
    )
    assert [row["id"] for row in top.rows] == [history.goals["finance-revenue"]]
    metrics = await metrics_queries.metric_page(
        db, None, metrics_queries.MetricFilter(kind="OUTPUT"), PageRequest(1)
    )
    assert (metrics.total, metrics.rows[0]["name"], metrics.has_next) == (
        2,
        "Active customers",
        True,
    )
    owned = await metrics_queries.metrics_owned_by(
        db, [org.books, org.commerce], None, PageRequest(5)
    )
    assert [row["name"] for row in owned[org.books].rows] == ["Delivery speed"]


async def test_a_rebuild_equals_the_views_kept_in_small_batches(runtime: Runtime) -> None:
    build(runtime)
    pool = await asyncpg.create_pool(runtime.database.url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            runner = runner_for(runtime, batch_size=3)
            await runner.catch_up(conn, await runner.prepare(conn))
        in_batches = await snapshot(pool)
        assert in_batches["goals"] and in_batches["metric_drivers"]
        async with pool.acquire() as conn:
            await runner_for(runtime).rebuild(conn)
        assert await snapshot(pool) == in_batches
    finally:
        await pool.close()
