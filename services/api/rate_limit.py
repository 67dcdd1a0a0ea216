"""Rate limiting per caller, shared by every replica through PostgreSQL.

A fixed one-minute window per caller, counted with one atomic upsert into an
UNLOGGED table, so replicas behind a load balancer share one budget and no
increment is lost between them. (Litestar's own RateLimitMiddleware keeps a
history list per key with separate get and set calls: correct for one
process, but replicas sharing its store can overwrite each other's counts.)

The caller is the subject of a valid bearer token, or else the client address.
Every response carries ``RateLimit-Limit``, ``RateLimit-Remaining``,
``RateLimit-Reset`` and ``RateLimit-Policy``; a caller over budget gets 429 with
``Retry-After``.
"""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException
from litestar.types import ASGIApp, Receive, Scope, Send

from projections.connection import CONNECTION_LOST
from services.api.problems import PROBLEM_JSON, ProblemDetails
from services.api.response_headers import setting_headers
from services.auth import authenticate_header
from services.observability import count_command
from services.recorder import RATE_LIMIT_TABLE as TABLE
from services.runtime import Runtime

WINDOW_SECONDS = 60
# GraphQL counts points of query cost instead (services/graphql/rate_limit.py).
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/graphql"})

COUNT_HIT = (
    f"INSERT INTO {TABLE} AS r (caller, window_start, hits) VALUES ($1, $2, 1) "
    "ON CONFLICT (caller, window_start) DO UPDATE SET hits = r.hits + 1 RETURNING hits"
)


def rate_limit_middleware(runtime: Runtime) -> Any:
    limit = runtime.settings.rate_limit_per_minute

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            pool = runtime.primary_pool
            if (
                limit == 0
                or scope["type"] != ScopeType.HTTP
                or scope["path"] in UNLIMITED_PATHS
                or pool is None
            ):
                await app(scope, receive, send)
                return
            now = time.time()
            window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
            try:
                async with pool.acquire() as conn:
                    hits = await conn.fetchval(COUNT_HIT, _caller(runtime, scope), window)
            except CONNECTION_LOST:
                # Fail open: the request meets the outage itself and answers 503.
                await app(scope, receive, send)
                return
            headers = {
                "ratelimit-limit": str(limit),
                "ratelimit-remaining": str(max(limit - hits, 0)),
                "ratelimit-reset": str(max(int(window + WINDOW_SECONDS - now), 1)),
                "ratelimit-policy": f"{limit};w={WINDOW_SECONDS}",
            }
            if hits > limit:
                await _too_many(scope, send, headers)
                return
            await app(scope, receive, setting_headers(send, lambda _: headers))

        return middleware

    return factory


def _caller(runtime: Runtime, scope: Scope) -> str:
    header = dict(scope["headers"]).get(b"authorization")
    if header:
        try:
            principal = authenticate_header(runtime.auth, header.decode("latin-1"), scope)
        except NotAuthorizedException:
            pass
        else:
            return f"subject:{principal.subject}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


async def _too_many(scope: Scope, send: Send, headers: dict[str, str]) -> None:
    count_command(str(scope.get("method")), scope["path"], 429)
    body = msgspec.json.encode(
        ProblemDetails(
            type="/problems/rate-limited",
            title="Too many requests",
            status=429,
            detail=f"Over {headers['ratelimit-limit']} requests a minute; "
            f"retry in {headers['ratelimit-reset']}s",
            instance=scope["path"],
            correlation_id=scope.get("state", {}).get("correlation_id"),
        )
    )
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", headers["ratelimit-reset"].encode()),
                *((name.encode(), value.encode()) for name, value in headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
