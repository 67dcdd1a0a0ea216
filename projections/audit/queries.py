"""Queries over the event-log view: the history of one aggregate or one actor."""

from __future__ import annotations

from uuid import UUID

from projections.paging import Listing, Page, PageRequest, page
from projections.reading import ReadSession

HISTORY_COLUMNS = (
    "l.position, l.type, l.at, l.actor, l.reason, l.correlation_id, l.data::text AS data"
)


# The aggregates that hold part of another's history: a metric's values live in one
# MetricYear per year, each started naming its metric. Only a metric looks for them
# (a one-time check of its Defined event), among the years' Started events; the
# result is an array, so the log itself is read through its aggregate index.
PARTS = (
    "SELECT s.aggregate_id FROM {{views}}.event_log s "
    "WHERE s.type = 'MetricYear.Started' AND s.data ->> 'metric_id' = ${0}::uuid::text "
    "AND EXISTS (SELECT 1 FROM {{views}}.event_log d "
    "WHERE d.aggregate_id = ${0}::uuid AND d.type = 'Metric.Defined')"
)


async def history_page(
    db: ReadSession,
    request: PageRequest,
    *,
    aggregate_id: UUID | None = None,
    actor: str | None = None,
    concerning: tuple[str, str] | None = None,
    at: int | None,
) -> Page:
    """A page of events, oldest first, and how many there are in all (up to ``at``).
    An aggregate's events include those of its parts (:data:`PARTS`).

    ``concerning`` is a field of the events' data and a value, e.g. ``("dissent_id", id)``:
    the events about one part of an aggregate.
    """
    args: list[object] = []
    conditions = []
    if aggregate_id is not None:
        args.append(aggregate_id)
        conditions.append(
            f"l.aggregate_id = ANY(ARRAY[${len(args)}::uuid] || ARRAY({PARTS.format(len(args))}))"
        )
    if actor is not None:
        args.append(actor)
        conditions.append(f"l.actor = ${len(args)}")
    if concerning is not None:
        args += list(concerning)
        conditions.append(f"l.data ->> ${len(args) - 1} = ${len(args)}")
    if at is not None:
        args.append(at)
        conditions.append(f"l.position <= ${len(args)}")
    listing = Listing(HISTORY_COLUMNS, "{views}.event_log l", conditions, args, ("position",))
    return await page(db, listing, request)
