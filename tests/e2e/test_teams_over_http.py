"""Teams end to end: REST commands into a running server, GraphQL reads back."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer
from tests.e2e.fleet import until

TEAM = """
query Team($id: ID!) {
  team(id: $id) {
    id name mission status version
    leader { person { handle } since reason }
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
    assert team["leader"]["reason"] == "Carl retires"
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

    as_of, extensions = server.graphql(leadership).query(
        "query($id: ID!, $at: Int) { team(id: $id, atPosition: $at) { "
        "leader { person { handle } reason } "
        "members { person { handle } function attachment } } }",
        id=child["nodeId"],
        at=added.json()["position"],
    )
    assert extensions["readAt"] == {"team": {"position": added.json()["position"]}}
    assert as_of["team"]["leader"] == {"person": {"handle": "carl@example.com"}, "reason": None}
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
    assert data["teams"]["totalCount"] >= 0, "any role may read"


def test_reading_needs_a_role_or_a_team_to_lead(server: FlywheelServer, leadership: str) -> None:
    roleless = server.token("nora@example.com")
    for request in (
        httpx.post(
            f"{server.url}/graphql",
            json={"query": TOTAL},
            headers={"Authorization": f"Bearer {roleless}"},
        ),
        httpx.get(
            f"{server.url}/graphql",
            params={"query": TOTAL},
            headers={"Authorization": f"Bearer {roleless}"},
        ),
    ):
        problem = assert_problem(request, 403)
        assert problem["type"] == "/problems/forbidden"
        assert "needs a role" in problem["detail"]

    led = charter(server, leadership, "Nora's", "nora@example.com")
    assert led.status_code == 201, led.text
    data, _ = server.graphql(roleless).query(TOTAL, wait_for=led.json()["position"])
    assert data["teams"]["totalCount"] >= 1, "a team's leader reads without a token role"


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
    [won] = [r.json() for r in responses if r.status_code == 201]
    data, _ = server.graphql(leadership).query(
        'query { person(id: "racer@example.com") { leads { id } } '
        'teams(filter: {nameContains: "Race "}) { totalCount } }',
        wait_for=won["position"],
    )
    assert data["person"]["leads"]["id"] == won["nodeId"], "the winner is the one recorded"
    assert data["teams"]["totalCount"] == 1, "no loser's team was recorded"


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


PAGE = """
query($first: Int!, $after: String, $filter: TeamFilter) {
  teams(first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id name status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


def test_teams_filtered_by_parent_and_status_and_paged_by_cursor(
    server: FlywheelServer, leadership: str
) -> None:
    root = charter(server, leadership, "Paging root", "root@example.com").json()
    children = {
        name: charter(
            server, leadership, name, f"{name.split()[-1].lower()}@paging.io", parentId=root["id"]
        ).json()
        for name in ("Pager B", "Pager E", "Pager A", "Pager D", "Pager C")
    }
    charter(server, leadership, "Pager Z", "z@paging.io")  # same prefix, another parent
    closed = server.post(
        f"/api/v1/teams/{children['Pager C']['id']}/disband", leadership, {"reason": "Merged"}
    )
    assert closed.status_code == 200, closed.text
    graphql = server.graphql(leadership)

    names: list[str] = []
    cursors: list[str] = []
    after = None
    pages = 0
    under_root = {"parentId": root["nodeId"]}
    while True:
        data, extensions = graphql.query(
            PAGE,
            wait_for=closed.json()["position"],
            first=2,
            after=after,
            filter=under_root,
        )
        assert extensions["positionReached"] is True
        page = data["teams"]
        pages += 1
        assert page["totalCount"] == 5, "every child of the root, disbanded too"
        edges = page["edges"]
        assert 0 < len(edges) <= 2
        info = page["pageInfo"]
        assert info["startCursor"] == edges[0]["cursor"]
        assert info["endCursor"] == edges[-1]["cursor"]
        assert info["hasPreviousPage"] is (after is not None)
        names += [edge["node"]["name"] for edge in edges]
        cursors += [edge["cursor"] for edge in edges]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert pages == 3
    assert names == ["Pager A", "Pager B", "Pager C", "Pager D", "Pager E"], "by name, no gaps"
    assert len(set(cursors)) == 5
    resumed, _ = graphql.query(PAGE, first=10, after=cursors[1], filter=under_root)
    assert [e["node"]["name"] for e in resumed["teams"]["edges"]] == names[2:]
    assert resumed["teams"]["pageInfo"]["hasNextPage"] is False

    active, _ = graphql.query(PAGE, first=10, filter={**under_root, "status": "ACTIVE"})
    assert active["teams"]["totalCount"] == 4
    assert [e["node"]["name"] for e in active["teams"]["edges"]] == [
        "Pager A",
        "Pager B",
        "Pager D",
        "Pager E",
    ]
    assert {e["node"]["status"] for e in active["teams"]["edges"]} == {"ACTIVE"}
    gone, _ = graphql.query(PAGE, first=10, filter={**under_root, "status": "DISBANDED"})
    assert [(e["node"]["name"], e["node"]["id"]) for e in gone["teams"]["edges"]] == [
        ("Pager C", children["Pager C"]["nodeId"])
    ]
    leaves, _ = graphql.query(PAGE, first=10, filter={"parentId": children["Pager A"]["nodeId"]})
    assert leaves["teams"]["totalCount"] == 0 and leaves["teams"]["edges"] == []
    assert leaves["teams"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": False,
        "startCursor": None,
        "endCursor": None,
    }


PERSON = """
query($id: ID!) {
  person(id: $id) {
    id handle
    leads { name }
    memberships { team { id name } function attachment since }
  }
}
"""


def test_a_person_with_memberships_in_two_teams(server: FlywheelServer, leadership: str) -> None:
    home = charter(server, leadership, "Home base", "hb@example.com").json()
    guest = charter(server, leadership, "Guild", "guild@example.com").json()
    joined = [
        server.post(
            f"/api/v1/teams/{team['id']}/members",
            leadership,
            {"person": "Member.Mo@Example.com", "function": function, "attachment": attachment},
        )
        for team, function, attachment in (
            (home, "ENGINEERING", "DEDICATED"),
            (guest, "DESIGN", "REPORTS"),
        )
    ]
    assert [r.status_code for r in joined] == [200, 200], [r.text for r in joined]
    graphql = server.graphql(leadership)
    data, _ = graphql.query(
        PERSON, wait_for=joined[-1].json()["position"], id="member.mo@example.com"
    )
    person = data["person"]
    assert person["handle"] == "member.mo@example.com" and person["leads"] is None
    memberships = sorted(person["memberships"], key=lambda m: m["team"]["name"])
    assert [(m["team"]["id"], m["function"], m["attachment"]) for m in memberships] == [
        (guest["nodeId"], "DESIGN", "REPORTS"),
        (home["nodeId"], "ENGINEERING", "DEDICATED"),
    ]
    assert all(m["since"] for m in memberships)
    by_node_id, _ = graphql.query(PERSON, id=person["id"])
    assert by_node_id["person"] == person
    leader, _ = graphql.query(PERSON, id="hb@example.com")
    assert leader["person"]["leads"] == {"name": "Home base"}
    assert leader["person"]["memberships"] == []
    stranger, _ = graphql.query(PERSON, id="never-seen@example.com")
    assert stranger["person"] is None


READ_WAIT_SECONDS = 1.0


@pytest.fixture(scope="module")
def impatient(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    """A server that waits at most a second for a read-your-writes position."""
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path_factory.mktemp("impatient"), url)
        running.start_with({**running.env, "FLYWHEEL_READ_WAIT_SECONDS": str(READ_WAIT_SECONDS)})
        yield running
        running.stop()


def test_a_position_beyond_the_head_answers_after_the_bound_unreached(
    impatient: FlywheelServer,
) -> None:
    token = impatient.token("ceo@example.com", "leadership")
    written = charter(impatient, token, "Bounded", "bound@example.com")
    assert written.status_code == 201, written.text
    position = written.json()["position"]

    def read(wanted: int) -> tuple[httpx.Response, float]:
        started = time.monotonic()
        response = httpx.post(
            f"{impatient.url}/graphql",
            json={"query": TOTAL},
            headers={"Authorization": f"Bearer {token}", "X-Flywheel-Position": str(wanted)},
            timeout=60,
        )
        return response, time.monotonic() - started

    reached, _ = read(position)
    assert reached.status_code == 200, reached.text
    assert reached.json()["extensions"]["positionReached"] is True
    assert reached.json()["data"]["teams"]["totalCount"] == 1

    far = position + 1_000_000
    answered, waited = read(far)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert "errors" not in body, body
    assert body["extensions"]["positionReached"] is False
    assert position <= body["extensions"]["position"] < far
    assert body["data"]["teams"]["totalCount"] == 1, "it answers with what the views hold"
    assert waited >= READ_WAIT_SECONDS * 0.9, "it waited for the position, up to the bound"
    assert waited < 30, "then it answered instead of hanging"


def test_readyz_reports_the_projection_lag(server: FlywheelServer, leadership: str) -> None:
    written = charter(server, leadership, "Ready check", "ready@example.com")
    assert written.status_code == 201, written.text
    position = written.json()["position"]
    seen: list[dict[str, Any]] = []

    def caught_up() -> bool:
        response = httpx.get(f"{server.url}/readyz", timeout=10)
        assert response.status_code == 200, response.text
        seen.append(response.json())
        return bool(seen[-1]["viewsPosition"] >= position)

    until(caught_up, "the views to reach the write")
    ready = seen[-1]
    assert set(ready) == {"status", "database", "viewsPosition", "logPosition", "lagEvents"}
    assert (ready["status"], ready["database"]) == ("ready", "ok")
    assert ready["logPosition"] >= ready["viewsPosition"] >= position
    assert ready["lagEvents"] == ready["logPosition"] - ready["viewsPosition"] == 0
    for earlier in seen:
        assert earlier["lagEvents"] == max(earlier["logPosition"] - earlier["viewsPosition"], 0)
        assert earlier["logPosition"] >= position, "the write is in the log at once"
