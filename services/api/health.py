"""Liveness and readiness probes, open to anyone."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency

from projections.status import Stall
from services.runtime import Runtime

MAX_READY_LAG_EVENTS = 10_000


class Health(msgspec.Struct):
    status: str


class StalledAt(msgspec.Struct, rename="camel"):
    """The event the projection runner stopped at; the views stand just before it."""

    position: int
    event_type: str
    cause: str
    reason: str
    since: datetime | None

    @classmethod
    def of(cls, stall: Stall) -> StalledAt:
        return cls(stall.position, stall.event_type, stall.cause, stall.reason, stall.since)


class Readiness(msgspec.Struct, rename="camel", omit_defaults=True):
    status: str
    database: str
    views_position: int
    log_position: int | None
    lag_events: int | None
    stalled: StalledAt | None = None


@get("/healthz", exclude_from_auth=True, tags=["Health"], summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    exclude_from_auth=True,
    tags=["Health"],
    summary="The database answers and the views keep up",
    description="503 when the database cannot be reached, when the projection runner (in "
    "any process) stopped at an event it cannot apply (`status: stalled`, with the event's "
    f"position, type and why), or when the views lag the log by more than "
    f"{MAX_READY_LAG_EVENTS} events.",
)
async def readyz(runtime: NamedDependency[Runtime]) -> Response[Readiness]:
    seen = await runtime.views_status()
    if seen is None:
        return Response(
            Readiness("unavailable", "unreachable", runtime.watcher.position, None, None),
            status_code=503,
        )
    if seen.stall is not None:
        return Response(
            Readiness(
                "stalled", "ok", seen.position, seen.head, seen.lag, StalledAt.of(seen.stall)
            ),
            status_code=503,
        )
    ready = seen.lag <= MAX_READY_LAG_EVENTS
    return Response(
        Readiness("ready" if ready else "catching-up", "ok", seen.position, seen.head, seen.lag),
        status_code=200 if ready else 503,
    )
