"""``X-Flywheel-Position``: a reader asks to see the views at least as far as a
command's position, so that it reads its own writes (bounded by
``read_wait_seconds``; past it the answer says how far the views are)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Request
from litestar.exceptions import ValidationException

if TYPE_CHECKING:
    from services.runtime import Runtime

POSITION_HEADER = "x-flywheel-position"


def wanted_position(request: Request[Any, Any, Any]) -> int | None:
    """The position the request asks to read at least as far as, if any."""
    raw = request.headers.get(POSITION_HEADER)
    if raw is None:
        return None
    if not raw.strip().isdigit():
        raise ValidationException(f"{POSITION_HEADER} must be a log position (an integer >= 0)")
    return int(raw)


async def wait_for_wanted_position(request: Request[Any, Any, Any], runtime: Runtime) -> int | None:
    """Wait (bounded) until the views reach the position the request asks for."""
    wanted = wanted_position(request)
    if wanted is not None:
        await runtime.watcher.wait_for(wanted, runtime.settings.read_wait_seconds)
    return wanted
