"""Liveness and readiness probes, open to anyone."""

from __future__ import annotations

import msgspec
from litestar import Response, get

from services.runtime import Runtime

MAX_READY_LAG_EVENTS = 10_000


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct, rename="camel"):
    status: str
    database: str
    views_position: int
    log_position: int | None
    lag_events: int | None


@get("/healthz", exclude_from_auth=True, tags=["Health"], summary="The process is up")
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    exclude_from_auth=True,
    tags=["Health"],
    summary="The database answers and the views keep up",
    description="503 when the database cannot be reached or the views lag the log by more "
    f"than {MAX_READY_LAG_EVENTS} events.",
)
async def readyz(runtime: Runtime) -> Response[Readiness]:
    head = await runtime.log_head()
    views = runtime.watcher.position
    if head is None:
        return Response(Readiness("unavailable", "unreachable", views, None, None), status_code=503)
    lag = max(head - views, 0)
    ready = lag <= MAX_READY_LAG_EVENTS
    return Response(
        Readiness("ready" if ready else "catching-up", "ok", views, head, lag),
        status_code=200 if ready else 503,
    )
