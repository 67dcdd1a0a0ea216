"""What every command endpoint shares: its route, its context, the answer, the errors.

A handler is a :func:`command` route that takes the :class:`CommandContext` by
naming a ``context`` parameter (Litestar injects it, see ``services/api/app.py``)
and hands it, with the path's ids and the body as decoded, to its area's command,
answering :func:`accepted`: the body is the command, so the handler is one line::

    @command("/", status_code=201, summary="Charter a team")
    def charter(self, data: CharterTeam, context: CommandContext, org: OrgCommands):
        return accepted(org.charter_team(context, data))
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, delete, post, put
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.status_codes import HTTP_200_OK

from services.api.problems import problem_responses
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


def command(
    path: str,
    *,
    summary: str,
    description: str | None = None,
    status_code: int = HTTP_200_OK,
    verb: type[post | put | delete] = post,
) -> HTTPRouteHandler:
    """The route of a command: run in a worker thread (the event store's writes block),
    and documented with every error a command can answer."""
    return verb(
        path,
        status_code=status_code,
        sync_to_thread=True,
        summary=summary,
        description=description,
        responses=problem_responses(*COMMAND_ERRORS),
    )


def accepted(outcome: Outcome) -> CommandAccepted:
    COMMANDS.labels(outcome="accepted", rule="").inc()
    return CommandAccepted(
        id=outcome.id,
        node_id=global_id(outcome.kind, str(outcome.id)),
        version=outcome.version,
        position=outcome.position,
    )


@dataclass(frozen=True)
class CommandContext:
    """What a command takes from its request besides the body: who calls, the
    correlation id its events carry, ``If-Match`` and ``Idempotency-Key`` as sent.
    (The idempotency middleware has already held the request to its key.)"""

    principal: Principal
    correlation_id: str
    if_match: str | None = None
    idempotency_key: str | None = None

    def at_version(self, version: int | None) -> CommandContext:
        """This context with ``If-Match`` naming ``version`` (none when None): how a
        caller other than HTTP (seed data, tests) expects an aggregate's version."""
        return replace(self, if_match=None if version is None else f'"{version}"')

    @property
    def expected_version(self) -> int | None:
        """The version named by ``If-Match`` (``"3"``, ``3`` or ``W/"3"``), if any.
        Read only by the commands that take one, so only they refuse a malformed one."""
        raw = self.if_match
        if raw is None or raw.strip() == "*":
            return None
        text = raw.strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise ValidationException('If-Match must name an aggregate version, e.g. If-Match: "3"')
        return int(text)


def command_context(request: Request[Principal, Any, Any]) -> CommandContext:
    """The ``context`` dependency: built from the request the authentication and
    correlation middleware have already seen."""
    headers = request.headers
    return CommandContext(
        principal=request.user,
        correlation_id=request.scope["state"]["correlation_id"],
        if_match=headers.get("if-match"),
        idempotency_key=headers.get("idempotency-key"),
    )
