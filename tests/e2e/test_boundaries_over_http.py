"""Services, APIs, dependencies and reorganisations end to end: REST commands into a
running server (201/200, 400, 401, 403, 404, 409, 412), GraphQL reads back."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.boundaries import Org, assert_problem, log_position
from tests.e2e.conftest import FlywheelServer

MISSING = "00000000-0000-4000-8000-000000000000"

SERVICE = """
query Service($id: ID!) {
  service(id: $id) {
    id uuid name description status version owner { name }
    apis { totalCount nodes { id name apiVersion kind visibility status provider { name } } }
    dependencies { totalCount edges { since node { name provider { name } } } }
  }
}
"""

API = """
query Api($id: ID!) {
  api(id: $id) {
    name apiVersion kind visibility status sunset deprecationReason version aggregateVersion
    provider { name owner { name } }
    consumers { totalCount edges { since node { name } } }
  }
}
"""

TREE = """
query Tree($id: ID, $at: Int) {
  orgTree(teamId: $id, atPosition: $at) { depth team { name parent { name } } }
}
"""


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> Org:
    return Org(server, leadership)


def test_a_service_its_apis_and_dependencies_show_in_graphql(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Ledgers", "lea@example.com")
    org.team("Shops", "sho@example.com")
    registered = org.service("Ledger", "Ledgers")
    assert set(registered) == {"id", "nodeId", "version", "position"}
    assert registered["version"] == 1
    published = org.api("Ledger", "ledger", "PUBLIC", kind="grpc")
    assert published["id"] != registered["id"] and published["version"] == 1
    org.api("Ledger", "ledger-admin", "internal")
    org.service("Storefront", "Shops")
    depended = org.depend("Storefront", "ledger")
    assert depended["id"] == org.services["Storefront"]["id"]

    graphql = server.graphql(leadership)
    data, _ = graphql.query(SERVICE, wait_for=org.position, id=registered["nodeId"])
    service = data["service"]
    assert (service["id"], service["uuid"]) == (registered["nodeId"], registered["id"])
    assert (service["name"], service["status"], service["owner"]["name"]) == (
        "Ledger",
        "ACTIVE",
        "Ledgers",
    )
    assert service["apis"]["totalCount"] == 2
    assert [
        (a["name"], a["apiVersion"], a["kind"], a["visibility"]) for a in service["apis"]["nodes"]
    ] == [
        ("ledger", "v1", "GRPC", "PUBLIC"),
        ("ledger-admin", "v1", "REST", "INTERNAL"),
    ]
    assert service["apis"]["nodes"][0]["id"] == published["nodeId"]
    storefront, _ = graphql.query(SERVICE, id=org.services["Storefront"]["id"])
    [dependency] = storefront["service"]["dependencies"]["edges"]
    assert dependency["node"] == {"name": "ledger", "provider": {"name": "Ledger"}}
    assert dependency["since"]
    api, _ = graphql.query(API, id=published["id"])
    assert api["api"]["consumers"]["totalCount"] == 1
    assert api["api"]["consumers"]["edges"][0]["node"]["name"] == "Storefront"
    assert api["api"]["provider"] == {"name": "Ledger", "owner": {"name": "Ledgers"}}
    nodes, _ = graphql.query(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }",
        ids=[registered["nodeId"], published["nodeId"]],
    )
    assert [n["__typename"] for n in nodes["nodes"]] == ["Service", "Api"]
    internal, _ = graphql.query(
        "query($team: ID) { apis(filter: {visibility: INTERNAL, ownerTeamId: $team}) "
        "{ totalCount nodes { name } } }",
        team=org.teams["Ledgers"]["id"],
    )
    assert internal["apis"] == {"totalCount": 1, "nodes": [{"name": "ledger-admin"}]}
    mine, _ = graphql.query(
        "query($team: ID) { services(filter: {ownerTeamId: $team}) { nodes { name } } }",
        team=org.teams["Shops"]["nodeId"],
    )
    assert mine["services"]["nodes"] == [{"name": "Storefront"}]


def test_deprecate_drop_and_retire_an_api(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Pricing", "pri@example.com")
    org.team("Promos", "pro@example.com")
    org.service("Prices", "Pricing")
    org.service("Coupons", "Promos")
    org.api("Prices", "prices", "PUBLIC")
    api_id = org.apis["prices"]["id"]
    org.command(f"/api/v1/apis/{api_id}/deprecate", {"sunset": "2031-01-31", "reason": "v2"})
    again = server.post(
        f"/api/v1/apis/{api_id}/deprecate", leadership, {"sunset": "2031-02-28", "reason": "r"}
    )
    assert_problem(again, 409, "api-already-deprecated")
    org.depend("Coupons", "prices")  # a deprecated API may still be consumed
    dependency = f"/api/v1/services/{org.services['Coupons']['id']}/dependencies/{api_id}"
    dropped = server.delete(f"{dependency}?reason=Moved%20to%20v2", leadership)
    assert dropped.status_code == 200, dropped.text
    assert_problem(server.delete(dependency, leadership), 404)
    retired = server.post(f"/api/v1/apis/{api_id}/retire", leadership, {"reason": "Gone"})
    assert retired.status_code == 200, retired.text
    data, _ = server.graphql(leadership).query(API, wait_for=retired.json()["position"], id=api_id)
    api = data["api"]
    assert (api["status"], api["sunset"], api["deprecationReason"]) == (
        "RETIRED",
        "2031-01-31",
        "v2",
    )
    assert api["consumers"]["totalCount"] == 0
    assert api["version"] == retired.json()["version"], "the version to send as If-Match"
    assert api["aggregateVersion"] == api["version"], "deprecated, still answering"
    refused = server.post(
        f"/api/v1/services/{org.services['Coupons']['id']}/dependencies",
        leadership,
        {"apiId": api_id},
    )
    assert_problem(refused, 409, "api-retired")


def test_retiring_a_service(server: FlywheelServer, leadership: str, org: Org) -> None:
    org.team("Fax", "fax@example.com")
    service = org.service("Faxer", "Fax")
    org.api("Faxer", "fax", "INTERNAL")
    path = f"/api/v1/services/{service['id']}"
    problem = assert_problem(
        server.post(f"{path}/retire", leadership, {"reason": "Nobody faxes"}),
        409,
        "service-has-active-apis",
    )
    assert "fax v1" in problem["detail"]
    org.command(f"/api/v1/apis/{org.apis['fax']['id']}/retire", {"reason": "Nobody faxes"})
    org.command(f"{path}/retire", {"reason": "Nobody faxes"})
    publish = server.post(
        f"{path}/apis",
        leadership,
        {"name": "fax", "version": "v2", "kind": "REST", "visibility": "PUBLIC"},
    )
    assert_problem(publish, 409, "service-retired")
    disbanded = server.post(
        f"/api/v1/teams/{org.teams['Fax']['id']}/disband", leadership, {"reason": "Done"}
    )
    assert disbanded.status_code == 200, "a team whose services are all retired may go"
    org.team("Fax Two", "fax2@example.com")
    assert org.service("faxer", "Fax Two")["version"] == 1, "the name was freed"


def test_a_reorganisation_over_http_and_the_org_tree_before_and_after(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Retail", "ret@example.com")
    org.team("Stores", "sto@example.com", parent="Retail")
    org.team("Online", "onl@example.com")
    before = org.position
    stores, online = org.teams["Stores"]["id"], org.teams["Online"]["id"]
    org.command(
        f"/api/v1/teams/{online}/parent",
        {"parentId": org.teams["Retail"]["id"], "reason": "One retail org"},
    )
    moved = org.command(
        f"/api/v1/teams/{stores}/parent", {"parentId": online, "reason": "Stores go online"}
    )
    assert moved["id"] == stores

    graphql = server.graphql(leadership)
    tree, _ = graphql.query(TREE, wait_for=org.position, id=org.teams["Retail"]["nodeId"])
    assert [(e["depth"], e["team"]["name"]) for e in tree["orgTree"]] == [
        (0, "Retail"),
        (1, "Online"),
        (2, "Stores"),
    ]
    ancestors, _ = graphql.query(
        "query($id: ID!) { team(id: $id) { ancestors { name } parent { name } } }", id=stores
    )
    assert ancestors["team"] == {
        "ancestors": [{"name": "Online"}, {"name": "Retail"}],
        "parent": {"name": "Online"},
    }
    children = "query($id: ID!, $at: Int) { team(id: $id, atPosition: $at) { children { name } } }"

    def children_of(team: str, at: int | None = None) -> list[str]:
        found, _ = graphql.query(children, id=org.teams[team]["id"], at=at)
        return [child["name"] for child in found["team"]["children"]]

    assert (children_of("Retail"), children_of("Online")) == (["Online"], ["Stores"])
    assert (children_of("Retail", before), children_of("Online", before)) == (["Stores"], [])
    then, _ = graphql.query(TREE, id=org.teams["Retail"]["id"], at=before)
    assert [(e["depth"], e["team"]["name"]) for e in then["orgTree"]] == [
        (0, "Retail"),
        (1, "Stores"),
    ]
    whole, _ = graphql.query(TREE)
    assert (0, "Retail") in [(e["depth"], e["team"]["name"]) for e in whole["orgTree"]]
    assert (0, "Online") not in [(e["depth"], e["team"]["name"]) for e in whole["orgTree"]]

    root = org.command(f"/api/v1/teams/{stores}/parent", {"parentId": None, "reason": "Spin-off"})
    data, _ = graphql.query(TREE, wait_for=root["position"], id=stores)
    assert data["orgTree"] == [{"depth": 0, "team": {"name": "Stores", "parent": None}}]
    again = server.post(
        f"/api/v1/teams/{stores}/parent", leadership, {"parentId": None, "reason": "r"}
    )
    assert_problem(again, 409, "team-already-under-parent")
    leader = server.token("onl@example.com", "member")
    forbidden = server.post(
        f"/api/v1/teams/{stores}/parent", leader, {"parentId": online, "reason": "r"}
    )
    assert_problem(forbidden, 403)
    stale = server.post(
        f"/api/v1/teams/{stores}/parent",
        leadership,
        {"parentId": online, "reason": "r"},
        headers={"If-Match": '"1"'},
    )
    assert_problem(stale, 412)


def test_every_other_boundary_rule_is_a_409_that_records_nothing(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Rules", "rul@example.com")
    org.team("Referees", "ref@example.com")
    org.team("Closed", "clo@example.com")
    closed = org.teams["Closed"]["id"]
    org.command(f"/api/v1/teams/{closed}/disband", {"reason": "Closed"})
    rulebook = org.service("Rulebook", "Rules")["id"]
    referee = org.service("Referee", "Referees")["id"]
    rules = org.api("Rulebook", "rules", "PUBLIC")["id"]
    org.depend("Referee", "rules")
    before = log_position(server)
    for path, body, rule in [
        (
            f"/api/v1/services/{rulebook}/transfer",
            {"toTeamId": org.teams["Rules"]["id"], "reason": "r"},
            "service-already-owned",
        ),
        (
            f"/api/v1/services/{rulebook}/apis",
            {"name": "RULES", "version": "V1", "kind": "GRPC", "visibility": "INTERNAL"},
            "api-already-published",
        ),
        (
            f"/api/v1/services/{referee}/dependencies",
            {"apiId": rules},
            "dependency-already-declared",
        ),
        (f"/api/v1/services/{rulebook}/dependencies", {"apiId": rules}, "service-consumes-own-api"),
        (
            "/api/v1/services",
            {"name": "rulebook", "ownerTeamId": org.teams["Referees"]["id"], "description": "d"},
            "service-name-taken",
        ),
        (
            "/api/v1/services",
            {"name": "Ghost town", "ownerTeamId": closed, "description": "d"},
            "team-disbanded",
        ),
        (
            f"/api/v1/services/{rulebook}/transfer",
            {"toTeamId": closed, "reason": "r"},
            "team-disbanded",
        ),
        (
            f"/api/v1/teams/{org.teams['Referees']['id']}/parent",
            {"parentId": closed, "reason": "r"},
            "team-disbanded",
        ),
    ]:
        assert_problem(server.post(path, leadership, body), 409, rule)
    assert log_position(server) == before, "the refusals recorded nothing"


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        ("/api/v1/services", {"name": "X", "description": "d"}, "ownerteamid"),
        ("/api/v1/services", {"name": "", "ownerTeamId": MISSING, "description": "d"}, "length"),
        (
            "/api/v1/services",
            {"name": "X", "ownerTeamId": MISSING, "description": "d", "tier": 1},
            "tier",
        ),
        (
            f"/api/v1/services/{MISSING}/apis",
            {"name": "x", "version": "v1", "kind": "SOAP", "visibility": "PUBLIC"},
            "kind",
        ),
        (
            f"/api/v1/services/{MISSING}/apis",
            {"name": "x", "version": "v1", "kind": "REST", "visibility": "secret"},
            "visibility",
        ),
        (f"/api/v1/apis/{MISSING}/deprecate", {"sunset": "next year", "reason": "r"}, "sunset"),
        (f"/api/v1/apis/{MISSING}/retire", {}, "reason"),
        (f"/api/v1/services/{MISSING}/dependencies", {"apiId": "nope"}, "uuid"),
        (f"/api/v1/services/{MISSING}/transfer", {"reason": "r"}, "toteamid"),
        (f"/api/v1/teams/{MISSING}/parent", {"reason": "r"}, "parentid"),
    ],
)
def test_bad_input_is_400_problem_details(
    server: FlywheelServer, leadership: str, path: str, body: dict[str, Any], fragment: str
) -> None:
    problem = assert_problem(server.post(path, leadership, body), 400)
    found = (problem["detail"] + str(problem.get("errors", ""))).lower()
    assert fragment in found, problem


def test_a_version_with_blanks_is_refused_by_the_domain(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Versions", "ver@example.com")
    service = org.service("Versioned", "Versions")
    response = server.post(
        f"/api/v1/services/{service['id']}/apis",
        leadership,
        {"name": "x", "version": "v 1", "kind": "REST", "visibility": "PUBLIC"},
    )
    assert assert_problem(response, 400)["field"] == "version"


def test_unknown_ids_are_404(server: FlywheelServer, leadership: str, org: Org) -> None:
    org.team("Lonely", "lon@example.com")
    service = org.service("Lonesome", "Lonely")["id"]
    for path, body in [
        ("/api/v1/services", {"name": "Ghost", "ownerTeamId": MISSING, "description": "d"}),
        (f"/api/v1/services/{MISSING}/transfer", {"toTeamId": MISSING, "reason": "r"}),
        (f"/api/v1/services/{service}/transfer", {"toTeamId": MISSING, "reason": "r"}),
        (f"/api/v1/services/{MISSING}/retire", {"reason": "r"}),
        (
            f"/api/v1/services/{MISSING}/apis",
            {"name": "x", "version": "v1", "kind": "REST", "visibility": "PUBLIC"},
        ),
        (f"/api/v1/apis/{MISSING}/deprecate", {"sunset": "2030-01-01", "reason": "r"}),
        (f"/api/v1/apis/{MISSING}/retire", {"reason": "r"}),
        (f"/api/v1/services/{service}/dependencies", {"apiId": MISSING}),
        (f"/api/v1/teams/{MISSING}/parent", {"parentId": None, "reason": "r"}),
    ]:
        assert_problem(server.post(path, leadership, body), 404)
    assert_problem(
        server.delete(f"/api/v1/services/{service}/dependencies/{MISSING}", leadership), 404
    )


def test_who_may_do_what_over_http(server: FlywheelServer, leadership: str, org: Org) -> None:
    org.team("Search", "sea@example.com")
    org.team("Ads", "ads@example.com")
    body = {"name": "Indexer", "ownerTeamId": org.teams["Search"]["id"], "description": "d"}
    assert_problem(server.post("/api/v1/services", None, body), 401)
    assert_problem(server.post("/api/v1/services", "not.a.token", body), 401)
    planner = server.token("pat@example.com", "planner")
    ads_leader = server.token("ads@example.com", "member")
    search_leader = server.token("sea@example.com", "member")
    before = log_position(server)
    assert_problem(server.post("/api/v1/services", planner, body), 403)
    assert_problem(server.post("/api/v1/services", ads_leader, body), 403)
    assert log_position(server) == before
    indexer = org.service("Indexer", "Search", token=search_leader)
    org.service("Bidder", "Ads", token=ads_leader)
    org.api("Indexer", "search", "PUBLIC")
    transfer = {"toTeamId": org.teams["Ads"]["id"], "reason": "r"}
    assert_problem(
        server.post(f"/api/v1/services/{indexer['id']}/transfer", ads_leader, transfer), 403
    )
    depend = server.post(
        f"/api/v1/services/{org.services['Bidder']['id']}/dependencies",
        search_leader,
        {"apiId": org.apis["search"]["id"]},
    )
    assert_problem(depend, 403)
    org.depend("Bidder", "search", token=ads_leader)
    stale = server.post(
        f"/api/v1/services/{indexer['id']}/transfer",
        search_leader,
        transfer,
        headers={"If-Match": '"7"'},
    )
    assert_problem(stale, 412)
    read, _ = server.graphql(search_leader).query(
        "query($id: ID!) { service(id: $id) { version } }", wait_for=org.position, id=indexer["id"]
    )
    moved = server.post(
        f"/api/v1/services/{indexer['id']}/transfer",
        search_leader,
        transfer,
        headers={"If-Match": str(read["service"]["version"])},
    )
    assert moved.status_code == 200, moved.text
    assert_problem(
        server.post(
            f"/api/v1/services/{indexer['id']}/apis",
            search_leader,
            {"name": "search", "version": "v2", "kind": "REST", "visibility": "PUBLIC"},
        ),
        403,
    )


def test_nested_connections_page_with_cursors(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Catalog", "cat@example.com")
    for name in ("Alpha", "Beta", "Gamma"):
        org.service(name, "Catalog")
    query = """
    query($id: ID!, $cursor: String) {
      team(id: $id) {
        services(first: 2, after: $cursor) {
          totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { name }
        }
      }
    }
    """
    graphql = server.graphql(leadership)
    first, _ = graphql.query(query, wait_for=org.position, id=org.teams["Catalog"]["id"])
    page = first["team"]["services"]
    assert (page["totalCount"], [n["name"] for n in page["nodes"]]) == (3, ["Alpha", "Beta"])
    assert page["pageInfo"]["hasNextPage"] and not page["pageInfo"]["hasPreviousPage"]
    second, _ = graphql.query(
        query, id=org.teams["Catalog"]["id"], cursor=page["pageInfo"]["endCursor"]
    )
    rest = second["team"]["services"]
    assert [n["name"] for n in rest["nodes"]] == ["Gamma"]
    assert not rest["pageInfo"]["hasNextPage"] and rest["pageInfo"]["hasPreviousPage"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("query { services(first: 0) { totalCount } }", "BAD_USER_INPUT"),
        ('query { apis(after: "garbage") { totalCount } }', "BAD_USER_INPUT"),
        (f'query {{ apiBoundaries(teamId: "{MISSING}") {{ scope {{ name }} }} }}', "NOT_FOUND"),
        (f'query {{ teamCoupling(teamId: "{MISSING}") {{ teams {{ name }} }} }}', "NOT_FOUND"),
        (f'query {{ orgTree(teamId: "{MISSING}") {{ depth }} }}', "NOT_FOUND"),
        ('query { service(id: "not-an-id") { name } }', "BAD_USER_INPUT"),
        (
            "query { apiBoundaries(atPosition: 999999999) { violations { kind } } }",
            "POSITION_NOT_REACHED",
        ),
    ],
)
def test_graphql_errors_carry_codes(
    server: FlywheelServer, leadership: str, query: str, code: str
) -> None:
    with pytest.raises(TransportQueryError) as refused:
        server.graphql(leadership).query(query)
    assert refused.value.errors is not None
    extensions = refused.value.errors[0]["extensions"]
    assert extensions.get("reason", extensions["code"]) == code


def test_racing_registrations_of_one_name_let_exactly_one_through(
    server: FlywheelServer, leadership: str, org: Org
) -> None:
    org.team("Racers", "rac@example.com")
    racers = 6
    start = threading.Barrier(racers)
    body = {"name": "Photo finish", "ownerTeamId": org.teams["Racers"]["id"], "description": "d"}

    def attempt(_: int) -> httpx.Response:
        start.wait()
        return server.post("/api/v1/services", leadership, body)

    with ThreadPoolExecutor(racers) as pool:
        responses = list(pool.map(attempt, range(racers)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * (racers - 1)
    assert {r.json()["rule"] for r in responses if r.status_code == 409} == {"service-name-taken"}
    [won] = [r.json() for r in responses if r.status_code == 201]
    data, _ = server.graphql(leadership).query(
        "query($team: ID) { services(filter: {ownerTeamId: $team}) { nodes { id name } } }",
        wait_for=won["position"],
        team=org.teams["Racers"]["id"],
    )
    assert data["services"]["nodes"] == [{"id": won["nodeId"], "name": "Photo finish"}]


def test_the_new_commands_are_documented(server: FlywheelServer) -> None:
    paths = httpx.get(f"{server.url}/schema/openapi.json").json()["paths"]
    for path, method in [
        ("/api/v1/teams/{team_id}/parent", "post"),
        ("/api/v1/services", "post"),
        ("/api/v1/services/{service_id}/transfer", "post"),
        ("/api/v1/services/{service_id}/retire", "post"),
        ("/api/v1/services/{service_id}/apis", "post"),
        ("/api/v1/services/{service_id}/dependencies", "post"),
        ("/api/v1/services/{service_id}/dependencies/{api_id}", "delete"),
        ("/api/v1/apis/{api_id}/deprecate", "post"),
        ("/api/v1/apis/{api_id}/retire", "post"),
    ]:
        responses = paths[path][method]["responses"]
        assert "application/problem+json" in responses["409"]["content"], path
    rules = {p["rule"] for p in httpx.get(f"{server.url}/problems").json() if p.get("rule")}
    assert {
        "reorganisation-cycle",
        "team-owns-active-services",
        "service-name-taken",
        "api-has-active-consumers",
        "api-retired",
    } <= rules
