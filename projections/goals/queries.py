"""Queries over the goal views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of.

A goal's progress is not in its row: it is read from its latest check-in at the same
position (:func:`goal_source`), so that a check-in writes one narrow row instead of a new
version of the goal (``projections/goals/projector.py``).
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

# When a goal last showed signs of life: its latest check-in, else when it was set.
FRESH_AT = "coalesce(c.at, g.set_at)"
FRESH_POSITION = "coalesce(c.valid_from, g.set_position)"

GOAL_COLUMNS = (
    "g.id, g.team_id, g.metric_id, g.metric_definition_version, g.plan_year, g.baseline, "
    "g.target, g.due_date, g.description, g.top_level, c.status, "
    "coalesce(c.blindsided, FALSE) AS blindside, c.at AS last_check_in_at, "
    f"{FRESH_AT} AS fresh_at, {FRESH_POSITION} AS fresh_position, "
    "g.outcome, g.closing_note, g.closed_at, g.set_at, g.set_position, "
    "greatest(g.version, c.goal_version) AS version"
)


def goal_source(param: int | None) -> str:
    """Goals ``g``, each with its latest check-in ``c`` at the same position (none before
    the first). Whichever came last made the goal's version.

    As of a position the latest check-in is found by one descent of the key (the
    versions of a goal's check-ins follow each other, so the last one begun by then is
    the one valid then), which costs the same however far back the position is.
    """
    if param is None:
        return (
            "{views}.goals g LEFT JOIN {views}.goal_check_ins c "
            "ON c.goal_id = g.id AND c.valid_to IS NULL"
        )
    return (
        "{views}.goals g LEFT JOIN LATERAL (SELECT l.status, l.at, l.blindsided, "
        "l.goal_version, l.valid_from FROM {views}.goal_check_ins l "
        f"WHERE l.goal_id = g.id AND l.valid_from <= ${param} "
        "ORDER BY l.valid_from DESC LIMIT 1) c ON TRUE"
    )


async def goals_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {GOAL_COLUMNS} FROM {goal_source(param)} "
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
    source = goal_source(param)
    for column, value in (
        ("g.team_id", where.team_id),
        ("g.plan_year", where.plan_year),
        ("g.metric_id", where.metric_id),
        ("c.status", where.status),
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
    # Every version is a check-in: those made by the position read, closed since or not.
    listing = Listing(
        "c.goal_id, c.valid_from AS position, c.status, c.note, c.path_to_green, c.at, "
        "c.actor, c.blindside",
        "{views}.goal_check_ins c",
        [] if param is None else [f"c.valid_from <= ${param}"],
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
    # A goal is never checked in before it is set, so only goals set before the cutoff
    # can be stale: those are the only ones whose latest check-in needs reading.
    conditions = [visible("g", param), "g.outcome IS NULL", "g.set_at < $1", f"{FRESH_AT} < $1"]
    if team_id is not None:
        args.append(team_id)
        conditions.append(f"g.team_id = ${len(args)}")
    listing = Listing(GOAL_COLUMNS, goal_source(param), conditions, args, ("fresh_position",))
    return await page(db, listing, request)
