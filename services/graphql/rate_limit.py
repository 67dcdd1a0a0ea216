"""GraphQL rate limits by query cost, as GitHub's GraphQL API counts them.

REST counts requests (``services/api/rate_limit.py``); a GraphQL request can ask
for one name or for ten thousand objects, so ``/graphql`` counts points instead:
each operation spends its cost (``services/graphql/cost.py``, at least 1) from
the caller's budget of ``FLYWHEEL_GRAPHQL_RATE_LIMIT`` points a minute, shared by
every replica through the same UNLOGGED PostgreSQL table. An operation over the
budget is refused before it runs with ``RATE_LIMITED``. Every answer reports
``extensions.rateLimit {cost, limit, remaining, resetAt}``, and the
``rateLimit`` root field answers the same for the operation that asks.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

import strawberry

from projections.connection import CONNECTION_LOST
from services.graphql.common import FlywheelInfo
from services.graphql.context import FlywheelContext, RateLimitStatus
from services.recorder import RATE_LIMIT_TABLE as TABLE

WINDOW_SECONDS = 60

SPEND = (
    f"INSERT INTO {TABLE} AS r (caller, window_start, hits) VALUES ($1, $2, $3) "
    "ON CONFLICT (caller, window_start) DO UPDATE SET hits = r.hits + $3 RETURNING hits"
)


async def spend(context: FlywheelContext, cost: int) -> RateLimitStatus | None:
    """Charge the caller ``cost`` points (at least 1); None when limits are off, or
    the database cannot count (the request then meets the outage itself)."""
    limit = context.runtime.settings.graphql_rate_limit
    pool = context.runtime.primary_pool
    if limit == 0 or pool is None or context.principal is None:
        return None
    points = max(cost, 1)
    now = time.time()
    window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    try:
        async with pool.acquire() as conn:
            spent = await conn.fetchval(
                SPEND, f"points:{context.principal.subject}", window, points
            )
    except CONNECTION_LOST:
        return None
    return RateLimitStatus(
        cost=points,
        limit=limit,
        remaining=max(limit - spent, 0),
        reset_at=datetime.fromtimestamp(window + WINDOW_SECONDS, UTC),
        exceeded=spent > limit,
    )


@strawberry.type(description="The caller's GraphQL rate limit, counted in points of query cost.")
class RateLimit:
    cost: int = strawberry.field(description="The points this operation spent (at least 1).")
    limit: int = strawberry.field(description="The points a caller may spend per window.")
    remaining: int = strawberry.field(description="The points left in the current window.")
    reset_at: datetime = strawberry.field(
        description="When the current window ends and the budget is whole again."
    )


@strawberry.type
class RateLimitQuery:
    @strawberry.field(
        description="What this operation cost and what is left of the caller's budget; "
        "null when rate limiting is off (`FLYWHEEL_GRAPHQL_RATE_LIMIT=0`)."
    )
    def rate_limit(self, info: FlywheelInfo) -> RateLimit | None:
        status = info.context.rate_limit
        if status is None:
            return None
        return RateLimit(
            cost=status.cost,
            limit=status.limit,
            remaining=status.remaining,
            reset_at=status.reset_at,
        )
