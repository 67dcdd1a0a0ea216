"""Queries over the goal views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from projections.paging import Listing, Page, PageRequest, at_args, grouped, page, pages_by_group
from projections.reading import ReadSession, visible

GOAL_COLUMNS = (
    "g.id, g.team_id, g.metric_id, g.metric_definition_version, g.plan_year, g.baseline, "
    "g.target, g.due_date, g.description, g.top_level, g.status, g.blindside, "
    "g.last_check_in_at, g.fresh_at, g.fresh_position, g.outcome, g.closing_note, g.closed_at, "
    "g.set_at, g.set_position, g.version"
)


async def goals_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {GOAL_COLUMNS} FROM {{views}}.goals g "
        f"WHERE g.id = ANY($1) AND {visible('g', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


@dataclass(frozen=True)
class GoalFilter:
    """Every given field must match; ``kind`` is the kind of the goal's metric and
    ``status`` its latest check-in."""

    team_id: UUID | None = None
    plan_year: int | None = None
    metric_id: UUID | None = None
    kind: str | None = None
    status: str | None = None
    top_level: bool | None = None


def goal_rows(at: int | None, where: GoalFilter, args: list[Any]) -> Listing:
    """Goals ordered as they were set."""
    param, args = at_args(at, args)
    conditions = [visible("g", param)]
    source = "{views}.goals g"
    for column, value in (
        ("g.team_id", where.team_id),
        ("g.plan_year", where.plan_year),
        ("g.metric_id", where.metric_id),
        ("g.status", where.status),
        ("g.top_level", where.top_level),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} = ${len(args)}")
    if where.kind is not None:
        source += f" JOIN {{views}}.metrics m ON m.id = g.metric_id AND {visible('m', param)}"
        args.append(where.kind)
        conditions.append(f"m.kind = ${len(args)}")
    return Listing(GOAL_COLUMNS, source, conditions, args, ("set_position",))


async def goal_page(
    db: ReadSession, at: int | None, where: GoalFilter, request: PageRequest
) -> Page:
    return await page(db, goal_rows(at, where, []), request)


async def goals_of_teams(
    db: ReadSession,
    team_ids: Sequence[UUID],
    at: int | None,
    plan_year: int | None,
    request: PageRequest,
) -> dict[Any, Page]:
    """Each team's goals (of one plan year, if given) as they were set, a page per team."""
    listing = goal_rows(at, GoalFilter(plan_year=plan_year), [])
    return await pages_by_group(db, listing, "g.team_id", team_ids, request)


async def target_history(
    db: ReadSession, goal_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(goal_ids)])
    rows = await db.fetch(
        "SELECT t.goal_id, t.target, t.reason, t.since FROM {views}.goal_targets t "
        f"WHERE t.goal_id = ANY($1) AND {visible('t', param)} "
        "ORDER BY t.goal_id, t.since_position",
        *args,
    )
    return grouped(rows, "goal_id")


async def check_ins(
    db: ReadSession, goal_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each goal's check-ins, oldest first, a page per goal."""
    param, args = at_args(at, [])
    listing = Listing(
        "c.goal_id, c.position, c.status, c.note, c.path_to_green, c.at, c.actor, c.blindside",
        "{views}.goal_check_ins c",
        [visible("c", param)],
        args,
        ("position",),
    )
    return await pages_by_group(db, listing, "c.goal_id", goal_ids, request)


async def stale_goal_page(
    db: ReadSession, at: int | None, cutoff: datetime, team_id: UUID | None, request: PageRequest
) -> Page:
    """Open goals with no check-in (nor, if never checked in, setting) since ``cutoff``,
    stalest first."""
    param, args = at_args(at, [cutoff])
    conditions = [visible("g", param), "g.outcome IS NULL", "g.fresh_at < $1"]
    if team_id is not None:
        args.append(team_id)
        conditions.append(f"g.team_id = ${len(args)}")
    listing = Listing(GOAL_COLUMNS, "{views}.goals g", conditions, args, ("fresh_position",))
    return await page(db, listing, request)
