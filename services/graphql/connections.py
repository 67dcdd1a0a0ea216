"""Cursor connections: one generic ``Connection`` and ``Edge``, and one way to make a page.

``Connection[Team]`` is the schema's ``TeamConnection`` of ``TeamEdge``s: each area
subclasses it once per node type, for the connection's name and description, and
names an edge type of its own only where the node's name is not the edge's
(``HistoryEdge`` of ``HistoryEntry``) or the edge says more (``ConsumerEdge.since``).

A cursor is a row's values of the columns its page is ordered by (``order``), as
``encode_cursor`` writes them; a list that can be sorted (``orderBy``) ends its
cursors with the ordering's tag (:class:`Sort`). An edge makes its cursor only when
asked for it, as most pages ask for ``nodes`` alone.

Every connection field takes ``first``/``after`` and ``last``/``before``
(:class:`Paging`, given to a resolver by :func:`paged`), read into one
:class:`~projections.paging.PageRequest`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar
from uuid import UUID

import strawberry

from projections.paging import Order, Page, PageRequest
from services.graphql.common import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    FlywheelInfo,
    Last,
    Resolver,
    arguments_of,
    check_page_size,
    decode_cursor,
    describe_values,
    encode_cursor,
    expanding,
)
from services.graphql.errors import client_error

NodeType = TypeVar("NodeType")

CursorReader = Callable[[str, str], tuple[Any, ...]]
"""A cursor's values from its text and the argument it was given as (``after``)."""


@dataclass(frozen=True)
class Paging:
    """A connection field's paging arguments, as given."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def request(self, cursor: CursorReader, order: Order | None = None) -> PageRequest:
        """The page asked for: ``first`` (20 if neither is given) or ``last``, each 1 to
        100 and not both, between the cursors read by ``cursor``."""
        if self.first is not None and self.last is not None:
            raise client_error("Give `first` or `last`, not both")
        if self.last is not None:
            size = self.last
            check_page_size(size, "last")
        else:
            size = DEFAULT_PAGE_SIZE if self.first is None else self.first
            check_page_size(size, "first")
        return PageRequest(
            size=size,
            after=None if self.after is None else cursor(self.after, "after"),
            before=None if self.before is None else cursor(self.before, "before"),
            from_end=self.last is not None,
            order=order,
        )


PAGING = arguments_of(("first", First), ("after", After), ("last", Last), ("before", Before))


def paged(func: Resolver) -> Resolver:
    """The resolver ``func(self, info, ..., paging)`` as a field taking ``first``,
    ``after``, ``last`` and ``before`` in place of ``paging``, their :class:`Paging`."""

    @expanding(func, "paging", PAGING)
    async def resolve(self: Any, info: FlywheelInfo, **given: Any) -> Any:
        paging = Paging(*(given.pop(argument.name, None) for argument in PAGING))
        return await func(self, info, paging=paging, **given)

    return resolve


@strawberry.enum(description="Which way a list is sorted.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


describe_values(
    OrderDirection,
    ASC="Ascending: A to Z, oldest first, smallest first.",
    DESC="Descending: Z to A, newest first, largest first.",
)

Parse = Callable[[str], Any]
TEXT: Parse = str
KEY: Parse = UUID
NUMBER: Parse = int
MOMENT: Parse = datetime.fromisoformat
DAY: Parse = date.fromisoformat


@dataclass(frozen=True)
class Sort:
    """An ordering of a list chosen by ``orderBy``: its columns and direction, how each
    of a cursor's values reads back (``parse``), and the ``tag`` that ends its cursors,
    so that a cursor made under another ordering is refused, not paged on wrongly."""

    order: Order
    parse: tuple[Parse, ...]
    tag: str

    def cursor(self, row: Any) -> str:
        return encode_cursor([*(row[column] for column in self.order.columns), self.tag])

    def read(self, cursor: str, argument: str) -> tuple[Any, ...]:
        *values, tag = decode_cursor(cursor, len(self.parse) + 1, argument)
        if tag != self.tag:
            raise client_error(
                f"`{argument}` is a cursor of another ordering than `{self.tag}`: "
                "page from the start again"
            )
        try:
            return tuple(parse(value) for parse, value in zip(self.parse, values, strict=True))
        except ValueError:
            raise client_error(f"`{argument}` is not a cursor from this API: {cursor!r}") from None


SortKeys = Sequence[tuple[str, Parse]]
"""A sortable field's columns and how their cursor values read back: it ends with a
unique column, so that ties are broken by it."""


def order_fields(
    name: str, description: str, **fields: tuple[str, SortKeys]
) -> tuple[Any, dict[Any, SortKeys]]:
    """What a list can be sorted by: the GraphQL enum ``name`` of ``fields``, each given
    as its description and its sort keys, and the sort keys of each member."""
    members = Enum(name, {field: field for field in fields})  # type: ignore[misc]
    strawberry.enum(members, description=description)
    describe_values(members, **{field: text for field, (text, _) in fields.items()})
    return members, {members[field]: keys for field, (_, keys) in fields.items()}


def order_input(name: str, fields: type[Enum], description: str) -> Any:
    """The ``orderBy`` input type ``name``: what to sort by, one of ``fields``, and
    which way."""
    annotations = {"field": fields, "direction": OrderDirection}
    return strawberry.input(
        type(
            name,
            (),
            {
                "__annotations__": annotations,
                "field": strawberry.field(description="What to sort by."),
                "direction": strawberry.field(
                    default=OrderDirection.ASC,
                    description="Ascending (the default) or descending.",
                ),
            },
        ),
        description=description,
    )


def sort_of(order_by: Any, sorts: dict[Any, SortKeys], default: Enum) -> Sort:
    """The ordering an ``orderBy`` input (``field``, ``direction``) names; ``default``
    ascending when it is not given."""
    field = default if order_by is None else order_by.field
    direction = OrderDirection.ASC if order_by is None else order_by.direction
    keys = sorts[field]
    return Sort(
        order=Order(
            tuple(column for column, _ in keys), descending=direction is OrderDirection.DESC
        ),
        parse=tuple(parse for _, parse in keys),
        tag=f"{field.name} {direction.name}",
    )


def cursor_of(row: Any, order: Sequence[str] | Sort) -> str:
    if isinstance(order, Sort):
        return order.cursor(row)
    return encode_cursor([row[column] for column in order])


def _edge_cursor(self: Edge[Any]) -> str:
    return cursor_of(self.row, self.order)


def _start_cursor(self: PageInfo) -> str | None:
    return cursor_of(self.rows[0], self.order) if self.rows else None


def _end_cursor(self: PageInfo) -> str | None:
    return cursor_of(self.rows[-1], self.order) if self.rows else None


@strawberry.type(description="Where a page stands in its list, and the cursors to page on.")
class PageInfo:
    """The cursors are made when asked for: most pages are read for their nodes alone."""

    has_next_page: bool = strawberry.field(
        description="More items follow this page: page on with `after: endCursor`. Exact "
        "when paging forwards (`first`); paging backwards, whether `before` was given."
    )
    has_previous_page: bool = strawberry.field(
        description="Items come before this page: page back with `last` and `before: "
        "startCursor`. Exact when paging backwards (`last`); paging forwards, whether `after` "
        "was given."
    )
    rows: strawberry.Private[list[Any]]
    order: strawberry.Private[Sequence[str] | Sort]
    start_cursor: str | None = strawberry.field(
        resolver=_start_cursor, description="The first item's cursor; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        resolver=_end_cursor, description="The last item's cursor; null for an empty page."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[NodeType]):
    row: strawberry.Private[Any]
    order: strawberry.Private[Sequence[str] | Sort]
    cursor: str = strawberry.field(
        resolver=_edge_cursor,
        description="The item's place in the list: give it as `after` or `before`.",
    )
    node: NodeType = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list.")
class Connection(Generic[NodeType]):
    total_count: int = strawberry.field(
        description="How many items the whole list has, on every page."
    )
    edges: Sequence[Edge[NodeType]] = strawberry.field(
        description="The page's items with their cursors."
    )
    page_info: PageInfo = strawberry.field(description="Cursors to page on and back.")

    @strawberry.field(description="The page's items, without cursors.")
    def nodes(self) -> list[NodeType]:
        return [edge.node for edge in self.edges]


ConnectionType = TypeVar("ConnectionType", bound=Connection[Any])


def connection(
    kind: type[ConnectionType],
    page: Page,
    node: Callable[[Any], Any],
    order: Sequence[str] | Sort,
    *,
    edge: type[Edge[Any]] = Edge,
) -> ConnectionType:
    """The page as a ``kind`` connection: each row made a node by ``node``, its cursor
    its ``order`` values."""
    rows = page.rows
    return kind(
        total_count=page.total,
        edges=[edge(row=row, order=order, node=node(row)) for row in rows],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            rows=rows,
            order=order,
        ),
    )
