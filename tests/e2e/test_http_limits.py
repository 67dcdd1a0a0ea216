"""HTTP limits: rate limits shared by replicas, body size, CORS and security headers."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer

LIMIT = 6
ORIGIN = "https://planner.example.com"


@pytest.fixture(scope="module")
def replicas(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[FlywheelServer]]:
    """Two servers on one database with a small rate limit and one allowed origin."""
    with fresh_database(postgres_server) as url:
        data_dir = tmp_path_factory.mktemp("limits")
        servers = [FlywheelServer(data_dir, url), FlywheelServer(data_dir, url)]
        for index, server in enumerate(servers):
            env = {
                **server.env,
                "FLYWHEEL_RATE_LIMIT": str(LIMIT),
                "FLYWHEEL_CORS_ORIGINS": ORIGIN,
                "FLYWHEEL_RUN_PROJECTIONS": "true" if index == 0 else "false",
            }
            server.start_with(env)
        yield servers
        for server in servers:
            server.stop()


def get_problems(server: FlywheelServer, token: str) -> httpx.Response:
    return httpx.get(f"{server.url}/problems", headers={"Authorization": f"Bearer {token}"})


def test_the_budget_is_per_caller_and_shared_by_replicas(replicas: list[FlywheelServer]) -> None:
    first, second = replicas
    token = first.token("busy@example.com", "planner")
    answers = [get_problems(server, token) for server in (first, second) * (LIMIT // 2)]
    assert [a.status_code for a in answers] == [200] * LIMIT
    assert [int(a.headers["ratelimit-remaining"]) for a in answers] == list(
        range(LIMIT - 1, -1, -1)
    )
    assert answers[0].headers["ratelimit-limit"] == str(LIMIT)
    assert answers[0].headers["ratelimit-policy"] == f"{LIMIT};w=60"

    refused = get_problems(second, token)
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/rate-limited"
    assert int(refused.headers["retry-after"]) >= 1

    someone_else = first.token("calm@example.com", "planner")
    assert get_problems(first, someone_else).status_code == 200
    assert httpx.get(f"{first.url}/healthz").status_code == 200, "probes are never limited"


def test_security_headers_on_data_and_pages(replicas: list[FlywheelServer]) -> None:
    server = replicas[0]
    data = httpx.get(f"{server.url}/healthz")
    assert data.headers["x-content-type-options"] == "nosniff"
    assert data.headers["x-frame-options"] == "DENY"
    assert data.headers["content-security-policy"].startswith("default-src 'none'")
    page = httpx.get(f"{server.url}/schema/swagger")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in page.headers


def test_cors_allows_only_the_configured_origin(replicas: list[FlywheelServer]) -> None:
    server = replicas[0]
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, idempotency-key",
    }
    allowed = httpx.options(f"{server.url}/api/v1/teams", headers={"Origin": ORIGIN, **preflight})
    assert allowed.status_code in (200, 204)
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "idempotency-key" in allowed.headers["access-control-allow-headers"].lower()
    other = httpx.options(
        f"{server.url}/api/v1/teams", headers={"Origin": "https://evil.example", **preflight}
    )
    assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_an_oversized_body_is_refused(replicas: list[FlywheelServer]) -> None:
    server = replicas[1]
    token = server.token("big@example.com", "leadership")
    huge = {"name": "Big", "mission": "x" * 2_000_000, "leader": "big@example.com"}
    response = server.post("/api/v1/teams", token, huge)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
