"""Metrics and goals over HTTP: small helpers shared by the end-to-end tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import FlywheelServer


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def charter(
    server: FlywheelServer, token: str, name: str, leader: str, parent: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "mission": f"{name} mission", "leader": leader}
    if parent is not None:
        body["parentId"] = parent
    return created(server.post("/api/v1/teams", token, body))


def metric_body(name: str, kind: str, owner: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "kind": kind,
        "unit": "count",
        "direction": "INCREASE",
        "definition": f"How we count {name}",
        "ownerTeamId": owner,
        **extra,
    }


def define(
    server: FlywheelServer, token: str, name: str, kind: str, owner: str, **extra: Any
) -> dict[str, Any]:
    return created(server.post("/api/v1/metrics", token, metric_body(name, kind, owner, **extra)))


def goal_body(team: str, metric: str, plan_year: int = 2025, **extra: Any) -> dict[str, Any]:
    return {
        "teamId": team,
        "metricId": metric,
        "planYear": plan_year,
        "baseline": 100,
        "target": 120.5,
        "dueDate": f"{plan_year}-12-31",
        "description": "Move the metric",
        **extra,
    }


def set_goal(
    server: FlywheelServer, token: str, team: str, metric: str, plan_year: int = 2025
) -> dict[str, Any]:
    return created(server.post("/api/v1/goals", token, goal_body(team, metric, plan_year)))


def log_position(server: FlywheelServer) -> int:
    """The head of the event log, as the readiness probe reports it."""
    position: int = httpx.get(f"{server.url}/readyz", timeout=10).json()["logPosition"]
    return position
