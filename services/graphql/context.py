"""Per-request GraphQL context: the caller, the read snapshot and the DataLoaders."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from strawberry.litestar import BaseContext

from projections.reading import ReadSession
from services.principal import Principal

if TYPE_CHECKING:
    # Both assemble the areas, whose resolvers use this context: the request is
    # opened in services/graphql/request.py, which imports them.
    from services.graphql.loaders import Loaders
    from services.runtime import Runtime


@dataclass(frozen=True)
class RateLimitStatus:
    """What an operation spent of the caller's points (services/graphql/rate_limit.py)."""

    cost: int
    limit: int
    remaining: int
    reset_at: datetime
    exceeded: bool

    def report(self) -> dict[str, Any]:
        return {
            "cost": self.cost,
            "limit": self.limit,
            "remaining": self.remaining,
            "resetAt": self.reset_at.isoformat(),  # as the DateTime scalar writes it
        }


class FlywheelContext(BaseContext, kw_only=True):
    runtime: Runtime
    principal: Principal | None
    # What a websocket sent in ``connection_init`` (strawberry sets it).
    connection_params: dict[str, Any] | None = None
    wait_for_position: int | None = None
    session: ReadSession | None = None
    loaders: Loaders | None = None
    position: int = 0
    position_reached: bool = True
    # Per response path of a field read in the past: {"position": p[, "asOf": time]}.
    read_at: dict[str, dict[str, Any]] = {}
    rate_limit: RateLimitStatus | None = None
    # What the request holds until its answer is encoded (a large report's place).
    held: AsyncExitStack | None = None

    @property
    def views(self) -> ReadSession:
        assert self.session is not None, "no read snapshot is open"
        return self.session

    @property
    def load(self) -> Loaders:
        assert self.loaders is not None, "no read snapshot is open"
        return self.loaders
