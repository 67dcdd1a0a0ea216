"""Queries over the allocation views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of. Requests and decisions are listed by team name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import asyncpg

from projections.paging import Listing, Page, PageRequest, at_args, grouped, page, pages_by_group
from projections.reading import ReadSession, visible


def _columns(alias: str, names: str) -> str:
    return ", ".join(f"{alias}.{name}" for name in names.split())


CYCLE_COLUMNS = _columns(
    "c",
    "id fiscal_year kind phase carried_from carried_into envelope_headcount envelope_budget "
    "amendments opened_at version",
)
REQUEST_NAMES = (
    "cycle_id team_id version headcount budget rationale goal_ids item_ids submitted_at actor"
)
DECISION_NAMES = "cycle_id team_id headcount budget rationale source scenario decided_at actor"
DISSENT_COLUMNS = _columns(
    "d",
    "id cycle_id person team_id argument recorded_at position response weighed_at weighed_by",
)
AMENDMENT_NAMES = "cycle_id number team_id headcount budget reason approver at actor"
SCENARIO_COLUMNS = _columns("s", "cycle_id name allocations saved_at saved_by adopted_at")


async def cycles_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {CYCLE_COLUMNS} FROM {{views}}.allocation_cycles c "
        f"WHERE c.id = ANY($1) AND {visible('c', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


async def cycle_of_year(
    db: ReadSession, fiscal_year: int, kind: str, at: int | None
) -> asyncpg.Record | None:
    param, args = at_args(at, [fiscal_year, kind])
    rows = await db.fetch(
        f"SELECT {CYCLE_COLUMNS} FROM {{views}}.allocation_cycles c "
        f"WHERE c.fiscal_year = $1 AND c.kind = $2 AND {visible('c', param)}",
        *args,
    )
    return rows[0] if rows else None


async def cycle_page(
    db: ReadSession, at: int | None, fiscal_year: int | None, request: PageRequest
) -> Page:
    """Cycles by fiscal year, then kind (OP1 before OP2)."""
    param, args = at_args(at, [])
    conditions = [visible("c", param)]
    if fiscal_year is not None:
        args.append(fiscal_year)
        conditions.append(f"c.fiscal_year = ${len(args)}")
    listing = Listing(
        CYCLE_COLUMNS,
        "{views}.allocation_cycles c",
        conditions,
        args,
        ("fiscal_year", "kind", "id"),
    )
    return await page(db, listing, request)


async def phase_history(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(cycle_ids)])
    rows = await db.fetch(
        "SELECT p.cycle_id, p.phase, p.at, p.actor FROM {views}.allocation_phases p "
        f"WHERE p.cycle_id = ANY($1) AND {visible('p', param)} ORDER BY p.cycle_id, p.position",
        *args,
    )
    return grouped(rows, "cycle_id")


async def envelope_history(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(cycle_ids)])
    rows = await db.fetch(
        "SELECT e.cycle_id, e.headcount, e.budget, e.reason, e.at, e.actor "
        "FROM {views}.allocation_envelopes e "
        f"WHERE e.cycle_id = ANY($1) AND {visible('e', param)} ORDER BY e.cycle_id, e.position",
        *args,
    )
    return grouped(rows, "cycle_id")


def _by_team_name(columns: str, table: str, alias: str, at: int | None) -> Listing:
    """Rows of ``table`` (one per cycle and team) with their team's name, by name."""
    param, args = at_args(at, [])
    source = (
        f"{{views}}.{table} {alias} JOIN {{views}}.teams t "
        f"ON t.id = {alias}.team_id AND {visible('t', param)}"
    )
    return Listing(
        f"{columns}, t.name AS team_name",
        source,
        [visible(alias, param)],
        args,
        ("team_name", "team_id"),
    )


async def requests_of_cycles(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each cycle's current requests by team name, a page per cycle."""
    listing = _by_team_name(_columns("r", REQUEST_NAMES), "allocation_requests", "r", at)
    return await pages_by_group(db, listing, "r.cycle_id", cycle_ids, request)


async def decisions_of_cycles(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each cycle's decisions by team name, a page per cycle."""
    listing = _by_team_name(_columns("d", DECISION_NAMES), "allocation_decisions", "d", at)
    return await pages_by_group(db, listing, "d.cycle_id", cycle_ids, request)


async def all_requests(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Every current request of each cycle, by team name (for the cycle's figures)."""
    listing = _by_team_name(_columns("r", REQUEST_NAMES), "allocation_requests", "r", at)
    return await _all_of_cycles(db, listing, "r", cycle_ids)


async def funding_of_cycles(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """What each team of each cycle is funded with now (decision or amendment)."""
    param, args = at_args(at, [list(cycle_ids)])
    rows = await db.fetch(
        "SELECT f.cycle_id, f.team_id, f.headcount, f.budget, f.amended "
        "FROM {views}.allocation_funding f "
        f"WHERE f.cycle_id = ANY($1) AND {visible('f', param)} ORDER BY f.cycle_id, f.team_id",
        *args,
    )
    return grouped(rows, "cycle_id")


async def _all_of_cycles(
    db: ReadSession, listing: Listing, alias: str, cycle_ids: Sequence[UUID]
) -> dict[Any, list[asyncpg.Record]]:
    args = [*listing.args, list(cycle_ids)]
    chosen = Listing(
        listing.columns,
        listing.source,
        [*listing.conditions, f"{alias}.cycle_id = ANY(${len(args)})"],
        args,
        listing.order,
    )
    ordering = ", ".join(f"b.{name}" for name in chosen.order)
    rows = await db.fetch(f"SELECT b.* FROM ({chosen.base()}) b ORDER BY {ordering}", *args)
    return grouped(rows, "cycle_id")


async def request_versions(
    db: ReadSession, keys: Sequence[tuple[UUID, UUID]], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Every version of each (cycle, team) request, oldest first."""
    param, args = at_args(at, [[key[0] for key in keys], [key[1] for key in keys]])
    rows = await db.fetch(
        f"SELECT {_columns('v', REQUEST_NAMES)} FROM {{views}}.allocation_request_versions v "
        "JOIN unnest($1::uuid[], $2::uuid[]) AS k(cycle_id, team_id) "
        f"ON k.cycle_id = v.cycle_id AND k.team_id = v.team_id WHERE {visible('v', param)} "
        "ORDER BY v.cycle_id, v.team_id, v.version",
        *args,
    )
    found: dict[Any, list[asyncpg.Record]] = {}
    for row in rows:
        found.setdefault((row["cycle_id"], row["team_id"]), []).append(row)
    return found


def _dissent_rows(at: int | None, weighed: bool | None) -> Listing:
    param, args = at_args(at, [])
    conditions = [visible("d", param)]
    if weighed is not None:
        conditions.append(f"d.weighed_at IS {'NOT ' if weighed else ''}NULL")
    return Listing(
        DISSENT_COLUMNS, "{views}.allocation_dissents d", conditions, args, ("position",)
    )


async def dissents_of_cycles(
    db: ReadSession,
    cycle_ids: Sequence[UUID],
    at: int | None,
    weighed: bool | None,
    request: PageRequest,
) -> dict[Any, Page]:
    """Each cycle's dissent as it was recorded (weighed or not, if asked), a page per cycle."""
    return await pages_by_group(db, _dissent_rows(at, weighed), "d.cycle_id", cycle_ids, request)


async def dissents_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {DISSENT_COLUMNS} FROM {{views}}.allocation_dissents d "
        f"WHERE d.id = ANY($1) AND {visible('d', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


async def commitments_of_cycles(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each cycle's commitments in the order made, a page per cycle."""
    param, args = at_args(at, [])
    listing = Listing(
        "m.cycle_id, m.person, m.committed_at, m.position",
        "{views}.allocation_commitments m",
        [visible("m", param)],
        args,
        ("position",),
    )
    return await pages_by_group(db, listing, "m.cycle_id", cycle_ids, request)


async def uncommitted_dissenters(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """The people who dissented on each cycle and have not committed to it, by handle."""
    param, args = at_args(at, [list(cycle_ids)])
    rows = await db.fetch(
        "SELECT DISTINCT d.cycle_id, d.person FROM {views}.allocation_dissents d "
        f"WHERE d.cycle_id = ANY($1) AND {visible('d', param)} AND NOT EXISTS ("
        "SELECT 1 FROM {views}.allocation_commitments m "
        f"WHERE m.cycle_id = d.cycle_id AND m.person = d.person AND {visible('m', param)}) "
        "ORDER BY d.cycle_id, d.person",
        *args,
    )
    return grouped(rows, "cycle_id")


async def amendments_of_cycles(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each cycle's amendments in the order recorded, a page per cycle."""
    param, args = at_args(at, [])
    listing = Listing(
        _columns("a", AMENDMENT_NAMES),
        "{views}.allocation_amendments a",
        [visible("a", param)],
        args,
        ("number",),
    )
    return await pages_by_group(db, listing, "a.cycle_id", cycle_ids, request)


def _scenario_rows(at: int | None) -> Listing:
    param, args = at_args(at, [])
    return Listing(
        SCENARIO_COLUMNS, "{views}.allocation_scenarios s", [visible("s", param)], args, ("name",)
    )


async def scenarios_of_cycles(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each cycle's scenarios by name, a page per cycle."""
    return await pages_by_group(db, _scenario_rows(at), "s.cycle_id", cycle_ids, request)


async def all_scenarios(
    db: ReadSession, cycle_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Every scenario of each cycle, by name (for comparisons)."""
    return await _all_of_cycles(db, _scenario_rows(at), "s", cycle_ids)


@dataclass
class TeamInCycle:
    """One team's part in one cycle: what it asked, what was decided, what it is funded
    with, and the amendments that changed it."""

    cycle: asyncpg.Record
    request: asyncpg.Record | None = None
    decision: asyncpg.Record | None = None
    funding: asyncpg.Record | None = None
    amendments: list[asyncpg.Record] = field(default_factory=list)


async def team_allocations(
    db: ReadSession, keys: Sequence[tuple[UUID, int]], at: int | None
) -> dict[tuple[UUID, int], list[TeamInCycle]]:
    """For each (team, fiscal year): the year's cycles (OP1 first) and the team's part in
    each, whether or not it took part."""
    param, args = at_args(at, [sorted({year for _, year in keys})])
    cycles = await db.fetch(
        f"SELECT {CYCLE_COLUMNS} FROM {{views}}.allocation_cycles c "
        f"WHERE c.fiscal_year = ANY($1) AND {visible('c', param)} ORDER BY c.fiscal_year, c.kind",
        *args,
    )
    param, args = at_args(at, [[row["id"] for row in cycles], sorted({team for team, _ in keys})])
    where = f"x.cycle_id = ANY($1) AND x.team_id = ANY($2) AND {visible('x', param)}"
    requests = await db.fetch(
        f"SELECT {_columns('x', REQUEST_NAMES)} FROM {{views}}.allocation_requests x WHERE {where}",
        *args,
    )
    decisions = await db.fetch(
        f"SELECT {_columns('x', DECISION_NAMES)} "
        f"FROM {{views}}.allocation_decisions x WHERE {where}",
        *args,
    )
    funding = await db.fetch(
        "SELECT x.cycle_id, x.team_id, x.headcount, x.budget, x.amended "
        f"FROM {{views}}.allocation_funding x WHERE {where}",
        *args,
    )
    amendments = await db.fetch(
        f"SELECT {_columns('x', AMENDMENT_NAMES)} "
        f"FROM {{views}}.allocation_amendments x WHERE {where} ORDER BY x.number",
        *args,
    )
    found: dict[tuple[UUID, int], list[TeamInCycle]] = {}
    for team, year in keys:
        parts = {row["id"]: TeamInCycle(row) for row in cycles if row["fiscal_year"] == year}
        for row in requests:
            if row["team_id"] == team and row["cycle_id"] in parts:
                parts[row["cycle_id"]].request = row
        for row in decisions:
            if row["team_id"] == team and row["cycle_id"] in parts:
                parts[row["cycle_id"]].decision = row
        for row in funding:
            if row["team_id"] == team and row["cycle_id"] in parts:
                parts[row["cycle_id"]].funding = row
        for row in amendments:
            if row["team_id"] == team and row["cycle_id"] in parts:
                parts[row["cycle_id"]].amendments.append(row)
        found[(team, year)] = list(parts.values())
    return found
