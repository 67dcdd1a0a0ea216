"""Queries over the org views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from projections.paging import Listing, Page, PageRequest, at_args, grouped, page
from projections.reading import ReadSession, visible

TEAM_COLUMNS = (
    "t.id, t.name, t.mission, t.status, t.parent_id, t.leader, t.leader_since, "
    "t.leader_reason, t.chartered_at, t.version, t.valid_from"
)


async def teams_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {TEAM_COLUMNS} FROM {{views}}.teams t "
        f"WHERE t.id = ANY($1) AND {visible('t', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


@dataclass(frozen=True)
class TeamFilter:
    name_contains: str | None = None
    parent_id: UUID | None = None
    status: str | None = None


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def team_page(
    db: ReadSession,
    at: int | None,
    where: TeamFilter,
    request: PageRequest,
) -> Page:
    param, args = at_args(at, [])
    conditions = [visible("t", param)]
    if where.name_contains:
        args.append(_like_pattern(where.name_contains))
        conditions.append(f"t.name ILIKE ${len(args)}")
    if where.parent_id is not None:
        args.append(where.parent_id)
        conditions.append(f"t.parent_id = ${len(args)}")
    if where.status is not None:
        args.append(where.status)
        conditions.append(f"t.status = ${len(args)}")
    listing = Listing(TEAM_COLUMNS, "{views}.teams t", conditions, args, ("name", "id"))
    return await page(db, listing, request)


async def children_of(
    db: ReadSession, parent_ids: Sequence[UUID], at: int | None
) -> dict[object, list[asyncpg.Record]]:
    param, args = at_args(at, [list(parent_ids)])
    rows = await db.fetch(
        f"SELECT {TEAM_COLUMNS} FROM {{views}}.teams t "
        f"WHERE t.parent_id = ANY($1) AND {visible('t', param)} ORDER BY t.name, t.id",
        *args,
    )
    return grouped(rows, "parent_id")


async def leader_history(
    db: ReadSession, team_ids: Sequence[UUID], at: int | None
) -> dict[object, list[asyncpg.Record]]:
    param, args = at_args(at, [list(team_ids)])
    rows = await db.fetch(
        "SELECT l.team_id, l.person, l.since, l.until, l.reason FROM {views}.team_leaders l "
        f"WHERE l.team_id = ANY($1) AND {visible('l', param)} ORDER BY l.since_position",
        *args,
    )
    return grouped(rows, "team_id")


async def members_of(
    db: ReadSession, team_ids: Sequence[UUID], at: int | None
) -> dict[object, list[asyncpg.Record]]:
    param, args = at_args(at, [list(team_ids)])
    rows = await db.fetch(
        "SELECT m.team_id, m.person, m.function, m.attachment, m.since "
        "FROM {views}.team_members m "
        f"WHERE m.team_id = ANY($1) AND {visible('m', param)} ORDER BY m.person",
        *args,
    )
    return grouped(rows, "team_id")


async def memberships_of(
    db: ReadSession, people: Sequence[str], at: int | None
) -> dict[object, list[asyncpg.Record]]:
    param, args = at_args(at, [list(people)])
    rows = await db.fetch(
        "SELECT m.team_id, m.person, m.function, m.attachment, m.since "
        "FROM {views}.team_members m "
        f"WHERE m.person = ANY($1) AND {visible('m', param)} ORDER BY m.since, m.team_id",
        *args,
    )
    return grouped(rows, "person")


async def teams_led_by(
    db: ReadSession, people: Sequence[str], at: int | None
) -> dict[object, asyncpg.Record]:
    param, args = at_args(at, [list(people)])
    rows = await db.fetch(
        f"SELECT {TEAM_COLUMNS} FROM {{views}}.teams t "
        f"WHERE t.leader = ANY($1) AND t.status = 'ACTIVE' AND {visible('t', param)}",
        *args,
    )
    return {row["leader"]: row for row in rows}


async def people_by_handle(
    db: ReadSession, people: Sequence[str], at: int | None
) -> dict[object, asyncpg.Record]:
    """People rows: the display name as sealed, and the erasure if there was one."""
    param, args = at_args(at, [list(people)])
    rows = await db.fetch(
        "SELECT p.id, p.display_name_sealed, p.erased_at, p.erased_by, p.erasure_reason "
        f"FROM {{views}}.people p WHERE p.id = ANY($1) AND {visible('p', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


async def known_people(db: ReadSession, people: Sequence[str], at: int | None) -> set[str]:
    param, args = at_args(at, [list(people)])
    rows = await db.fetch(
        f"SELECT p.id FROM {{views}}.people p WHERE p.id = ANY($1) AND {visible('p', param)}",
        *args,
    )
    return {row["id"] for row in rows}


# The org tree: subtrees, ancestors and the whole tree, as of any position.

MAX_TREE_DEPTH = 1000  # a guard against a corrupted tree; real orgs are far shallower


async def team_scope(
    db: ReadSession, team_id: UUID, at: int | None, *, include_subteams: bool
) -> list[UUID]:
    """The team and, if asked, every team under it; empty if the team does not exist."""
    param, args = at_args(at, [team_id])
    if not include_subteams:
        found = await teams_by_id(db, [team_id], at)
        return list(found)
    rows = await db.fetch(
        "WITH RECURSIVE subtree(id) AS ("
        f"SELECT t.id FROM {{views}}.teams t WHERE t.id = $1 AND {visible('t', param)} "
        "UNION "
        "SELECT c.id FROM {views}.teams c JOIN subtree ON c.parent_id = subtree.id "
        f"WHERE {visible('c', param)}) "
        "SELECT id FROM subtree",
        *args,
    )
    return [row["id"] for row in rows]


async def ancestors_of(
    db: ReadSession, team_ids: Sequence[UUID], at: int | None
) -> dict[object, list[asyncpg.Record]]:
    """Each team's ancestors, its parent first and the root last."""
    param, args = at_args(at, [list(team_ids)])
    rows = await db.fetch(
        "WITH RECURSIVE up(start_id, id, depth) AS ("
        f"SELECT t.id, t.parent_id, 1 FROM {{views}}.teams t "
        f"WHERE t.id = ANY($1) AND t.parent_id IS NOT NULL AND {visible('t', param)} "
        "UNION ALL "
        "SELECT up.start_id, p.parent_id, up.depth + 1 FROM up "
        f"JOIN {{views}}.teams p ON p.id = up.id AND {visible('p', param)} "
        f"WHERE p.parent_id IS NOT NULL AND up.depth < {MAX_TREE_DEPTH}) "
        f"SELECT up.start_id, {TEAM_COLUMNS} FROM up "
        f"JOIN {{views}}.teams t ON t.id = up.id AND {visible('t', param)} "
        "ORDER BY up.start_id, up.depth",
        *args,
    )
    return grouped(rows, "start_id")


async def org_tree(
    db: ReadSession, at: int | None, root_id: UUID | None, *, include_disbanded: bool
) -> list[asyncpg.Record]:
    """The tree under ``root_id`` (every root team if None), depth first, children by name.

    Each row has the team's columns and its ``depth`` below the tree's root (0).
    """
    param, args = at_args(at, [])
    active = "TRUE" if include_disbanded else "{alias}.status = 'ACTIVE'"
    if root_id is None:
        start = "t.parent_id IS NULL"
    else:
        args.append(root_id)
        start = f"t.id = ${len(args)}"
    return await db.fetch(
        "WITH RECURSIVE tree(id, depth, path) AS ("
        "SELECT t.id, 0, ARRAY[t.name, t.id::text] FROM {views}.teams t "
        f"WHERE {start} AND {visible('t', param)} AND {active.format(alias='t')} "
        "UNION ALL "
        "SELECT c.id, tree.depth + 1, tree.path || ARRAY[c.name, c.id::text] "
        "FROM {views}.teams c JOIN tree ON c.parent_id = tree.id "
        f"WHERE {visible('c', param)} AND {active.format(alias='c')} "
        f"AND tree.depth < {MAX_TREE_DEPTH}) "
        f"SELECT {TEAM_COLUMNS}, tree.depth FROM tree "
        f"JOIN {{views}}.teams t ON t.id = tree.id AND {visible('t', param)} "
        "ORDER BY tree.path",
        *args,
    )
