"""What every command endpoint shares: the caller, the answer, the documented errors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException

from services.commands import Outcome
from services.ids import global_id
from services.observability import COMMANDS
from services.principal import Principal

COMMAND_ERRORS = (400, 401, 403, 404, 409, 412, 413, 415, 422, 429, 503)


class CommandAccepted(msgspec.Struct, rename="camel"):
    """The aggregate the command changed, its GraphQL id, its new version, and the
    event-log position reached. Send ``X-Flywheel-Position: <position>`` with a
    GraphQL query to read your own write."""

    id: UUID
    node_id: str
    version: int
    position: int


def accepted(outcome: Outcome) -> CommandAccepted:
    COMMANDS.labels(outcome="accepted", rule="").inc()
    return CommandAccepted(
        id=outcome.id,
        node_id=global_id(outcome.kind, str(outcome.id)),
        version=outcome.version,
        position=outcome.position,
    )


def caller(request: Request[Principal, Any, Any]) -> Principal:
    return request.user


def correlation_id(request: Request[Any, Any, Any]) -> str:
    value: str = request.scope["state"]["correlation_id"]
    return value


def expected_version(request: Request[Any, Any, Any]) -> int | None:
    """The version named by ``If-Match`` (``"3"``, ``3`` or ``W/"3"``), if any."""
    raw = request.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise ValidationException('If-Match must name an aggregate version, e.g. If-Match: "3"')
    return int(text)
