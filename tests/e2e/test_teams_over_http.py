"""Teams end to end: REST commands into a running server, GraphQL reads back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.conftest import FlywheelServer

TEAM = """
query Team($id: ID!) {
  team(id: $id) {
    id name mission status version
    leader { person { handle } since }
    leaderHistory { person { handle } since until reason }
    members { person { handle } function attachment }
    functionCoverage { function count covered }
    parent { name }
    children { name }
  }
}
"""

TOTAL = "query { teams { totalCount } }"


def charter(
    server: FlywheelServer, token: str, name: str, leader: str, **extra: Any
) -> httpx.Response:
    return server.post(
        "/api/v1/teams",
        token,
        {"name": name, "mission": f"{name} mission", "leader": leader, **extra},
    )


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("/problems/") and problem["title"] and problem["detail"]
    return problem


def test_a_chartered_team_shows_in_graphql_with_its_leader(
    server: FlywheelServer, leadership: str
) -> None:
    created = charter(server, leadership, "Payments", "alice@example.com")
    assert created.status_code == 201, created.text
    body = created.json()
    assert set(body) == {"id", "nodeId", "version", "position"}
    assert body["version"] == 1 and body["position"] > 0
    assert created.headers["x-correlation-id"]

    data, extensions = server.graphql(leadership).query(
        TEAM, wait_for=body["position"], id=body["nodeId"]
    )
    assert extensions["position"] >= body["position"] and extensions["positionReached"] is True
    team = data["team"]
    assert (team["name"], team["status"], team["leader"]["person"]["handle"]) == (
        "Payments",
        "ACTIVE",
        "alice@example.com",
    )
    assert team["id"] == body["nodeId"]
    by_uuid, _ = server.graphql(leadership).query(TEAM, id=body["id"])
    assert by_uuid["team"]["name"] == "Payments"


def test_a_second_team_for_the_same_leader_is_refused_and_records_nothing(
    server: FlywheelServer, leadership: str
) -> None:
    first = charter(server, leadership, "Lending", "lena@example.com")
    graphql = server.graphql(leadership)
    before, _ = graphql.query(TOTAL, wait_for=first.json()["position"])
    refused = charter(server, leadership, "Savings", "LENA@example.com")
    problem = assert_problem(refused, 409)
    assert problem["rule"] == "person-leads-another-team"
    assert "Lending" in problem["detail"]
    after, _ = graphql.query(TOTAL)
    assert after["teams"]["totalCount"] == before["teams"]["totalCount"]
    rule_doc = httpx.get(f"{server.url}{problem['type']}").json()
    assert rule_doc["rule"] == "person-leads-another-team" and rule_doc["explanation"]


def test_members_leaders_and_the_org_tree_over_http(
    server: FlywheelServer, leadership: str
) -> None:
    parent = charter(server, leadership, "Commerce", "cora@example.com").json()
    child = charter(server, leadership, "Cart", "carl@example.com", parentId=parent["id"]).json()
    team_path = f"/api/v1/teams/{child['id']}"
    carl = server.token("carl@example.com", "member")
    added = server.post(
        f"{team_path}/members",
        carl,
        {"person": "dev@example.com", "function": "engineering", "attachment": "dedicated"},
    )
    assert added.status_code == 200, added.text
    server.post(
        f"{team_path}/members",
        carl,
        {"person": "des@example.com", "function": "DESIGN", "attachment": "REPORTS"},
    )
    appointed = server.post(
        f"{team_path}/leader", leadership, {"leader": "dev@example.com", "reason": "Carl retires"}
    )
    assert appointed.status_code == 200, appointed.text
    removed = server.delete(f"{team_path}/members/des@example.com", leadership)
    assert removed.status_code == 200, removed.text

    data, _ = server.graphql(leadership).query(
        TEAM, wait_for=removed.json()["position"], id=child["nodeId"]
    )
    team = data["team"]
    assert team["leader"]["person"]["handle"] == "dev@example.com"
    assert [
        (h["person"]["handle"], h["reason"], h["until"] is None) for h in team["leaderHistory"]
    ] == [
        ("carl@example.com", None, False),
        ("dev@example.com", "Carl retires", True),
    ]
    assert team["members"] == []
    assert {c["function"]: c["count"] for c in team["functionCoverage"]}["ENGINEERING"] == 0
    assert team["parent"] == {"name": "Commerce"}
    parent_data, _ = server.graphql(leadership).query(TEAM, id=parent["nodeId"])
    assert parent_data["team"]["children"] == [{"name": "Cart"}]

    person, _ = server.graphql(leadership).query(
        'query { person(id: "dev@example.com") '
        "{ handle leads { name } memberships { team { name } } } }"
    )
    assert person["person"] == {
        "handle": "dev@example.com",
        "leads": {"name": "Cart"},
        "memberships": [],
    }

    as_of, _ = server.graphql(leadership).query(
        "query($id: ID!, $at: Int) { team(id: $id, atPosition: $at) { leader { person { handle } } "
        "members { person { handle } function attachment } } }",
        id=child["nodeId"],
        at=added.json()["position"],
    )
    assert as_of["team"]["leader"]["person"]["handle"] == "carl@example.com"
    assert as_of["team"]["members"] == [
        {
            "person": {"handle": "dev@example.com"},
            "function": "ENGINEERING",
            "attachment": "DEDICATED",
        }
    ]


def test_disbanding_ends_memberships_and_frees_the_name(
    server: FlywheelServer, leadership: str
) -> None:
    team = charter(server, leadership, "Kiosk", "kim@example.com").json()
    server.post(
        f"/api/v1/teams/{team['id']}/members",
        leadership,
        {"person": "kai@example.com", "function": "OPERATIONS", "attachment": "DEDICATED"},
    )
    assert_problem(
        server.post(f"/api/v1/teams/{team['id']}/disband", leadership, {"reason": ""}), 400
    )
    disbanded = server.post(
        f"/api/v1/teams/{team['id']}/disband", leadership, {"reason": "Store closed"}
    )
    assert disbanded.status_code == 200, disbanded.text
    problem = assert_problem(
        server.post(
            f"/api/v1/teams/{team['id']}/leader",
            leadership,
            {"leader": "x@example.com", "reason": "r"},
        ),
        409,
    )
    assert problem["rule"] == "team-disbanded"
    again = charter(server, leadership, "kiosk", "kai@example.com")
    assert again.status_code == 201, "the name and the dedication were freed"
    data, _ = server.graphql(leadership).query(
        TEAM, wait_for=again.json()["position"], id=team["nodeId"]
    )
    assert data["team"]["status"] == "DISBANDED" and data["team"]["members"] == []


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"name": "X", "mission": "m"}, "leader"),
        ({"name": "", "mission": "m", "leader": "a@example.com"}, "length"),
        ({"name": "X", "mission": "m", "leader": "a@example.com", "colour": "red"}, "colour"),
        ({"name": "X", "mission": "m", "leader": "a@example.com", "parentId": "nope"}, "uuid"),
        ({"name": "X", "mission": "m", "leader": "two words"}, "spaces"),
    ],
)
def test_bad_input_is_400_problem_details(
    server: FlywheelServer, leadership: str, body: dict[str, Any], fragment: str
) -> None:
    problem = assert_problem(server.post("/api/v1/teams", leadership, body), 400)
    assert (
        fragment in problem["detail"].lower() or fragment in str(problem.get("errors", "")).lower()
    )


def test_malformed_json_and_unknown_ids(server: FlywheelServer, leadership: str) -> None:
    raw = httpx.post(
        f"{server.url}/api/v1/teams",
        content=b"{not json",
        headers={"Authorization": f"Bearer {leadership}", "content-type": "application/json"},
    )
    assert_problem(raw, 400)
    missing = "00000000-0000-4000-8000-000000000000"
    assert_problem(
        server.post(f"/api/v1/teams/{missing}/disband", leadership, {"reason": "r"}), 404
    )
    assert_problem(charter(server, leadership, "Orphan", "o@example.com", parentId=missing), 404)
    bad_function = server.post(
        f"/api/v1/teams/{missing}/members",
        leadership,
        {"person": "p@example.com", "function": "juggling", "attachment": "REPORTS"},
    )
    assert_problem(bad_function, 400)


def test_no_token_a_bad_token_and_a_forbidden_role(server: FlywheelServer, leadership: str) -> None:
    body = {"name": "Nope", "mission": "m", "leader": "n@example.com"}
    missing = assert_problem(server.post("/api/v1/teams", None, body), 401)
    assert missing["type"] == "/problems/unauthenticated"
    assert_problem(server.post("/api/v1/teams", "garbage.token.here", body), 401)
    assert_problem(server.post("/api/v1/teams", leadership[:-4] + "AAAA", body), 401)
    planner = server.token("pat@example.com", "planner")
    assert_problem(server.post("/api/v1/teams", planner, body), 403)
    unauthenticated = httpx.post(f"{server.url}/graphql", json={"query": TOTAL})
    assert_problem(unauthenticated, 401)
    data, _ = server.graphql(planner).query(TOTAL)
    assert data["teams"]["totalCount"] >= 0, "any valid token may read"


def test_graphql_errors_carry_codes(server: FlywheelServer, leadership: str) -> None:
    graphql = server.graphql(leadership)
    with pytest.raises(TransportQueryError) as refused:
        graphql.query("query { teams(first: 500) { totalCount } }")
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    with pytest.raises(TransportQueryError) as not_yet:
        graphql.query("query { teams(atPosition: 999999999) { totalCount } }")
    assert not_yet.value.errors is not None
    assert not_yet.value.errors[0]["extensions"]["reason"] == "POSITION_NOT_REACHED"


def test_racing_requests_for_one_leader_let_exactly_one_through(
    server: FlywheelServer, leadership: str
) -> None:
    racers = 6
    start = threading.Barrier(racers)

    def attempt(n: int) -> httpx.Response:
        start.wait()
        return charter(server, leadership, f"Race {n}", "racer@example.com")

    with ThreadPoolExecutor(racers) as pool:
        responses = list(pool.map(attempt, range(racers)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (racers - 1), [r.text for r in responses]
    assert {r.json()["rule"] for r in responses if r.status_code == 409} == {
        "person-leads-another-team"
    }


def test_the_api_is_documented(server: FlywheelServer) -> None:
    document = httpx.get(f"{server.url}/schema/openapi.json").json()
    charter_op = document["paths"]["/api/v1/teams"]["post"]
    for status in ("400", "401", "403", "404", "409", "412", "413", "422", "429", "503"):
        assert "application/problem+json" in charter_op["responses"][status]["content"]
    assert "BearerToken" in document["components"]["securitySchemes"]
    assert httpx.get(f"{server.url}/schema").status_code == 200
    ide = httpx.get(f"{server.url}/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 200 and "graphiql" in ide.text.lower()
    ready = httpx.get(f"{server.url}/readyz").json()
    assert ready["status"] == "ready" and ready["database"] == "ok"
