"""Partial answers (issue 20, item 3): a field refused or failing for a client reason
nulls itself, not the whole answer, because such fields are nullable (as GitHub's)."""

from __future__ import annotations

from typing import Any

from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.graphql.schema import build_schema
from services.org.rest import CharterTeam
from services.principal import Principal
from services.runtime import Runtime
from services.settings import GraphQLExecutor
from tests.graphql_answers import context_on
from tests.people import CEO, principal

WAIT = 10.0
MEMBER = principal("member@example.com")


async def _run(serving: Runtime, query: str, caller: Principal, executor: GraphQLExecutor) -> Any:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        return await build_schema(executor=executor).execute(
            query,
            context_value=context_on(serving, session, caller),
        )


async def test_a_refused_or_failing_field_leaves_the_rest_of_the_answer(serving: Runtime) -> None:
    team = serving.org.charter_team(
        CommandContext(CEO, "c1"), CharterTeam(name="Atlas", mission="m", leader="al@example.com")
    )
    assert await serving.watcher.wait_for(team.position, WAIT)
    for executor in GraphQLExecutor:
        # history is for auditors and leadership: refused to a member, beside teams.
        refused = await _run(
            serving,
            "{ teams { nodes { name history { totalCount } } } allTeams: teams { totalCount } }",
            MEMBER,
            executor,
        )
        assert refused.data == {
            "teams": {"nodes": [{"name": "Atlas", "history": None}]},
            "allTeams": {"totalCount": 1},
        }
        assert [e.extensions["code"] for e in refused.errors] == ["FORBIDDEN"]
        assert refused.errors[0].path == ["teams", "nodes", 0, "history"]

        # A nested page size out of range fails that connection only.
        too_many = await _run(
            serving,
            "{ teams { nodes { name metrics(first: 101) { totalCount } } } "
            "orgTree { team { name } } }",
            CEO,
            executor,
        )
        assert too_many.data == {
            "teams": {"nodes": [{"name": "Atlas", "metrics": None}]},
            "orgTree": [{"team": {"name": "Atlas"}}],
        }
        assert [e.extensions["code"] for e in too_many.errors] == ["BAD_USER_INPUT"]

        # A failing root field keeps its siblings.
        root = await _run(
            serving, "{ teams(first: 0) { totalCount } orgTree { depth } }", CEO, executor
        )
        assert root.data == {"teams": None, "orgTree": [{"depth": 0}]}
        assert [e.extensions["code"] for e in root.errors] == ["BAD_USER_INPUT"]
