"""The issue's acceptance scenario, end to end on its own server and database.

Commerce > Cart and Payments > Risk; services with PUBLIC and INTERNAL APIs;
dependencies across teams; a deprecated API; Scoring transferred from Risk to
Payments. The boundary report must list exactly the scenario's cross-team edges
and violations; the transfer must show in the ownership history with both teams;
three refusals must name what blocks them and record nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.boundaries import Org, assert_problem, log_position
from tests.e2e.conftest import FlywheelServer

BOUNDARIES = """
query Boundaries($teamId: ID, $subteams: Boolean! = false, $at: Int) {
  apiBoundaries(teamId: $teamId, includeSubteams: $subteams, atPosition: $at) {
    scope { name }
    provided { api { name } provider { name } dependencies { consumer { name } } }
    consumed { api { name } provider { name } providerTeam { name }
               dependencies { consumer { name } } }
    crossTeamDependencies {
      consumer { name } consumerTeam { name } api { name visibility } providerTeam { name }
      crossTeam
    }
    violations { kind detail service { name } api { name } }
  }
}
"""

COUPLING = """
query Coupling($teamId: ID) {
  teamCoupling(teamId: $teamId) {
    teams { name }
    edges { consumer { name } provider { name } dependencies apis internalDependencies }
  }
}
"""

SERVICE = """
query Service($id: ID!) {
  service(id: $id) {
    name status owner { name }
    ownershipHistory { team { name } since until reason }
  }
}
"""

TEAM_SERVICES = """
query TeamServices($id: ID!, $at: Int) {
  team(id: $id, atPosition: $at) { services { totalCount nodes { name owner { name } } } }
}
"""


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    org = Org(server, leadership)
    org.team("Commerce", "cora@example.com")
    org.team("Cart", "carl@example.com", parent="Commerce")
    org.team("Payments", "pia@example.com")
    org.team("Risk", "rita@example.com", parent="Payments")
    for service, team in [
        ("Shop", "Commerce"),
        ("Checkout", "Cart"),
        ("Basket", "Cart"),
        ("Ledger", "Payments"),
        ("Scoring", "Risk"),
    ]:
        org.service(service, team)
    org.api("Shop", "catalogue", "INTERNAL")
    org.api("Checkout", "orders", "PUBLIC", kind="EVENTS")
    org.api("Basket", "basket", "INTERNAL", kind="GRPC")
    org.api("Ledger", "ledger", "PUBLIC")
    org.api("Ledger", "ledger-admin", "INTERNAL")
    org.api("Scoring", "scores", "INTERNAL", kind="GRAPHQL")
    for service, api in [
        ("Checkout", "ledger"),
        ("Checkout", "ledger-admin"),
        ("Checkout", "basket"),
        ("Checkout", "scores"),
        ("Ledger", "scores"),
        ("Shop", "orders"),
    ]:
        org.depend(service, api)
    org.command(
        f"/api/v1/apis/{org.apis['orders']['id']}/deprecate",
        {"sunset": "2030-06-30", "reason": "orders v2 replaces it"},
    )
    before_transfer = org.position
    rita = server.token("rita@example.com", "member")  # leads Risk, the current owner
    org.command(
        f"/api/v1/services/{org.services['Scoring']['id']}/transfer",
        {"toTeamId": org.teams["Payments"]["id"], "reason": "Scoring joins Payments"},
        token=rita,
    )
    return {"org": org, "before_transfer": before_transfer}


def edges(report: dict[str, Any]) -> set[tuple[str, str, str, str]]:
    return {
        (
            d["consumer"]["name"],
            d["consumerTeam"]["name"],
            d["api"]["name"],
            d["providerTeam"]["name"],
        )
        for d in report["crossTeamDependencies"]
    }


def violations(report: dict[str, Any]) -> list[tuple[str, str, str | None]]:
    return [
        (v["kind"], v["service"]["name"], v["api"]["name"] if v["api"] else None)
        for v in report["violations"]
    ]


def test_the_company_report_lists_exactly_the_cross_team_edges_and_violations(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    data, _ = server.graphql(leadership).query(BOUNDARIES, wait_for=org["org"].position)
    report = data["apiBoundaries"]
    assert report["scope"] is None
    assert edges(report) == {
        ("Checkout", "Cart", "ledger", "Payments"),
        ("Checkout", "Cart", "ledger-admin", "Payments"),
        ("Checkout", "Cart", "scores", "Payments"),
        ("Shop", "Commerce", "orders", "Cart"),
    }
    assert all(d["crossTeam"] for d in report["crossTeamDependencies"])
    assert violations(report) == [
        ("INTERNAL_API_ACROSS_TEAMS", "Checkout", "ledger-admin"),
        ("INTERNAL_API_ACROSS_TEAMS", "Checkout", "scores"),
        ("DEPRECATED_API_IN_USE", "Shop", "orders"),
        ("API_WITHOUT_CONSUMERS", "Shop", "catalogue"),
    ]
    assert report["violations"][0]["detail"] == (
        "The service 'Checkout' (team 'Cart') consumes the INTERNAL API 'ledger-admin' v1 "
        "of service 'Ledger' (team 'Payments')"
    )
    assert "sunset 2030-06-30" in report["violations"][2]["detail"]
    provided = {use["api"]["name"]: use for use in report["provided"]}
    assert set(provided) == {"catalogue", "orders", "basket", "ledger", "ledger-admin", "scores"}
    assert {d["consumer"]["name"] for d in provided["scores"]["dependencies"]} == {
        "Checkout",
        "Ledger",
    }


def test_a_teams_report_and_a_subtrees_report(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    graphql = server.graphql(leadership)
    cart_id = org["org"].teams["Cart"]["nodeId"]
    data, _ = graphql.query(BOUNDARIES, wait_for=org["org"].position, teamId=cart_id)
    cart = data["apiBoundaries"]
    assert cart["scope"] == [{"name": "Cart"}]
    assert edges(cart) == {
        ("Checkout", "Cart", "ledger", "Payments"),
        ("Checkout", "Cart", "ledger-admin", "Payments"),
        ("Checkout", "Cart", "scores", "Payments"),
        ("Shop", "Commerce", "orders", "Cart"),
    }
    assert [u["api"]["name"] for u in cart["provided"]] == ["basket", "orders"]
    assert {(u["api"]["name"], u["providerTeam"]["name"]) for u in cart["consumed"]} == {
        ("basket", "Cart"),
        ("ledger", "Payments"),
        ("ledger-admin", "Payments"),
        ("scores", "Payments"),
    }
    assert violations(cart) == [
        ("INTERNAL_API_ACROSS_TEAMS", "Checkout", "ledger-admin"),
        ("INTERNAL_API_ACROSS_TEAMS", "Checkout", "scores"),
        ("DEPRECATED_API_IN_USE", "Shop", "orders"),
    ]
    commerce_id = org["org"].teams["Commerce"]["id"]
    subtree, _ = graphql.query(BOUNDARIES, teamId=commerce_id, subteams=True)
    tree = subtree["apiBoundaries"]
    assert [team["name"] for team in tree["scope"]] == ["Cart", "Commerce"]
    assert ("API_WITHOUT_CONSUMERS", "Shop", "catalogue") in violations(tree)
    risk, _ = graphql.query(BOUNDARIES, teamId=org["org"].teams["Risk"]["id"])
    assert risk["apiBoundaries"]["provided"] == []
    assert risk["apiBoundaries"]["violations"] == []


def test_the_report_as_of_before_the_transfer(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    data, _ = server.graphql(leadership).query(
        BOUNDARIES, wait_for=org["org"].position, at=org["before_transfer"]
    )
    report = data["apiBoundaries"]
    assert ("Ledger", "Payments", "scores", "Risk") in edges(report)
    assert ("Checkout", "Cart", "scores", "Risk") in edges(report)
    assert ("INTERNAL_API_ACROSS_TEAMS", "Ledger", "scores") in violations(report)


def test_team_coupling_is_the_graph_of_dependency_counts(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    data, _ = server.graphql(leadership).query(COUPLING, wait_for=org["org"].position)
    graph = data["teamCoupling"]
    assert [team["name"] for team in graph["teams"]] == ["Cart", "Commerce", "Payments"]
    assert graph["edges"] == [
        {
            "consumer": {"name": "Cart"},
            "provider": {"name": "Payments"},
            "dependencies": 3,
            "apis": 3,
            "internalDependencies": 2,
        },
        {
            "consumer": {"name": "Commerce"},
            "provider": {"name": "Cart"},
            "dependencies": 1,
            "apis": 1,
            "internalDependencies": 0,
        },
    ]
    payments, _ = server.graphql(leadership).query(
        COUPLING, teamId=org["org"].teams["Payments"]["nodeId"]
    )
    assert [
        (e["consumer"]["name"], e["provider"]["name"]) for e in payments["teamCoupling"]["edges"]
    ] == [("Cart", "Payments")]


def test_a_transfer_shows_in_the_ownership_history_and_from_both_teams(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    graphql = server.graphql(leadership)
    scoring = org["org"].services["Scoring"]["nodeId"]
    data, _ = graphql.query(SERVICE, wait_for=org["org"].position, id=scoring)
    service = data["service"]
    assert (service["status"], service["owner"]["name"]) == ("ACTIVE", "Payments")
    history = service["ownershipHistory"]
    assert [(h["team"]["name"], h["reason"]) for h in history] == [
        ("Risk", None),
        ("Payments", "Scoring joins Payments"),
    ]
    assert history[0]["until"] == history[1]["since"] and history[1]["until"] is None

    def owned(team: str, at: int | None = None) -> list[str]:
        found, _ = graphql.query(TEAM_SERVICES, id=org["org"].teams[team]["nodeId"], at=at)
        return [node["name"] for node in found["team"]["services"]["nodes"]]

    assert owned("Risk") == []
    assert owned("Payments") == ["Ledger", "Scoring"]
    assert owned("Risk", org["before_transfer"]) == ["Scoring"]
    assert owned("Payments", org["before_transfer"]) == ["Ledger"]


def test_refusals_name_what_blocks_them_and_record_nothing(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    o: Org = org["org"]
    before = log_position(server)
    disband = server.post(
        f"/api/v1/teams/{o.teams['Cart']['id']}/disband", leadership, {"reason": "Reorg"}
    )
    problem = assert_problem(disband, 409, "team-owns-active-services")
    assert "'Basket', 'Checkout'" in problem["detail"]
    retire = server.post(
        f"/api/v1/apis/{o.apis['scores']['id']}/retire", leadership, {"reason": "Replaced"}
    )
    problem = assert_problem(retire, 409, "api-has-active-consumers")
    assert "'Checkout'" in problem["detail"] and "'Ledger'" in problem["detail"]
    cycle = server.post(
        f"/api/v1/teams/{o.teams['Commerce']['id']}/parent",
        leadership,
        {"parentId": o.teams["Cart"]["id"], "reason": "Upside down"},
    )
    problem = assert_problem(cycle, 409, "reorganisation-cycle")
    assert "'Commerce' > 'Cart' > 'Commerce'" in problem["detail"]
    assert log_position(server) == before, "the refusals recorded nothing"
