"""The GraphQL schema: root queries, limits, and the read snapshot around each operation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

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

from domain.errors import InvalidValue
from domain.people import person_id
from projections import org_queries
from projections.reading import ReadSession
from services.graphql.context import FlywheelContext
from services.graphql.errors import POSITION_NOT_REACHED, client_error, is_client_error
from services.graphql.loaders import Loaders
from services.graphql.types import (
    FlywheelInfo,
    PageInfo,
    Person,
    Team,
    TeamConnection,
    TeamEdge,
    TeamFilter,
    context,
    decode_cursor,
    encode_cursor,
)
from services.ids import parse_global_id

MAX_PAGE_SIZE = 100
MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000

AS_OF = "Read the state as it was at this time (ISO 8601; UTC if no offset)."
AT_POSITION = "Read the state as it was right after this event-log position."

AsOf = Annotated[datetime | None, strawberry.argument(description=AS_OF)]
AtPosition = Annotated[int | None, strawberry.argument(description=AT_POSITION)]


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


async def resolve_at(
    info: FlywheelInfo, as_of: datetime | None, at_position: int | None
) -> int | None:
    """The log position to read at: ``None`` for now."""
    ctx = context(info)
    if as_of is not None and at_position is not None:
        raise client_error("Give `asOf` or `atPosition`, not both")
    if at_position is not None:
        if at_position < 0:
            raise client_error("`atPosition` must be 0 or more")
        if at_position > ctx.position:
            raise client_error(
                f"The views have reached position {ctx.position}, not {at_position}; "
                "send `X-Flywheel-Position` to wait for it",
                POSITION_NOT_REACHED,
            )
        return at_position
    if as_of is not None:
        moment = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
        return await ctx.views.position_at(moment)
    return None


def team_uuid(value: str, argument: str = "id") -> UUID:
    """A team id given as a UUID or as a Team global id."""
    parsed = parse_global_id(value)
    raw = parsed[1] if parsed is not None and parsed[0] == "Team" else value
    try:
        return UUID(raw)
    except ValueError:
        raise client_error(f"`{argument}` is not a team id: {value!r}") from None


def person_handle(value: str) -> str:
    """A person given by handle or by Person global id."""
    parsed = parse_global_id(value)
    raw = parsed[1] if parsed is not None and parsed[0] == "Person" else value
    try:
        return person_id(raw, field="id")
    except InvalidValue as error:
        raise client_error(error.detail) from None


async def find_node(info: FlywheelInfo, value: str, at: int | None) -> relay.Node | None:
    parsed = parse_global_id(value)
    if parsed is None:
        raise client_error(f"Not a global id: {value!r}")
    type_name, key = parsed
    if type_name == "Team":
        return await Team.find(info, key, at)
    if type_name == "Person":
        return await Person.find(info, key, at)
    return None


@strawberry.type
class Query:
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

    @strawberry.field(description="A team by its id (UUID or global id).")
    async def team(
        self,
        info: FlywheelInfo,
        id: strawberry.ID,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> Team | None:
        at = await resolve_at(info, as_of, at_position)
        return await Team.find(info, str(team_uuid(id)), at)

    @strawberry.field(description="Teams ordered by name, a page at a time.")
    async def teams(
        self,
        info: FlywheelInfo,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 100.")] = 20,
        after: Annotated[str | None, strawberry.argument(description="A cursor.")] = None,
        filter: TeamFilter | None = None,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> TeamConnection:
        if not 1 <= first <= MAX_PAGE_SIZE:
            raise client_error(f"`first` must be between 1 and {MAX_PAGE_SIZE}")
        at = await resolve_at(info, as_of, at_position)
        where = org_queries.TeamFilter()
        if filter is not None:
            where = org_queries.TeamFilter(
                name_contains=filter.name_contains or None,
                parent_id=team_uuid(filter.parent_id, "filter.parentId")
                if filter.parent_id
                else None,
                status=filter.status.value if filter.status else None,
            )
        cursor = None
        if after is not None:
            name, key = decode_cursor(after, 2)
            cursor = (name, team_uuid(key, "after"))
        page = await org_queries.team_page(context(info).views, at, where, first, cursor)
        edges = [
            TeamEdge(cursor=encode_cursor([row["name"], row["id"]]), node=Team.from_row(row, at))
            for row in page.rows
        ]
        return TeamConnection(
            total_count=page.total,
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    @strawberry.field(description="A person by handle (e.g. alice@example.com) or global id.")
    async def person(
        self,
        info: FlywheelInfo,
        id: strawberry.ID,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> Person | None:
        at = await resolve_at(info, as_of, at_position)
        return await Person.find(info, person_handle(id), at)


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
        types=[Team, Person],
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )


def schema_sdl() -> str:
    """The schema as SDL, as checked in at ``schema.graphql``."""
    return str(build_schema()) + "\n"
