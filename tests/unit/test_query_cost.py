"""The cost of a GraphQL query, computed from the query alone before it runs."""

from __future__ import annotations

from graphql import parse

from services.graphql.cost import ASSUMED_LIST_SIZE, MAX_COST, query_cost
from services.graphql.schema import build_schema

SCHEMA = build_schema()._schema


def cost(query: str, **variables: object) -> int:
    return query_cost(SCHEMA, parse(query), None, variables)


def test_scalars_are_free_and_objects_cost_one() -> None:
    assert cost('{ team(id: "x") { name mission } }') == 1
    assert cost('{ team(id: "x") { name parent { name } } }') == 2


def test_a_connection_multiplies_by_its_page_size() -> None:
    assert cost("{ teams(first: 50) { totalCount nodes { name } } }") == 1 + 50 * 1
    assert cost("{ teams { nodes { name } } }") == 1 + 20 * 1, "the default page size counts"
    assert cost("query($n: Int!) { teams(first: $n) { nodes { name } } }", n=5) == 1 + 5 * 1


def test_a_backward_page_multiplies_by_last() -> None:
    assert cost("{ teams(last: 50) { nodes { name } } }") == 1 + 50 * 1
    assert cost("query($n: Int) { teams(last: $n) { nodes { name } } }", n=7) == 1 + 7 * 1
    assert cost("query($n: Int) { teams(last: $n) { nodes { name } } }", n=None) == 1 + 20 * 1
    # both given is refused when it runs; until then it costs the larger
    assert cost("{ teams(first: 3, last: 60) { nodes { name } } }") == 1 + 60 * 1


def test_plain_lists_multiply_by_an_assumed_size() -> None:
    members = ASSUMED_LIST_SIZE * 1
    assert cost('{ team(id: "x") { members { person { handle } } } }') == 1 + 1 + members
    assert cost("{ teams(first: 50) { nodes { members { person { handle } } } } }") == 1 + 50 * (
        1 + 1 + members
    )


def test_fragments_count_like_fields() -> None:
    plain = cost('{ node(id: "x") { ... on Team { parent { name } } } }')
    spread = cost('query { node(id: "x") { ...T } } fragment T on Team { parent { name } }')
    assert plain == spread == 2


def test_wide_nested_pages_exceed_the_limit() -> None:
    query = (
        "{ teams(first: 100) { nodes { children { members { person { memberships { team {"
        " members { person { handle } } } } } } } } } }"
    )
    assert cost(query) > MAX_COST
