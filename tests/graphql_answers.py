"""A GraphQL query answered in-process on a read snapshot of a serving runtime, as
integration tests ask it."""

from __future__ import annotations

from typing import Any

from projections.reading import ReadSession
from services.graphql.context import FlywheelContext
from services.graphql.loaders import Loaders
from services.graphql.schema import build_schema
from services.principal import Principal
from services.runtime import Runtime
from services.settings import GraphQLExecutor
from tests.people import CEO


def context_on(
    runtime: Runtime, session: ReadSession, principal: Principal = CEO
) -> FlywheelContext:
    """The context a GraphQL request gets on ``session``, asked by ``principal``."""
    return FlywheelContext(
        runtime=runtime,
        principal=principal,
        session=session,
        loaders=Loaders(session),
        position=session.position,
    )


async def answer(
    serving: Runtime, query: str, executor: GraphQLExecutor, **variables: Any
) -> dict[str, Any]:
    """The data of ``query`` asked by the CEO with ``executor``; it must have no errors."""
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        result = await build_schema(executor=executor).execute(
            query,
            variable_values=variables,
            context_value=context_on(serving, session),
        )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data
