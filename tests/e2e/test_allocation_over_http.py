"""Allocation commands end to end: every command over HTTP with its refusals (400, 401, 403,
404, 409 with its rule, 412), and the GraphQL views read back. Each test uses its own
fiscal year, so the cycles of one module's server do not meet."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.allocation import (
    CYCLE,
    CYCLES,
    cycle_path,
    numbers,
    open_cycle,
    put,
    refused,
    refused_rule,
    set_envelope,
)
from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, created, define, log_position, ok, set_goal
from tests.e2e.test_teams_over_http import assert_problem

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    """Shop (led by Sam) and Cart (led by Carl), each with goals for 2030 to 2039."""
    shop = charter(server, leadership, "Shop", "sam@example.com")["id"]
    cart = charter(server, leadership, "Cart", "carl@example.com")["id"]
    found: dict[str, Any] = {
        "shop": shop,
        "cart": cart,
        "sam": server.token("sam@example.com", "member"),
        "carl": server.token("carl@example.com", "member"),
        "member": server.token("mo@example.com", "member"),
        "planner": server.token("pat@example.com", "planner"),
    }
    for name, team in (("shop", shop), ("cart", cart)):
        metric = define(server, leadership, f"{name} visits", "INPUT", team)["id"]
        found[f"{name}-goals"] = {
            year: set_goal(server, leadership, team, metric, year)["id"]
            for year in range(2030, 2040)
        }
    return found


def ask(org: dict[str, Any], team: str, year: int, engineers: int, budget: int) -> dict[str, Any]:
    return numbers(
        org[team],
        {"ENGINEERING": engineers},
        budget,
        rationale=f"{team} needs people",
        goalIds=[org[f"{team}-goals"][year]],
    )


def in_review(server: FlywheelServer, token: str, org: dict[str, Any], year: int) -> dict[str, Any]:
    """A cycle with an envelope of 10 engineers and 1000, Shop asking 6 and 600, in REVIEW."""
    cycle = open_cycle(server, token, year, "OP1")
    set_envelope(server, token, cycle["id"], {"ENGINEERING": 10}, 1000)
    ok(server.post(cycle_path(cycle["id"], "/requests"), token, ask(org, "shop", year, 6, 600)))
    ok(server.post(cycle_path(cycle["id"], "/phase"), token, {"to": "REVIEW"}))
    return cycle


def test_opening_a_cycle_answers_201_and_reads_back_in_graphql(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    opened = open_cycle(server, leadership, 2030, "op1")
    assert set(opened) == {"id", "nodeId", "version", "position"} and opened["version"] == 1
    gql = server.graphql(leadership)
    data, extensions = gql.query(CYCLE, wait_for=opened["position"], year=2030, kind="OP1")
    cycle = data["allocationCycle"]
    assert (cycle["id"], cycle["uuid"], cycle["phase"], cycle["envelope"]) == (
        opened["nodeId"],
        opened["id"],
        "OPEN",
        None,
    )
    assert extensions["positionReached"] is True
    assert cycle["budget"] == {"envelope": "0", "requested": "0", "funded": "0", "remaining": "0"}
    listed, _ = gql.query(
        "query($y: Int) { allocationCycles(fiscalYear: $y, first: 5) "
        "{ totalCount nodes { kind fiscalYear } } }",
        y=2030,
    )
    assert listed["allocationCycles"] == {
        "totalCount": 1,
        "nodes": [{"kind": "OP1", "fiscalYear": 2030}],
    }
    node, _ = gql.query(
        "query($id: ID!) { node(id: $id) { ... on AllocationCycle { fiscalYear } } }",
        id=opened["nodeId"],
    )
    assert node["node"] == {"fiscalYear": 2030}
    missing, _ = gql.query(CYCLE, year=2031, kind="OP2")
    assert missing["allocationCycle"] is None


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("", {"fiscalYear": 2031, "kind": "OP3"}),
        ("", {"fiscalYear": 1800, "kind": "OP1"}),
        ("", {"fiscalYear": 2031, "kind": "OP1", "extra": 1}),
        ("/requests", {"teamId": MISSING, "headcount": {}, "budget": 1, "rationale": "r"}),
        ("/decisions", {"teamId": MISSING, "headcount": {"ENG": 1}, "budget": 1, "rationale": "r"}),
        (
            "/decisions",
            {"teamId": MISSING, "headcount": {"DESIGN": -1}, "budget": 1, "rationale": "r"},
        ),
        ("/decisions", {"teamId": MISSING, "headcount": {}, "budget": 1.5, "rationale": "r"}),
        ("/dissents", {"argument": ""}),
        ("/dissents/" + MISSING + "/weigh", {"response": "x" * 1001}),
        ("/scenarios", {"name": "A/B", "allocations": [numbers(MISSING, {}, 1)]}),
        ("/scenarios", {"name": "Empty", "allocations": []}),
        ("/amendments", numbers(MISSING, {}, 1, reason="r", approver="two words")),
        ("/phase", {"to": "SOON"}),
    ],
)
def test_malformed_bodies_are_400_and_record_nothing(
    server: FlywheelServer, leadership: str, path: str, body: dict[str, Any]
) -> None:
    """Bodies are checked before any id is looked up (the approver's handle by the domain)."""
    target = CYCLES if not path else cycle_path(str(uuid4()), path)
    refused(server, target, leadership, body, 400)


def test_every_command_needs_a_token(server: FlywheelServer) -> None:
    some = str(uuid4())
    for path in (CYCLES, cycle_path(some, "/phase"), cycle_path(some, "/dissents")):
        refused(server, path, None, {}, 401)
    assert_problem(put(server, cycle_path(some, "/envelope"), None, {}), 401)


def test_leadership_runs_the_cycle_and_a_team_leader_requests_for_their_team(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    cycle = open_cycle(server, leadership, 2032, "OP1")["id"]
    refused(server, CYCLES, org["sam"], {"fiscalYear": 2033, "kind": "OP1"}, 403)
    before = log_position(server)
    envelope = {"headcount": {"ENGINEERING": 1}, "budget": 1, "reason": "Mine"}
    assert_problem(put(server, cycle_path(cycle, "/envelope"), org["sam"], envelope), 403)
    assert log_position(server) == before
    for token in (org["carl"], org["member"], org["planner"]):
        refused(server, cycle_path(cycle, "/requests"), token, ask(org, "shop", 2032, 1, 1), 403)
    ok(server.post(cycle_path(cycle, "/requests"), org["sam"], ask(org, "shop", 2032, 1, 1)))
    leadership_only = [
        ("/phase", {"to": "REVIEW"}),
        ("/decisions", numbers(org["shop"], {}, 0, rationale="r")),
        ("/scenarios", {"name": "Mine", "allocations": [numbers(org["shop"], {}, 0)]}),
        ("/scenarios/Mine/adopt", None),
        (f"/dissents/{uuid4()}/weigh", {"response": "r"}),
        ("/amendments", numbers(org["shop"], {}, 0, reason="r", approver="cfo@example.com")),
    ]
    for path, body in leadership_only:
        refused(server, cycle_path(cycle, path), org["sam"], body, 403)
    dissent = created(
        server.post(cycle_path(cycle, "/dissents"), org["planner"], {"argument": "Too small"})
    )
    assert dissent["id"] != cycle


def test_unknown_ids_are_404_and_record_nothing(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    cycle = open_cycle(server, leadership, 2033, "OP1")["id"]
    refused(server, cycle_path(MISSING, "/commitments"), leadership, {}, 404)
    body = {**ask(org, "shop", 2033, 1, 1), "teamId": MISSING}
    refused(server, cycle_path(cycle, "/requests"), leadership, body, 404)
    body = {**ask(org, "shop", 2033, 1, 1), "goalIds": [MISSING]}
    refused(server, cycle_path(cycle, "/requests"), leadership, body, 404)
    refused(
        server, cycle_path(cycle, f"/dissents/{MISSING}/weigh"), leadership, {"response": "?"}, 404
    )
    refused(server, cycle_path(cycle, "/scenarios/Nobody/adopt"), leadership, None, 404)
    dissent = {"teamId": MISSING, "argument": "About a team that is not there"}
    refused(server, cycle_path(cycle, "/dissents"), leadership, dissent, 404)


def test_the_rules_of_the_cycle_are_409_with_their_rule(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    year = 2034
    cycle = open_cycle(server, leadership, year, "OP1")["id"]
    path = cycle_path
    refused_rule(server, CYCLES, leadership, {"fiscalYear": year, "kind": "OP2"}, "op1-not-locked")
    foreign = {**ask(org, "shop", year, 1, 1), "goalIds": [org["cart-goals"][year]]}
    refused_rule(server, path(cycle, "/requests"), leadership, foreign, "goal-of-another-team")
    refused_rule(server, path(cycle, "/phase"), leadership, {"to": "DECIDED"}, "phase-out-of-order")
    decision = numbers(org["shop"], {}, 0, rationale="Early")
    refused_rule(server, path(cycle, "/decisions"), leadership, decision, "review-not-started")
    refused_rule(server, path(cycle, "/commitments"), leadership, {}, "cycle-not-decided")
    amendment = numbers(org["shop"], {}, 0, reason="Early", approver="cfo@example.com")
    refused_rule(server, path(cycle, "/amendments"), leadership, amendment, "cycle-not-locked")
    dissent = created(server.post(path(cycle, "/dissents"), org["member"], {"argument": "No"}))
    weigh = path(cycle, f"/dissents/{dissent['id']}/weigh")
    ok(server.post(weigh, leadership, {"response": "Heard"}))
    refused_rule(server, weigh, leadership, {"response": "Again"}, "dissent-already-weighed")
    for phase in ("REVIEW", "DECIDED"):
        ok(server.post(path(cycle, "/phase"), leadership, {"to": phase}))
    late = {"argument": "Too late"}
    refused_rule(server, path(cycle, "/dissents"), org["member"], late, "cycle-decided")
    ok(server.post(path(cycle, "/commitments"), org["member"], {}))
    refused_rule(server, path(cycle, "/commitments"), org["member"], {}, "already-committed")
    explained = httpx.get(f"{server.url}/problems/dissent-not-weighed", timeout=10).json()
    assert "new information" in explained["explanation"]


def test_decisions_stay_within_requests_and_the_envelope(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    cycle = in_review(server, leadership, org, 2035)["id"]
    decisions = cycle_path(cycle, "/decisions")
    beyond = numbers(org["shop"], {"ENGINEERING": 7}, 600, rationale="More")
    assert (
        "ENGINEERING 7 > 6"
        in refused_rule(server, decisions, leadership, beyond, "funded-beyond-request")["detail"]
    )
    no_ask = numbers(org["cart"], {"ENGINEERING": 1}, 0, rationale="Unasked")
    refused_rule(server, decisions, leadership, no_ask, "funded-beyond-request")
    ok(
        server.post(
            decisions, leadership, numbers(org["shop"], {"ENGINEERING": 6}, 600, rationale="Yes")
        )
    )
    lower = {"headcount": {"ENGINEERING": 5}, "budget": 1000, "reason": "Cut"}
    before = log_position(server)
    problem = assert_problem(put(server, cycle_path(cycle, "/envelope"), leadership, lower), 409)
    assert problem["rule"] == "envelope-exceeded" and log_position(server) == before


def test_if_match_guards_the_cycle(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    cycle = open_cycle(server, leadership, 2036, "OP1")
    path = cycle_path(cycle["id"], "/phase")
    stale = server.post(path, leadership, {"to": "REVIEW"}, headers={"If-Match": '"7"'})
    assert assert_problem(stale, 412)["type"] == "/problems/version-mismatch"
    moved = server.post(path, leadership, {"to": "REVIEW"}, headers={"If-Match": '"1"'})
    assert ok(moved)["version"] == 2


def test_a_retried_dissent_is_recorded_once_with_one_id(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    cycle = open_cycle(server, leadership, 2037, "OP1")["id"]
    key = {"Idempotency-Key": str(uuid4())}
    body = {"teamId": org["cart"], "argument": "Cart is underfunded"}
    first = server.post(cycle_path(cycle, "/dissents"), org["member"], body, headers=key)
    again = server.post(cycle_path(cycle, "/dissents"), org["member"], body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotency-replayed"] == "true"
    data, _ = server.graphql(leadership).query(
        CYCLE, wait_for=first.json()["position"], year=2037, kind="OP1"
    )
    dissents = data["allocationCycle"]["dissents"]
    assert dissents["totalCount"] == 1
    [dissent] = dissents["nodes"]
    assert (dissent["id"], dissent["uuid"]) == (first.json()["nodeId"], first.json()["id"])
    assert (dissent["by"], dissent["team"], dissent["weighed"]) == (
        {"handle": "mo@example.com"},
        {"name": "Cart"},
        False,
    )


HISTORY = """
query($id: ID!) {
  node(id: $id) {
    ... on Dissent { history { totalCount nodes { type actor { handle } } } }
    ... on AllocationCycle { history(first: 50) { totalCount nodes { type reason } } }
  }
}
"""


def test_history_of_a_cycle_and_of_one_dissent(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    cycle = open_cycle(server, leadership, 2038, "OP1")
    set_envelope(server, leadership, cycle["id"], {"ENGINEERING": 3}, 300)
    mine = created(
        server.post(cycle_path(cycle["id"], "/dissents"), org["member"], {"argument": "A"})
    )
    created(server.post(cycle_path(cycle["id"], "/dissents"), org["planner"], {"argument": "B"}))
    weighed = ok(
        server.post(
            cycle_path(cycle["id"], f"/dissents/{mine['id']}/weigh"), leadership, {"response": "R"}
        )
    )
    gql = server.graphql(leadership)
    data, _ = gql.query(HISTORY, wait_for=weighed["position"], id=mine["nodeId"])
    assert data["node"]["history"] == {
        "totalCount": 2,
        "nodes": [
            {"type": "AllocationCycle.DissentRecorded", "actor": {"handle": "mo@example.com"}},
            {"type": "AllocationCycle.DissentWeighed", "actor": {"handle": "ceo@example.com"}},
        ],
    }
    data, _ = gql.query(HISTORY, id=cycle["nodeId"])
    events = data["node"]["history"]["nodes"]
    assert [e["type"] for e in events][:2] == [
        "AllocationCycle.Opened",
        "AllocationCycle.EnvelopeSet",
    ]
    assert events[1]["reason"] == "The board's plan"
    with pytest.raises(TransportQueryError) as forbidden:
        server.graphql(org["member"]).query(HISTORY, id=cycle["nodeId"])
    assert forbidden.value.errors is not None
    assert forbidden.value.errors[0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize(
    "query",
    [
        "{ allocationCycles(first: 0) { totalCount } }",
        '{ allocationCycles(after: "nope") { totalCount } }',
        "{ allocationCycle(fiscalYear: 2030, kind: OP1) { requests(first: 101) { totalCount } } }",
        "{ allocationCycle(fiscalYear: 2030, kind: OP1) "
        '{ scenarioComparison(names: ["Nobody"]) { scenarios } } }',
        "{ allocationCycle(fiscalYear: 2030, kind: OP1, atPosition: 100000000) { phase } }",
    ],
)
def test_graphql_refuses_bad_arguments_with_a_code(
    server: FlywheelServer, leadership: str, org: dict[str, Any], query: str
) -> None:
    with pytest.raises(TransportQueryError) as bad:
        server.graphql(leadership).query(query)
    assert bad.value.errors is not None
    assert bad.value.errors[0]["extensions"]["code"] in {"BAD_USER_INPUT", "POSITION_NOT_REACHED"}


def test_the_allocation_commands_are_documented_in_openapi(server: FlywheelServer) -> None:
    spec = httpx.get(f"{server.url}/schema/openapi.json", timeout=30).json()
    paths = spec["paths"]
    for path in (
        "/api/v1/cycles",
        "/api/v1/cycles/{cycle_id}/envelope",
        "/api/v1/cycles/{cycle_id}/dissents/{dissent_id}/weigh",
        "/api/v1/cycles/{cycle_id}/scenarios/{name}/adopt",
    ):
        assert path in paths, sorted(paths)
    assert "409" in paths["/api/v1/cycles/{cycle_id}/decisions"]["post"]["responses"]
