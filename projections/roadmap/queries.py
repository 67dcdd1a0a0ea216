"""Queries over the roadmap views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from projections.org.queries import TEAM_COLUMNS
from projections.paging import at_args, grouped
from projections.reading import ReadSession, visible

ITEM_COLUMNS = (
    "i.id, i.team_id, i.title, i.outcome, i.horizon, i.status, i.goal_ids, i.headcount, "
    "i.prfaq_id, i.target_date, i.health, i.proposed_at, i.closed_at, i.close_note, i.version"
)

# An item's row carries its owning team's row as of the same position, each column
# prefixed (``owner_name``), so that the item's ``team`` needs no query of its own.
OWNER_PREFIX = "owner_"
OWNER_COLUMNS = ", ".join(
    f"{column} AS {OWNER_PREFIX}{column.removeprefix('t.')}" for column in TEAM_COLUMNS.split(", ")
)


def _items_from(param: int | None) -> str:
    """The items joined to their owning teams as of the same position."""
    return (
        f"SELECT {ITEM_COLUMNS}, {OWNER_COLUMNS} FROM {{views}}.roadmap_items i "
        f"LEFT JOIN {{views}}.teams t ON t.id = i.team_id AND {visible('t', param)} "
    )


class OwnerRow:
    """The owning team's columns of an item's row, named as the team's own row names
    them (``row["name"]``)."""

    __slots__ = ("row",)

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.row = row

    def __getitem__(self, column: str) -> Any:
        return self.row[OWNER_PREFIX + column]


def owner_of(row: Mapping[str, Any]) -> OwnerRow | None:
    """The owning team's row of an item's row; None when there was no such team as of
    the item's position."""
    return None if row[f"{OWNER_PREFIX}id"] is None else OwnerRow(row)


async def items_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"{_items_from(param)}WHERE i.id = ANY($1) AND {visible('i', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


@dataclass(frozen=True)
class ItemFilter:
    """Items of ``team_ids`` (any team when None), in a horizon and a status if given,
    and with a target date in ``[start, end]`` (either side open) if given; an item
    without a target date is outside any dated window."""

    team_ids: Sequence[UUID] | None = None
    horizon: str | None = None
    status: str | None = None
    start: date | None = None
    end: date | None = None
    without_prfaq: bool = False
    open_only: bool = False


async def items(db: ReadSession, at: int | None, where: ItemFilter) -> list[asyncpg.Record]:
    """Items ordered by target date (undated last), then title and id."""
    param, args = at_args(at, [])
    conditions = [visible("i", param)]
    for column, value in (("horizon", where.horizon), ("status", where.status)):
        if value is not None:
            args.append(value)
            conditions.append(f"i.{column} = ${len(args)}")
    if where.team_ids is not None:
        args.append(list(where.team_ids))
        conditions.append(f"i.team_id = ANY(${len(args)})")
    if where.without_prfaq:
        conditions.append("i.prfaq_id IS NULL")
    if where.open_only:
        conditions.append("i.status NOT IN ('DELIVERED', 'DROPPED')")
    if where.start is not None:
        args.append(where.start)
        conditions.append(f"i.target_date >= ${len(args)}")
    if where.end is not None:
        args.append(where.end)
        conditions.append(f"i.target_date <= ${len(args)}")
    return await db.fetch(
        f"{_items_from(param)}WHERE {' AND '.join(conditions)} "
        "ORDER BY i.target_date NULLS LAST, i.title, i.id",
        *args,
    )


async def items_of_teams(
    db: ReadSession, keys: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each team's items, as :func:`items` orders them."""
    rows = await items(db, at, ItemFilter(team_ids=keys))
    return grouped(rows, "team_id")


async def slips_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT s.item_id, s.number, s.previous, s.target_date, s.days, s.reason, s.at, s.actor "
        "FROM {views}.roadmap_slips s "
        f"WHERE s.item_id = ANY($1) AND {visible('s', param)} ORDER BY s.item_id, s.number",
        *args,
    )
    return grouped(rows, "item_id")


async def check_ins_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT c.item_id, c.number, c.health, c.note, c.path_back, c.blindside, c.at, c.actor "
        "FROM {views}.roadmap_check_ins c "
        f"WHERE c.item_id = ANY($1) AND {visible('c', param)} ORDER BY c.item_id, c.number",
        *args,
    )
    return grouped(rows, "item_id")


async def milestones_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT m.id, m.item_id, m.name, m.date, m.done, m.done_at "
        "FROM {views}.roadmap_milestones m "
        f"WHERE m.item_id = ANY($1) AND {visible('m', param)} "
        "ORDER BY m.item_id, m.date, m.name, m.id",
        *args,
    )
    return grouped(rows, "item_id")


async def dependencies_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """What each item depends on, as :func:`dependency_edges` reads it."""
    return grouped(await dependency_edges(db, at, item_ids=ids), "item_id")


async def dependents_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """The items that depend on each item or API, oldest first."""
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT d.item_id, d.target_id, d.kind, d.added_at FROM {views}.roadmap_dependencies d "
        f"WHERE d.target_id = ANY($1) AND {visible('d', param)} "
        "ORDER BY d.target_id, d.added_at, d.item_id",
        *args,
    )
    return grouped(rows, "target_id")


async def dependency_edges(
    db: ReadSession,
    at: int | None,
    team_ids: Sequence[UUID] | None = None,
    *,
    item_ids: Sequence[UUID] | None = None,
) -> list[asyncpg.Record]:
    """Every dependency of the teams' items, or of the given items (every item when
    neither is given), with both ends' team, status and target date (the API's status
    for an API): the graph and its conflicts are worked out from these."""
    param, args = at_args(at, [])
    conditions = [visible("d", param), visible("i", param)]
    if team_ids is not None:
        args.append(list(team_ids))
        conditions.append(f"i.team_id = ANY(${len(args)})")
    if item_ids is not None:
        args.append(list(item_ids))
        conditions.append(f"i.id = ANY(${len(args)})")
    target = visible("t", param)
    api = visible("a", param)
    return await db.fetch(
        "SELECT d.item_id, d.target_id, d.kind, d.added_at, i.team_id, i.status, i.target_date, "
        "t.team_id AS target_team_id, t.status AS target_status, "
        "t.target_date AS target_target_date, a.status AS api_status "
        "FROM {views}.roadmap_dependencies d "
        "JOIN {views}.roadmap_items i ON i.id = d.item_id "
        f"LEFT JOIN {{views}}.roadmap_items t ON t.id = d.target_id AND {target} "
        f"LEFT JOIN {{views}}.apis a ON a.id = d.target_id AND {api} "
        f"WHERE {' AND '.join(conditions)} ORDER BY i.title, d.item_id, d.added_at, d.target_id",
        *args,
    )


async def settings_history(db: ReadSession, at: int | None) -> list[asyncpg.Record]:
    """Every change of leadership's roadmap settings, oldest first (the last is current)."""
    param, args = at_args(at, [])
    return await db.fetch(
        "SELECT s.number, s.prfaq_required_above, s.previous, s.reason, s.at, s.actor "
        f"FROM {{views}}.roadmap_settings s WHERE {visible('s', param)} ORDER BY s.number",
        *args,
    )


BASELINE_COLUMNS = "b.id, b.name, b.position, b.at, b.cycle_id, b.actor"


async def baselines(db: ReadSession, at: int | None) -> list[asyncpg.Record]:
    """Every baseline, oldest first."""
    param, args = at_args(at, [])
    return await db.fetch(
        f"SELECT {BASELINE_COLUMNS} FROM {{views}}.roadmap_baselines b "
        f"WHERE {visible('b', param)} ORDER BY b.position",
        *args,
    )


async def baseline_by_id(
    db: ReadSession, baseline_id: UUID, at: int | None
) -> asyncpg.Record | None:
    param, args = at_args(at, [baseline_id])
    rows = await db.fetch(
        f"SELECT {BASELINE_COLUMNS} FROM {{views}}.roadmap_baselines b "
        f"WHERE b.id = $1 AND {visible('b', param)}",
        *args,
    )
    return rows[0] if rows else None


async def time_of(db: ReadSession, position: int) -> Any:
    """When the event at ``position`` (or the last before it) was recorded; None if none."""
    return await db.fetchval(
        "SELECT at FROM {views}.event_log WHERE position <= $1 ORDER BY position DESC LIMIT 1",
        position,
    )


async def slips_between(db: ReadSession, since: int, until: int | None) -> list[asyncpg.Record]:
    """The slips and pull-ins recorded after ``since`` up to ``until`` (now when None)."""
    args: list[Any] = [since]
    condition = "s.valid_from > $1"
    if until is not None:
        args.append(until)
        condition += " AND s.valid_from <= $2"
    return await db.fetch(
        "SELECT s.item_id, s.number, s.previous, s.target_date, s.days, s.reason, s.at, s.actor "
        f"FROM {{views}}.roadmap_slips s WHERE {condition} ORDER BY s.item_id, s.number",
        *args,
    )


async def decided_funding(
    db: ReadSession, fiscal_year: int, at: int | None
) -> list[asyncpg.Record]:
    """What each team is funded with in the fiscal year's latest decided cycle (OP2 over
    OP1, amendments included): the funding of DECIDED and LOCKED cycles, OP2 first."""
    param, args = at_args(at, [fiscal_year])
    return await db.fetch(
        "SELECT f.team_id, f.headcount, c.kind FROM {views}.allocation_funding f "
        "JOIN {views}.allocation_cycles c ON c.id = f.cycle_id "
        "WHERE c.fiscal_year = $1 AND c.phase IN ('DECIDED', 'LOCKED') "
        f"AND {visible('f', param)} AND {visible('c', param)} ORDER BY c.kind DESC",
        *args,
    )
