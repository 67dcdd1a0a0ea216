"""GraphQL answers over HTTP against the seeded demo company: a field's error is a
GraphQL error however the request is shaped, and as-of answers name their position."""

from __future__ import annotations

import asyncio
import subprocess
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer

pytestmark = pytest.mark.slow

# Each shape nulls a non-null parent with a client error while sibling fields
# are reading: graphql-core then cancels those siblings' resolvers mid-query.
SHAPES = {
    "a bad cursor on a nested connection": (
        "leadership",
        "BAD_USER_INPUT",
        """{ teams(first: 20) { edges { node { name
             children { name goals(first: 5, after: "bad") { totalCount } }
             services(first: 5) { totalCount } metrics(first: 5) { totalCount }
             members { person { handle } } } } } }""",
    ),
    "history refused to a member": (
        "member",
        "FORBIDDEN",
        """{ teams(first: 20) { edges { node { name
             children { name history(first: 5) { totalCount } }
             goals(first: 5) { totalCount } services(first: 5) { totalCount }
             metrics(first: 5) { totalCount } } } } }""",
    ),
    "a bad cursor beside another root field": (
        "leadership",
        "BAD_USER_INPUT",
        """{ a: teams(first: 20) { edges { node { name services(first: 5) { totalCount } } } }
             b: teams(first: 5, after: "bad") { totalCount } }""",
    ),
}
ROUNDS = 150


@pytest.fixture(scope="module")
def seeded(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FlywheelServer, dict[str, str], int]]:
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path_factory.mktemp("answers"), url)
        done = subprocess.run(
            [FLYWHEEL, "seed"], env=server.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        head = int(done.stdout.rsplit("log position ", 1)[1].split(";")[0])
        server.start_with(
            {**server.env, "FLYWHEEL_RATE_LIMIT": "0", "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0"}
        )
        tokens = {
            "leadership": server.token("ceo@example.com", "leadership"),
            "member": server.token("mia@example.com", "member"),
        }
        yield server, tokens, head
        server.stop()


async def test_a_field_error_under_non_null_parents_is_always_a_graphql_answer(
    seeded: tuple[FlywheelServer, dict[str, str], int],
) -> None:
    server, tokens, head = seeded
    outcomes: Counter[tuple[str, int, tuple[str, ...]]] = Counter()
    failures: list[str] = []

    async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:

        async def ask(name: str, caller: str, query: str) -> None:
            response = await client.post(
                "/graphql",
                json={"query": query},
                headers={
                    "Authorization": f"Bearer {tokens[caller]}",
                    "X-Flywheel-Position": str(head),
                },
            )
            codes: tuple[str, ...] = ()
            if response.status_code == 200:
                codes = tuple(
                    sorted({str(e["extensions"].get("code")) for e in response.json()["errors"]})
                )
            else:
                failures.append(f"{name}: {response.status_code} {response.text[:300]}")
            outcomes[(name, response.status_code, codes)] += 1

        for _ in range(ROUNDS):
            await asyncio.gather(
                *(ask(name, caller, query) for name, (caller, _, query) in SHAPES.items())
            )
        # The server is healthy afterwards: a plain read answers in full.
        after = await client.post(
            "/graphql",
            json={"query": "{ teams(first: 20) { totalCount } }"},
            headers={"Authorization": f"Bearer {tokens['leadership']}"},
        )

    assert failures == [], f"{len(failures)} requests failed, first: {failures[:3]}"
    assert outcomes == Counter(
        {(name, 200, (code,)): ROUNDS for name, (_, code, _) in SHAPES.items()}
    )
    assert after.status_code == 200 and after.json()["data"]["teams"]["totalCount"] == 6


def graphql(server: FlywheelServer, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return body


def test_as_of_answers_name_the_position_each_field_was_read_at(
    seeded: tuple[FlywheelServer, dict[str, str], int],
) -> None:
    server, tokens, head = seeded
    leadership = tokens["leadership"]
    events = graphql(
        server,
        leadership,
        "{ teams(first: 1) { nodes { history(first: 100) { nodes { position recordedAt } } } } }",
    )["data"]["teams"]["nodes"][0]["history"]["nodes"]
    first = events[0]
    # The plan on the day of the team's first event: the time resolves to the last
    # event recorded at or before it, at least the team's own first event.
    body = graphql(
        server,
        leadership,
        """query($when: DateTime!, $at: Int!) {
             then: teams(first: 20, asOf: $when) { totalCount }
             exactly: teams(first: 20, atPosition: $at) { totalCount }
             now: teams(first: 20) { totalCount }
             before: orgTree(asOf: "2000-01-01T00:00:00") { depth }
           }""",
        when=first["recordedAt"],
        at=first["position"],
    )
    extensions = body["extensions"]
    assert extensions["position"] == head
    read_at = extensions["readAt"]
    assert set(read_at) == {"then", "exactly", "before"}, "fields read now are not listed"
    assert read_at["exactly"] == {"position": first["position"]}
    assert read_at["then"]["asOf"] == first["recordedAt"].replace("Z", "+00:00")
    assert first["position"] <= read_at["then"]["position"] < head
    assert read_at["before"] == {"asOf": "2000-01-01T00:00:00+00:00", "position": 0}
    assert body["data"]["before"] == []

    # The position cited is the state the answer shows: reading at it gives the same.
    cited = graphql(
        server,
        leadership,
        "query($at: Int!) { teams(first: 20, atPosition: $at) { totalCount } }",
        at=read_at["then"]["position"],
    )
    assert cited["data"]["teams"] == body["data"]["then"]
