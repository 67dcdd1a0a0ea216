"""Paging both ways (issue 20, item 2): every connection of the schema, read from the
demo company over real PostgreSQL, pages backwards (``last``/``before``) from its end
to the very items, in the very order, it pages forwards (``first``/``after``).

The connection fields are found in the schema, not listed here: a connection added
later is walked too, and one on a type the company offers no object of fails the test
until the walk is taught where to find one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import strawberry
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type

from domain.people.values import Function
from projections.reading import ReadSession
from services.allocation.rest import RecordDissent, SaveScenario, ScenarioLine
from services.api.commands import CommandContext
from services.graphql.context import FlywheelContext
from services.graphql.loaders import Loaders
from services.graphql.schema import build_schema
from services.principal import Role
from services.runtime import Runtime
from services.seed import Seeded, seed_demo
from services.settings import load_settings
from tests.conftest import fresh_database
from tests.people import CEO, principal

WAIT = 30.0
AUDITING_LEADER = principal("ceo@example.com", Role.LEADERSHIP, Role.AUDITOR)
PAGE_SIZES = (1, 3)
ENG = Function.ENGINEERING

# Where the company's objects are: every type with a connection field, by id.
OBJECTS = """
{
  teams(first: 100) {
    nodes {
      id
      members { person { id } }
      roadmap { id }
      requisitions { id loops { id } }
    }
  }
  services(first: 100) { nodes { id } }
  apis(first: 100) { nodes { id } }
  metrics(first: 100) { nodes { id } }
  goals(first: 100) { nodes { id } }
  allocationCycles(first: 100) { nodes { id dissents(first: 100) { nodes { id } } } }
  prfaqs(first: 100) { nodes { id dissents { id } } }
  standards { id }
  secondJobs { id }
}
"""
# What a root connection needs to list anything: stale goals as of a far future.
ROOT_ARGUMENTS = {"staleGoals": 'weeks: 1, asOf: "2100-01-01T00:00:00Z"'}


@dataclass
class Company:
    runtime: Runtime
    schema: strawberry.Schema
    url: str
    ids: dict[str, list[str]] = field(default_factory=dict)

    async def ask(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        assert self.runtime.read_pool is not None
        async with ReadSession(self.runtime.read_pool) as session:
            context = FlywheelContext(
                runtime=self.runtime,
                principal=AUDITING_LEADER,
                session=session,
                loaders=Loaders(session),
                position=session.position,
            )
            result = await self.schema.execute(
                query, variable_values=variables, context_value=context
            )
        assert not result.errors, result.errors
        assert result.data is not None
        return result.data

    async def errors(self, query: str, variables: dict[str, Any] | None = None) -> list[Any]:
        """The codes of the errors ``query`` is answered with."""
        assert self.runtime.read_pool is not None
        async with ReadSession(self.runtime.read_pool) as session:
            context = FlywheelContext(
                runtime=self.runtime,
                principal=AUDITING_LEADER,
                session=session,
                loaders=Loaders(session),
                position=session.position,
            )
            result = await self.schema.execute(
                query, variable_values=variables, context_value=context
            )
        return [(error.extensions or {}).get("code") for error in result.errors or ()]


def _ids(value: Any, found: dict[str, list[str]], type_name: str | None = None) -> None:
    """Every ``id`` in an answer, by the type the field holding it returns."""
    if isinstance(value, list):
        for item in value:
            _ids(item, found, type_name)
    elif isinstance(value, dict):
        if "id" in value and type_name is not None:
            found.setdefault(type_name, []).append(value["id"])
        for key, inner in value.items():
            if key == "dissents":
                _ids(inner, found, "PrFaqDissent" if type_name == "PrFaq" else "Dissent")
            elif key != "id":
                _ids(inner, found, _TYPE_OF.get(key, type_name))


_TYPE_OF = {
    "teams": "Team",
    "person": "Person",
    "roadmap": "RoadmapItem",
    "requisitions": "Requisition",
    "loops": "InterviewLoop",
    "services": "Service",
    "apis": "Api",
    "metrics": "Metric",
    "goals": "Goal",
    "allocationCycles": "AllocationCycle",
    "prfaqs": "PrFaq",
    "standards": "Standard",
    "secondJobs": "SecondJob",
}


def more_of_the_cycle(runtime: Runtime, seeded: Seeded) -> None:
    """Dissents and scenarios beyond the demo's one dissent, so that those pages are many."""
    assert seeded.cycle is not None
    team = next(iter(seeded.teams.values()))
    for number in range(4):
        dissenter = principal(f"dissenter{number}@example.com", Role.MEMBER)
        runtime.allocation.record_dissent(
            CommandContext(dissenter, "paging"),
            seeded.cycle,
            RecordDissent(argument=f"Argument {number}"),
        )
        runtime.allocation.save_scenario(
            CommandContext(CEO, "paging"),
            seeded.cycle,
            SaveScenario(
                name=f"Scenario {number}",
                allocations=[ScenarioLine(team_id=team, headcount={ENG: number + 1}, budget=1)],
            ),
        )


@pytest.fixture(scope="module")
async def company(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Company]:
    with fresh_database(postgres_server) as url:
        data_dir: Path = tmp_path_factory.mktemp("paging")
        runtime = Runtime.open(
            load_settings(
                {
                    "DATABASE_URL": url,
                    "FLYWHEEL_DATA_DIR": str(data_dir),
                    "FLYWHEEL_POOL_SIZE": "2",
                    "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0",
                }
            )
        )
        try:
            more_of_the_cycle(runtime, seed_demo(runtime))
            head = runtime.app.recorder.max_notification_id() or 0
            await runtime.start()
            assert await runtime.watcher.wait_for(head, WAIT)
            found = Company(runtime, build_schema(), url)
            answer = await found.ask(OBJECTS)
            _ids(answer, found.ids)
            yield found
        finally:
            await runtime.stop()
            runtime.close()


def connection_fields(schema: GraphQLSchema) -> list[tuple[str, str]]:
    """Every ``(type, field)`` of the schema that returns a connection (on object types:
    an interface's field is walked on each type implementing it)."""
    found = []
    for name, graphql_type in sorted(schema.type_map.items()):
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType):
            continue
        for field_name, graphql_field in graphql_type.fields.items():
            named = get_named_type(graphql_field.type)
            if isinstance(named, GraphQLObjectType) and "pageInfo" in named.fields:
                found.append((name, field_name))
    return found


SCHEMA = build_schema()._schema
CONNECTIONS = connection_fields(SCHEMA)

SELECTION = (
    "totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
)


@dataclass
class Walk:
    """How to ask for one connection field of one object (or of the root)."""

    company: Company
    type_name: str
    field_name: str
    parent: str | None
    size: int
    extra: str = ""

    def query(self, arguments: str) -> str:
        extra = ROOT_ARGUMENTS.get(self.field_name, "") if self.parent is None else ""
        given = ", ".join(a for a in (arguments, extra, self.extra) if a)
        inner = f"{self.field_name}({given}) {{ {SELECTION} }}"
        if self.parent is None:
            return f"query Page($cursor: String) {{ c: {inner} }}"
        return (
            "query Page($cursor: String, $id: ID!) "
            f"{{ node(id: $id) {{ ... on {self.type_name} {{ c: {inner} }} }} }}"
        )

    async def page(self, arguments: str, cursor: str | None) -> dict[str, Any]:
        variables: dict[str, Any] = {"cursor": cursor}
        if self.parent is not None:
            variables["id"] = self.parent
        answer = await self.company.ask(self.query(arguments), variables)
        found = answer["c"] if self.parent is None else answer["node"]["c"]
        assert found is not None, f"{self.type_name}.{self.field_name} answered null"
        return found  # type: ignore[no-any-return]

    async def forwards(self) -> tuple[list[str], int]:
        cursors: list[str] = []
        cursor = None
        for _ in range(200):
            found = await self.page(f"first: {self.size}, after: $cursor", cursor)
            edges = [edge["cursor"] for edge in found["edges"]]
            info = found["pageInfo"]
            assert len(edges) <= self.size
            assert info["hasPreviousPage"] is (cursor is not None)
            cursors += edges
            if not info["hasNextPage"]:
                return cursors, found["totalCount"]
            assert info["endCursor"] == edges[-1]
            cursor = info["endCursor"]
        raise AssertionError("paging forwards did not end")

    async def backwards(self) -> list[str]:
        cursors: list[str] = []
        cursor = None
        for _ in range(200):
            found = await self.page(f"last: {self.size}, before: $cursor", cursor)
            edges = [edge["cursor"] for edge in found["edges"]]
            info = found["pageInfo"]
            assert len(edges) <= self.size
            assert info["hasNextPage"] is (cursor is not None)
            cursors = edges + cursors
            if not info["hasPreviousPage"]:
                return cursors
            assert info["startCursor"] == edges[0]
            cursor = info["startCursor"]
        raise AssertionError("paging backwards did not end")


async def _fullest_parent(company: Company, type_name: str, field_name: str) -> str | None:
    """The object of ``type_name`` whose ``field_name`` lists the most items."""
    if type_name == "Query":
        return None
    ids = company.ids.get(type_name, [])
    assert ids, f"the company offers no {type_name} to walk {type_name}.{field_name} on"
    counted = f"... on {type_name} {{ {field_name} {{ totalCount }} }}"
    aliases = " ".join(
        f"o{i}: node(id: {_quoted(id_)}) {{ {counted} }}" for i, id_ in enumerate(ids)
    )
    answer = await company.ask(f"{{ {aliases} }}")
    counts = {
        ids[i]: (answer[f"o{i}"][field_name] or {"totalCount": -1})["totalCount"]
        for i in range(len(ids))
    }
    return max(counts, key=lambda id_: counts[id_])


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '\\"') + '"'


def test_the_schema_has_the_connections_the_issue_counts() -> None:
    assert len(CONNECTIONS) >= 37
    assert ("Query", "teams") in CONNECTIONS and ("Goal", "checkIns") in CONNECTIONS


async def test_every_connection_pages_backwards_to_the_items_it_pages_forwards(
    company: Company,
) -> None:
    walked: dict[str, int] = {}
    for type_name, field_name in CONNECTIONS:
        parent = await _fullest_parent(company, type_name, field_name)
        for size in PAGE_SIZES:
            walk = Walk(company, type_name, field_name, parent, size)
            forwards, total = await walk.forwards()
            backwards = await walk.backwards()
            where = f"{type_name}.{field_name} by {size}"
            assert len(forwards) == total, where
            assert len(set(forwards)) == total, where
            assert backwards == forwards, where
            walked[f"{type_name}.{field_name}"] = total
    # the walk was worth it: nearly every connection had several pages each way
    assert sum(total > 1 for total in walked.values()) >= 30, walked


# orderBy: each sortable root, each field, with the values it sorts by (GraphQL field,
# SQL type); PostgreSQL itself sorts the values read, then the key, to say what the
# answer's order must be.
SORTED = [
    ("teams", "NAME", [("name", "text")]),
    ("teams", "CHARTERED_AT", [("charteredAt", "timestamptz")]),
    ("teams", "STATUS", [("status", "text"), ("name", "text")]),
    ("services", "NAME", [("name", "text")]),
    ("services", "REGISTERED_AT", [("registeredAt", "timestamptz")]),
    ("services", "STATUS", [("status", "text"), ("name", "text")]),
    ("apis", "NAME", [("name", "text"), ("apiVersion", "text")]),
    ("apis", "PUBLISHED_AT", [("publishedAt", "timestamptz")]),
    ("apis", "STATUS", [("status", "text"), ("name", "text"), ("apiVersion", "text")]),
    ("metrics", "NAME", [("name", "text")]),
    ("metrics", "KIND", [("kind", "text"), ("name", "text")]),
    ("metrics", "DEFINED_AT", [("definedAt", "timestamptz")]),
    ("goals", "DUE_DATE", [("dueDate", "date")]),
    ("prfaqs", "TITLE", [("title", "text")]),
    ("prfaqs", "DRAFTED_AT", [("draftedAt", "timestamptz")]),
    ("prfaqs", "REVISED_AT", [("revisedAt", "timestamptz")]),
    ("prfaqs", "STATE", [("state", "text"), ("title", "text")]),
]
DEFAULT_ORDER = {
    "teams": "NAME",
    "services": "NAME",
    "apis": "NAME",
    "metrics": "NAME",
    "goals": "SET_AT",
    "prfaqs": "TITLE",
}


async def _sorted_by_postgres(
    company: Company, nodes: list[dict[str, Any]], columns: list[tuple[str, str]], descending: bool
) -> list[str]:
    """The nodes' keys as PostgreSQL orders their values, then their keys."""
    direction = " DESC" if descending else ""
    arrays = [[node[name] for node in nodes] for name, _ in columns]
    unnested = ", ".join(f"${i + 1}::text[]" for i in range(len(columns) + 1))
    names = ", ".join(f"v{i}" for i in range(len(columns)))
    ordering = ", ".join(
        [f"v{i}::{sql_type}{direction}" for i, (_, sql_type) in enumerate(columns)]
        + [f"k::uuid{direction}"]
    )
    connection = await asyncpg.connect(company.url)
    try:
        rows = await connection.fetch(
            f"SELECT k FROM unnest({unnested}) AS t({names}, k) ORDER BY {ordering}",
            *arrays,
            [node["uuid"] for node in nodes],
        )
    finally:
        await connection.close()
    return [row["k"] for row in rows]


@pytest.mark.parametrize(("root", "order_field", "columns"), SORTED)
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_order_by_sorts_each_root_both_ways_with_ties_broken_by_the_key(
    company: Company, root: str, order_field: str, columns: list[tuple[str, str]], direction: str
) -> None:
    order_by = f"orderBy: {{field: {order_field}, direction: {direction}}}"
    values = " ".join(name for name, _ in columns)
    answer = await company.ask(
        f"{{ {root}(first: 100, {order_by}) {{ nodes {{ uuid {values} }} }} }}"
    )
    nodes = answer[root]["nodes"]
    assert len(nodes) >= 2

    expected = await _sorted_by_postgres(company, nodes, columns, direction == "DESC")

    assert [node["uuid"] for node in nodes] == expected
    for size in PAGE_SIZES:
        walk = Walk(company, "Query", root, None, size, extra=order_by)
        forwards, total = await walk.forwards()
        assert await walk.backwards() == forwards
        assert total == len(nodes)


@pytest.mark.parametrize("order_field", ["SET_AT", "PLAN_YEAR"])
async def test_goals_sort_by_when_set_and_plan_year_descending_is_ascending_reversed(
    company: Company, order_field: str
) -> None:
    """Goals set in one moment tie on ``setAt``: the order they were set in breaks it."""
    pages = {}
    for direction in ("ASC", "DESC"):
        order_by = f"orderBy: {{field: {order_field}, direction: {direction}}}"
        answer = await company.ask(
            f"{{ goals(first: 100, {order_by}) {{ nodes {{ uuid setAt planYear }} }} }}"
        )
        pages[direction] = answer["goals"]["nodes"]
    value = "setAt" if order_field == "SET_AT" else "planYear"
    ascending = [node[value] for node in pages["ASC"]]
    assert ascending == sorted(ascending)
    assert pages["DESC"] == pages["ASC"][::-1]


@pytest.mark.parametrize("root", sorted(DEFAULT_ORDER))
async def test_a_cursor_made_under_another_ordering_is_refused(company: Company, root: str) -> None:
    other = next(field for r, field, _ in SORTED if r == root and field != DEFAULT_ORDER[root])
    ascending = f"orderBy: {{field: {other}, direction: ASC}}"
    answer = await company.ask(
        f"{{ {root}(first: 1, {ascending}) {{ pageInfo {{ endCursor }} }} }}"
    )
    cursor = answer[root]["pageInfo"]["endCursor"]
    descending = f"orderBy: {{field: {other}, direction: DESC}}"
    plain = await company.ask(f"{{ {root}(first: 1) {{ pageInfo {{ endCursor }} }} }}")
    default_cursor = plain[root]["pageInfo"]["endCursor"]

    refused = [
        (cursor, "after", descending),
        (cursor, "before", descending),
        (cursor, "after", ""),
        (default_cursor, "after", ascending),
        (default_cursor, "before", descending),
    ]
    for given, argument, order_by in refused:
        query = (
            f"query($c: String) {{ {root}(first: 1, {argument}: $c, {order_by}) {{ totalCount }} }}"
        )
        assert await company.errors(query, {"c": given}) == ["BAD_USER_INPUT"], (argument, order_by)
    # ... and taken under its own ordering
    query = f"query($c: String) {{ {root}(first: 1, after: $c, {ascending}) {{ totalCount }} }}"
    assert await company.errors(query, {"c": cursor}) == []


@pytest.mark.parametrize(
    "arguments",
    ["first: 1, last: 1", "last: 0", "last: 101", "first: 0", 'last: 1, before: "garbage"'],
)
@pytest.mark.parametrize(
    "field", ["teams({})", "prfaqs({})", 'team(id: "{team}") {{ services({}) {{ totalCount }} }}']
)
async def test_paging_arguments_out_of_bounds_are_bad_user_input(
    company: Company, arguments: str, field: str
) -> None:
    team = company.ids["Team"][0]
    selection = field.format(arguments, team=team)
    if "team(" not in field:
        selection += " { totalCount }"
    assert await company.errors(f"{{ {selection} }}") == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("root", ["teams", "services", "goals"])
async def test_a_page_with_no_rows_still_counts_the_whole_list(company: Company, root: str) -> None:
    """A root page's rows carry the list's total; a page with none asks for it apart."""
    whole = await company.ask(f"{{ {root}(first: 100) {{ totalCount pageInfo {{ endCursor }} }} }}")
    total = whole[root]["totalCount"]
    last = await company.ask(f"{{ {root}(last: 1) {{ totalCount pageInfo {{ endCursor }} }} }}")
    beyond = await company.ask(
        f"query($c: String) {{ {root}(first: 5, after: $c) {{ totalCount nodes {{ id }} }} }}",
        {"c": last[root]["pageInfo"]["endCursor"]},
    )

    assert total > 1
    assert beyond[root] == {"totalCount": total, "nodes": []}
    assert whole[root]["pageInfo"]["endCursor"] is not None
