"""Structured logs with correlation ids and no secrets; Prometheus metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator

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
