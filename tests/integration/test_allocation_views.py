"""Allocation views against real PostgreSQL: projections, queries, figures, as-of reads."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from uuid import UUID

import asyncpg
import pytest

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.allocation.resources import Resources
from domain.people.values import Function
from projections.allocation import queries as queries
from projections.allocation.report import (
    Request,
    Scenario,
    compare,
    resources,
    resources_of,
    scenario_allocations,
    totals,
    unfunded_asks,
)
from projections.paging import PageRequest
from projections.reading import ReadSession
from services.allocation.rest import (
    OpenCycle,
    RecordAmendment,
    RecordDissent,
    SaveScenario,
    WeighDissent,
)
from services.api.commands import CommandContext
from services.runtime import Runtime
from tests.allocation_fixtures import (
    DESIGN,
    ENG,
    YEAR,
    Planning,
    advance,
    envelope,
    numbers,
    planning,
    request,
)
from tests.integration.test_projections import runner_for, snapshot
from tests.people import CEO, principal

WAIT = 10.0
ANN = principal("ann@x.io")  # dissents and commits
BEN = principal("ben@x.io")  # dissents and never commits


@dataclass
class Year:
    plan: Planning
    op2: UUID
    dissents: dict[str, UUID]
    positions: dict[str, int]


def build(runtime: Runtime) -> Year:
    """OP1 2027 from opening to an amendment, then OP2 opened from it."""
    plan = planning(runtime)
    org, op1, a = plan.org, plan.op1, runtime.allocation
    positions = {"opened": envelope(runtime, op1, 8, 800, design=1)}
    envelope(runtime, op1, 10, 1000, design=1)
    request(runtime, plan, org.retail, 5, 500)
    positions["first request"] = request(runtime, plan, org.books, 3, 300)
    request(runtime, plan, org.retail, 6, 600, design=1)
    request(runtime, plan, org.finance, 2, 200)
    dissents = {
        "ann": a.record_dissent(
            CommandContext(ANN, "d"), op1, RecordDissent(team_id=org.retail, argument="Fund Books")
        ).id,
        "ben": a.record_dissent(
            CommandContext(BEN, "d"),
            op1,
            RecordDissent(team_id=None, argument="Envelope too small"),
        ).id,
    }
    a.save_scenario(
        CommandContext(CEO, "s"),
        op1,
        SaveScenario(
            name="Lean", allocations=[numbers(org.retail, 5, 500), numbers(org.books, 3, 300)]
        ),
    )
    a.save_scenario(
        CommandContext(CEO, "s"),
        op1,
        SaveScenario(
            name="Generous",
            allocations=[
                numbers(org.retail, 6, 600),
                numbers(org.books, 3, 300),
                numbers(org.finance, 2, 200),
            ],
        ),
    )
    positions["review"] = advance(runtime, op1, CyclePhase.REVIEW)
    positions["adopted"] = a.adopt_scenario(CommandContext(CEO, "a"), op1, name="Lean").position
    a.weigh_dissent(
        CommandContext(CEO, "w"),
        op1,
        dissents["ann"],
        WeighDissent(response="Books is fully funded"),
    )
    positions["weighed"] = a.weigh_dissent(
        CommandContext(CEO, "w"), op1, dissents["ben"], WeighDissent(response="Fixed by the board")
    ).position
    advance(runtime, op1, CyclePhase.DECIDED)
    a.commit(CommandContext(ANN, "c"), op1)
    positions["committed"] = a.commit(CommandContext(CEO, "c"), op1).position
    positions["locked"] = advance(runtime, op1, CyclePhase.LOCKED)
    positions["amended"] = a.amend(
        CommandContext(CEO, "x"),
        op1,
        RecordAmendment(
            team_id=org.finance,
            headcount={ENG: 1},
            budget=100,
            reason="Audit finding",
            approver="cfo@x.io",
        ),
    ).position
    opened = a.open_cycle(CommandContext(CEO, "o"), OpenCycle(fiscal_year=YEAR, kind=CycleKind.OP2))
    positions["head"] = opened.position
    return Year(plan, opened.id, dissents, positions)


@pytest.fixture
async def year(serving: Runtime) -> Year:
    built = build(serving)
    assert await serving.watcher.wait_for(built.positions["head"], WAIT)
    return built


@pytest.fixture
async def db(serving: Runtime, year: Year) -> AsyncIterator[ReadSession]:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        yield session


def figures(rows: list[asyncpg.Record]) -> list[tuple[str, Resources]]:
    return [(row["team_name"], resources_of(row)) for row in rows]


def r(engineers: int, budget: int, design: int = 0) -> Resources:
    return Resources.of({ENG: engineers, DESIGN: design}, budget)


async def test_a_cycle_keeps_its_phases_envelopes_and_carried_successor(
    year: Year, db: ReadSession
) -> None:
    op1 = year.plan.op1
    cycle = (await queries.cycles_by_id(db, [op1], None))[op1]
    assert (cycle["fiscal_year"], cycle["kind"], cycle["phase"]) == (YEAR, "OP1", "LOCKED")
    assert (cycle["amendments"], cycle["carried_into"]) == (1, year.op2)
    assert resources(cycle["envelope_headcount"], cycle["envelope_budget"]) == r(10, 1000, 1)
    phases = (await queries.phase_history(db, [op1], None))[op1]
    assert [p["phase"] for p in phases] == ["OPEN", "REVIEW", "DECIDED", "LOCKED"]
    envelopes = (await queries.envelope_history(db, [op1], None))[op1]
    assert [(resources_of(e), e["reason"]) for e in envelopes] == [
        (r(8, 800, 1), "The board's plan"),
        (r(10, 1000, 1), "The board's plan"),
    ]
    assert await queries.cycle_of_year(db, YEAR, "OP2", None) is not None
    page = await queries.cycle_page(db, None, YEAR, PageRequest(1))
    assert (page.total, page.has_next, page.rows[0]["kind"]) == (2, True, "OP1")
    after = (page.rows[0]["fiscal_year"], page.rows[0]["kind"], page.rows[0]["id"])
    rest = await queries.cycle_page(db, None, None, PageRequest(5, after))
    assert [row["id"] for row in rest.rows] == [year.op2]


async def test_requests_keep_every_version_and_decisions_say_where_they_came_from(
    year: Year, db: ReadSession
) -> None:
    op1, org = year.plan.op1, year.plan.org
    pages = await queries.requests_of_cycles(db, [op1], None, PageRequest(2))
    assert figures(pages[op1].rows) == [("Books", r(3, 300)), ("Finance", r(2, 200))]
    assert pages[op1].total == 3 and pages[op1].has_next
    versions = await queries.request_versions(db, [(op1, org.retail), (op1, org.books)], None)
    assert [(v["version"], resources_of(v)) for v in versions[(op1, org.retail)]] == [
        (1, r(5, 500)),
        (2, r(6, 600, 1)),
    ]
    assert versions[(op1, org.retail)][1]["goal_ids"] == [year.plan.goals[org.retail]]
    decisions = (await queries.decisions_of_cycles(db, [op1], None, PageRequest(10)))[op1]
    assert figures(decisions.rows) == [("Books", r(3, 300)), ("Retail", r(5, 500))]
    assert {(d["source"], d["scenario"]) for d in decisions.rows} == {("SCENARIO", "Lean")}
    funding = (await queries.funding_of_cycles(db, [op1], None))[op1]
    funded = {row["team_id"]: (resources_of(row), row["amended"]) for row in funding}
    assert funded == {
        org.retail: (r(5, 500), False),
        org.books: (r(3, 300), False),
        org.finance: (r(1, 100), True),
    }


async def test_op2_starts_from_op1s_envelope_and_funding(year: Year, db: ReadSession) -> None:
    op2 = (await queries.cycles_by_id(db, [year.op2], None))[year.op2]
    assert (op2["kind"], op2["phase"], op2["carried_from"]) == ("OP2", "OPEN", year.plan.op1)
    assert resources(op2["envelope_headcount"], op2["envelope_budget"]) == r(10, 1000, 1)
    decisions = (await queries.decisions_of_cycles(db, [year.op2], None, PageRequest(10)))[year.op2]
    assert figures(decisions.rows) == [
        ("Books", r(3, 300)),
        ("Finance", r(1, 100)),
        ("Retail", r(5, 500)),
    ]
    assert {d["source"] for d in decisions.rows} == {"CARRIED"}


async def test_dissent_weighing_commitment_and_who_has_not_committed(
    year: Year, db: ReadSession
) -> None:
    op1 = year.plan.op1
    dissents = (await queries.dissents_of_cycles(db, [op1], None, None, PageRequest(10)))[op1]
    assert [(d["person"], d["response"]) for d in dissents.rows] == [
        ("ann@x.io", "Books is fully funded"),
        ("ben@x.io", "Fixed by the board"),
    ]
    assert dissents.rows[0]["team_id"] == year.plan.org.retail
    weighed_then = year.positions["weighed"] - 1
    unweighed = await queries.dissents_of_cycles(db, [op1], weighed_then, False, PageRequest(10))
    assert [d["person"] for d in unweighed[op1].rows] == ["ben@x.io"]
    by_id = await queries.dissents_by_id(db, [year.dissents["ann"]], None)
    assert by_id[year.dissents["ann"]]["weighed_by"] == CEO.subject
    committed = (await queries.commitments_of_cycles(db, [op1], None, PageRequest(10)))[op1]
    assert [c["person"] for c in committed.rows] == ["ann@x.io", CEO.subject]
    missing = await queries.uncommitted_dissenters(db, [op1], None)
    assert [row["person"] for row in missing[op1]] == ["ben@x.io"]
    before = await queries.uncommitted_dissenters(db, [op1], year.positions["review"])
    assert [row["person"] for row in before[op1]] == ["ann@x.io", "ben@x.io"]


async def test_amendments_and_scenarios_are_listed(year: Year, db: ReadSession) -> None:
    op1, org = year.plan.op1, year.plan.org
    amendments = (await queries.amendments_of_cycles(db, [op1], None, PageRequest(10)))[op1]
    [amendment] = amendments.rows
    assert (amendment["number"], amendment["team_id"], amendment["approver"]) == (
        1,
        org.finance,
        "cfo@x.io",
    )
    scenarios = (await queries.scenarios_of_cycles(db, [op1], None, PageRequest(1)))[op1]
    assert [s["name"] for s in scenarios.rows] == ["Generous"] and scenarios.total == 2
    every = (await queries.all_scenarios(db, [op1], None))[op1]
    lean = next(s for s in every if s["name"] == "Lean")
    assert lean["adopted_at"] is not None
    assert scenario_allocations(lean["allocations"]) == {
        org.retail: r(5, 500),
        org.books: r(3, 300),
    }


async def test_the_figures_count_current_requests_and_funding_with_amendments(
    year: Year, db: ReadSession
) -> None:
    op1 = year.plan.op1
    cycle = (await queries.cycles_by_id(db, [op1], None))[op1]
    asked = (await queries.all_requests(db, [op1], None))[op1]
    funding = (await queries.funding_of_cycles(db, [op1], None))[op1]
    figures_now = totals(
        resources(cycle["envelope_headcount"], cycle["envelope_budget"]),
        [resources_of(row) for row in asked],
        [resources_of(row) for row in funding],
    )
    engineering = figures_now.functions[list(Function).index(ENG)]
    assert (engineering.envelope, engineering.requested, engineering.funded) == (10, 11, 9)
    assert engineering.remaining == 1
    budget = figures_now.budget
    assert (budget.envelope, budget.requested, budget.funded, budget.remaining) == (
        1000,
        1100,
        900,
        100,
    )
    requests = [Request(row["team_id"], resources_of(row), row["goal_ids"]) for row in asked]
    funded = {row["team_id"]: resources_of(row) for row in funding}
    asks = unfunded_asks(requests, funded)
    goals = year.plan.goals
    assert [(a.team_id, a.shortfall) for a in asks] == [
        (year.plan.org.finance, r(1, 100)),
        (year.plan.org.retail, r(1, 100, 1)),
    ]
    assert asks[0].goal_ids == [goals[year.plan.org.finance]]


async def test_scenarios_compare_against_requests_and_the_envelope(
    year: Year, db: ReadSession
) -> None:
    op1, org = year.plan.op1, year.plan.org
    at = year.positions["review"]
    cycle = (await queries.cycles_by_id(db, [op1], at))[op1]
    asked = (await queries.all_requests(db, [op1], at))[op1]
    drafts = (await queries.all_scenarios(db, [op1], at))[op1]
    comparison = compare(
        resources(cycle["envelope_headcount"], cycle["envelope_budget"]),
        [Request(row["team_id"], resources_of(row), row["goal_ids"]) for row in asked],
        [Scenario(row["name"], scenario_allocations(row["allocations"])) for row in drafts],
    )
    assert [use.scenario.name for use in comparison.uses] == ["Generous", "Lean"]
    generous, lean = comparison.uses
    assert generous.totals.within_envelope is False, "11 engineers against 10"
    assert generous.unfunded_goal_ids == [year.plan.goals[org.retail]], "no DESIGN for Retail"
    assert lean.totals.within_envelope
    assert set(lean.unfunded_goal_ids) == {
        year.plan.goals[org.retail],
        year.plan.goals[org.finance],
    }
    finance = next(team for team in comparison.teams if team.team_id == org.finance)
    assert (finance.requested, finance.allocated) == (r(2, 200), [r(2, 200), Resources()])


async def test_team_allocations_span_op1_op2_and_amendments(year: Year, db: ReadSession) -> None:
    org = year.plan.org
    found = await queries.team_allocations(
        db, [(org.finance, YEAR), (org.retail, YEAR), (org.retail, YEAR + 1)], None
    )
    op1, op2 = found[(org.finance, YEAR)]
    assert (op1.cycle["kind"], op2.cycle["kind"]) == ("OP1", "OP2")
    assert op1.request is not None and resources_of(op1.request) == r(2, 200)
    assert op1.decision is None, "Lean left Finance out"
    assert op1.funding is not None and resources_of(op1.funding) == r(1, 100)
    assert [a["reason"] for a in op1.amendments] == ["Audit finding"]
    assert op2.request is None and op2.funding is not None and op2.funding["amended"] is False
    assert found[(org.retail, YEAR + 1)] == []
    then = await queries.team_allocations(db, [(org.retail, YEAR)], year.positions["first request"])
    [only] = then[(org.retail, YEAR)]
    assert only.request is not None and resources_of(only.request) == r(5, 500)


async def test_views_read_as_of_any_moment_of_the_year(year: Year, db: ReadSession) -> None:
    op1 = year.plan.op1
    at_review = (await queries.cycles_by_id(db, [op1], year.positions["review"]))[op1]
    assert (at_review["phase"], at_review["amendments"]) == ("REVIEW", 0)
    assert await queries.cycles_by_id(db, [year.op2], year.positions["amended"]) == {}
    before = await queries.decisions_of_cycles(
        db, [op1], year.positions["adopted"] - 1, PageRequest(10)
    )
    assert op1 not in before, "no decision before the scenario was adopted"
    assert await queries.cycle_of_year(db, YEAR, "OP2", year.positions["locked"]) is None


async def test_a_rebuild_equals_the_views_kept_in_small_batches(runtime: Runtime) -> None:
    build(runtime)
    pool = await asyncpg.create_pool(runtime.database.url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            runner = runner_for(runtime, batch_size=3)
            cursor = await runner.prepare(conn)
            await runner.catch_up(conn, cursor)
        in_batches = await snapshot(pool)
        async with pool.acquire() as conn:
            await runner_for(runtime).rebuild(conn)
        assert await snapshot(pool) == in_batches
        assert in_batches["allocation_request_versions"], "the allocation views were written"
    finally:
        await pool.close()
