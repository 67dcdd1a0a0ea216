"""Queries over the metric views, batched by key for DataLoaders.

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

from projections.paging import Listing, Page, PageRequest, at_args, grouped, page, pages_by_group
from projections.reading import ReadSession, visible

METRIC_COLUMNS = (
    "m.id, m.name, m.kind, m.financial, m.unit, m.direction, m.aggregation, m.owner_team_id, "
    "m.definition, "
    "m.definition_version, m.defined_at, m.version"
)


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def metrics_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {METRIC_COLUMNS} FROM {{views}}.metrics m "
        f"WHERE m.id = ANY($1) AND {visible('m', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


@dataclass(frozen=True)
class MetricFilter:
    owner_team_id: UUID | None = None
    kind: str | None = None
    financial: bool | None = None
    name_contains: str | None = None


def _metric_rows(at: int | None, where: MetricFilter, args: list[Any]) -> Listing:
    param, args = at_args(at, args)
    conditions = [visible("m", param)]
    if where.owner_team_id is not None:
        args.append(where.owner_team_id)
        conditions.append(f"m.owner_team_id = ${len(args)}")
    if where.kind is not None:
        args.append(where.kind)
        conditions.append(f"m.kind = ${len(args)}")
    if where.financial is not None:
        args.append(where.financial)
        conditions.append(f"m.financial = ${len(args)}")
    if where.name_contains:
        args.append(like_pattern(where.name_contains))
        conditions.append(f"m.name ILIKE ${len(args)}")
    return Listing(METRIC_COLUMNS, "{views}.metrics m", conditions, args, ("name", "id"))


async def metric_page(
    db: ReadSession, at: int | None, where: MetricFilter, request: PageRequest
) -> Page:
    """Metrics ordered by name."""
    return await page(db, _metric_rows(at, where, []), request)


async def metrics_owned_by(
    db: ReadSession, team_ids: Sequence[UUID], at: int | None, request: PageRequest
) -> dict[Any, Page]:
    """Each team's metrics ordered by name, a page per team."""
    listing = _metric_rows(at, MetricFilter(), [])
    return await pages_by_group(db, listing, "m.owner_team_id", team_ids, request)


async def definition_history(
    db: ReadSession, metric_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(metric_ids)])
    rows = await db.fetch(
        "SELECT d.metric_id, d.version, d.text, d.reason, d.since "
        "FROM {views}.metric_definitions d "
        f"WHERE d.metric_id = ANY($1) AND {visible('d', param)} ORDER BY d.metric_id, d.version",
        *args,
    )
    return grouped(rows, "metric_id")


async def drivers(
    db: ReadSession, metric_ids: Sequence[UUID] | None, at: int | None, *, side: str = "input_id"
) -> dict[Any, list[asyncpg.Record]]:
    """Input -> output edges grouped by ``side`` (``input_id`` or ``output_id``), oldest
    first; every edge when ``metric_ids`` is None."""
    if side not in ("input_id", "output_id"):
        raise ValueError(f"side is input_id or output_id, not {side!r}")
    param, args = at_args(at, [] if metric_ids is None else [list(metric_ids)])
    chosen = "" if metric_ids is None else f"r.{side} = ANY($1) AND "
    rows = await db.fetch(
        "SELECT r.input_id, r.output_id, r.hypothesis, r.since, r.valid_from "
        "FROM {views}.metric_drivers r "
        f"WHERE {chosen}{visible('r', param)} ORDER BY r.valid_from, r.input_id, r.output_id",
        *args,
    )
    return grouped(rows, side)


async def all_metrics(db: ReadSession, at: int | None) -> list[asyncpg.Record]:
    """Every metric, by name: the nodes of the metric tree."""
    param, args = at_args(at, [])
    return await db.fetch(
        f"SELECT {METRIC_COLUMNS} FROM {{views}}.metrics m WHERE {visible('m', param)} "
        "ORDER BY m.name, m.id",
        *args,
    )


@dataclass(frozen=True)
class Period:
    """Observations whose period ends within ``[start, end]`` (either side open)."""

    start: date | None = None
    end: date | None = None


async def observations(
    db: ReadSession,
    metric_ids: Sequence[UUID],
    at: int | None,
    period: Period,
    request: PageRequest,
) -> dict[Any, Page]:
    """Each metric's observations ordered by period end, a page per metric."""
    param, args = at_args(at, [])
    conditions = [visible("o", param)]
    if period.start is not None:
        args.append(period.start)
        conditions.append(f"o.period_end >= ${len(args)}")
    if period.end is not None:
        args.append(period.end)
        conditions.append(f"o.period_end <= ${len(args)}")
    listing = Listing(
        "o.metric_id, o.period_end, o.value, o.recorded_at, o.corrections, o.correction_reason",
        "{views}.metric_observations o",
        conditions,
        args,
        ("period_end",),
    )
    return await pages_by_group(db, listing, "o.metric_id", metric_ids, request)
