"""Per-request GraphQL context: the caller, the read snapshot and the DataLoaders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.litestar import BaseContext

from projections.reading import ReadSession
from services.principal import Principal

if TYPE_CHECKING:
    # Both assemble the areas, whose resolvers use this context: the request is
    # opened in services/graphql/request.py, which imports them.
    from services.graphql.loaders import Loaders
    from services.runtime import Runtime


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

    @property
    def views(self) -> ReadSession:
        assert self.session is not None, "no read snapshot is open"
        return self.session

    @property
    def load(self) -> Loaders:
        assert self.loaders is not None, "no read snapshot is open"
        return self.loaders
