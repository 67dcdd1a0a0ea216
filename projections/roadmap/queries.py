"""Queries over the roadmap views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from projections.paging import at_args, grouped
from projections.reading import ReadSession, visible

ITEM_COLUMNS = (
    "i.id, i.team_id, i.title, i.outcome, i.horizon, i.status, i.goal_ids, i.headcount, "
    "i.prfaq_id, i.target_date, i.health, i.proposed_at, i.closed_at, i.close_note, i.version"
)


async def items_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {ITEM_COLUMNS} FROM {{views}}.roadmap_items i "
        f"WHERE i.id = ANY($1) AND {visible('i', param)}",
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
    if where.start is not None:
        args.append(where.start)
        conditions.append(f"i.target_date >= ${len(args)}")
    if where.end is not None:
        args.append(where.end)
        conditions.append(f"i.target_date <= ${len(args)}")
    return await db.fetch(
        f"SELECT {ITEM_COLUMNS} FROM {{views}}.roadmap_items i "
        f"WHERE {' AND '.join(conditions)} "
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
