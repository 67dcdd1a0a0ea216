"""Bounded, indexed name searches (issue 20, item 8): a filter string has a length
limit, and the names ``nameContains`` searches have a trigram index (pg_trgm, where the
server has it) over the current versions, which ``ILIKE '%text%'`` can use once a
table is large enough for the planner to prefer it."""

from __future__ import annotations

from typing import Any

import pytest

from projections.reading import ReadSession
from projections.views import LIVE_SCHEMA
from services.api.commands import CommandContext
from services.graphql.common import MAX_SEARCH_LENGTH
from services.graphql.schema import build_schema
from services.org.rest import CharterTeam
from services.runtime import Runtime
from tests.graphql_answers import context_on
from tests.people import CEO

WAIT = 10.0
SEARCHES = {
    "teams": "teams(filter: {nameContains: $text}) { nodes { name } }",
    "services": "services(filter: {nameContains: $text}) { nodes { name } }",
    "apis": "apis(filter: {nameContains: $text}) { nodes { name } }",
    "metrics": "metrics(filter: {nameContains: $text}) { nodes { name } }",
}


async def _search(serving: Runtime, field: str, text: str) -> Any:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        return await build_schema().execute(
            f"query($text: String) {{ {SEARCHES[field]} }}",
            variable_values={"text": text},
            context_value=context_on(serving, session),
        )


@pytest.mark.parametrize("field", sorted(SEARCHES))
async def test_a_search_string_longer_than_the_limit_is_refused(
    serving: Runtime, field: str
) -> None:
    longest = await _search(serving, field, "x" * MAX_SEARCH_LENGTH)
    assert longest.errors is None
    too_long = await _search(serving, field, "x" * (MAX_SEARCH_LENGTH + 1))
    assert too_long.data == {field: None}
    assert too_long.errors is not None
    assert too_long.errors[0].extensions == {"code": "BAD_USER_INPUT"}
    assert "longer than 100 characters" in too_long.errors[0].message


async def test_searched_names_have_a_trigram_index(serving: Runtime) -> None:
    team = serving.org.charter_team(
        CommandContext(CEO, "c1"),
        CharterTeam(name="Payments 100% Platform", mission="m", leader="pia@example.com"),
    )
    assert await serving.watcher.wait_for(team.position, WAIT)
    answer = await _search(serving, "teams", "100%")
    assert answer.errors is None
    assert answer.data == {"teams": {"nodes": [{"name": "Payments 100% Platform"}]}}
    assert serving.read_pool is not None
    async with serving.read_pool.acquire() as connection:
        indexed = await connection.fetch(
            "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = $1 "
            "AND indexdef LIKE '%gin_trgm_ops%' ORDER BY tablename",
            LIVE_SCHEMA,
        )
        trgm = await connection.fetchval(
            "SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"
        )
        if not trgm:
            # A server without pg_trgm (an embedded one without contrib): the views are
            # still built, without trigram indexes, and the length limit bounds a search.
            assert indexed == []
            return
        assert [row["tablename"] for row in indexed] == ["apis", "metrics", "services", "teams"]
        definitions = await connection.fetch(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = $1 "
            "AND indexdef LIKE '%gin_trgm_ops%'",
            LIVE_SCHEMA,
        )
    for row in definitions:
        assert "USING gin (name gin_trgm_ops) WHERE (valid_to IS NULL)" in row["indexdef"]
