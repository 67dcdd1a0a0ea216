"""Driving the boundary commands over HTTP, for the end-to-end tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import FlywheelServer


def assert_problem(
    response: httpx.Response, status: int, rule: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("/problems/") and problem["title"] and problem["detail"]
    if rule is not None:
        assert problem["rule"] == rule, problem
    return problem


def log_position(server: FlywheelServer) -> int:
    """The head of the event log, as the server reports it."""
    position: int = httpx.get(f"{server.url}/readyz", timeout=10).json()["logPosition"]
    return position


class Org:
    """Teams, services, APIs and dependencies made over REST; remembers ids by name."""

    def __init__(self, server: FlywheelServer, token: str) -> None:
        self.server = server
        self.token = token
        self.teams: dict[str, dict[str, Any]] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.apis: dict[str, dict[str, Any]] = {}
        self.position = 0

    def _accepted(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, response.text
        body: dict[str, Any] = response.json()
        self.position = max(self.position, body["position"])
        return body

    def team(self, name: str, leader: str, parent: str | None = None) -> dict[str, Any]:
        body = {"name": name, "mission": f"{name} mission", "leader": leader}
        if parent is not None:
            body["parentId"] = self.teams[parent]["id"]
        self.teams[name] = self._accepted(self.server.post("/api/v1/teams", self.token, body), 201)
        return self.teams[name]

    def service(self, name: str, team: str, token: str | None = None) -> dict[str, Any]:
        response = self.server.post(
            "/api/v1/services",
            token or self.token,
            {
                "name": name,
                "ownerTeamId": self.teams[team]["id"],
                "description": f"{name} service",
            },
        )
        self.services[name] = self._accepted(response, 201)
        return self.services[name]

    def api(
        self, service: str, name: str, visibility: str, kind: str = "REST", version: str = "v1"
    ) -> dict[str, Any]:
        response = self.server.post(
            f"/api/v1/services/{self.services[service]['id']}/apis",
            self.token,
            {"name": name, "version": version, "kind": kind, "visibility": visibility},
        )
        self.apis[name] = self._accepted(response, 201)
        return self.apis[name]

    def depend(self, service: str, api: str, token: str | None = None) -> dict[str, Any]:
        response = self.server.post(
            f"/api/v1/services/{self.services[service]['id']}/dependencies",
            token or self.token,
            {"apiId": self.apis[api]["id"]},
        )
        return self._accepted(response)

    def command(self, path: str, body: Any, token: str | None = None) -> dict[str, Any]:
        return self._accepted(self.server.post(path, token or self.token, body))
