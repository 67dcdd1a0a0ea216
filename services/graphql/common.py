"""What every area's GraphQL module shares: context access, time travel, ids and
cursors."""

from __future__ import annotations

import base64
import functools
import inspect
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any, TypeVar
from uuid import UUID

import msgspec
import strawberry
from strawberry.types import Info

from services.dates import YEARS, in_range
from services.graphql.context import FlywheelContext
from services.graphql.errors import POSITION_NOT_REACHED, client_error
from services.ids import parse_global_id, split_snapshot_key

FlywheelInfo = Info[FlywheelContext, None]
E = TypeVar("E", bound=Enum)

MAX_PAGE_SIZE = 100

AS_OF = (
    "Read the state as it was at this time (ISO 8601; UTC if no offset): right after the "
    "last event recorded at or before it, whose position `extensions.readAt` reports."
)
AT_POSITION = (
    "Read the state as it was right after this event-log position "
    "(reported in `extensions.readAt`)."
)

AsOf = Annotated[datetime | None, strawberry.argument(description=AS_OF)]
AtPosition = Annotated[int | None, strawberry.argument(description=AT_POSITION)]
DEFAULT_PAGE_SIZE = 20
First = Annotated[
    int | None,
    strawberry.argument(
        description="Page forwards: the first items (1 to 100) from the start, or after "
        "`after`; 20 when neither `first` nor `last` is given."
    ),
]
After = Annotated[
    str | None, strawberry.argument(description="A cursor from `pageInfo`: the items after it.")
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description="Page backwards: the last items (1 to 100) before the end, or before "
        "`before`. Not with `first`."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="A cursor from `pageInfo`: the items before it."),
]
NodeIdArgument = Annotated[
    strawberry.ID, strawberry.argument(description="The object's global id or UUID.")
]


def member_of(enum: type[E]) -> Callable[[Any], E]:
    """``enum(value)`` as a dict lookup: objects are made from rows by the thousand,
    and calling an enum class is several times slower than looking its value up."""
    members = {member.value: member for member in enum}

    def member(value: Any) -> E:
        try:
            return members[value]
        except (KeyError, TypeError):
            return enum(value)

    return member


def context(info: FlywheelInfo) -> FlywheelContext:
    return info.context


async def resolve_at(
    info: FlywheelInfo, as_of: datetime | None, at_position: int | None
) -> int | None:
    """The log position to read at: ``None`` for now.

    A past position is also reported in ``extensions.readAt`` under the field's
    response path, with the time it was asked for: the evidence of what an
    as-of answer shows.
    """
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
        ctx.read_at[_response_path(info)] = {"position": at_position}
        return at_position
    if as_of is not None:
        if not in_range(as_of):
            raise client_error(f"`asOf`: the year must be {YEARS}")
        moment = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
        position = await ctx.views.position_at(moment)
        ctx.read_at[_response_path(info)] = {
            "asOf": moment.astimezone(UTC).isoformat(),
            "position": position,
        }
        return position
    return None


def _response_path(info: FlywheelInfo) -> str:
    """Where the field is in the answer: its alias or name, dotted below the root."""
    return ".".join(str(key) for key in info.path.as_list())


Resolver = Callable[..., Awaitable[Any]]


def arguments_of(*annotations: tuple[str, Any]) -> list[inspect.Parameter]:
    """Arguments, each defaulting to null, for a resolver's ``__signature__``: strawberry
    reads a resolver's GraphQL arguments from ``inspect.signature``, which honours it."""
    return [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=kind)
        for name, kind in annotations
    ]


TIME_TRAVEL = arguments_of(("as_of", AsOf), ("at_position", AtPosition))


def expanding(
    func: Resolver, name: str, arguments: list[inspect.Parameter]
) -> Callable[[Resolver], Resolver]:
    """Makes a wrapper of the resolver ``func(self, info, ...)`` take, as a field, the
    arguments of ``func`` with its parameter ``name`` replaced in its place by
    ``arguments``, the GraphQL arguments the wrapper reads it from."""
    signature = inspect.signature(func)
    if list(signature.parameters)[:2] != ["self", "info"] or name not in signature.parameters:
        raise TypeError(f"{func.__qualname__} is not a resolver (self, info, ..., {name})")
    own = list(signature.parameters.values())
    given = [
        argument.replace(kind=inspect.Parameter.KEYWORD_ONLY)
        for parameter in own[2:]
        for argument in (arguments if parameter.name == name else [parameter])
    ]

    def expand(wrapper: Resolver) -> Resolver:
        expanded = functools.wraps(func)(wrapper)
        expanded.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*own[:2], *given]
        )
        return expanded

    return expand


def time_travel(func: Resolver) -> Resolver:
    """The resolver ``func(self, info, ..., at)`` as a field taking ``asOf`` and
    ``atPosition`` in place of ``at``: the log position :func:`resolve_at` makes of
    them, resolved before ``func`` runs."""

    @expanding(func, "at", TIME_TRAVEL)
    async def resolve(
        self: Any, info: FlywheelInfo, *, as_of: Any = None, at_position: Any = None, **given: Any
    ) -> Any:
        return await func(self, info, at=await resolve_at(info, as_of, at_position), **given)

    return resolve


def check_page_size(size: int, argument: str = "first") -> None:
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise client_error(f"`{argument}` must be between 1 and {MAX_PAGE_SIZE}")


def key_of(value: str, type_name: str) -> str:
    """The key an argument names: the value itself, or the key of a global id of
    ``type_name`` (current or past: the position a past id names is the
    ``node`` field's to read at; other fields read at their own ``asOf``)."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        return value
    try:
        return split_snapshot_key(parsed[1])[0]
    except ValueError:
        return value


def uuid_of(value: str, type_name: str, argument: str = "id") -> UUID:
    """An id given as a UUID or as a global id of ``type_name``."""
    try:
        return UUID(key_of(value, type_name))
    except ValueError:
        raise client_error(f"`{argument}` is not a {type_name} id: {value!r}") from None


def uuid_or_none(value: str | None, type_name: str, argument: str) -> UUID | None:
    """:func:`uuid_of` an optional argument; None when it was not given."""
    return uuid_of(value, type_name, argument) if value else None


def enum_value(member: Enum | None) -> Any:
    """An optional enum argument's value; None when it was not given."""
    return member.value if member else None


def encode_cursor(values: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode([str(v) for v in values])).decode()


def decode_cursor(cursor: str, arity: int, argument: str = "after") -> list[str]:
    try:
        values = msgspec.json.decode(base64.urlsafe_b64decode(cursor.encode()), type=list[str])
    except (ValueError, msgspec.DecodeError):
        raise client_error(f"`{argument}` is not a cursor from this API: {cursor!r}") from None
    if len(values) != arity:
        raise client_error(f"`{argument}` is not a cursor from this API: {cursor!r}")
    return values


def describe_values(enum: type[Enum], **descriptions: str) -> None:
    """Gives each value of an enum exposed with ``strawberry.enum`` its description
    (by member name); every member must be described, so a new one cannot slip in
    without."""
    definition = getattr(enum, "__strawberry_definition__", None)
    if definition is None:
        raise TypeError(f"{enum.__name__} is not a GraphQL enum: call strawberry.enum first")
    names = {value.name for value in definition.values}
    if names != descriptions.keys():
        raise ValueError(
            f"{enum.__name__}: describe exactly {sorted(names)}, not {sorted(descriptions)}"
        )
    for value in definition.values:
        value.description = descriptions[value.name]


def optional_field(description: str) -> Any:
    """An input field that may be left out (``UNSET`` then; read it with :func:`given`),
    as a filter's are: ``kind: ApiKind | None = optional_field("Only APIs of this kind.")``."""
    return strawberry.field(default=strawberry.UNSET, description=description)


def given(value: Any) -> Any:
    """An optional input field's value; None when it was not given."""
    return None if value is strawberry.UNSET else value


MAX_SEARCH_LENGTH = 100


def search_text(value: str | None, argument: str = "filter.nameContains") -> str | None:
    """A substring to search names for: at most ``MAX_SEARCH_LENGTH`` characters (names
    are shorter), so a huge string cannot keep a connection busy; empty means no filter."""
    if value is None or value is strawberry.UNSET or value == "":
        return None
    if len(value) > MAX_SEARCH_LENGTH:
        raise client_error(f"`{argument}` is longer than {MAX_SEARCH_LENGTH} characters")
    return value
