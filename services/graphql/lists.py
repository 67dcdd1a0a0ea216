"""List fields written once: the roots (``teams``, ``services``, ``apis``, ``goals``...)
and a node's own pages (``AllocationCycle.requests``, ``Goal.checkIns``...).

A root (:func:`list_field`) takes a page (``first``/``after``/``last``/``before``), a
``filter`` and an ``orderBy`` of its own and the position to read at (``asOf``/
``atPosition``), and reads in one order: the ordering, the page request (its cursors
read under that ordering), the position, the filter, the page. An area says only what
differs: the connection, how a row becomes a node, the page query, its filter
(:class:`ListFilter`) and orderings (:class:`ListOrder`); ``OrgQuery.teams`` shows how.

A node's page (:func:`nested_list_field`) takes only the page's arguments and reads it
through a DataLoader, for many nodes at once, as of the node's own position.

The resolvers' GraphQL arguments are their ``__signature__`` (see
:func:`~services.graphql.common.arguments_of`), in the order every such field has them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional
from uuid import UUID

import strawberry

from projections.paging import Page, PageRequest
from services.graphql.common import (
    TIME_TRAVEL,
    FlywheelInfo,
    arguments_of,
    context,
    resolve_at,
)
from services.graphql.connections import (
    PAGING,
    Connection,
    CursorReader,
    Edge,
    Paging,
    Sort,
    SortKeys,
    connection,
    sort_of,
)

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader

PageReader = Callable[[Any, int | None, Any, PageRequest], Awaitable[Page]]
"""A page query of the views: ``(views, at, where, request)``, ``where`` the filter."""

NodeMaker = Callable[[Any, int | None], Any]
"""A node of a row read at a position: ``Team.from_row``."""


RESOLVER = [
    inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
    inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=FlywheelInfo),
]
"""Every resolver's own parameters: its object and the request's info."""


@dataclass(frozen=True)
class ListFilter:
    """A list's ``filter`` argument: its input type and description, and how the input
    given (None when it is not) becomes the page query's filter: ``read`` of the input
    alone or, where that takes the caller and the position read at, ``lookup``."""

    input: Any
    description: str
    read: Callable[[Any], Any] | None = None
    lookup: Callable[[FlywheelInfo, int | None, Any], Awaitable[Any]] | None = None

    def __post_init__(self) -> None:
        if (self.read is None) == (self.lookup is None):
            raise TypeError("A ListFilter reads its input with `read` or with `lookup`")

    async def where(self, info: FlywheelInfo, at: int | None, given: Any) -> Any:
        if self.lookup is not None:
            return await self.lookup(info, at, given)
        assert self.read is not None
        return self.read(given)


@dataclass(frozen=True)
class ListOrder:
    """A list's ``orderBy`` argument: its input type, the sort of each field, the field
    sorted by (ascending) when none is given, and the argument's description."""

    input: Any
    sorts: dict[Any, SortKeys]
    default: Enum
    description: str


def list_field(
    kind: type[Connection[Any]],
    node: NodeMaker,
    page: PageReader,
    *,
    description: str,
    filter: ListFilter | None = None,
    order: ListOrder | Sort,
) -> Any:
    """A root field listing ``kind``'s nodes a page at a time, as of ``asOf`` or
    ``atPosition``: ``filter`` and ``orderBy`` as given (none when ``filter`` is None,
    nor when ``order`` is one fixed :class:`Sort`)."""
    filtering = filter  # the resolver's own `filter` is the argument given

    async def resolve(
        self: Any,
        info: FlywheelInfo,
        *,
        filter: Any = None,
        order_by: Any = None,
        as_of: Any = None,
        at_position: Any = None,
        **paging: Any,
    ) -> Any:
        sort = order if isinstance(order, Sort) else sort_of(order_by, order.sorts, order.default)
        request = Paging(**paging).request(sort.read, sort.order)
        at = await resolve_at(info, as_of, at_position)
        where = None if filtering is None else await filtering.where(info, at, filter)
        found = await page(context(info).views, at, where, request)
        return connection(kind, found, lambda row: node(row, at), sort)

    chosen = []
    if filtering is not None:
        chosen.append(("filter", _argument(filtering.input, filtering.description)))
    if isinstance(order, ListOrder):
        chosen.append(("order_by", _argument(order.input, order.description)))
    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*RESOLVER, *PAGING, *arguments_of(*chosen), *TIME_TRAVEL],
        return_annotation=Optional[kind],  # noqa: UP045 - evaluated at run time
    )
    return strawberry.field(resolver=resolve, description=description)


def nested_list_field(
    kind: type[Connection[Any]],
    node: NodeMaker,
    loader: Callable[[Loaders], ViewLoader[Any, Page]],
    *,
    description: str,
    order: Sequence[str] | Sort,
    cursor: CursorReader,
    edge: type[Edge[Any]] = Edge,
) -> Any:
    """A node's field listing ``kind``'s nodes a page at a time: the page its ``loader``
    reads for the key ``(node's id, request)`` as of the node's ``at``, ordered by
    ``order``, whose cursors ``cursor`` reads."""

    async def resolve(self: Any, info: FlywheelInfo, **paging: Any) -> Any:
        at = self.at
        request = Paging(**paging).request(cursor)
        found = await loader(context(info).load).load((UUID(self.key), request), at)
        return connection(kind, found, lambda row: node(row, at), order, edge=edge)

    resolve.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*RESOLVER, *PAGING],
        return_annotation=Optional[kind],  # noqa: UP045 - evaluated at run time
    )
    return strawberry.field(resolver=resolve, description=description)


def _argument(input: Any, description: str) -> Any:
    return Annotated[
        Optional[input],  # noqa: UP045 - evaluated at run time
        strawberry.argument(description=description),
    ]
