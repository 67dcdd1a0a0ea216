"""Cursor connections: one generic ``Connection`` and ``Edge``, and one way to make a page.

``Connection[Team]`` is the schema's ``TeamConnection`` of ``TeamEdge``s: each area
subclasses it once per node type, for the connection's name and description, and
names an edge type of its own only where the node's name is not the edge's
(``HistoryEdge`` of ``HistoryEntry``) or the edge says more (``ConsumerEdge.since``).

A cursor is a row's values of the columns its page is ordered by (``order``), as
``encode_cursor`` writes them; an edge makes its cursor only when asked for it, as
most pages ask for ``nodes`` alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import strawberry

from projections.paging import Page
from services.graphql.common import encode_cursor

NodeType = TypeVar("NodeType")


def cursor_of(row: Any, order: Sequence[str]) -> str:
    return encode_cursor([row[column] for column in order])


def _edge_cursor(self: Edge[Any]) -> str:
    return cursor_of(self.row, self.order)


@strawberry.type(description="Where a page stands in its list, and the cursors to page on.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="More items follow this page: page on with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Items come before this page: page back with `before: startCursor`."
    )
    start_cursor: str | None = strawberry.field(
        description="The first item's cursor; null for an empty page."
    )
    end_cursor: str | None = strawberry.field(
        description="The last item's cursor; null for an empty page."
    )


@strawberry.type(description="One item of a page, with its cursor.")
class Edge(Generic[NodeType]):
    row: strawberry.Private[Any]
    order: strawberry.Private[Sequence[str]]
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
    order: Sequence[str],
    *,
    after: str | None,
    edge: type[Edge[Any]] = Edge,
) -> ConnectionType:
    """The page as a ``kind`` connection: each row made a node by ``node``, its cursor
    its ``order`` values; an earlier page exists when a cursor was given."""
    rows = page.rows
    return kind(
        total_count=page.total,
        edges=[edge(row=row, order=order, node=node(row)) for row in rows],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=bool(after),
            start_cursor=cursor_of(rows[0], order) if rows else None,
            end_cursor=cursor_of(rows[-1], order) if rows else None,
        ),
    )
