"""Who may call an endpoint that runs no command: a signed-in caller, a caller with one
of some roles (a controller's guard), a reader of the views.

A command checks who may in its area's command method (``services/authorization.py``);
the reads over REST (the event log, webhooks, pictures and exports of the views) check
here, each with its own words for the refusal.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Guard

from projections.org import queries as org_queries
from projections.reading import ReadSession
from services.principal import Principal, Role

if TYPE_CHECKING:
    from services.runtime import Runtime


def signed_in(user: object) -> Principal:
    """The caller (the request scope's ``user``); 401 when the request names none."""
    if not isinstance(user, Principal):
        raise NotAuthorizedException("Send `Authorization: Bearer <token>`")
    return user


def roles_only(roles: frozenset[Role], refusal: str) -> Guard:
    """A guard letting in a caller with one of ``roles``, refusing anyone else with
    ``refusal`` (403). ``OPTIONS`` passes: Litestar answers it without the handler."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return
        if not roles & signed_in(connection.scope.get("user")).roles:
            raise PermissionDeniedException(refusal)

    return guard


async def require_reader(db: ReadSession, user: object, refusal: str) -> Principal:
    """The caller, if they may read the views: anyone with a role, or who leads a team."""
    reader = signed_in(user)
    if not reader.roles and not await org_queries.teams_led_by(db, [reader.subject], None):
        raise PermissionDeniedException(refusal)
    return reader


@asynccontextmanager
async def reading_views(runtime: Runtime, user: object, refusal: str) -> AsyncIterator[ReadSession]:
    """A read snapshot of the views, for a caller who may read them (``require_reader``;
    ``refusal`` otherwise)."""
    assert runtime.read_pool is not None
    async with ReadSession(runtime.read_pool) as db:
        await require_reader(db, user, refusal)
        yield db
