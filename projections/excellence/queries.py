"""Queries over the functional excellence views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position to
read as of.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from projections.paging import at_args, grouped
from projections.reading import ReadSession, visible


async def _rows(
    db: ReadSession, table: str, where: str, args: list[Any], at: int | None, order: str
) -> list[asyncpg.Record]:
    param, all_args = at_args(at, args)
    condition = visible("x", param) + (f" AND {where}" if where else "")
    return list(
        await db.fetch(
            f"SELECT x.* FROM {{views}}.{table} x WHERE {condition} ORDER BY {order}", *all_args
        )
    )


async def functional_leaders(db: ReadSession, at: int | None) -> list[asyncpg.Record]:
    return await _rows(db, "functional_leaders", "", [], at, "x.function")


async def tenures_of(
    db: ReadSession, functions: Sequence[str], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    rows = await _rows(
        db,
        "functional_leader_tenures",
        "x.function = ANY($1)",
        [list(functions)],
        at,
        "x.function, x.since_position",
    )
    return grouped(rows, "function")


async def standards_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    rows = await _rows(db, "standards", "x.id = ANY($1)", [list(ids)], at, "x.id")
    return {row["id"]: row for row in rows}


async def standards(
    db: ReadSession, at: int | None, function: str | None, include_retired: bool
) -> list[asyncpg.Record]:
    conditions, args = [], []
    if function is not None:
        args.append(function)
        conditions.append(f"x.function = ${len(args)}")
    if not include_retired:
        conditions.append("NOT x.retired")
    return await _rows(
        db, "standards", " AND ".join(conditions), args, at, "x.function, x.title, x.id"
    )


async def revisions_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    rows = await _rows(
        db,
        "standard_revisions",
        "x.standard_id = ANY($1)",
        [list(ids)],
        at,
        "x.standard_id, x.revision",
    )
    return grouped(rows, "standard_id")


async def exemptions_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    rows = await _rows(
        db,
        "standard_exemptions",
        "x.standard_id = ANY($1)",
        [list(ids)],
        at,
        "x.standard_id, x.expires, x.id",
    )
    return grouped(rows, "standard_id")


async def expired_exemptions(db: ReadSession, at: int | None, on: date) -> list[asyncpg.Record]:
    """Exemptions whose expiry date is before ``on``, the longest expired first."""
    return await _rows(db, "standard_exemptions", "x.expires < $1", [on], at, "x.expires, x.id")


async def second_jobs_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    rows = await _rows(db, "second_jobs", "x.id = ANY($1)", [list(ids)], at, "x.id")
    return {row["id"]: row for row in rows}


async def second_jobs(
    db: ReadSession, at: int | None, person: str | None, active_only: bool
) -> list[asyncpg.Record]:
    conditions, args = [], []
    if person is not None:
        args.append(person)
        conditions.append(f"x.person = ${len(args)}")
    if active_only:
        conditions.append("x.active")
    return await _rows(
        db, "second_jobs", " AND ".join(conditions), args, at, "x.person, x.assigned_at, x.id"
    )


async def principles(db: ReadSession, at: int | None) -> asyncpg.Record | None:
    rows = await _rows(db, "leadership_principles", "", [], at, "x.id")
    return rows[0] if rows else None


async def active_shares_of_teams(
    db: ReadSession, team_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each team's members with an active second job, and the job's share."""
    param, args = at_args(at, [list(team_ids)])
    rows = await db.fetch(
        "SELECT m.team_id, m.person, m.function, j.kind, j.share "
        "FROM {views}.team_members m JOIN {views}.second_jobs j ON j.person = m.person "
        f"WHERE m.team_id = ANY($1) AND j.active AND {visible('m', param)} "
        f"AND {visible('j', param)} ORDER BY m.team_id, m.person, j.kind",
        *args,
    )
    return grouped(rows, "team_id")
