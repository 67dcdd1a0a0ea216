"""The yearly allocation over HTTP: helpers shared by the end-to-end tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import created, log_position, ok
from tests.e2e.test_teams_over_http import assert_problem

CYCLES = "/api/v1/cycles"

CYCLE = """
query Cycle($year: Int!, $kind: CycleKind!, $at: Int) {
  allocationCycle(fiscalYear: $year, kind: $kind, atPosition: $at) {
    id uuid fiscalYear kind phase amendmentCount version
    phaseHistory { phase by { handle } }
    envelope { budget reason headcount { function count } }
    envelopeHistory { budget reason }
    carriedFrom { kind } carriedInto { kind }
    requests(first: 20) {
      totalCount
      nodes {
        team { name } version rationale submittedBy { handle }
        requested { budget totalHeadcount headcount { function count } }
        goals { description }
        versions { version requested { budget totalHeadcount } }
      }
    }
    decisions(first: 20) {
      totalCount
      nodes { team { name } source scenario rationale funded { budget totalHeadcount } }
    }
    totals { function envelope requested funded remaining }
    budget { envelope requested funded remaining }
    unfundedAsks { team { name } shortfall { budget totalHeadcount } goals { description } }
    dissents(first: 20) {
      totalCount
      nodes { id uuid argument weighed response by { handle } team { name } }
    }
    commitments(first: 20) { totalCount nodes { person { handle } } }
    uncommittedDissenters { handle }
    amendments(first: 20) {
      totalCount
      nodes { number reason approver { handle } team { name } funded { budget totalHeadcount } }
    }
    scenarios(first: 20) {
      totalCount
      nodes { name adoptedAt total { budget totalHeadcount } allocations { team { name } } }
    }
  }
}
"""


def cycle_path(cycle_id: str, suffix: str = "") -> str:
    return f"{CYCLES}/{cycle_id}{suffix}"


def open_cycle(server: FlywheelServer, token: str, year: int, kind: str) -> dict[str, Any]:
    return created(server.post(CYCLES, token, {"fiscalYear": year, "kind": kind}))


def put(server: FlywheelServer, path: str, token: str | None, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.put(f"{server.url}{path}", json=body, headers=headers, timeout=30)


def set_envelope(
    server: FlywheelServer, token: str, cycle_id: str, headcount: dict[str, int], budget: int
) -> dict[str, Any]:
    body = {"headcount": headcount, "budget": budget, "reason": "The board's plan"}
    return ok(put(server, cycle_path(cycle_id, "/envelope"), token, body))


def numbers(team: str, headcount: dict[str, int], budget: int, **more: Any) -> dict[str, Any]:
    return {"teamId": team, "headcount": headcount, "budget": budget, **more}


def refused(
    server: FlywheelServer, path: str, token: str | None, body: Any, status: int
) -> dict[str, Any]:
    """A POST refused with a problem, and the event log did not move."""
    before = log_position(server)
    problem = assert_problem(server.post(path, token, body), status)
    assert log_position(server) == before, "a refused command recorded nothing"
    return problem


def refused_rule(
    server: FlywheelServer, path: str, token: str | None, body: Any, rule: str
) -> dict[str, Any]:
    problem = refused(server, path, token, body, 409)
    assert problem["rule"] == rule, problem
    assert problem["type"] == f"/problems/{rule}"
    return problem


def by_function(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """GraphQL lists keyed by ``function``, leaving out the all-zero ones."""
    return {
        entry["function"]: {k: v for k, v in entry.items() if k != "function"}
        for entry in entries
        if any(v for k, v in entry.items() if k != "function")
    }
