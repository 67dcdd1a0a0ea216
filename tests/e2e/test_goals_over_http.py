"""Metrics and goals end to end: REST commands into a running server, GraphQL reads back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import (
    charter,
    created,
    define,
    goal_body,
    log_position,
    metric_body,
    ok,
    set_goal,
)
from tests.e2e.test_teams_over_http import assert_problem

METRIC = """
query Metric($id: ID!, $from: Date, $to: Date) {
  metric(id: $id) {
    id uuid name kind financial unit direction definition definitionVersion version
    ownerTeam { name }
    definitionHistory { version text reason }
    drives { output { name } hypothesis }
    drivenBy { input { name } hypothesis }
    observations(from: $from, to: $to, first: 2) {
      totalCount nodes { periodEnd value corrections correctionReason }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

GOAL = """
query Goal($id: ID!, $at: Int) {
  goal(id: $id, atPosition: $at) {
    id planYear baseline target dueDate description topLevel status blindside outcome
    metricDefinitionVersion metricDefinition { version text }
    team { name } metric { name definitionVersion }
    targetHistory { target reason }
    checkIns { totalCount nodes { status note pathToGreen by { handle } blindside } }
  }
}
"""


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    """Shop > Cart; Money. Metrics: Basket size (input, Cart), Sales (financial output, Money)."""
    shop = charter(server, leadership, "Shop", "sam@example.com")["id"]
    cart = charter(server, leadership, "Cart", "carl@example.com", shop)["id"]
    money = charter(server, leadership, "Money", "mona@example.com")["id"]
    carl = server.token("carl@example.com", "member")
    ok(
        server.post(
            f"/api/v1/teams/{cart}/members",
            carl,
            {"person": "meg@example.com", "function": "ENGINEERING", "attachment": "REPORTS"},
        )
    )
    basket = define(server, carl, "Basket size", "INPUT", cart)
    sales = define(server, leadership, "Sales", "OUTPUT", money, financial=True)
    return {
        "shop": shop,
        "cart": cart,
        "money": money,
        "basket": basket,
        "sales": sales,
        "carl": carl,
        "meg": server.token("meg@example.com", "member"),
    }


def refused(
    server: FlywheelServer, path: str, token: str | None, body: Any, status: int
) -> dict[str, Any]:
    """The command is refused with a problem, and the event log did not move."""
    before = log_position(server)
    problem = assert_problem(server.post(path, token, body), status)
    assert log_position(server) == before, "a refused command recorded nothing"
    return problem


def test_a_defined_metric_shows_in_graphql(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    basket = org["basket"]
    assert set(basket) == {"id", "nodeId", "version", "position"} and basket["version"] == 1
    data, _ = server.graphql(leadership).query(
        METRIC, wait_for=org["sales"]["position"], id=basket["nodeId"]
    )
    metric = data["metric"]
    assert (metric["name"], metric["kind"], metric["financial"], metric["direction"]) == (
        "Basket size",
        "INPUT",
        False,
        "INCREASE",
    )
    assert metric["ownerTeam"] == {"name": "Cart"}
    assert metric["definitionHistory"] == [
        {"version": 1, "text": "How we count Basket size", "reason": None}
    ]
    by_uuid, _ = server.graphql(leadership).query(METRIC, id=basket["id"])
    assert by_uuid["metric"]["id"] == basket["nodeId"]


def test_a_compound_metric_is_refused_with_why(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    blend = metric_body(
        "Fitness",
        "OUTPUT",
        org["money"],
        composedOf=[{"metricId": org["sales"]["id"], "weight": 0.6}, "Basket size"],
        weights={"Sales": 0.6, "Basket size": 0.4},
    )
    problem = refused(server, "/api/v1/metrics", leadership, blend, 409)
    assert problem["rule"] == "compound-metric"
    assert "hides which input moved the output" in problem["detail"]
    assert "Basket size" in problem["detail"]
    redefinition = {"definition": "0.5 * a + 0.5 * b", "reason": "one number", "components": ["a"]}
    path = f"/api/v1/metrics/{org['basket']['id']}/definition"
    assert refused(server, path, org["carl"], redefinition, 409)["rule"] == "compound-metric"
    explained = httpx.get(f"{server.url}/problems/compound-metric").json()
    assert "fitness function" in explained["explanation"]
    unknown = metric_body("Odd", "INPUT", org["cart"], formula="a+b")
    assert "formula" in refused(server, "/api/v1/metrics", leadership, unknown, 400)["detail"]


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        (metric_body("Sales", "OUTPUT", "money"), "metric-name-taken"),
        (
            metric_body("Cash input", "INPUT", "money", financial=True),
            "financial-metric-must-be-output",
        ),
    ],
)
def test_metric_rules_refuse_and_record_nothing(
    server: FlywheelServer, leadership: str, org: dict[str, Any], body: dict[str, Any], rule: str
) -> None:
    body = {**body, "ownerTeamId": org["money"]}
    assert refused(server, "/api/v1/metrics", leadership, body, 409)["rule"] == rule


def test_drivers_go_from_input_to_output_only(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    basket, sales = org["basket"], org["sales"]
    speed = define(server, org["carl"], "Checkout speed", "INPUT", org["cart"])
    output_drives = {"outputMetricId": basket["id"], "hypothesis": "Sales grow baskets"}
    problem = refused(
        server, f"/api/v1/metrics/{sales['id']}/drives", leadership, output_drives, 409
    )
    assert problem["rule"] == "output-metric-cannot-drive"
    input_input = {"outputMetricId": speed["id"], "hypothesis": "Bigger baskets, slower checkout"}
    problem = refused(
        server, f"/api/v1/metrics/{basket['id']}/drives", leadership, input_input, 409
    )
    assert problem["rule"] == "input-metric-drives-outputs"
    declared = ok(
        server.post(
            f"/api/v1/metrics/{basket['id']}/drives",
            org["carl"],
            {"outputMetricId": sales["id"], "hypothesis": "Bigger baskets, more sales"},
        )
    )
    again = {"outputMetricId": sales["id"], "hypothesis": "again"}
    problem = refused(server, f"/api/v1/metrics/{basket['id']}/drives", leadership, again, 409)
    assert problem["rule"] == "driver-already-declared"
    missing = {"outputMetricId": "00000000-0000-4000-8000-000000000000", "hypothesis": "h"}
    refused(server, f"/api/v1/metrics/{basket['id']}/drives", leadership, missing, 404)
    data, _ = server.graphql(leadership).query(
        METRIC, wait_for=declared["position"], id=sales["id"]
    )
    assert data["metric"]["drivenBy"] == [
        {"input": {"name": "Basket size"}, "hypothesis": "Bigger baskets, more sales"}
    ]
    tree, _ = server.graphql(leadership).query(
        "{ metricTree { metrics { name } edges { input { name } output { name } hypothesis } } }"
    )
    assert {
        "input": {"name": "Basket size"},
        "output": {"name": "Sales"},
        "hypothesis": "Bigger baskets, more sales",
    } in tree["metricTree"]["edges"]
    assert {"name": "Checkout speed"} in tree["metricTree"]["metrics"]


def test_one_observation_per_period_and_corrections_with_reasons(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    path = f"/api/v1/metrics/{org['sales']['id']}/observations"
    ok(server.post(path, leadership, {"periodEnd": "2025-01-05", "value": 1200.25}))
    second = refused(server, path, leadership, {"periodEnd": "2025-01-05", "value": 1300}, 409)
    assert second["rule"] == "observation-exists"
    nothing = refused(
        server, path, leadership, {"periodEnd": "2025-01-12", "value": 1, "reason": "typo"}, 409
    )
    assert nothing["rule"] == "nothing-to-correct"
    assert (
        refused(server, path, leadership, {"periodEnd": "2025-01-12", "value": "NaN"}, 400)["field"]
        == "value"
    )
    refused(server, path, leadership, {"periodEnd": "2025-01-12", "value": True}, 400)
    refused(server, path, leadership, {"periodEnd": "January", "value": 1}, 400)
    refused(server, path, org["carl"], {"periodEnd": "2025-01-12", "value": 1}, 403)
    ok(
        server.post(
            path, leadership, {"periodEnd": "2025-01-05", "value": 1250.25, "reason": "Refunds"}
        )
    )
    ok(server.post(path, leadership, {"periodEnd": "2025-01-12", "value": 1100}))
    last = ok(server.post(path, leadership, {"periodEnd": "2025-01-19", "value": 1300}))
    graphql = server.graphql(leadership)
    data, _ = graphql.query(METRIC, wait_for=last["position"], id=org["sales"]["id"])
    observations = data["metric"]["observations"]
    assert observations["totalCount"] == 3
    assert observations["nodes"] == [
        {
            "periodEnd": "2025-01-05",
            "value": 1250.25,
            "corrections": 1,
            "correctionReason": "Refunds",
        },
        {"periodEnd": "2025-01-12", "value": 1100.0, "corrections": 0, "correctionReason": None},
    ]
    assert observations["pageInfo"]["hasNextPage"] is True
    window, _ = graphql.query(
        METRIC, id=org["sales"]["id"], **{"from": "2025-01-10", "to": "2025-01-31"}
    )
    assert [o["periodEnd"] for o in window["metric"]["observations"]["nodes"]] == [
        "2025-01-12",
        "2025-01-19",
    ]


def test_a_goal_keeps_the_definition_version_it_was_set_against(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    old = set_goal(server, org["carl"], org["cart"], org["basket"]["id"], 2024)
    ok(
        server.post(
            f"/api/v1/metrics/{org['basket']['id']}/definition",
            org["carl"],
            {"definition": "Items per order, returns excluded", "reason": "Returns inflated it"},
        )
    )
    new = set_goal(server, org["carl"], org["cart"], org["basket"]["id"], 2025)
    graphql = server.graphql(leadership)
    old_goal, _ = graphql.query(GOAL, wait_for=new["position"], id=old["nodeId"])
    assert old_goal["goal"]["metricDefinitionVersion"] == 1
    assert old_goal["goal"]["metricDefinition"] == {
        "version": 1,
        "text": "How we count Basket size",
    }
    assert old_goal["goal"]["metric"] == {"name": "Basket size", "definitionVersion": 2}
    new_goal, _ = graphql.query(GOAL, id=new["nodeId"])
    assert new_goal["goal"]["metricDefinition"] == {
        "version": 2,
        "text": "Items per order, returns excluded",
    }
    history, _ = graphql.query(METRIC, id=org["basket"]["id"])
    assert [(v["version"], v["reason"]) for v in history["metric"]["definitionHistory"]] == [
        (1, None),
        (2, "Returns inflated it"),
    ]


def test_check_ins_blindsides_targets_and_closing(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    goal = set_goal(server, org["carl"], org["cart"], org["basket"]["id"])
    path = f"/api/v1/goals/{goal['id']}"
    red = {"status": "RED", "note": "Carts abandoned"}
    problem = refused(server, f"{path}/check-ins", org["meg"], red, 409)
    assert problem["rule"] == "path-to-green-required"
    green = ok(server.post(f"{path}/check-ins", org["meg"], {"status": "green", "note": "Fine"}))
    ok(server.post(f"{path}/check-ins", org["meg"], {**red, "pathToGreen": "One-click checkout"}))
    revised = ok(server.post(f"{path}/target", org["carl"], {"target": 110, "reason": "Recession"}))
    same = refused(server, f"{path}/target", org["carl"], {"target": 110, "reason": "again"}, 409)
    assert same["rule"] == "target-unchanged"
    data, _ = server.graphql(leadership).query(
        GOAL, wait_for=revised["position"], id=goal["nodeId"]
    )
    found = data["goal"]
    assert (found["status"], found["blindside"], found["target"], found["baseline"]) == (
        "RED",
        True,
        110.0,
        100.0,
    )
    assert found["checkIns"]["nodes"] == [
        {
            "status": "GREEN",
            "note": "Fine",
            "pathToGreen": None,
            "by": {"handle": "meg@example.com"},
            "blindside": False,
        },
        {
            "status": "RED",
            "note": "Carts abandoned",
            "pathToGreen": "One-click checkout",
            "by": {"handle": "meg@example.com"},
            "blindside": True,
        },
    ]
    assert found["targetHistory"] == [
        {"target": 120.5, "reason": None},
        {"target": 110.0, "reason": "Recession"},
    ]
    then, _ = server.graphql(leadership).query(GOAL, id=goal["nodeId"], at=green["position"])
    assert (then["goal"]["status"], then["goal"]["blindside"]) == ("GREEN", False)
    closed = ok(
        server.post(f"{path}/close", org["carl"], {"outcome": "MISSED", "note": "Too ambitious"})
    )
    late = refused(
        server, f"{path}/check-ins", org["meg"], {"status": "GREEN", "note": "late"}, 409
    )
    assert late["rule"] == "goal-closed"
    data, _ = server.graphql(leadership).query(GOAL, wait_for=closed["position"], id=goal["nodeId"])
    assert data["goal"]["outcome"] == "MISSED"


def test_a_yellow_warning_before_red_is_no_blindside(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    goal = set_goal(server, leadership, org["money"], org["sales"]["id"])
    path = f"/api/v1/goals/{goal['id']}/check-ins"
    for status in ("GREEN", "YELLOW", "RED"):
        last = ok(
            server.post(path, leadership, {"status": status, "note": status, "pathToGreen": "p"})
        )
    data, _ = server.graphql(leadership).query(GOAL, wait_for=last["position"], id=goal["nodeId"])
    assert (data["goal"]["status"], data["goal"]["blindside"]) == ("RED", False)
    assert [c["blindside"] for c in data["goal"]["checkIns"]["nodes"]] == [False, False, False]


def test_who_may_set_check_in_and_flag_goals(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    body = goal_body(org["cart"], org["basket"]["id"])
    sam = server.token("sam@example.com", "member")  # leads Shop, the parent team
    for token in (org["meg"], sam):
        refused(server, "/api/v1/goals", token, body, 403)
    goal = created(server.post("/api/v1/goals", org["carl"], body))
    path = f"/api/v1/goals/{goal['id']}"
    refused(server, f"{path}/check-ins", sam, {"status": "GREEN", "note": "n"}, 403)
    refused(server, f"{path}/target", org["meg"], {"target": 1, "reason": "r"}, 403)
    refused(server, f"{path}/top-level", org["carl"], {"topLevel": True}, 403)
    flagged = ok(server.post(f"{path}/top-level", leadership, {"topLevel": True}))
    assert flagged["version"] == 2
    again = refused(server, f"{path}/top-level", leadership, {"topLevel": True}, 409)
    assert again["rule"] == "top-level-unchanged"
    stale = server.post(
        f"{path}/close",
        org["carl"],
        {"outcome": "ACHIEVED", "note": "n"},
        headers={"If-Match": '"1"'},
    )
    assert_problem(stale, 412)
    data, _ = server.graphql(leadership).query(
        "query($id: ID!) { node(id: $id) { ... on Goal { topLevel team { name } } } }",
        wait_for=flagged["position"],
        id=goal["nodeId"],
    )
    assert data["node"] == {"topLevel": True, "team": {"name": "Cart"}}


@pytest.mark.parametrize(
    ("change", "status", "fragment"),
    [
        ({"planYear": 1999}, 400, "planyear"),
        ({"baseline": "lots"}, 400, "baseline"),
        ({"dueDate": "2025-13-01"}, 400, "duedate"),
        ({"description": ""}, 400, "description"),
        ({"colour": "red"}, 400, "colour"),
        ({"teamId": "00000000-0000-4000-8000-000000000000"}, 404, "team"),
        ({"metricId": "00000000-0000-4000-8000-000000000000"}, 404, "metric"),
    ],
)
def test_bad_goals_are_refused(
    server: FlywheelServer,
    leadership: str,
    org: dict[str, Any],
    change: dict[str, Any],
    status: int,
    fragment: str,
) -> None:
    body = {**goal_body(org["cart"], org["basket"]["id"]), **change}
    problem = refused(server, "/api/v1/goals", leadership, body, status)
    assert fragment in (problem["detail"] + str(problem.get("errors", ""))).lower()


def test_no_token_is_401_and_unknown_ids_are_404(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    refused(server, "/api/v1/metrics", None, metric_body("X", "INPUT", org["cart"]), 401)
    refused(server, "/api/v1/goals", None, goal_body(org["cart"], org["basket"]["id"]), 401)
    refused(
        server,
        f"/api/v1/goals/{missing}/check-ins",
        leadership,
        {"status": "GREEN", "note": "n"},
        404,
    )
    refused(
        server,
        f"/api/v1/metrics/{missing}/definition",
        leadership,
        {"definition": "d", "reason": "r"},
        404,
    )
    refused(server, "/api/v1/metrics", leadership, metric_body("X", "INPUT", missing), 404)


def test_goals_and_metrics_lists_filters_and_team_fields(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    set_goal(server, leadership, org["money"], org["sales"]["id"], 2028)
    goal = set_goal(server, leadership, org["money"], org["sales"]["id"], 2026)
    check_ins = f"/api/v1/goals/{goal['id']}/check-ins"
    ok(server.post(check_ins, leadership, {"status": "GREEN", "note": "fine"}))
    last = ok(
        server.post(check_ins, leadership, {"status": "RED", "note": "no", "pathToGreen": "p"})
    )
    graphql = server.graphql(leadership)
    data, _ = graphql.query(
        """query($team: ID!) {
          team(id: $team) {
            goals(planYear: 2026) { totalCount nodes { planYear metric { name } } }
            all: goals(first: 1) { totalCount pageInfo { hasNextPage endCursor } }
            metrics { totalCount nodes { name } }
          }
          financial: goals(filter: {kind: OUTPUT, planYear: 2026}) { totalCount }
          inputs: metrics(filter: {kind: INPUT, teamId: $team}) { totalCount }
          outputs: metrics(filter: {financial: true}) { nodes { name } }
        }""",
        wait_for=last["position"],
        team=org["money"],
    )
    money = data["team"]
    assert money["goals"] == {
        "totalCount": 1,
        "nodes": [{"planYear": 2026, "metric": {"name": "Sales"}}],
    }
    assert money["all"]["totalCount"] >= 2 and money["all"]["pageInfo"]["hasNextPage"] is True
    assert money["metrics"] == {"totalCount": 1, "nodes": [{"name": "Sales"}]}
    assert data["financial"]["totalCount"] == 1
    assert data["inputs"]["totalCount"] == 0
    assert data["outputs"]["nodes"] == [{"name": "Sales"}]
    cursor = money["all"]["pageInfo"]["endCursor"]
    following, _ = graphql.query(
        "query($team: ID!, $cursor: String) "
        "{ team(id: $team) { goals(first: 100, after: $cursor) { totalCount nodes { id } } } }",
        team=org["money"],
        cursor=cursor,
    )
    assert len(following["team"]["goals"]["nodes"]) == money["all"]["totalCount"] - 1
    red, _ = graphql.query("{ goals(filter: {status: RED}) { nodes { id blindside } } }")
    assert {"id": goal["nodeId"], "blindside": True} in red["goals"]["nodes"]


def test_stale_goals_are_open_goals_without_a_recent_check_in(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    fresh = set_goal(server, leadership, org["shop"], org["sales"]["id"], 2027)
    graphql = server.graphql(leadership)
    query = """query($weeks: Int!, $asOf: DateTime, $team: ID) {
      staleGoals(weeks: $weeks, asOf: $asOf, teamId: $team) { totalCount nodes { uuid } }
    }"""
    now, _ = graphql.query(query, wait_for=fresh["position"], weeks=2, team=org["shop"])
    assert now["staleGoals"]["totalCount"] == 0
    later = (datetime.now(UTC) + timedelta(weeks=3)).isoformat()
    in_three_weeks, _ = graphql.query(query, weeks=2, asOf=later, team=org["shop"])
    # read as of a time, the goal has its snapshot id; its uuid is the goal's
    assert in_three_weeks["staleGoals"]["nodes"] == [{"uuid": fresh["id"]}]
    before_anything, _ = graphql.query("{ staleGoals(weeks: 1, atPosition: 0) { totalCount } }")
    assert before_anything["staleGoals"]["totalCount"] == 0
    for arguments in ({"weeks": 0}, {"weeks": 1, "asOf": "0001-01-02T00:00:00Z"}):
        with pytest.raises(TransportQueryError) as bad:
            graphql.query(query, **arguments)
        assert bad.value.errors is not None
        assert bad.value.errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_racing_definitions_of_one_name_let_exactly_one_through(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    racers = 6
    start = threading.Barrier(racers)

    def attempt(n: int) -> httpx.Response:
        start.wait()
        return server.post(
            "/api/v1/metrics",
            leadership,
            metric_body("Conversion", "INPUT", org["cart"], unit=f"u{n}"),
        )

    with ThreadPoolExecutor(racers) as pool:
        responses = list(pool.map(attempt, range(racers)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (racers - 1)
    assert {r.json()["rule"] for r in responses if r.status_code == 409} == {"metric-name-taken"}
    [won] = [r.json() for r in responses if r.status_code == 201]
    data, _ = server.graphql(leadership).query(
        'query { metrics(filter: {nameContains: "Conversion"}) { nodes { id unit } } }',
        wait_for=won["position"],
    )
    [metric] = data["metrics"]["nodes"]
    assert metric["id"] == won["nodeId"], "the winner is the one recorded"


def test_the_metric_and_goal_api_is_documented(server: FlywheelServer) -> None:
    document = httpx.get(f"{server.url}/schema/openapi.json").json()
    for path in ("/api/v1/metrics", "/api/v1/goals", "/api/v1/goals/{goal_id}/check-ins"):
        operation = document["paths"][path]["post"]
        for status in ("400", "401", "403", "404", "409"):
            assert "application/problem+json" in operation["responses"][status]["content"]
    schemas = document["components"]["schemas"]
    assert "compound-metric" in schemas["DefineMetric"]["properties"]["composedOf"]["description"]
    assert schemas["RecordObservation"]["properties"]["value"]["type"] == "number"
    assert schemas["SetGoal"]["properties"]["target"]["type"] == "number"


def test_an_unchanged_definition_and_a_disbanded_team_are_refused(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    path = f"/api/v1/metrics/{org['sales']['id']}/definition"
    same = {"definition": "How we count Sales", "reason": "again"}
    assert refused(server, path, leadership, same, 409)["rule"] == "definition-unchanged"
    pop_up = charter(server, leadership, "Pop-up", "pip@example.com")
    ok(server.post(f"/api/v1/teams/{pop_up['id']}/disband", leadership, {"reason": "Closed"}))
    late_metric = metric_body("Footfall", "INPUT", pop_up["id"])
    problem = refused(server, "/api/v1/metrics", leadership, late_metric, 409)
    assert problem["rule"] == "team-disbanded"
    late_goal = goal_body(pop_up["id"], org["sales"]["id"])
    assert refused(server, "/api/v1/goals", leadership, late_goal, 409)["rule"] == "team-disbanded"
