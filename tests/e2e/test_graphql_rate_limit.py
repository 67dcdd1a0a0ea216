"""GraphQL rate limits by query cost: points spent per window, reported in
``extensions.rateLimit`` and the ``rateLimit`` root field; REST still counts requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer

POINTS = 100
QUERY = "{ rateLimit { cost limit remaining resetAt } teams(first: 50) { nodes { name } } }"


@pytest.fixture(scope="module")
def limited(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path_factory.mktemp("points"), url)
        server.start_with({**server.env, "FLYWHEEL_GRAPHQL_RATE_LIMIT": str(POINTS)})
        yield server
        server.stop()


def ask(server: FlywheelServer, token: str, query: str, accept: str = "application/json") -> Any:
    return httpx.post(
        f"{server.url}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}", "Accept": accept},
        timeout=30,
    )


def test_each_operation_spends_its_cost_until_the_window_is_spent(
    limited: FlywheelServer, tmp_path: Path
) -> None:
    for attempt in range(3):  # a window may end between two requests: then try again
        token = limited.token(f"spender{attempt}@example.com", "leadership")
        first = ask(limited, token, QUERY).json()
        field = first["data"]["rateLimit"]
        cost = first["extensions"]["cost"]["requested"]
        assert field["cost"] == cost >= 1
        assert field["limit"] == POINTS
        assert field["remaining"] == POINTS - cost
        assert first["extensions"]["rateLimit"] == field

        spent = cost
        answers = []
        while spent <= POINTS:
            answer = ask(limited, token, QUERY, accept="application/graphql-response+json")
            answers.append(answer)
            spent += cost
        last = answers[-1]
        if last.json()["extensions"]["rateLimit"]["resetAt"] != field["resetAt"]:
            continue
        assert last.status_code == 429, last.text
        error = last.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert "data" not in last.json()
        assert last.json()["extensions"]["rateLimit"]["remaining"] == 0
        assert all(a.status_code == 200 for a in answers[:-1])
        other = limited.token("bystander@example.com", "leadership")
        assert ask(limited, other, QUERY).json()["data"]["rateLimit"]["remaining"] == POINTS - cost
        return
    pytest.fail("three windows ended mid-test")


def test_graphql_is_not_counted_by_requests_and_rest_still_is(limited: FlywheelServer) -> None:
    token = limited.token("counted@example.com", "leadership")
    graphql = ask(limited, token, "{ teams { totalCount } }")
    assert "ratelimit-remaining" not in graphql.headers
    rest = httpx.get(
        f"{limited.url}/api/v1/events", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert "ratelimit-remaining" in rest.headers
