"""Structured logs with correlation ids and no secrets; Prometheus metrics."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer


@pytest.fixture(scope="module")
def observed(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path_factory.mktemp("observed"), url)
        server.start_with({**server.env, "FLYWHEEL_LOG_FORMAT": "json"})
        yield server
        server.stop()


def test_logs_are_json_lines_with_correlation_ids_and_no_tokens(observed: FlywheelServer) -> None:
    token = observed.token("ceo@example.com", "leadership")
    observed.post(
        "/api/v1/teams",
        token,
        {"name": "Logged", "mission": "m", "leader": "log@example.com"},
        headers={"X-Correlation-ID": "trace-me-123"},
    )
    observed.stop()
    observed.start_with({**observed.env, "FLYWHEEL_LOG_FORMAT": "json"})
    lines = [line for line in observed.log.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert entries, "the server logged JSON lines"
    assert any(entry.get("correlation_id") == "trace-me-123" for entry in entries)
    assert all({"time", "level", "logger", "message"} <= set(entry) for entry in entries)
    assert token not in observed.log.read_text()


def test_metrics_count_requests_commands_and_lag(observed: FlywheelServer) -> None:
    token = observed.token("ceo@example.com", "leadership")
    created = observed.post(
        "/api/v1/teams", token, {"name": "Metered", "mission": "m", "leader": "meter@example.com"}
    )
    assert created.status_code == 201
    refused = observed.post(
        "/api/v1/teams", token, {"name": "Metered 2", "mission": "m", "leader": "meter@example.com"}
    )
    assert refused.status_code == 409
    observed.post(
        f"/api/v1/teams/{created.json()['id']}/leader",
        token,
        {"leader": "new@example.com", "reason": "r"},
    )
    text = httpx.get(f"{observed.url}/metrics").text
    assert 'flywheel_commands_total{outcome="accepted",rule=""}' in text
    assert 'flywheel_commands_total{outcome="refused",rule="person-leads-another-team"} 1.0' in text
    assert 'path="/api/v1/teams/{team_id}/leader"' in text, "grouped by route template"
    assert "flywheel_projection_lag_events" in text and "flywheel_projection_lag_seconds" in text


# Label values may hold braces (route templates), so labels are matched as quoted strings.
SAMPLE = re.compile(r'^(?P<name>[a-z_]+)\{(?P<labels>(?:\w+="[^"]*",?)*)\} (?P<value>\S+)$', re.M)
LABEL = re.compile(r'(\w+)="([^"]*)"')


def samples(server: FlywheelServer, name: str, **match: str) -> dict[str, float]:
    """The ``name`` samples whose labels include ``match``, by their ``le`` (or "")."""
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    found: dict[str, float] = {}
    for sample in SAMPLE.finditer(text):
        labels = dict(LABEL.findall(sample["labels"]))
        if sample["name"] == name and all(labels.get(k) == v for k, v in match.items()):
            le = labels.get("le", "")
            found[le] = found.get(le, 0.0) + float(sample["value"])
    return found


def test_requests_are_counted_and_timed_by_route(observed: FlywheelServer) -> None:
    token = observed.token("ceo@example.com", "leadership")
    team = observed.post(
        "/api/v1/teams", token, {"name": "Timed", "mission": "m", "leader": "timed@example.com"}
    ).json()
    route = {"method": "POST", "path": "/api/v1/teams/{team_id}/members", "status_code": "200"}

    def counted() -> float:
        return sum(samples(observed, "flywheel_http_requests_total", **route).values())

    def timed() -> dict[str, float]:
        return samples(observed, "flywheel_http_request_duration_seconds_bucket", **route)

    def observations() -> float:
        return sum(
            samples(observed, "flywheel_http_request_duration_seconds_count", **route).values()
        )

    before, buckets_before, count_before = counted(), timed(), observations()
    for n in range(3):
        added = observed.post(
            f"/api/v1/teams/{team['id']}/members",
            token,
            {"person": f"timed{n}@example.com", "function": "DESIGN", "attachment": "REPORTS"},
        )
        assert added.status_code == 200, added.text
    assert counted() == before + 3, "one count per request, under the route template"
    assert observations() == count_before + 3
    buckets = timed()
    assert buckets["+Inf"] == buckets_before.get("+Inf", 0.0) + 3
    bounds = sorted((float(le), value) for le, value in buckets.items() if le != "+Inf")
    assert len(bounds) > 5, "a latency histogram, not a single counter"
    cumulative = [value for _, value in bounds]
    assert cumulative == sorted(cumulative) and cumulative[-1] <= buckets["+Inf"]
    seconds = sum(samples(observed, "flywheel_http_request_duration_seconds_sum", **route).values())
    assert seconds > 0
    concrete = f'path="/api/v1/teams/{team["id"]}/members"'
    assert concrete not in httpx.get(f"{observed.url}/metrics").text, "ids never become labels"


JWT_SECRET = "a-test-secret-that-must-never-be-logged-0123456789"
OTHER_SECRET = "another-secret-the-server-does-not-know-0123456789"


class SecretServer(FlywheelServer):
    """A server given its JWT secret through the environment, logging at DEBUG."""

    def __init__(self, data_dir: Path, database_url: str, secret: str) -> None:
        super().__init__(data_dir, database_url)
        self.secret = secret

    @property
    def env(self) -> dict[str, str]:
        return {
            **super().env,
            "FLYWHEEL_JWT_SECRET": self.secret,
            "FLYWHEEL_LOG_FORMAT": "json",
            "FLYWHEEL_LOG_LEVEL": "DEBUG",
        }


def test_no_secret_reaches_the_log_after_a_burst_with_a_bad_token(
    postgres_server: str, tmp_path: Path
) -> None:
    with fresh_database(postgres_server) as url:
        server = SecretServer(tmp_path / "secret", url, JWT_SECRET)
        server.start()
        try:
            token = server.token("ceo@example.com", "leadership")
            forged = SecretServer(tmp_path / "forger", url, OTHER_SECRET).token(
                "ceo@example.com", "leadership"
            )
            statuses = []
            for n in range(20):
                statuses.append(
                    server.post(
                        "/api/v1/teams",
                        token,
                        {"name": f"Burst {n}", "mission": "m", "leader": f"burst{n}@x.io"},
                    ).status_code
                )
                statuses.append(
                    server.post(
                        "/api/v1/teams",
                        forged,
                        {"name": "Forged", "mission": "m", "leader": "f@x.io"},
                    ).status_code
                )
            statuses.append(
                server.post("/graphql", forged, {"query": "{ teams { totalCount } }"}).status_code
            )
            statuses.append(
                httpx.get(
                    f"{server.url}/api/v1/events", headers={"Authorization": f"Bearer {forged}"}
                ).status_code
            )
            statuses.append(server.post("/graphql", token, {"query": "{ nope }"}).status_code)
        finally:
            server.stop()
    assert statuses.count(201) == 20 and statuses.count(401) == 22, statuses
    log = server.log.read_text()
    assert '"level"' in log, "the server logged (JSON lines)"
    for secret in (
        JWT_SECRET,
        OTHER_SECRET,
        token,
        forged,
        *token.split("."),
        forged.split(".")[2],
    ):
        assert secret not in log
    assert not (tmp_path / "secret" / "jwt-secret").exists(), "the secret came from the environment"
