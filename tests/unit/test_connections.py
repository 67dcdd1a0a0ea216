"""The generic connection: one way from a page of rows to a GraphQL connection."""

from __future__ import annotations

from typing import Any

import pytest
import strawberry
from graphql import GraphQLObjectType

from projections.paging import EMPTY_PAGE, Page
from services.graphql.common import FlywheelInfo, decode_cursor
from services.graphql.connections import Connection, Edge, Paging, connection, cursor_of, paged
from services.graphql.executor.plans import plan_of
from services.graphql.schema import build_schema

SCHEMA = build_schema()._schema


@strawberry.type
class Thing:
    name: str


@strawberry.type
class ThingConnection(Connection[Thing]):
    pass


def thing(row: Any) -> Thing:
    return Thing(name=row["name"])


ROWS: list[Any] = [{"name": "a", "id": 1}, {"name": "b", "id": 2}, {"name": "c", "id": 3}]


def test_a_page_becomes_edges_in_order_with_its_total_and_next_page() -> None:
    page = Page(rows=ROWS, total=7, has_next=True)

    found = connection(ThingConnection, page, thing, ("name", "id"))

    assert isinstance(found, ThingConnection)
    assert found.total_count == 7
    assert [edge.node.name for edge in found.edges] == ["a", "b", "c"]
    assert [node.name for node in found.nodes()] == ["a", "b", "c"]  # type: ignore[operator]
    assert found.page_info.has_next_page is True
    assert found.page_info.has_previous_page is False


def test_the_cursors_are_the_rows_ordering_values_and_page_info_ends_with_them() -> None:
    page = Page(ROWS, 3, has_next=False, has_previous=True)
    found = connection(ThingConnection, page, thing, ("name", "id"))

    assert [decode_cursor(edge.cursor(), 2) for edge in found.edges] == [  # type: ignore[operator]
        ["a", "1"],
        ["b", "2"],
        ["c", "3"],
    ]
    # Made when asked for, like an edge's cursor.
    assert found.page_info.start_cursor() == cursor_of(ROWS[0], ("name", "id"))  # type: ignore[operator]
    assert found.page_info.end_cursor() == cursor_of(ROWS[-1], ("name", "id"))  # type: ignore[operator]
    assert found.page_info.has_next_page is False
    assert found.page_info.has_previous_page is True


def test_an_empty_page_has_no_cursors() -> None:
    found = connection(ThingConnection, EMPTY_PAGE, thing, ("name",))

    assert found.edges == []
    assert found.total_count == 0
    assert found.page_info.start_cursor() is None  # type: ignore[operator]
    assert found.page_info.end_cursor() is None  # type: ignore[operator]


def _types_named(suffix: str) -> list[GraphQLObjectType]:
    return [
        graphql_type
        for name, graphql_type in SCHEMA.type_map.items()
        if name.endswith(suffix) and isinstance(graphql_type, GraphQLObjectType)
    ]


@pytest.mark.parametrize(("suffix", "generic"), [("Connection", Connection), ("Edge", Edge)])
def test_every_connection_and_edge_of_the_schema_is_the_generic_one(
    suffix: str, generic: type
) -> None:
    found = _types_named(suffix)

    assert len(found) >= 17
    for graphql_type in found:
        definition: Any = graphql_type.extensions["strawberry-definition"]
        origin = definition.concrete_of.origin if definition.concrete_of else definition.origin
        assert issubclass(origin, generic), graphql_type.name


def test_every_field_of_a_connection_takes_the_executors_direct_path() -> None:
    """The generic types keep the fast path: each field is a plain getter."""
    for graphql_type in [
        *_types_named("Connection"),
        *_types_named("Edge"),
        SCHEMA.type_map["PageInfo"],
    ]:
        assert isinstance(graphql_type, GraphQLObjectType)
        for name, field in graphql_type.fields.items():
            assert plan_of(graphql_type, field) is not None, f"{graphql_type.name}.{name}"


@strawberry.type
class Shelf:
    @strawberry.field
    @paged
    async def things(
        self,
        info: FlywheelInfo,
        size: int | None = None,
        *,
        paging: Paging,
        label: str | None = None,
    ) -> str:
        return f"{size} {paging} {label}"


def test_paged_takes_the_paging_arguments_in_place_of_paging() -> None:
    shelf = strawberry.Schema(query=Shelf)._schema.query_type

    assert shelf is not None
    arguments = shelf.fields["things"].args
    assert list(arguments) == ["size", "first", "after", "last", "before", "label"]
    assert (
        arguments["first"].description
        == SCHEMA.query_type.fields["teams"].args["first"].description
    )


async def test_paged_gives_the_resolver_the_paging_as_given() -> None:
    answer = await strawberry.Schema(query=Shelf).execute(
        '{ things(size: 2, last: 5, before: "x", label: "l") }'
    )

    assert answer.errors is None
    assert answer.data == {
        "things": "2 Paging(first=None, after=None, last=5, before='x') l",
    }


def test_paged_refuses_a_resolver_without_paging() -> None:
    async def things(self: Any, info: FlywheelInfo) -> str:
        return ""

    with pytest.raises(TypeError, match="paging"):
        paged(things)
