"""Queries for the weekly business review, as of any position: the metrics of a deck,
their observations in a date range, variance notes and goals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

import asyncpg

from projections.goals.queries import goal_source
from projections.metrics.queries import METRIC_COLUMNS
from projections.paging import at_args, grouped
from projections.reading import ReadSession, visible

NOTE_COLUMNS = (
    "n.id, n.metric_id, n.day, n.text, n.written_by, n.written_at, n.corrections, "
    "n.correction_reason, n.version"
)


async def deck_metrics(
    db: ReadSession, team_ids: Sequence[UUID] | None, at: int | None
) -> list[asyncpg.Record]:
    """The metrics owned by these teams (every metric when None), by name."""
    param, args = at_args(at, [] if team_ids is None else [list(team_ids)])
    chosen = "" if team_ids is None else "m.owner_team_id = ANY($1) AND "
    return await db.fetch(
        f"SELECT {METRIC_COLUMNS} FROM {{views}}.metrics m "
        f"WHERE {chosen}{visible('m', param)} ORDER BY m.name, m.id",
        *args,
    )


async def observed_values(
    db: ReadSession, metric_ids: Sequence[UUID], start: date, end: date, at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each metric's ``(period_end, value)`` rows from ``start`` to ``end``, by date."""
    param, args = at_args(at, [list(metric_ids), start, end])
    rows = await db.fetch(
        "SELECT o.metric_id, o.period_end, o.value FROM {views}.metric_observations o "
        "WHERE o.metric_id = ANY($1) AND o.period_end BETWEEN $2 AND $3 AND "
        f"{visible('o', param)} ORDER BY o.metric_id, o.period_end",
        *args,
    )
    return grouped(rows, "metric_id")


async def notes_of(
    db: ReadSession, metric_ids: Sequence[UUID], start: date, end: date, at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each metric's variance notes dated from ``start`` to ``end``, by date then writing."""
    param, args = at_args(at, [list(metric_ids), start, end])
    rows = await db.fetch(
        f"SELECT {NOTE_COLUMNS} FROM {{views}}.wbr_notes n "
        "WHERE n.metric_id = ANY($1) AND n.day BETWEEN $2 AND $3 AND "
        f"{visible('n', param)} ORDER BY n.metric_id, n.day, n.written_at, n.id",
        *args,
    )
    return grouped(rows, "metric_id")


async def goals_on(
    db: ReadSession, metric_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each metric's goals in the order they were set."""
    param, args = at_args(at, [list(metric_ids)])
    rows = await db.fetch(
        "SELECT g.id, g.metric_id, g.team_id, g.plan_year, g.baseline, g.target, g.due_date, "
        f"g.description, c.status, g.outcome, g.set_position FROM {goal_source(param)} "
        f"WHERE g.metric_id = ANY($1) AND {visible('g', param)} "
        "ORDER BY g.metric_id, g.set_position, g.id",
        *args,
    )
    return grouped(rows, "metric_id")
