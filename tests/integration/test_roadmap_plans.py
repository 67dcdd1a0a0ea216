"""The roadmap as a plan of record against real PostgreSQL: baselines at a lock and by
name, the changes since a baseline, commitment reliability and capacity, each checked
against a scenario counted by hand."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from domain.allocation.cycle import CyclePhase
from domain.people.values import Function
from domain.roadmap import Horizon
from projections.reading import ReadSession
from projections.roadmap import queries
from projections.roadmap.capacity import team_loads
from projections.roadmap.changes import changes_between, reliability
from services.allocation.rest import RecordAmendment, RecordDecision
from services.api.commands import CommandContext
from services.roadmap.rest import (
    CommitItem,
    DeliverItem,
    DropItem,
    MoveTargetDate,
    ProposeItem,
    RecordBaseline,
)
from services.runtime import Runtime
from tests.allocation_fixtures import Planning, advance, envelope, planning, request
from tests.people import CEO

WAIT = 10.0
ENG, DESIGN = Function.ENGINEERING, Function.DESIGN
TODAY = date.today()


def item(
    runtime: Runtime, team: UUID, title: str, headcount: dict[Function, int] | None = None
) -> UUID:
    return runtime.roadmap.propose(
        CommandContext(CEO, "t"),
        ProposeItem(
            team_id=team,
            title=title,
            outcome="o",
            horizon=Horizon.NOW,
            goal_ids=[],
            headcount=headcount or {ENG: 1},
        ),
    ).id


def commit(runtime: Runtime, item_id: UUID, day: date) -> int:
    return runtime.roadmap.commit(
        CommandContext(CEO, "t"), item_id, CommitItem(target_date=day)
    ).position


def lock(runtime: Runtime, plan: Planning, books: int, finance: int, **books_more: int) -> int:
    """Books and Finance funded with engineers (and Books with more), DECIDED and LOCKED."""
    envelope(runtime, plan.op1, 20, 1000, design=5)
    request(runtime, plan, plan.org.books, books, 100)
    request(runtime, plan, plan.org.finance, finance, 100)
    advance(runtime, plan.op1, CyclePhase.REVIEW)
    for team, engineers, more in (
        (plan.org.books, books, books_more),
        (plan.org.finance, finance, {}),
    ):
        runtime.allocation.decide(
            CommandContext(CEO, "t"),
            plan.op1,
            RecordDecision(
                team_id=team,
                headcount={ENG: engineers, **{Function(k.upper()): v for k, v in more.items()}},
                budget=100,
                rationale="Funded",
            ),
        )
    advance(runtime, plan.op1, CyclePhase.DECIDED)
    return advance(runtime, plan.op1, CyclePhase.LOCKED)


@dataclass
class Year:
    plan: Planning
    ids: dict[str, UUID]
    locked: int
    named: UUID
    head: int


def year(runtime: Runtime) -> Year:
    """Counted by hand. At the FY2027 OP1 lock: A (Books, due in 90 days), B (Books, due
    340 days ago, in progress), C (Finance, due in 180 days), E (Books, due 300 days ago),
    F (Finance, due in 270 days) are committed; D (Books) is only proposed. After it: A
    and B are delivered (A on time, B late), C slips 30 days and is pulled in 10 (net
    +20), F is pulled in 31, D is dropped, G (Books) is added; E stays open past its
    date. Reliability: A of A, B, C, E, F (1/5); Books alone: A of A, B, E (1/3)."""
    plan = planning(runtime)
    org = plan.org
    road = runtime.roadmap
    ids = {
        "A": item(runtime, org.books, "A"),
        "B": item(runtime, org.books, "B"),
        "C": item(runtime, org.finance, "C"),
        "D": item(runtime, org.books, "D"),
        "E": item(runtime, org.books, "E"),
        "F": item(runtime, org.finance, "F"),
    }
    for key, days in (("A", 90), ("B", -340), ("C", 180), ("E", -300), ("F", 270)):
        commit(runtime, ids[key], TODAY + timedelta(days=days))
    road.start(CommandContext(CEO, "t"), ids["B"])
    locked = lock(runtime, plan, 3, 2)
    road.start(CommandContext(CEO, "t"), ids["A"])
    road.deliver(CommandContext(CEO, "t"), ids["A"], DeliverItem(note=None))
    road.deliver(CommandContext(CEO, "t"), ids["B"], DeliverItem(note="Late"))
    c_date = TODAY + timedelta(days=180)
    road.move_target_date(
        CommandContext(CEO, "t"),
        ids["C"],
        MoveTargetDate(target_date=c_date + timedelta(30), reason="Late"),
    )
    road.move_target_date(
        CommandContext(CEO, "t"),
        ids["C"],
        MoveTargetDate(target_date=c_date + timedelta(20), reason="Less"),
    )
    f_date = TODAY + timedelta(days=270 - 31)
    road.move_target_date(
        CommandContext(CEO, "t"), ids["F"], MoveTargetDate(target_date=f_date, reason="Early")
    )
    road.drop(CommandContext(CEO, "t"), ids["D"], DropItem(reason="Not now"))
    ids["G"] = item(runtime, org.books, "G")
    named = runtime.roadmap.record_baseline(
        CommandContext(CEO, "t"), RecordBaseline(name="After the review")
    )
    return Year(plan, ids, locked, named.id, named.position)


@asynccontextmanager
async def snapshot(runtime: Runtime, position: int) -> AsyncIterator[ReadSession]:
    """A read snapshot once the views reach ``position``."""
    assert await runtime.watcher.wait_for(position, WAIT)
    assert runtime.read_pool is not None
    async with ReadSession(runtime.read_pool) as session:
        yield session


def titles(ids: dict[str, UUID], found: list[UUID]) -> list[str]:
    names = {value: key for key, value in ids.items()}
    return [names[item] for item in found]


async def test_baselines_changes_and_reliability_match_the_hand_count(serving: Runtime) -> None:
    built = year(serving)
    async with snapshot(serving, built.head) as db:
        await hand_count(built, db)


async def hand_count(built: Year, db: ReadSession) -> None:
    ids = built.ids

    baselines = await queries.baselines(db, None)
    assert [(b["name"], b["id"], b["cycle_id"]) for b in baselines] == [
        ("FY2027 OP1", built.plan.op1, built.plan.op1),
        ("After the review", built.named, None),
    ]
    assert baselines[0]["position"] == built.locked
    assert built.locked < baselines[1]["position"] <= built.head
    assert await queries.baselines(db, built.locked - 1) == []

    before = await queries.items(db, built.locked, queries.ItemFilter())
    after = await queries.items(db, None, queries.ItemFilter())
    slips = await queries.slips_between(db, built.locked, None)
    found = changes_between(before, after, slips, TODAY)
    assert titles(ids, found.added) == ["G"]
    assert titles(ids, found.dropped) == ["D"]
    assert titles(ids, found.delivered) == ["B", "A"]  # by target date
    assert [(titles(ids, [m.item_id]), m.days) for m in found.slipped] == [(["C"], 20)]
    assert [(titles(ids, [m.item_id]), m.days) for m in found.pulled_in] == [(["F"], -31)]
    assert [len(m.slips) for m in found.slipped] == [2]
    overdue = found.open_past_baselined_date
    assert [(titles(ids, [o.item_id]), o.baselined_date) for o in overdue] == [
        (["E"], TODAY - timedelta(days=300))
    ]

    now = {row["id"]: row for row in after}
    company = reliability(before, now.values())
    assert (company.committed, company.delivered_on_time, company.share) == (5, 1, 0.2)
    books = [row for row in before if row["team_id"] == built.plan.org.books]
    figures = reliability(books, now.values())
    assert (figures.committed, figures.delivered_on_time) == (3, 1)
    assert [c.on_time for c in figures.commitments] == [False, False, True]  # B, E, A


async def test_capacity_against_the_latest_decided_allocation(serving: Runtime) -> None:
    """Counted by hand. Books is funded 3 engineers and needs 4 and a designer for 2027
    (X: 2 engineers and a designer, committed; Y: 2 engineers, in progress; Z proposed
    and W due in 2028 do not count); Finance needs 1 of its 2. An amendment funding
    Books 5 engineers and a designer ends the over-commitment."""
    plan = planning(serving)
    org = plan.org
    x = item(serving, org.books, "X", {ENG: 2, DESIGN: 1})
    y = item(serving, org.books, "Y", {ENG: 2})
    item(serving, org.books, "Z", {ENG: 5})
    w = item(serving, org.books, "W", {ENG: 3})
    v = item(serving, org.finance, "V", {ENG: 1})
    for target, day in ((x, date(2027, 5, 1)), (y, date(2027, 10, 1)), (w, date(2028, 1, 10))):
        commit(serving, target, day)
    commit(serving, v, date(2027, 3, 1))
    serving.roadmap.start(CommandContext(CEO, "t"), y)
    locked = lock(serving, plan, 3, 2)
    amended = serving.allocation.amend(
        CommandContext(CEO, "t"),
        plan.op1,
        RecordAmendment(
            team_id=org.books,
            headcount={ENG: 5, DESIGN: 1},
            budget=100,
            reason="Same-day delivery",
            approver="ceo@example.com",
        ),
    ).position
    async with snapshot(serving, amended) as db:
        await count_capacity(db, org.books, org.finance, locked)


async def count_capacity(db: ReadSession, books: UUID, finance: UUID, locked: int) -> None:
    async def loads(at: int | None) -> dict[UUID, list[tuple[str, int, int, int]]]:
        window = queries.ItemFilter(start=date(2027, 1, 1), end=date(2027, 12, 31))
        items = await queries.items(db, at, window)
        funding = await queries.decided_funding(db, 2027, at)
        return {
            load.team_id: [(f.function.value, f.needed, f.funded, f.over) for f in load.functions]
            for load in team_loads(items, funding, 2027)
        }

    at_lock = await loads(locked)
    assert at_lock[books] == [("ENGINEERING", 4, 3, 1), ("DESIGN", 1, 0, 1)]
    assert at_lock[finance] == [("ENGINEERING", 1, 2, 0)]
    assert (await loads(None))[books] == [("ENGINEERING", 4, 5, 0), ("DESIGN", 1, 1, 0)]
    assert await loads(locked - 3) == {
        books: [("ENGINEERING", 4, 0, 4), ("DESIGN", 1, 0, 1)],
        finance: [("ENGINEERING", 1, 0, 1)],
    }, "before the cycle was decided nothing is funded"
