"""Queries over the event-log view: the history of one aggregate or one actor."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from projections.reading import ReadSession

HISTORY_COLUMNS = (
    "l.position, l.type, l.at, l.actor, l.reason, l.correlation_id, l.data::text AS data"
)


async def history_page(
    db: ReadSession,
    *,
    aggregate_id: UUID | None = None,
    actor: str | None = None,
    concerning: tuple[str, str] | None = None,
    first: int,
    after: int | None,
    at: int | None,
) -> tuple[list[asyncpg.Record], int]:
    """A page of events, oldest first, and how many there are in all (up to ``at``).

    ``concerning`` is a field of the events' data and a value, e.g. ``("dissent_id", id)``:
    the events about one part of an aggregate.
    """
    args: list[object] = []
    conditions = []
    if aggregate_id is not None:
        args.append(aggregate_id)
        conditions.append(f"l.aggregate_id = ${len(args)}")
    if actor is not None:
        args.append(actor)
        conditions.append(f"l.actor = ${len(args)}")
    if concerning is not None:
        args += list(concerning)
        conditions.append(f"l.data ->> ${len(args) - 1} = ${len(args)}")
    if at is not None:
        args.append(at)
        conditions.append(f"l.position <= ${len(args)}")
    condition = " AND ".join(conditions) or "true"
    total = await db.fetchval(
        f"SELECT count(*) FROM {{views}}.event_log l WHERE {condition}", *args
    )
    page_args = [*args, after or 0, first + 1]
    rows = await db.fetch(
        f"SELECT {HISTORY_COLUMNS} FROM {{views}}.event_log l "
        f"WHERE {condition} AND l.position > ${len(args) + 1} "
        f"ORDER BY l.position LIMIT ${len(args) + 2}",
        *page_args,
    )
    return rows, int(total)
