"""Roadmaps end to end: REST commands into a running server, GraphQL reads back.

An approved PR/FAQ becomes Books' item (once); it is committed, given a milestone,
started, slipped with a reason, checked in on (a blindside), and depends on
Money's item (due after it: a conflict) and on an API. A cycle, a retired API, a
second item from the same PR/FAQ, a path-less OFF_TRACK, the wrong caller and
bad bodies are refused (400/401/403/404/409 with the rule) and record nothing.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, created, log_position, ok
from tests.e2e.test_goals_over_http import refused
from tests.e2e.test_teams_over_http import assert_problem

ITEMS = "/api/v1/roadmap-items"

ITEM = """
query Item($id: ID!, $at: Int) {
  roadmapItem(id: $id, atPosition: $at) {
    id uuid title outcome horizon status targetDate health closeNote version
    team { name } prfaq { title } headcount { function count }
    slips { previous targetDate days reason by { handle } }
    checkIns { health note pathBack blindside }
    milestones { name date done }
    dependencies { kind conflict crossTeam item { title } api { name } }
    dependents { title }
    history { totalCount }
  }
}
"""

TEAM_ROADMAP = """
query Team($id: ID!) {
  team(id: $id) { roadmap { title status } next: roadmap(horizon: NEXT) { title } }
}
"""

TIMELINE = """
query Timeline($teamId: ID, $sub: Boolean!, $from: Date, $to: Date) {
  roadmap(teamId: $teamId, includeSubteams: $sub, from: $from, to: $to) { title targetDate }
}
"""

GRAPH = """
query Graph($teamId: ID) {
  roadmapDependencies(teamId: $teamId) {
    edges { dependent { title } item { title } api { name } conflict crossTeam }
    conflicts { dependent { title } conflict }
    crossTeam { item { title } }
  }
}
"""


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    """Shop (sam) > Books (bo, member mia); Money (max); an approved PR/FAQ of Books; an
    API of Money's, and a retired one."""
    shop = charter(server, leadership, "Shop", "sam@example.com")["id"]
    books = charter(server, leadership, "Books", "bo@example.com", shop)["id"]
    money = charter(server, leadership, "Money", "max@example.com")["id"]
    ok(
        server.post(
            f"/api/v1/teams/{books}/members",
            leadership,
            {"person": "mia@example.com", "function": "ENGINEERING", "attachment": "REPORTS"},
        )
    )
    ann = server.token("ann@example.com", "member")
    text = {"title": "Depots", "customer": "Readers", "problem": "Slow", "teamId": books}
    prfaq = created(server.post("/api/v1/prfaqs", ann, text))["id"]
    for number, ring in enumerate(("TEAM", "ORG", "S_TEAM", "CEO"), 1):
        created(
            server.post(
                f"/api/v1/prfaqs/{prfaq}/rounds", ann, {"ring": ring, "reviewers": ["r@x.io"]}
            )
        )
        ok(
            server.post(
                f"/api/v1/prfaqs/{prfaq}/rounds/{number}/close",
                leadership,
                {"outcome": "ADVANCE"},
            )
        )
    draft = created(server.post("/api/v1/prfaqs", ann, {**text, "title": "Draft"}))["id"]
    service = created(
        server.post(
            "/api/v1/services",
            leadership,
            {"name": "ledger", "ownerTeamId": money, "description": "d"},
        )
    )["id"]
    api_body = {"version": "1", "kind": "REST", "visibility": "PUBLIC"}
    api = created(
        server.post(f"/api/v1/services/{service}/apis", leadership, {"name": "pay", **api_body})
    )["id"]
    retired = created(
        server.post(f"/api/v1/services/{service}/apis", leadership, {"name": "old", **api_body})
    )["id"]
    ok(server.post(f"/api/v1/apis/{retired}/retire", leadership, {"reason": "Replaced"}))
    return {
        "books": books,
        "money": money,
        "prfaq": prfaq,
        "draft": draft,
        "api": api,
        "retired": retired,
        "bo": server.token("bo@example.com", "member"),
        "mia": server.token("mia@example.com", "member"),
        "max": server.token("max@example.com", "member"),
    }


def path(item: str, rest: str = "") -> str:
    return f"{ITEMS}/{item}{rest}"


def test_the_scenario(server: FlywheelServer, leadership: str, org: dict[str, Any]) -> None:
    bo, mia, maxi = org["bo"], org["mia"], org["max"]
    depots = created(
        server.post(
            ITEMS,
            bo,
            {
                "title": "Depots",
                "outcome": "Books the same day",
                "horizon": "NOW",
                "headcount": {"ENGINEERING": 3, "DESIGN": 1},
                "prfaqId": org["prfaq"],
            },
        )
    )
    assert set(depots) == {"id", "nodeId", "version", "position"}
    item = depots["id"]
    problem = refused(
        server,
        ITEMS,
        bo,
        {"title": "Again", "outcome": "o", "horizon": "NOW", "prfaqId": org["prfaq"]},
        409,
    )
    assert problem["rule"] == "roadmap-prfaq-taken"
    problem = refused(
        server,
        ITEMS,
        bo,
        {"title": "D", "outcome": "o", "horizon": "NOW", "prfaqId": org["draft"]},
        409,
    )
    assert problem["rule"] == "roadmap-prfaq-not-approved"
    ledger = created(
        server.post(
            ITEMS,
            maxi,
            {"teamId": org["money"], "title": "Ledger", "outcome": "Paid", "horizon": "NEXT"},
        )
    )["id"]

    ok(server.post(path(item, "/commit"), bo, {"targetDate": "2027-03-01"}))
    ok(server.post(path(ledger, "/commit"), maxi, {"targetDate": "2027-04-01"}))
    milestone = created(
        server.post(path(item, "/milestones"), bo, {"name": "Beta", "date": "2027-02-01"})
    )
    ok(server.post(path(item, f"/milestones/{milestone['id']}/done"), bo))
    ok(server.post(path(item, "/start"), bo))
    ok(server.post(path(item, "/pause"), bo, {"reason": "Legal review"}))
    ok(server.post(path(item, "/resume"), bo))
    ok(
        server.post(
            path(item, "/target-date"), bo, {"targetDate": "2027-03-15", "reason": "Vendor late"}
        )
    )
    ok(server.post(path(item, "/check-ins"), mia, {"health": "ON_TRACK", "note": "Fine"}))
    problem = refused(
        server, path(item, "/check-ins"), mia, {"health": "OFF_TRACK", "note": "Bad"}, 409
    )
    assert problem["rule"] == "roadmap-path-back-required"
    ok(
        server.post(
            path(item, "/check-ins"),
            mia,
            {"health": "OFF_TRACK", "note": "Surprise", "pathBack": "Cut scope"},
        )
    )
    ok(server.post(path(item, "/dependencies"), bo, {"itemId": ledger}))
    ok(server.post(path(item, "/dependencies"), bo, {"apiId": org["api"]}))
    problem = refused(server, path(ledger, "/dependencies"), maxi, {"itemId": item}, 409)
    assert problem["rule"] == "roadmap-dependency-cycle"
    assert f"{ledger} -> {item} -> {ledger}" in problem["detail"]
    problem = refused(server, path(item, "/dependencies"), bo, {"apiId": org["retired"]}, 409)
    assert problem["rule"] == "roadmap-dependency-on-retired-api"
    head = ok(
        server.post(
            path(ledger, "/target-date"), maxi, {"targetDate": "2027-05-01", "reason": "Audit"}
        )
    )

    data, _ = server.graphql(leadership).query(ITEM, wait_for=head["position"], id=depots["nodeId"])
    found = data["roadmapItem"]
    assert (found["title"], found["status"], found["targetDate"], found["health"]) == (
        "Depots",
        "IN_PROGRESS",
        "2027-03-15",
        "OFF_TRACK",
    )
    assert (found["team"]["name"], found["prfaq"]["title"]) == ("Books", "Depots")
    assert found["headcount"] == [
        {"function": "ENGINEERING", "count": 3},
        {"function": "DESIGN", "count": 1},
    ]
    assert found["slips"] == [
        {
            "previous": "2027-03-01",
            "targetDate": "2027-03-15",
            "days": 14,
            "reason": "Vendor late",
            "by": {"handle": "bo@example.com"},
        }
    ]
    assert [(c["health"], c["blindside"]) for c in found["checkIns"]] == [
        ("ON_TRACK", False),
        ("OFF_TRACK", True),
    ]
    assert found["milestones"] == [{"name": "Beta", "date": "2027-02-01", "done": True}]
    assert found["dependencies"] == [
        {
            "kind": "ITEM",
            "conflict": "DUE_AFTER",
            "crossTeam": True,
            "item": {"title": "Ledger"},
            "api": None,
        },
        {"kind": "API", "conflict": None, "crossTeam": False, "item": None, "api": {"name": "pay"}},
    ]
    assert found["history"]["totalCount"] == found["version"]
    node, _ = server.graphql(bo).query(
        "query($id: ID!) { node(id: $id) { __typename ... on RoadmapItem { title } } }",
        id=depots["nodeId"],
    )
    assert node["node"] == {"__typename": "RoadmapItem", "title": "Depots"}

    graph, _ = server.graphql(leadership).query(GRAPH, teamId=org["books"])
    conflicts = graph["roadmapDependencies"]["conflicts"]
    assert conflicts == [{"dependent": {"title": "Depots"}, "conflict": "DUE_AFTER"}]
    assert graph["roadmapDependencies"]["crossTeam"] == [{"item": {"title": "Ledger"}}]

    timeline, _ = server.graphql(mia).query(
        TIMELINE, teamId=None, sub=False, **{"from": "2027-04-01", "to": "2027-12-31"}
    )
    assert timeline["roadmap"] == [{"title": "Ledger", "targetDate": "2027-05-01"}]

    # As of the slip's eve, the item was due on the first date.
    before, _ = server.graphql(leadership).query(ITEM, id=depots["nodeId"], at=depots["position"])
    assert (before["roadmapItem"]["status"], before["roadmapItem"]["targetDate"]) == (
        "PROPOSED",
        None,
    )

    ok(server.post(path(ledger, "/transfer"), maxi, {"toTeamId": org["books"], "reason": "Merge"}))
    ok(server.post(path(ledger, "/drop"), bo, {"reason": "Superseded"}))
    head = server.delete(path(item, f"/dependencies/{org['api']}?reason=Not+needed"), bo)
    assert head.status_code == 200, head.text
    last = ok(server.post(path(item, "/deliver"), bo, {"note": "Shipped"}))
    team, _ = server.graphql(bo).query(TEAM_ROADMAP, wait_for=last["position"], id=org["books"])
    assert team["team"]["roadmap"] == [
        {"title": "Depots", "status": "DELIVERED"},
        {"title": "Ledger", "status": "DROPPED"},
    ]
    assert team["team"]["next"] == [{"title": "Ledger"}]
    problem = refused(server, path(item, "/drop"), bo, {"reason": "late"}, 409)
    assert problem["rule"] == "roadmap-item-closed"


def test_refusals_record_nothing(server: FlywheelServer, org: dict[str, Any]) -> None:
    bo, maxi = org["bo"], org["max"]
    item = created(
        server.post(
            ITEMS,
            bo,
            {"teamId": org["books"], "title": "Spare", "outcome": "o", "horizon": "LATER"},
        )
    )["id"]
    assert refused(server, path(item, "/commit"), None, {"targetDate": "2027-01-01"}, 401)
    assert refused(server, path(item, "/commit"), maxi, {"targetDate": "2027-01-01"}, 403)
    missing = "00000000-0000-4000-8000-000000000000"
    assert refused(server, path(missing, "/commit"), bo, {"targetDate": "2027-01-01"}, 404)
    problem = refused(server, path(item, "/commit"), bo, {"targetDate": "3027-01-01"}, 400)
    assert "targetDate" in problem["detail"]
    problem = refused(server, path(item, "/start"), bo, None, 409)
    assert problem["rule"] == "roadmap-transition-refused"
    problem = refused(
        server, path(item, "/target-date"), bo, {"targetDate": "2027-01-01", "reason": "r"}, 409
    )
    assert problem["rule"] == "roadmap-not-committed"
    problem = refused(server, path(item, "/dependencies"), bo, {}, 400)
    assert "itemId" in problem["detail"]
    problem = refused(
        server, path(item, "/transfer"), bo, {"toTeamId": org["books"], "reason": "r"}, 409
    )
    assert problem["rule"] == "roadmap-transfer-same-team"
    problem = refused(
        server,
        ITEMS,
        bo,
        {"teamId": org["books"], "title": " ", "outcome": "o", "horizon": "NOW"},
        400,
    )
    assert "title" in problem["detail"]
    problem = refused(
        server,
        ITEMS,
        bo,
        {"teamId": org["books"], "title": "t", "outcome": "o", "horizon": "SOON"},
        400,
    )
    before = log_position(server)
    response = server.delete(path(item, f"/dependencies/{missing}"), bo)
    assert_problem(response, 404)
    assert log_position(server) == before


def test_the_roadmap_commands_are_documented_in_openapi(server: FlywheelServer) -> None:
    paths = httpx.get(f"{server.url}/schema/openapi.json", timeout=30).json()["paths"]
    operations = [
        (method, path_, operation)
        for path_, methods in paths.items()
        if path_.startswith(
            ("/api/v1/roadmap-items", "/api/v1/roadmap-baselines", "/api/v1/roadmap-settings")
        )
        for method, operation in methods.items()
    ]
    assert len(operations) == 17
    for method, path_, operation in operations:
        assert "409" in operation["responses"] and operation["description"], (method, path_)


FUNDED_ITEMS = """
query Funded($at: Int) {
  allocationCycle(fiscalYear: 2031, kind: OP1, atPosition: $at) {
    requests(first: 5) { nodes { team { name } items { title } versions { items { title } } } }
    unfundedAsks { team { name } items { title } }
  }
}
"""

PLAN = """
query Plan($since: RoadmapPoint!, $baseline: ID!, $teamId: ID, $year: Int!) {
  roadmapBaselines { uuid name position cycle { fiscalYear kind } }
  roadmapChanges(since: $since, teamId: $teamId) {
    added { title } dropped { title } delivered { title }
    slipped { item { title } days slips { days reason } } pulledIn { item { title } days }
    openPastBaselinedDate { item { title } baselinedDate }
  }
  commitmentReliability(baseline: $baseline, teamId: $teamId) {
    baseline { name } committed deliveredOnTime reliability
    commitments { item { title } onTime }
  }
  capacity(fiscalYear: $year, teamId: $teamId) {
    team { name } fundedBy functions { function needed funded over }
    overCommitted { function over }
  }
}
"""


def test_the_plan_of_record(server: FlywheelServer, leadership: str, org: dict[str, Any]) -> None:
    """Money's 2031 OP1 funds 1 engineer and is locked (the baseline); Money's two items
    due in 2031 need 3 (over-committed by 2). After the lock one slips 10 days, the other
    is delivered (and needs no one any more), one is added: reliability 1 of 2 (the
    delivered one was due in 2031, delivered now)."""
    maxi, money = org["max"], org["money"]
    metric = created(
        server.post(
            "/api/v1/metrics",
            leadership,
            {
                "name": "Ledger speed",
                "kind": "INPUT",
                "unit": "s",
                "direction": "DECREASE",
                "definition": "d",
                "ownerTeamId": money,
            },
        )
    )["id"]
    goal = created(
        server.post(
            "/api/v1/goals",
            leadership,
            {
                "teamId": money,
                "metricId": metric,
                "planYear": 2031,
                "baseline": 10,
                "target": 5,
                "dueDate": "2031-12-31",
                "description": "Faster",
            },
        )
    )["id"]

    def item(title: str, engineers: int, due: str) -> str:
        body = {
            "teamId": money,
            "title": title,
            "outcome": "o",
            "horizon": "NOW",
            "headcount": {"ENGINEERING": engineers},
        }
        item_id: str = created(server.post(ITEMS, maxi, body))["id"]
        ok(server.post(path(item_id, "/commit"), maxi, {"targetDate": due}))
        return item_id

    fast, audit = item("Fast close", 2, "2031-03-01"), item("Audit trail", 1, "2031-06-01")
    cycle = created(server.post("/api/v1/cycles", leadership, {"fiscalYear": 2031, "kind": "OP1"}))
    cycle_path = f"/api/v1/cycles/{cycle['id']}"
    envelope = {"headcount": {"ENGINEERING": 5}, "budget": 100, "reason": "r"}
    response = httpx.put(
        f"{server.url}{cycle_path}/envelope",
        json=envelope,
        headers={"Authorization": f"Bearer {leadership}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    ask = {"teamId": money, "headcount": {"ENGINEERING": 3}, "budget": 50, "rationale": "r"}
    books_item = created(
        server.post(
            ITEMS,
            leadership,
            {"teamId": org["books"], "title": "Not Money's", "outcome": "o", "horizon": "NOW"},
        )
    )["id"]
    problem = refused(
        server,
        f"{cycle_path}/requests",
        maxi,
        {**ask, "goalIds": [goal], "itemIds": [fast, books_item]},
        409,
    )
    assert problem["rule"] == "allocation-item-of-another-team"
    ok(server.post(f"{cycle_path}/requests", maxi, {**ask, "goalIds": [goal], "itemIds": [fast]}))
    ok(
        server.post(
            f"{cycle_path}/requests", maxi, {**ask, "goalIds": [goal], "itemIds": [fast, audit]}
        )
    )
    ok(server.post(f"{cycle_path}/phase", leadership, {"to": "REVIEW"}))
    decision = {**ask, "headcount": {"ENGINEERING": 1}}
    ok(server.post(f"{cycle_path}/decisions", leadership, decision))
    ok(server.post(f"{cycle_path}/phase", leadership, {"to": "DECIDED"}))
    ok(server.post(f"{cycle_path}/phase", leadership, {"to": "LOCKED"}))

    ok(server.post(path(fast, "/start"), maxi))
    ok(server.post(path(fast, "/deliver"), maxi, {"note": "Done"}))
    ok(server.post(path(audit, "/target-date"), maxi, {"targetDate": "2031-06-11", "reason": "r"}))
    created(
        server.post(
            ITEMS,
            maxi,
            {"teamId": money, "title": "Dashboards", "outcome": "o", "horizon": "LATER"},
        )
    )
    named = created(server.post("/api/v1/roadmap-baselines", leadership, {"name": "After"}))
    problem = refused(server, "/api/v1/roadmap-baselines", leadership, {"name": "after"}, 409)
    assert problem["rule"] == "roadmap-baseline-name-taken"
    assert refused(server, "/api/v1/roadmap-baselines", maxi, {"name": "Mine"}, 403)
    assert refused(server, "/api/v1/roadmap-baselines", leadership, {"name": ""}, 400)

    data, _ = server.graphql(leadership).query(
        PLAN,
        wait_for=named["position"],
        since={"baseline": cycle["id"]},
        baseline=cycle["id"],
        teamId=money,
        year=2031,
    )
    baselines = data["roadmapBaselines"]
    assert [(b["uuid"], b["name"], b["cycle"]) for b in baselines] == [
        (cycle["id"], "FY2031 OP1", {"fiscalYear": 2031, "kind": "OP1"}),
        (named["id"], "After", None),
    ]
    changes = data["roadmapChanges"]
    assert changes["added"] == [{"title": "Dashboards"}]
    assert changes["delivered"] == [{"title": "Fast close"}]
    assert changes["dropped"] == [] and changes["pulledIn"] == []
    assert changes["slipped"] == [
        {"item": {"title": "Audit trail"}, "days": 10, "slips": [{"days": 10, "reason": "r"}]}
    ]
    assert changes["openPastBaselinedDate"] == []
    reliability = data["commitmentReliability"]
    assert (reliability["committed"], reliability["deliveredOnTime"]) == (2, 1)
    assert reliability["reliability"] == 0.5
    assert reliability["baseline"] == {"name": "FY2031 OP1"}
    [capacity] = data["capacity"]
    assert capacity["team"] == {"name": "Money"} and capacity["fundedBy"] == "OP1"
    assert capacity["functions"] == [
        {"function": "ENGINEERING", "needed": 1, "funded": 1, "over": 0}
    ], "the delivered item no longer needs anyone"
    assert capacity["overCommitted"] == []
    lock = baselines[0]["position"]
    funded, _ = server.graphql(leadership).query(FUNDED_ITEMS, at=lock)
    cycle_read = funded["allocationCycle"]
    assert cycle_read["requests"]["nodes"] == [
        {
            "team": {"name": "Money"},
            "items": [{"title": "Fast close"}, {"title": "Audit trail"}],
            "versions": [
                {"items": [{"title": "Fast close"}]},
                {"items": [{"title": "Fast close"}, {"title": "Audit trail"}]},
            ],
        }
    ]
    assert cycle_read["unfundedAsks"] == [
        {"team": {"name": "Money"}, "items": [{"title": "Fast close"}, {"title": "Audit trail"}]}
    ], "funded 1 of the 3 engineers asked for"
    then, _ = server.graphql(leadership).query(
        "query($teamId: ID, $at: Int) { capacity(fiscalYear: 2031, teamId: $teamId, "
        "atPosition: $at) { overCommitted { function needed funded over } } }",
        teamId=money,
        at=lock,
    )
    assert then["capacity"] == [
        {"overCommitted": [{"function": "ENGINEERING", "needed": 3, "funded": 1, "over": 2}]}
    ]

    at_lock, _ = server.graphql(leadership).query(
        PLAN, since={"position": 0}, baseline=cycle["id"], teamId=money, year=2031
    )
    assert at_lock["roadmapChanges"]["added"][:2] == [
        {"title": "Fast close"},
        {"title": "Audit trail"},
    ]
    reader = server.graphql(maxi)
    with pytest.raises(TransportQueryError) as two_points:
        reader.query(
            PLAN,
            since={"position": 1, "time": "2026-01-01T00:00:00Z"},
            baseline=cycle["id"],
            teamId=money,
            year=2031,
        )
    assert two_points.value.errors is not None
    assert "exactly one" in two_points.value.errors[0]["message"]
    missing = "00000000-0000-4000-8000-000000000000"
    with pytest.raises(TransportQueryError) as no_baseline:
        reader.query(PLAN, since={"position": 1}, baseline=missing, teamId=money, year=2031)
    assert no_baseline.value.errors is not None
    assert no_baseline.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_the_timeline_picture(server: FlywheelServer, leadership: str, org: dict[str, Any]) -> None:
    """Every item of the team is drawn, by title, and no other team's; the refusals are
    problem details."""
    mia = org["mia"]

    def item(team: str, title: str) -> dict[str, Any]:
        body = {"teamId": team, "title": title, "outcome": "o", "horizon": "LATER"}
        return created(server.post(ITEMS, leadership, body))

    item(org["books"], "Picture one")
    item(org["money"], "Picture elsewhere")
    last = item(org["books"], "Picture two")
    books, _ = server.graphql(mia).query(TEAM_ROADMAP, wait_for=last["position"], id=org["books"])
    titles = [found["title"] for found in books["team"]["roadmap"]]
    assert {"Picture one", "Picture two"} <= set(titles)
    headers = {"Authorization": f"Bearer {mia}"}
    url = f"{server.url}/api/v1/roadmap.svg"
    response = httpx.get(url, params={"teamId": org["books"]}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = response.text
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for title in titles:
        assert f"Books · {title}" in svg
    assert "Picture elsewhere" not in svg, "Money's items are not Books'"
    whole = httpx.get(url, headers=headers, timeout=30)
    assert "Money · Picture elsewhere" in whole.text, "without teamId: every team's"
    assert_problem(httpx.get(url, timeout=30), 401)
    roleless = server.token("nobody@example.com")
    no_role = {"Authorization": f"Bearer {roleless}"}
    assert_problem(httpx.get(url, headers=no_role, timeout=30), 403)
    missing = {"teamId": "00000000-0000-4000-8000-000000000000"}
    assert_problem(httpx.get(url, params=missing, headers=headers, timeout=30), 404)
    assert_problem(httpx.get(url, params={"teamId": "nope"}, headers=headers, timeout=30), 400)


WITHOUT_PRFAQ = """
query Without($teamId: ID, $closed: Boolean!, $at: Int) {
  roadmapSettings(atPosition: $at) {
    prfaqRequiredAbove history { prfaqRequiredAbove previous reason by { handle } }
  }
  roadmapItemsWithoutPrfaq(teamId: $teamId, includeClosed: $closed, atPosition: $at) {
    prfaqRequiredAbove
    items { item { title } totalHeadcount aboveThreshold }
    aboveThreshold { item { title } }
  }
}
"""


def put_settings(server: FlywheelServer, token: str | None, body: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.put(
        f"{server.url}/api/v1/roadmap-settings", json=body, headers=headers, timeout=30
    )


def test_leaderships_prfaq_threshold_and_the_items_without_one(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    """Only leadership sets the threshold; above it an item without a PR/FAQ is refused
    with 409 `roadmap-item-needs-prfaq` (proposed, or grown) and nothing is recorded; the
    report flags the items above it; as of before the setting there was none."""
    bo = org["bo"]
    money = charter(server, leadership, "Vault", "vic@example.com")["id"]
    body = {"teamId": money, "title": "Huge", "outcome": "o", "horizon": "NEXT"}
    huge = created(server.post(ITEMS, leadership, {**body, "headcount": {"ENGINEERING": 40}}))["id"]
    small = created(
        server.post(ITEMS, leadership, {**body, "title": "Small", "headcount": {"DESIGN": 1}})
    )["id"]
    before = log_position(server)
    assert_problem(put_settings(server, bo, {"prfaqRequiredAbove": 5}), 403)
    assert_problem(put_settings(server, None, {"prfaqRequiredAbove": 5}), 401)
    assert (
        "prfaqRequiredAbove"
        in assert_problem(put_settings(server, leadership, {"prfaqRequiredAbove": -1}), 400)[
            "detail"
        ]
    )
    assert_problem(put_settings(server, leadership, {}), 400)
    assert log_position(server) == before
    set_ = ok(put_settings(server, leadership, {"prfaqRequiredAbove": 5, "reason": "Big bets"}))
    try:
        threshold_held(server, leadership, body, small, money, set_)
        ok(server.post(path(huge, "/drop"), leadership, {"reason": "Too big"}))
    finally:
        lifted = ok(put_settings(server, leadership, {"prfaqRequiredAbove": None}))
    query = server.graphql(leadership).query
    data, _ = query(WITHOUT_PRFAQ, wait_for=lifted["position"], teamId=money, closed=False)
    assert [e["item"]["title"] for e in data["roadmapItemsWithoutPrfaq"]["items"]] == ["Small"]
    assert data["roadmapSettings"]["prfaqRequiredAbove"] is None
    data, _ = query(WITHOUT_PRFAQ, teamId=money, closed=True)
    titles = {e["item"]["title"] for e in data["roadmapItemsWithoutPrfaq"]["items"]}
    assert titles == {"Huge", "Small"}


def threshold_held(
    server: FlywheelServer,
    leadership: str,
    body: dict[str, Any],
    small: str,
    money: str,
    set_: dict[str, Any],
) -> None:
    problem = refused(server, ITEMS, leadership, {**body, "headcount": {"ENGINEERING": 6}}, 409)
    assert problem["rule"] == "roadmap-item-needs-prfaq"
    problem = refused(
        server,
        path(small, "/headcount"),
        leadership,
        {"headcount": {"DESIGN": 3, "ENGINEERING": 3}, "reason": "More"},
        409,
    )
    assert problem["rule"] == "roadmap-item-needs-prfaq"
    grown = ok(
        server.post(
            path(small, "/headcount"), leadership, {"headcount": {"DESIGN": 5}, "reason": "More"}
        )
    )
    query = server.graphql(leadership).query
    data, _ = query(WITHOUT_PRFAQ, wait_for=grown["position"], teamId=money, closed=False)
    assert data["roadmapSettings"] == {
        "prfaqRequiredAbove": 5,
        "history": [
            {
                "prfaqRequiredAbove": 5,
                "previous": None,
                "reason": "Big bets",
                "by": {"handle": "ceo@example.com"},
            }
        ],
    }
    report = data["roadmapItemsWithoutPrfaq"]
    assert report["prfaqRequiredAbove"] == 5
    flags = {
        entry["item"]["title"]: (entry["totalHeadcount"], entry["aboveThreshold"])
        for entry in report["items"]
    }
    assert flags == {"Huge": (40, True), "Small": (5, False)}
    assert report["aboveThreshold"] == [{"item": {"title": "Huge"}}]
    then, _ = query(WITHOUT_PRFAQ, teamId=money, closed=False, at=set_["position"] - 1)
    assert then["roadmapSettings"] == {"prfaqRequiredAbove": None, "history": []}
    assert all(not e["aboveThreshold"] for e in then["roadmapItemsWithoutPrfaq"]["items"])


def test_two_requests_that_would_close_a_cycle_together_get_one_409(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    """Sent at the same moment over HTTP: A needs B and B needs A. Whatever the
    interleaving, exactly one is recorded and the other is refused with 409
    `roadmap-dependency-cycle` (tests/integration/test_roadmap_contention.py forces the
    interleaving where both check against the old graph)."""
    body = {"teamId": org["money"], "outcome": "o", "horizon": "NOW"}
    a = created(server.post(ITEMS, leadership, {**body, "title": "Race A"}))["id"]
    b = created(server.post(ITEMS, leadership, {**body, "title": "Race B"}))["id"]
    start = threading.Barrier(2)

    def add(item: str, target: str) -> httpx.Response:
        start.wait(timeout=30)
        return server.post(path(item, "/dependencies"), leadership, {"itemId": target})

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(lambda pair: add(*pair), [(a, b), (b, a)]))
    assert sorted(answer.status_code for answer in answers) == [200, 409], [
        answer.text for answer in answers
    ]
    [refusal] = [answer.json() for answer in answers if answer.status_code == 409]
    assert refusal["rule"] == "roadmap-dependency-cycle"
    [winner] = [answer.json() for answer in answers if answer.status_code == 200]
    data, _ = server.graphql(leadership).query(
        "query($a: ID!, $b: ID!) { a: roadmapItem(id: $a) { dependencies { item { title } } } "
        "b: roadmapItem(id: $b) { dependencies { item { title } } } }",
        wait_for=winner["position"],
        a=a,
        b=b,
    )
    edges = [d["item"]["title"] for side in ("a", "b") for d in data[side]["dependencies"]]
    assert len(edges) == 1, "one edge, so no cycle"
