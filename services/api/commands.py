"""What every command endpoint shares: its route, its context, the answer, the errors.

A handler is a :func:`command` route that takes the :class:`CommandContext` by
naming a ``context`` parameter (Litestar injects it, see ``services/api/app.py``)
and hands it, with the path's ids and the body as decoded, to its area's command,
answering :func:`accepted`: the body is the command, so the handler is one line::

    @command("/", status_code=201, summary="Charter a team")
    def charter(self, data: CharterTeam, context: CommandContext, org: OrgCommands):
        return accepted(org.charter_team(context, data))

Most handlers are only that line, so :func:`command` writes it when told what the
route ``runs``: the command method, the types of the path's ids and of the body::

    disband = command(
        "/{team_id:uuid}/disband",
        summary="Disband a team",
        runs=OrgCommands.disband_team,
        ids=[TeamId],
        body=DisbandTeam,
    )
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import msgspec
from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK
from litestar.types import Method

from services.api.bodies import CommandBody
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


class CommandRoute(HTTPRouteHandler):
    """A command's route. A handler :func:`command` writes is named, like a handwritten
    one, for the controller's attribute that holds the route (Litestar makes the
    operation's id of the name, and orders a controller's routes by it)."""

    written: Callable[..., CommandAccepted] | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        if self.written is not None:
            self.written.__name__ = name
            self.written.__qualname__ = f"{owner.__qualname__}.{name}"
            self.written.__module__ = owner.__module__


def command(
    path: str,
    *,
    summary: str,
    description: str | None = None,
    status_code: int = HTTP_200_OK,
    method: Method = "POST",
    runs: Callable[..., Outcome] | None = None,
    ids: Sequence[Any] = (),
    body: type[CommandBody] | None = None,
) -> HTTPRouteHandler:
    """The route of a command: run in a worker thread (the event store's writes block),
    and documented with every error a command can answer.

    Without ``runs`` it decorates a handwritten handler. With ``runs`` (an area's
    command method) it is the route and its handler: one that takes the path's ids
    (annotated ``ids``, in the order the path names them), the body as ``body``
    (when given), the context and the area's commands, and answers
    ``accepted(commands.runs(context, *ids, body))``."""
    route = CommandRoute(
        path,
        http_method=method,
        status_code=status_code,
        sync_to_thread=True,
        summary=summary,
        description=description,
        responses=problem_responses(*COMMAND_ERRORS),
    )
    if runs is None:
        return route
    names = PATH_IDS.findall(path)
    if len(names) != len(ids):
        raise TypeError(f"{path} names the ids {names}: give their types as ids, in that order")
    route.written = _handler(runs, dict(zip(names, ids, strict=True)), body)
    return route(route.written)


PATH_IDS = re.compile(r"\{(\w+):\w+\}")


def _handler(
    runs: Callable[..., Outcome], ids: dict[str, Any], body: type[CommandBody] | None
) -> Callable[..., CommandAccepted]:
    """The handler of a route that only runs ``runs``, as Litestar reads a handler: its
    signature and type hints say what the request gives it. An area's commands are the
    dependency named for the area, the package of ``services/<area>/commands.py``."""
    area = runs.__module__.removeprefix("services.").removesuffix(".commands")
    if runs.__module__ != f"services.{area}.commands":
        raise TypeError(
            f"{runs.__qualname__} is not an area's command (services/<area>/commands.py)"
        )
    # Litestar's markers for the body and the dependencies, which it warns of when left
    # out; made here of types known only at run time, which mypy cannot follow.
    json_body: Any = JSONBody
    named_dependency: Any = NamedDependency
    taken = {**ids, **({"data": json_body[body]} if body is not None else {})}

    def handler(self: Any, **request: Any) -> CommandAccepted:
        commands, context = request[area], request["context"]
        return accepted(runs(commands, context, *(request[name] for name in taken)))

    annotations = {
        **taken,
        "context": named_dependency[CommandContext],
        area: named_dependency[Any],
    }
    named = inspect.Parameter.POSITIONAL_OR_KEYWORD
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", named)]
        + [inspect.Parameter(name, named, annotation=kind) for name, kind in annotations.items()],
        return_annotation=CommandAccepted,
    )
    handler.__annotations__ = {**annotations, "return": CommandAccepted}
    return handler


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
