"""``history``: the events behind any node, for auditors and leadership."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import strawberry
from strawberry.scalars import JSON

from projections.audit import queries as log_queries
from services.graphql.common import FlywheelInfo, context, decode_cursor
from services.graphql.connections import Connection, Edge, Paging, connection, paged
from services.graphql.errors import client_error, forbidden
from services.graphql.people import LazyPerson, person_at_or_none
from services.principal import Role

HISTORY_DESCRIPTION = (
    "The events behind this object, oldest first, with who, when, why and under which "
    "request. Auditors and leadership only."
)


@strawberry.type(description="One recorded event.")
class HistoryEntry:
    position: int = strawberry.field(description="The event's position in the log.")
    type: str = strawberry.field(description="The event type, e.g. `Team.LeaderAppointed`.")
    recorded_at: datetime = strawberry.field(description="When the event was recorded.")
    actor: LazyPerson | None = strawberry.field(
        description="Who caused the event; null for the system."
    )
    reason: str | None = strawberry.field(description="The reason given with the command, if any.")
    correlation_id: str | None = strawberry.field(
        description="The id of the request that caused the event, if known."
    )
    data: JSON = strawberry.field(description="The event's own fields.")


@strawberry.type(description="One recorded event, with its cursor.")
class HistoryEdge(Edge[HistoryEntry]):
    pass


@strawberry.type(description="A page of recorded events, oldest first.")
class HistoryConnection(Connection[HistoryEntry]):
    edges: Sequence[HistoryEdge] = strawberry.field(
        description="The page's events with their cursors."
    )


@strawberry.interface(
    description="An object whose every change is an event in the log, with its provenance."
)
class Recorded:
    """Implemented by every node backed by an aggregate: they carry their aggregate id
    as ``key`` and the position they were read at as ``at``."""

    @strawberry.field(description=HISTORY_DESCRIPTION)
    @paged
    async def history(self, info: FlywheelInfo, paging: Paging) -> HistoryConnection | None:
        key: str = getattr(self, "key")  # noqa: B009 - declared by each implementing type
        at: int | None = getattr(self, "at")  # noqa: B009
        return await history(info, paging, at=at, aggregate_id=UUID(key))


def _require_history_reader(info: FlywheelInfo) -> None:
    principal = context(info).principal
    if principal is None or not ({Role.AUDITOR, Role.LEADERSHIP} & principal.roles):
        raise forbidden("Reading history needs the `auditor` or `leadership` role")


def position_cursor(cursor: str, argument: str) -> tuple[int]:
    """A cursor of a list ordered by log position."""
    (raw,) = decode_cursor(cursor, 1, argument)
    if not raw.isdigit():
        raise client_error(f"`{argument}` is not a cursor from this API: {cursor!r}")
    return (int(raw),)


async def history(
    info: FlywheelInfo,
    paging: Paging,
    *,
    at: int | None,
    aggregate_id: UUID | None = None,
    actor: str | None = None,
    concerning: tuple[str, str] | None = None,
) -> HistoryConnection:
    _require_history_reader(info)
    page = await log_queries.history_page(
        context(info).views,
        paging.request(position_cursor),
        aggregate_id=aggregate_id,
        actor=actor,
        concerning=concerning,
        at=at,
    )
    return connection(
        HistoryConnection, page, lambda row: _entry(row, at), ("position",), edge=HistoryEdge
    )


def _entry(row: Any, at: int | None) -> HistoryEntry:
    return HistoryEntry(
        position=row["position"],
        type=row["type"],
        recorded_at=row["at"],
        actor=person_at_or_none(row["actor"], at),
        reason=row["reason"],
        correlation_id=row["correlation_id"],
        data=msgspec.json.decode(row["data"]),
    )
