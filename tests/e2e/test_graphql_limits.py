"""GraphQL limits over HTTP: cost, depth, aliases and tokens are refused before execution."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import FlywheelServer


def ask(server: FlywheelServer, token: str, query: str) -> dict[str, Any]:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    body: dict[str, Any] = response.json()
    return body


def codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]


def test_every_answer_reports_its_cost(server: FlywheelServer, leadership: str) -> None:
    body = ask(server, leadership, "{ teams(first: 50) { nodes { name } } }")
    assert body["extensions"]["cost"] == {"requested": 51, "limit": 25_000}


def test_a_too_costly_query_is_refused_before_it_runs(
    server: FlywheelServer, leadership: str
) -> None:
    wide = (
        "{ teams(first: 100) { nodes { children { members { person { memberships { team {"
        " members { person { handle } } } } } } } } } }"
    )
    body = ask(server, leadership, wide)
    assert body["data"] is None
    assert codes(body) == ["QUERY_TOO_COMPLEX"]
    assert body["extensions"]["cost"]["requested"] > body["extensions"]["cost"]["limit"]


def test_a_deeply_nested_query_is_refused(server: FlywheelServer, leadership: str) -> None:
    deep = "{ teams { nodes { " + "parent { " * 14 + "name" + " }" * 14 + " } } }"
    body = ask(server, leadership, deep)
    assert body.get("data") is None
    assert "depth" in body["errors"][0]["message"].lower()


def test_too_many_aliases_are_refused(server: FlywheelServer, leadership: str) -> None:
    many = "{ " + " ".join(f"a{n}: teams {{ totalCount }}" for n in range(40)) + " }"
    body = ask(server, leadership, many)
    assert body.get("data") is None
    assert "aliases" in body["errors"][0]["message"].lower()


def test_an_overlong_query_is_refused(server: FlywheelServer, leadership: str) -> None:
    long_query = "{ teams { totalCount " + "__typename " * 6000 + "} }"
    body = ask(server, leadership, long_query)
    assert body.get("data") is None
    assert "token" in body["errors"][0]["message"].lower()


def test_introspection_is_on_in_development(server: FlywheelServer, leadership: str) -> None:
    body = ask(server, leadership, "{ __schema { queryType { name } } }")
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_production_hides_internals_but_keeps_client_errors(
    postgres_server: str, tmp_path: Any
) -> None:
    from tests.conftest import fresh_database

    with fresh_database(postgres_server) as url:
        production = FlywheelServer(tmp_path, url)
        env = {**production.env, "FLYWHEEL_ENV": "production"}
        production.start_with(env)
        try:
            token = production.token("ceo@example.com", "planner")
            introspection = ask(production, token, "{ __schema { queryType { name } } }")
            assert introspection.get("data") is None
            typo = ask(production, token, "{ teams { totalCont } }")
            assert "did you mean" not in typo["errors"][0]["message"].lower()
            bad_input = ask(production, token, "{ teams(first: 0) { totalCount } }")
            assert codes(bad_input) == ["BAD_USER_INPUT"]
            assert "between 1 and 100" in bad_input["errors"][0]["message"]
            ide = httpx.get(f"{production.url}/graphql", headers={"accept": "text/html"})
            assert "graphiql" not in ide.text.lower()
        finally:
            production.stop()
