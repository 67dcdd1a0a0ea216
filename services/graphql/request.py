"""Opening a GraphQL request: the caller, the position asked for, one read
snapshot and the request's DataLoaders (see ``context.py`` for what resolvers get)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException

from projections.org import queries as org_queries
from projections.reading import ReadSession
from services.api.read_position import wait_for_wanted_position
from services.auth import authenticate_header
from services.graphql.context import FlywheelContext
from services.graphql.loaders import Loaders
from services.principal import Principal
from services.runtime import Runtime

NO_ROLE = (
    "Reading the views needs a role (leadership, member, planner or auditor) "
    "or the leadership of a team"
)


async def graphql_context(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> AsyncIterator[FlywheelContext]:
    """Authenticate, wait for ``X-Flywheel-Position`` (bounded), and open one
    consistent read snapshot for the whole request.

    Opening it here, before GraphQL runs, lets a database outage answer 503 with
    ``Retry-After`` like the REST API. Only the GraphiQL page itself is open (a GET
    with neither a query nor a persisted query's hash in ``extensions``).
    Reading needs a role, or leading a team (403 problem details otherwise, as
    a missing token is 401 here): a token with no role reads nothing. What a
    resolver holds for the request (a large report's place, services/graphql/admission.py)
    is let go once the answer is encoded, before the snapshot closes.
    """
    params = request.query_params
    if request.method == "GET" and "query" not in params and "extensions" not in params:
        yield FlywheelContext(runtime=runtime, principal=None)
        return
    principal = authenticate_header(
        runtime.auth, request.headers.get("authorization"), request.scope
    )
    wanted = await wait_for_wanted_position(request, runtime)
    assert runtime.snapshots is not None
    session = await runtime.snapshots.open()
    try:
        async with AsyncExitStack() as held:
            if not principal.roles and not await _leads_a_team(session, principal):
                raise PermissionDeniedException(NO_ROLE)
            context = FlywheelContext(
                runtime=runtime,
                principal=principal,
                wait_for_position=wanted,
                session=session,
                loaders=Loaders(session),
                position=session.position,
                position_reached=wanted is None or session.position >= wanted,
                held=held,
            )
            try:
                yield context
            finally:
                # Whatever reference cycle still holds this context (an error's traceback
                # holds its resolver's info), the rows the loaders cached go when the
                # request does, not at the cycle collector's next pass (docs/PERFORMANCE.md).
                context.loaders = None
    finally:
        # The answer is read: the response goes out while the snapshot rolls back.
        session.close_in_background()


async def _leads_a_team(session: ReadSession, principal: Principal) -> bool:
    """A team's leader is one by the team's current state, not by a token role."""
    return bool(await org_queries.teams_led_by(session, [principal.subject], None))
