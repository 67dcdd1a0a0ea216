"""Apollo's automatic persisted queries, and the trusted-documents allow-list."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer

QUERY = "query PersistedTeams { teams { totalCount } }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
MODERN = "application/graphql-response+json"


def persisted(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


def post(server: FlywheelServer, token: str, body: Any, accept: str = "application/json") -> Any:
    return httpx.post(
        f"{server.url}/graphql",
        json=body,
        headers={"Authorization": f"Bearer {token}", "Accept": accept},
        timeout=30,
    )


def codes(answer: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in answer.json().get("errors", [])]


def test_an_unknown_hash_falls_back_then_hits_the_cache(
    server: FlywheelServer, leadership: str
) -> None:
    unknown = post(server, leadership, {"extensions": persisted(HASH)})
    assert unknown.status_code == 200
    assert codes(unknown) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert unknown.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    modern = post(server, leadership, {"extensions": persisted(HASH)}, accept=MODERN)
    assert modern.status_code == 404 and codes(modern) == ["PERSISTED_QUERY_NOT_FOUND"]

    registered = post(server, leadership, {"query": QUERY, "extensions": persisted(HASH)})
    assert registered.status_code == 200
    count = registered.json()["data"]["teams"]["totalCount"]

    by_hash = post(server, leadership, {"extensions": persisted(HASH)})
    assert by_hash.json()["data"] == {"teams": {"totalCount": count}}

    by_get = httpx.get(
        f"{server.url}/graphql",
        params={"extensions": json.dumps(persisted(HASH)), "operationName": "PersistedTeams"},
        headers={"Authorization": f"Bearer {leadership}", "Accept": "application/json"},
        timeout=30,
    )
    assert by_get.status_code == 200, by_get.text
    assert by_get.json()["data"] == {"teams": {"totalCount": count}}


def test_a_hash_that_does_not_match_its_query_is_a_bad_request(
    server: FlywheelServer, leadership: str
) -> None:
    wrong = post(server, leadership, {"query": "{ __typename }", "extensions": persisted(HASH)})
    assert wrong.status_code == 400
    assert codes(wrong) == ["BAD_REQUEST"]
    for bad in ({"version": 2, "sha256Hash": HASH}, {"version": 1, "sha256Hash": "xyz"}, "x"):
        refused = post(server, leadership, {"extensions": {"persistedQuery": bad}})
        assert refused.status_code == 400 and codes(refused) == ["BAD_REQUEST"]


def test_trusted_documents_run_and_nothing_else(postgres_server: str, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": HASH, "name": "PersistedTeams", "type": "query", "body": QUERY}
                ],
            }
        )
    )
    with fresh_database(postgres_server) as url:
        strict = FlywheelServer(tmp_path / "data", url)
        strict.start_with({**strict.env, "FLYWHEEL_TRUSTED_DOCUMENTS": str(manifest)})
        try:
            token = strict.token("ceo@example.com", "leadership")
            by_hash = post(strict, token, {"extensions": persisted(HASH)})
            assert by_hash.json()["data"] == {"teams": {"totalCount": 0}}
            in_full = post(strict, token, {"query": QUERY})
            assert in_full.json()["data"] == {"teams": {"totalCount": 0}}

            other = "{ teams { nodes { name } } }"
            refused = post(strict, token, {"query": other}, accept=MODERN)
            assert refused.status_code == 400
            assert codes(refused) == ["PERSISTED_QUERY_NOT_IN_LIST"]
            assert "data" not in refused.json()
            other_hash = hashlib.sha256(other.encode()).hexdigest()
            registering = post(strict, token, {"query": other, "extensions": persisted(other_hash)})
            assert codes(registering) == ["PERSISTED_QUERY_NOT_IN_LIST"]
            again = post(strict, token, {"extensions": persisted(other_hash)})
            assert codes(again) == ["PERSISTED_QUERY_NOT_IN_LIST"], "nothing registers"
        finally:
            strict.stop()
