"""The OpenAPI document says what the server does: its version is the package's, the
public endpoints need no token, and command bodies are closed objects."""

from __future__ import annotations

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
    bodies = {
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        for path in document["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "requestBody" in operation
    }
    assert len(bodies) > 30
    open_bodies = sorted(b for b in bodies if schemas[b].get("additionalProperties") is not False)
    assert not open_bodies, f"bodies that do not say they refuse unknown fields: {open_bodies}"
