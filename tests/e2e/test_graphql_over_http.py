"""GraphQL over HTTP as clients expect it: every error has ``extensions.code``,
requests refused before GraphQL runs answer JSON, and
``Accept: application/graphql-response+json`` gets the spec's media type and statuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import FlywheelServer

MODERN = "application/graphql-response+json"


def post(
    server: FlywheelServer,
    token: str,
    body: Any = None,
    *,
    accept: str = "application/json",
    content: bytes | None = None,
    content_type: str = "application/json",
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    if content is None:
        return httpx.post(f"{server.url}/graphql", json=body, headers=headers, timeout=30)
    headers["Content-Type"] = content_type
    return httpx.post(f"{server.url}/graphql", content=content, headers=headers, timeout=30)


def only_error(response: httpx.Response) -> dict[str, Any]:
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    error: dict[str, Any] = errors[0]
    return error


DEEP = "{ teams { nodes { " + "parent { " * 14 + "name" + " }" * 14 + " } } }"
ALIASES = "{ " + " ".join(f"a{n}: teams {{ totalCount }}" for n in range(40)) + " }"
LONG = "{ teams { totalCount " + "__typename " * 6000 + "} }"
COSTLY = (
    "{ teams(first: 100) { nodes { children { members { person { memberships { team {"
    " members { person { handle } } } } } } } } } }"
)


@pytest.mark.parametrize(
    ("query", "code", "reason"),
    [
        ("{ teams { ", "GRAPHQL_PARSE_FAILED", None),
        ("{ teams { totalCont } }", "GRAPHQL_VALIDATION_FAILED", None),
        (DEEP, "GRAPHQL_VALIDATION_FAILED", "MAX_DEPTH"),
        (ALIASES, "GRAPHQL_VALIDATION_FAILED", "MAX_ALIASES"),
        (LONG, "GRAPHQL_PARSE_FAILED", "MAX_TOKENS"),
        (COSTLY, "QUERY_TOO_COMPLEX", None),
    ],
    ids=["parse", "validation", "depth", "aliases", "tokens", "cost"],
)
def test_every_refusal_before_execution_has_a_code(
    server: FlywheelServer, leadership: str, query: str, code: str, reason: str | None
) -> None:
    legacy = post(server, leadership, {"query": query})
    assert legacy.status_code == 200, "application/json keeps 200 for a well-formed request"
    assert legacy.headers["content-type"].startswith("application/json")
    error = only_error(legacy)
    assert error["extensions"]["code"] == code, error
    assert error["extensions"].get("reason") == reason

    modern = post(server, leadership, {"query": query}, accept=MODERN)
    assert modern.status_code == 400, modern.text
    assert modern.headers["content-type"].startswith(MODERN)
    assert "data" not in modern.json(), "a document refused before execution has no data"
    assert only_error(modern)["extensions"]["code"] == code


def test_a_variable_of_the_wrong_type_is_bad_user_input(
    server: FlywheelServer, leadership: str
) -> None:
    body = {"query": "query($n: Int) { teams(first: $n) { totalCount } }", "variables": {"n": "x"}}
    error = only_error(post(server, leadership, body))
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


def test_an_executed_answer_is_200_in_either_media_type(
    server: FlywheelServer, leadership: str
) -> None:
    for accept, media_type in (
        (MODERN, MODERN),
        (f"{MODERN}, application/json;q=0.9", MODERN),
        ("application/json", "application/json"),
        ("*/*", "application/json"),
    ):
        answer = post(server, leadership, {"query": "{ teams { totalCount } }"}, accept=accept)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media_type)
        assert isinstance(answer.json()["data"]["teams"]["totalCount"], int)

    refused = post(
        server, leadership, {"query": "{ teams(first: 0) { totalCount } }"}, accept=MODERN
    )
    assert refused.status_code == 200, "a field's error leaves data: the operation ran"
    assert "data" in refused.json()
    assert only_error(refused)["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code", "words"),
    [
        (b"{not json", "application/json", 400, "BAD_REQUEST", "json"),
        (b"{}", "application/json", 400, "BAD_REQUEST", "no graphql query"),
        (b'{"query": 7}', "application/json", 400, "BAD_REQUEST", "must be a string"),
        (
            b'[{"query": "{ __typename }"}, {"query": "{ __typename }"}]',
            "application/json",
            400,
            "BAD_REQUEST",
            "batching",
        ),
        (b"{ __typename }", "text/plain", 415, "UNSUPPORTED_MEDIA_TYPE", "json"),
        (
            b'{"query": "query A { __typename } query B { __typename }"}',
            "application/json",
            400,
            "BAD_REQUEST",
            "operationname",
        ),
        (
            b'{"query": "query A { __typename }", "operationName": "C"}',
            "application/json",
            400,
            "BAD_REQUEST",
            'unknown operation named "c"',
        ),
    ],
    ids=["bad-json", "no-query", "query-not-string", "batch", "text", "two-ops", "unknown-op"],
)
def test_a_request_refused_before_graphql_answers_json(
    server: FlywheelServer,
    leadership: str,
    content: bytes,
    content_type: str,
    status: int,
    code: str,
    words: str,
) -> None:
    for accept, media_type in (("application/json", "application/json"), (MODERN, MODERN)):
        answer = post(server, leadership, accept=accept, content=content, content_type=content_type)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith(media_type)
        error = only_error(answer)
        assert error["extensions"]["code"] == code
        assert words in error["message"].lower(), error["message"]


def test_several_operations_run_the_one_named(server: FlywheelServer, leadership: str) -> None:
    body = {
        "query": "query A { teams { totalCount } } query B { __typename }",
        "operationName": "B",
    }
    answer = post(server, leadership, body, accept=MODERN)
    assert answer.status_code == 200
    assert answer.json()["data"] == {"__typename": "Query"}
