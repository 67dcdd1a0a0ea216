"""``nodes(ids:)`` loads each type's ids through its DataLoader in one batch."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import asyncpg

from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.graphql.schema import build_schema
from services.ids import global_id
from services.org.rest import CharterTeam
from services.runtime import Runtime
from tests.graphql_answers import context_on
from tests.people import CEO

WAIT = 10.0
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Team { name } } }"


class CountingSession(ReadSession):
    """A read snapshot that counts the queries sent through it."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.queries = 0

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        self.queries += 1
        return await super().fetch(sql, *args)


async def test_nodes_of_one_type_are_one_query_in_the_order_asked(serving: Runtime) -> None:
    names = ["Atlas", "Borealis", "Cirrus", "Dune"]
    teams = [
        serving.org.charter_team(
            CommandContext(CEO, "c"),
            CharterTeam(name=name, mission="m", leader=f"{name.lower()}@example.com"),
        )
        for name in names
    ]
    assert await serving.watcher.wait_for(teams[-1].position, WAIT)
    ids = [global_id("Team", str(team.id)) for team in reversed(teams)]
    ids.insert(2, global_id("Team", str(uuid4())))  # unknown: null in its place
    ids.append(global_id("Person", "atlas@example.com"))
    ids.append(global_id("Nothing", "x"))  # no such type: null too
    assert serving.read_pool is not None
    async with CountingSession(serving.read_pool) as session:
        before = session.queries
        answer = await build_schema().execute(
            NODES,
            variable_values={"ids": ids},
            context_value=context_on(serving, session),
        )
        queries = session.queries - before
    assert answer.errors is None
    assert answer.data == {
        "nodes": [
            {"__typename": "Team", "name": "Dune"},
            {"__typename": "Team", "name": "Cirrus"},
            None,
            {"__typename": "Team", "name": "Borealis"},
            {"__typename": "Team", "name": "Atlas"},
            {"__typename": "Person"},
            None,
        ]
    }
    assert queries == 2  # the teams, the people: not one per id
