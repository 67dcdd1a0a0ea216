"""The OpenAPI document says what the server does: its version is the package's, the
public endpoints need no token, and command bodies are closed objects."""

from __future__ import annotations

import re
from importlib import metadata
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import FlywheelServer

PUBLIC = [
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/problems", "get"),
    ("/problems/{slug}", "get"),
]


@pytest.fixture(scope="module")
def document(server: FlywheelServer) -> dict[str, Any]:
    answer: dict[str, Any] = httpx.get(f"{server.url}/schema/openapi.json", timeout=30).json()
    return answer


def test_the_version_is_the_packages(document: dict[str, Any]) -> None:
    assert document["info"]["version"] == metadata.version("flywheel")


def test_public_endpoints_declare_no_security_and_answer_without_a_token(
    server: FlywheelServer, document: dict[str, Any]
) -> None:
    for path, method in PUBLIC:
        assert document["paths"][path][method]["security"] == [], path
    assert httpx.get(f"{server.url}/problems").status_code == 200
    secured = document["paths"]["/api/v1/teams"]["post"]
    assert secured.get("security", document["security"]) == [{"BearerToken": []}]


def test_readyz_documents_its_503(document: dict[str, Any]) -> None:
    assert set(document["paths"]["/readyz"]["get"]["responses"]) >= {"200", "503"}


def test_every_request_body_is_a_closed_object(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    # The bodies Litestar decodes (a handler's `data`); a handler that reads its body
    # itself (a YAML catalog, observations as CSV or JSON) states it inline.
    bodies = {
        schema["$ref"].rsplit("/", 1)[1]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
        for schema in [
            operation["requestBody"]["content"].get("application/json", {}).get("schema", {})
        ]
        if "$ref" in schema
    }
    assert len(bodies) > 30
    open_bodies = sorted(b for b in bodies if schemas[b].get("additionalProperties") is not False)
    assert not open_bodies, f"bodies that do not say they refuse unknown fields: {open_bodies}"


def test_dates_state_the_years_the_server_takes(document: dict[str, Any]) -> None:
    due = document["components"]["schemas"]["SetGoal"]["properties"]["dueDate"]
    assert due["format"] == "date" and due["pattern"].startswith("^(19|20|21)")
    parameters = document["paths"]["/api/v1/events"]["get"]["parameters"]
    since = next(p for p in parameters if p["name"] == "from")["schema"]["oneOf"][0]
    assert since["format"] == "date-time" and "(Z|[+-]" in since["pattern"]


def test_headcount_names_the_functions_and_bounds_the_numbers(document: dict[str, Any]) -> None:
    headcount = document["components"]["schemas"]["SetEnvelope"]["properties"]["headcount"]
    assert "ENGINEERING" in headcount["propertyNames"]["enum"]
    assert headcount["additionalProperties"]["minimum"] == 0
    assert headcount["additionalProperties"]["maximum"] > 0


def test_text_states_the_characters_the_server_refuses(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    reason = re.compile(schemas["DisbandTeam"]["properties"]["reason"]["pattern"])
    name = re.compile(schemas["CharterTeam"]["properties"]["name"]["pattern"])
    leader = re.compile(schemas["CharterTeam"]["properties"]["leader"]["pattern"])
    assert reason.search("Merged into\nPayments") and not reason.search("bell \x07")
    assert not reason.search(" \u200b ")  # shows nothing: blank
    assert name.search("Payments") and not name.search("Pay\nments")
    assert leader.search("alice@example.com") and not leader.search("alice smith")
    principles = schemas["SubmitFeedback"]["properties"]["principles"]["items"]
    assert principles["minLength"] == 1 and "pattern" in principles


def test_rules_between_fields_and_exact_bounds_are_stated(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert [branch["required"] for branch in schemas["AddDependency"]["oneOf"]] == [
        ["itemId"],
        ["apiId"],
    ]
    assert schemas["AssignSecondJob"]["then"]["required"] == ["description"]
    parameters = document["paths"]["/api/v1/events"]["get"]["parameters"]
    after = next(p for p in parameters if p["name"] == "after")["schema"]
    assert after["maximum"] == 2**63 - 1 and isinstance(after["maximum"], int)
    body = document["paths"]["/api/v1/imports/backstage"]["post"]["requestBody"]
    assert body["required"] and "application/yaml" in body["content"]
