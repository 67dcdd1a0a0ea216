"""The GraphQL schema: the root query merged from each area, limits, and the
read snapshot around each operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import strawberry
from strawberry import relay
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from projections.reading import ReadSession
from services.graphql.common import (
    MAX_PAGE_SIZE,
    AsOf,
    AtPosition,
    FlywheelInfo,
    find_node,
    resolve_at,
)
from services.graphql.context import FlywheelContext
from services.graphql.errors import client_error, is_client_error
from services.graphql.goal_reports import GoalReportQuery
from services.graphql.goals import Goal, GoalQuery
from services.graphql.loaders import Loaders
from services.graphql.metrics import Metric, MetricQuery
from services.graphql.org import OrgQuery, Person, Team

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000


class ReadSnapshot(SchemaExtension):
    """Opens one consistent read of the views per operation.

    With ``X-Flywheel-Position: N`` it first waits (bounded) for the views to
    reach N. The position the answer reflects goes into ``extensions.position``.
    """

    async def on_operation(self) -> AsyncIterator[None]:
        ctx: FlywheelContext = self.execution_context.context
        runtime = ctx.runtime
        wanted = ctx.wait_for_position
        if wanted is not None:
            await runtime.watcher.wait_for(wanted, runtime.settings.read_wait_seconds)
        assert runtime.read_pool is not None
        async with ReadSession(runtime.read_pool) as session:
            ctx.session = session
            ctx.loaders = Loaders(session)
            ctx.position = session.position
            ctx.position_reached = wanted is None or session.position >= wanted
            yield
        ctx.session = None

    def get_results(self) -> dict[str, Any]:
        ctx: FlywheelContext = self.execution_context.context
        results: dict[str, Any] = {"position": ctx.position}
        if ctx.wait_for_position is not None:
            results["positionReached"] = ctx.position_reached
        return results


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global id.")
    async def node(
        self,
        info: FlywheelInfo,
        id: strawberry.ID,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> relay.Node | None:
        return await find_node(info, id, await resolve_at(info, as_of, at_position))

    @strawberry.field(description="Objects by their global ids, in the same order.")
    async def nodes(
        self,
        info: FlywheelInfo,
        ids: list[strawberry.ID],
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[relay.Node | None]:
        if len(ids) > MAX_PAGE_SIZE:
            raise client_error(f"Ask for at most {MAX_PAGE_SIZE} ids at once")
        at = await resolve_at(info, as_of, at_position)
        return [await find_node(info, value, at) for value in ids]


Query = merge_types("Query", (NodeQuery, OrgQuery, MetricQuery, GoalQuery, GoalReportQuery))

NODE_TYPES: list[type] = [Team, Person, Metric, Goal]


def build_schema(*, production: bool = False) -> strawberry.Schema:
    extensions: list[Any] = [
        ReadSnapshot,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),  # the caches themselves are shared per maxsize
        lambda: ValidationCache(maxsize=512),
    ]
    if production:
        extensions.append(lambda: MaskErrors(should_mask_error=lambda e: not is_client_error(e)))
    return strawberry.Schema(
        query=Query,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def schema_sdl() -> str:
    """The schema as SDL, as checked in at ``schema.graphql``."""
    return str(build_schema()) + "\n"
