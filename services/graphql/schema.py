"""The GraphQL schema: the root query merged from each area, limits, and the
read snapshot around each operation."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated, Any

import strawberry
from graphql import OperationDefinitionNode
from graphql.validation import ASTValidationRule
from strawberry import relay
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.tools import merge_types

from services.graphql.common import (
    MAX_PAGE_SIZE,
    AsOf,
    AtPosition,
    FlywheelInfo,
    context,
    resolve_at,
    time_travel,
)
from services.graphql.context import FlywheelContext
from services.graphql.cost import CostLimit
from services.graphql.errors import POSITION_NOT_REACHED, client_error, is_client_error
from services.graphql.executor import FastExecutor
from services.graphql.rate_limit import RateLimitQuery
from services.graphql.scalars import SCALAR_OVERRIDES
from services.ids import parse_global_id, split_snapshot_key
from services.registry import AREAS
from services.settings import GraphQLExecutor

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000

# The depth and alias limits as validation rules built once: QueryDepthLimiter and
# MaxAliasesLimiter build a new rule class per operation, which makes every
# operation's rules differ, so ValidationCache never answered from its cache.
LIMIT_RULES: list[type[ASTValidationRule]] = [
    max_depth_rule(MAX_DEPTH, None),
    max_aliases_rule(MAX_ALIASES),
]


class ReportPosition(SchemaExtension):
    """Says which log position the answer reflects, whether it reached the
    position the request asked to wait for (``X-Flywheel-Position``), and the
    position each field given ``asOf`` or ``atPosition`` was read at (``readAt``)."""

    def get_results(self) -> dict[str, Any]:
        ctx: FlywheelContext = self.execution_context.context
        results: dict[str, Any] = {"position": ctx.position}
        if ctx.wait_for_position is not None:
            results["positionReached"] = ctx.position_reached
        if ctx.read_at:
            results["readAt"] = ctx.read_at
        return results


class OneOperation(SchemaExtension):
    """A document with several operations runs only the one ``operationName`` names:
    without it the request is refused (400) before anything runs, as graphql-core's
    ``execute`` and the GraphQL-over-HTTP spec require, rather than run the first."""

    def on_parse(self) -> Iterator[None]:
        yield
        context = self.execution_context
        document = context.graphql_document
        if context._provided_operation_name is None and document is not None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                raise CannotGetOperationTypeError(None)


def _parsed(value: str) -> tuple[str, str, int | None]:
    """The type, key and position (``None``: now) a global id names."""
    parsed = parse_global_id(value)
    if parsed is None:
        raise client_error(f"Not a global id: {value!r}")
    try:
        key, position = split_snapshot_key(parsed[1])
    except ValueError:
        raise client_error(f"Not a global id: {value!r}") from None
    return parsed[0], key, position


def _position(
    info: FlywheelInfo, parsed: tuple[str, str, int | None], at: int | None
) -> int | None:
    """Where to read a node: the position its id names, or the field's own
    ``asOf``/``atPosition``; an id of the past read at another moment is an error."""
    named = parsed[2]
    if named is None:
        return at
    if at is not None and at != named:
        raise client_error(
            "This id names the object as of a past position: leave out `asOf` and `atPosition`"
        )
    if named > context(info).position:
        raise client_error(
            f"The views have reached position {context(info).position}, not {named}; "
            "send `X-Flywheel-Position` to wait for it",
            POSITION_NOT_REACHED,
        )
    return named


async def find_node(
    info: FlywheelInfo, parsed: tuple[str, str, int | None], at: int | None
) -> relay.Node | None:
    """The object a global id names, as of the position a past id names: each node
    type has ``find(info, key, at)``, which loads through the type's DataLoader."""
    type_name, key, _ = parsed
    node_type = NODE_TYPES_BY_NAME.get(type_name)
    if node_type is None:
        return None
    found: relay.Node | None = await node_type.find(info, key, _position(info, parsed, at))
    return found


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any object by its global id. An id read at a past position names that "
        "snapshot, and answers it again here; a current id answers the current object, or "
        "the object as of `asOf`/`atPosition`."
    )
    @time_travel
    async def node(
        self,
        info: FlywheelInfo,
        id: Annotated[strawberry.ID, strawberry.argument(description="A global id.")],
        at: int | None,
    ) -> relay.Node | None:
        return await find_node(info, _parsed(id), at)

    @strawberry.field(
        description="Objects by their global ids, in the same order; null for an id that "
        "names nothing. Ids of past snapshots answer those snapshots, as `node` does."
    )
    async def nodes(
        self,
        info: FlywheelInfo,
        ids: Annotated[
            list[strawberry.ID], strawberry.argument(description="Up to 100 global ids.")
        ],
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[relay.Node | None] | None:
        if len(ids) > MAX_PAGE_SIZE:
            raise client_error(f"Ask for at most {MAX_PAGE_SIZE} ids at once")
        at = await resolve_at(info, as_of, at_position)
        parsed = [_parsed(value) for value in ids]
        # Asked together, the loads of each type's ids meet in one batch of its
        # DataLoader: one query per type, not one per id. The order stays the ids'.
        return list(await asyncio.gather(*(find_node(info, each, at) for each in parsed)))


Query = merge_types(
    "Query",
    (NodeQuery, RateLimitQuery, *(query for area in AREAS for query in area.queries)),
)
Query.__strawberry_definition__.description = (  # type: ignore[attr-defined]
    "What can be read: any object by id, and each area's lists, reports and documents, now "
    "or as of a past time (`asOf`) or log position (`atPosition`)."
)

SUBSCRIPTIONS = [subscription for area in AREAS for subscription in area.subscriptions]
Subscription = merge_types("Subscription", tuple(SUBSCRIPTIONS)) if SUBSCRIPTIONS else None
if Subscription is not None:
    Subscription.__strawberry_definition__.description = (  # type: ignore[attr-defined]
        "What can be followed live over graphql-transport-ws: the log's events from a "
        "position on, and the position the views reached (docs/FEEDS.md)."
    )

NODE_TYPES: list[type] = [node_type for area in AREAS for node_type in area.node_types]
NODE_TYPES_BY_NAME: dict[str, Any] = {node_type.__name__: node_type for node_type in NODE_TYPES}

# ``FLYWHEEL_GRAPHQL_EXECUTOR``: the fast one, or strawberry's own to rule it out.
EXECUTION_CONTEXTS: dict[GraphQLExecutor, type[StrawberryGraphQLCoreExecutionContext]] = {
    GraphQLExecutor.FAST: FastExecutor,
    GraphQLExecutor.STANDARD: StrawberryGraphQLCoreExecutionContext,
}


def build_schema(
    *,
    production: bool = False,
    introspection: bool = True,
    executor: GraphQLExecutor = GraphQLExecutor.FAST,
) -> strawberry.Schema:
    extensions: list[Any] = [
        ReportPosition,
        OneOperation,
        CostLimit,
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),  # the caches themselves are shared per maxsize
        lambda: ValidationCache(maxsize=512),
    ]
    if production:
        extensions.append(lambda: MaskErrors(should_mask_error=lambda e: not is_client_error(e)))
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        subscription=Subscription,
        types=NODE_TYPES,
        extensions=extensions,
        execution_context_class=EXECUTION_CONTEXTS[executor],
        scalar_overrides=SCALAR_OVERRIDES,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def schema_sdl() -> str:
    """The schema as SDL, as checked in at ``schema.graphql``."""
    return str(build_schema()) + "\n"
