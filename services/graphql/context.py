"""Per-request GraphQL context: the caller, the read snapshot and the DataLoaders."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ValidationException
from strawberry.litestar import BaseContext

from projections.reading import ReadSession
from services.auth import authenticate_header
from services.graphql.loaders import Loaders
from services.principal import Principal
from services.runtime import Runtime

POSITION_HEADER = "x-flywheel-position"


class FlywheelContext(BaseContext, kw_only=True):
    runtime: Runtime
    principal: Principal | None
    wait_for_position: int | None = None
    session: ReadSession | None = None
    loaders: Loaders | None = None
    position: int = 0
    position_reached: bool = True

    @property
    def views(self) -> ReadSession:
        assert self.session is not None, "no read snapshot is open"
        return self.session

    @property
    def load(self) -> Loaders:
        assert self.loaders is not None, "no read snapshot is open"
        return self.loaders


def _wanted_position(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get(POSITION_HEADER)
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise ValidationException(f"{POSITION_HEADER} must be a log position (an integer >= 0)")
    return int(raw)


async def graphql_context(request: Request[Any, Any, Any], runtime: Runtime) -> FlywheelContext:
    """Authenticate every operation; only the GraphiQL page itself is open."""
    is_ide_page = request.method == "GET" and "query" not in request.query_params
    principal = None
    if not is_ide_page:
        principal = authenticate_header(runtime.auth, request.headers.get("authorization"))
    return FlywheelContext(
        runtime=runtime, principal=principal, wait_for_position=_wanted_position(request)
    )
