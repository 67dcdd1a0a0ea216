"""PR/FAQs end to end: REST commands into a running server, GraphQL reads back.

The scenario of issue 15: a PR/FAQ without a problem is refused review; one goes
TEAM -> ORG -> S_TEAM -> CEO and is approved, each round pinning its revision's
hash, a REVISE round keeping it in its ring; the author reviewing, a second
feedback and the wrong decider are refused and record nothing; a member outside
the team sees the title and state but not the text; the funnel counts it all.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, created, log_position, ok
from tests.e2e.test_goals_over_http import refused
from tests.e2e.test_teams_over_http import assert_problem

PRFAQ = """
query PrFaq($id: ID!, $at: Int) {
  prfaq(id: $id, atPosition: $at) {
    id uuid title state ring version readable author { handle } heading subheading customer problem
    solution summary launchDate quotes { leader customer } faq { audience question answer }
    revision contentHash team { name }
    revisions { revision hash reason by { handle } }
    rounds { number ring revision revisionHash reviewers { handle } outcome note closedBy { handle }
             feedback { reviewer { handle } recommendation comments } }
  }
}
"""

FUNNEL = """
query Funnel($teamId: ID, $sub: Boolean!) {
  prfaqFunnel(teamId: $teamId, includeSubteams: $sub, staleDays: 1) {
    rings { ring reached stopped inItNow medianDays }
    staleDrafts { title }
  }
}
"""

LIST = """
query List($filter: PrFaqFilter) {
  prfaqs(filter: $filter) { totalCount nodes { title state ring readable } }
}
"""


def body(title: str, team: str | None = None, **changes: Any) -> dict[str, Any]:
    text: dict[str, Any] = {
        "title": title,
        "heading": "Books the day you order them",
        "subheading": "Readers in cities get books the same day",
        "customer": "Readers in cities",
        "problem": "They wait three days for a book they want tonight",
        "solution": "Stock the top titles in city depots",
        "summary": "From May, readers in ten cities get books the same day.",
        "launchDate": "2026-05-01",
        "quotes": {"leader": "We start from the reader.", "customer": "By dinner!"},
        "faq": [{"audience": "EXTERNAL", "question": "Which cities?", "answer": "Ten."}],
        **changes,
    }
    if team is not None:
        text["teamId"] = team
    return text


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    """Shop (sam) > Books (bo, with member mia); Money (max)."""
    shop = charter(server, leadership, "Shop", "sam@example.com")["id"]
    books = charter(server, leadership, "Books", "bo@example.com", shop)["id"]
    money = charter(server, leadership, "Money", "max@example.com")["id"]
    created_or_ok(
        server.post(
            f"/api/v1/teams/{books}/members",
            leadership,
            {"person": "mia@example.com", "function": "ENGINEERING", "attachment": "REPORTS"},
        )
    )
    return {
        "shop": shop,
        "books": books,
        "money": money,
        "ann": server.token("ann@example.com", "member"),
        "rev": server.token("rev@example.com", "member"),
        "bo": server.token("bo@example.com", "member"),
        "sam": server.token("sam@example.com", "member"),
        "mia": server.token("mia@example.com", "member"),
        "max": server.token("max@example.com", "member"),
    }


def created_or_ok(response: Any) -> None:
    assert response.status_code in (200, 201), response.text


def path(prfaq: str, rest: str = "") -> str:
    return f"/api/v1/prfaqs/{prfaq}{rest}"


def round_of(server: FlywheelServer, org: dict[str, Any], prfaq: str, ring: str) -> int:
    """Open a round; its number, from the answer's ``id``."""
    opened = created(
        server.post(
            path(prfaq, "/rounds"), org["ann"], {"ring": ring, "reviewers": ["rev@example.com"]}
        )
    )
    assert set(opened) == {"id", "nodeId", "version", "position"}
    number: int = opened["id"]
    return number


def test_the_scenario(server: FlywheelServer, leadership: str, org: dict[str, Any]) -> None:
    # Refused review without a problem: 409 with the rule, nothing recorded.
    bare = created(server.post("/api/v1/prfaqs", org["ann"], body("3D phone", problem="")))
    assert set(bare) == {"id", "nodeId", "version", "position"}
    problem = refused(
        server,
        path(bare["id"], "/rounds"),
        org["ann"],
        {"ring": "TEAM", "reviewers": ["rev@example.com"]},
        409,
    )
    assert problem["rule"] == "customer-problem-required"

    prfaq = created(server.post("/api/v1/prfaqs", org["ann"], body("Same-day", org["books"])))
    pid = prfaq["id"]
    # The author never reviews.
    problem = refused(
        server,
        path(pid, "/rounds"),
        org["ann"],
        {"ring": "TEAM", "reviewers": ["ann@example.com"]},
        409,
    )
    assert problem["rule"] == "author-cannot-review"
    assert round_of(server, org, pid, "TEAM") == 1
    # No revision while the round is open.
    problem = refused(
        server, path(pid, "/revisions"), org["ann"], {**body("Same-day"), "reason": "r"}, 409
    )
    assert problem["rule"] == "round-in-progress"
    ok(
        server.post(
            path(pid, "/rounds/1/feedback"),
            org["rev"],
            {"recommendation": "REVISE", "comments": "Sharper"},
        )
    )
    problem = refused(
        server, path(pid, "/rounds/1/feedback"), org["rev"], {"recommendation": "ADVANCE"}, 409
    )
    assert problem["rule"] == "feedback-once-per-round"
    refused(server, path(pid, "/rounds/1/feedback"), org["mia"], {"recommendation": "ADVANCE"}, 403)
    # TEAM is decided by Books' leader, not by Shop's.
    refused(server, path(pid, "/rounds/1/close"), org["sam"], {"outcome": "REVISE"}, 403)
    ok(
        server.post(
            path(pid, "/rounds/1/close"), org["bo"], {"outcome": "REVISE", "note": "Sharper"}
        )
    )
    problem = refused(
        server,
        path(pid, "/rounds"),
        org["ann"],
        {"ring": "TEAM", "reviewers": ["rev@example.com"]},
        409,
    )
    assert problem["rule"] == "new-revision-required"
    ok(
        server.post(
            path(pid, "/revisions"),
            org["ann"],
            {**body("Same-day", problem="Sharper"), "reason": "Review"},
        )
    )
    assert round_of(server, org, pid, "TEAM") == 2, "a REVISE keeps it in its ring"
    ok(server.post(path(pid, "/rounds/2/close"), org["bo"], {"outcome": "ADVANCE"}))
    problem = refused(
        server,
        path(pid, "/rounds"),
        org["ann"],
        {"ring": "CEO", "reviewers": ["rev@example.com"]},
        409,
    )
    assert problem["rule"] == "ring-not-reached"
    assert round_of(server, org, pid, "ORG") == 3
    refused(server, path(pid, "/rounds/3/close"), org["bo"], {"outcome": "ADVANCE"}, 403)
    ok(server.post(path(pid, "/rounds/3/close"), org["sam"], {"outcome": "ADVANCE"}))
    assert round_of(server, org, pid, "S_TEAM") == 4
    refused(server, path(pid, "/rounds/4/close"), org["sam"], {"outcome": "ADVANCE"}, 403)
    ok(server.post(path(pid, "/rounds/4/close"), leadership, {"outcome": "ADVANCE"}))
    assert round_of(server, org, pid, "CEO") == 5
    last = ok(server.post(path(pid, "/rounds/5/close"), leadership, {"outcome": "ADVANCE"}))
    problem = refused(server, path(pid, "/withdraw"), org["ann"], {"reason": "late"}, 409)
    assert problem["rule"] == "prfaq-closed"

    # A stopped one, a withdrawn one.
    stopped = created(server.post("/api/v1/prfaqs", org["ann"], body("Stopped", org["books"])))[
        "id"
    ]
    round_of(server, org, stopped, "TEAM")
    ok(server.post(path(stopped, "/rounds/1/close"), org["bo"], {"outcome": "STOP", "note": "No"}))
    gone = created(server.post("/api/v1/prfaqs", org["ann"], body("Gone", org["money"])))["id"]
    head = ok(server.post(path(gone, "/withdraw"), org["ann"], {"reason": "Money does it"}))[
        "position"
    ]

    data, _ = server.graphql(org["ann"]).query(PRFAQ, wait_for=head, id=prfaq["nodeId"])
    found = data["prfaq"]
    assert (found["state"], found["ring"], found["readable"]) == ("APPROVED", "CEO", True)
    assert (found["problem"], found["team"]["name"], found["author"]) == (
        "Sharper",
        "Books",
        {"handle": "ann@example.com"},
    )
    assert found["quotes"] == {"leader": "We start from the reader.", "customer": "By dinner!"}
    assert found["faq"] == [{"audience": "EXTERNAL", "question": "Which cities?", "answer": "Ten."}]
    hashes = [revision["hash"] for revision in found["revisions"]]
    assert [r["reason"] for r in found["revisions"]] == [None, "Review"]
    assert [(r["ring"], r["revisionHash"], r["outcome"]) for r in found["rounds"]] == [
        ("TEAM", hashes[0], "REVISE"),
        ("TEAM", hashes[1], "ADVANCE"),
        ("ORG", hashes[1], "ADVANCE"),
        ("S_TEAM", hashes[1], "ADVANCE"),
        ("CEO", hashes[1], "ADVANCE"),
    ]
    assert found["rounds"][0]["feedback"] == [
        {
            "reviewer": {"handle": "rev@example.com"},
            "recommendation": "REVISE",
            "comments": "Sharper",
        }
    ]
    assert [r["closedBy"]["handle"] for r in found["rounds"]] == [
        "bo@example.com",
        "bo@example.com",
        "sam@example.com",
        "ceo@example.com",
        "ceo@example.com",
    ]
    then, _ = server.graphql(leadership).query(PRFAQ, id=prfaq["nodeId"], at=last["position"] - 1)
    assert then["prfaq"]["state"] == "IN_REVIEW"

    # Confidential: the reviewer and the team's member read it; Money's leader does not.
    for reader in ("rev", "mia", "bo"):
        data, _ = server.graphql(org[reader]).query(PRFAQ, id=prfaq["nodeId"])
        assert data["prfaq"]["problem"] == "Sharper", reader
    data, _ = server.graphql(org["max"]).query(PRFAQ, id=prfaq["nodeId"])
    outside = data["prfaq"]
    assert (outside["title"], outside["state"], outside["ring"], outside["team"]["name"]) == (
        "Same-day",
        "APPROVED",
        "CEO",
        "Books",
    )
    assert outside["readable"] is False
    hidden = (
        "author",
        "heading",
        "problem",
        "solution",
        "summary",
        "quotes",
        "faq",
        "revisions",
        "rounds",
    )
    assert all(outside[field] is None for field in hidden)

    # The funnel: TEAM reached by 2 (approved, stopped), 1 stopped; the rest reached once.
    data, _ = server.graphql(leadership).query(FUNNEL, teamId=org["shop"], sub=True)
    rings = {
        r["ring"]: (r["reached"], r["stopped"], r["inItNow"]) for r in data["prfaqFunnel"]["rings"]
    }
    assert rings == {"TEAM": (2, 1, 0), "ORG": (1, 0, 0), "S_TEAM": (1, 0, 0), "CEO": (1, 0, 0)}
    assert all(
        r["medianDays"] is not None and r["medianDays"] < 1 for r in data["prfaqFunnel"]["rings"]
    )
    data, _ = server.graphql(leadership).query(FUNNEL, teamId=org["shop"], sub=False)
    assert all(r["reached"] == 0 for r in data["prfaqFunnel"]["rings"])

    data, _ = server.graphql(org["max"]).query(LIST, filter={"state": "SHELVED"})
    assert data["prfaqs"]["nodes"] == [
        {"title": "Stopped", "state": "SHELVED", "ring": "TEAM", "readable": False}
    ]
    data, _ = server.graphql(org["ann"]).query(LIST, filter={"author": "ann@example.com"})
    assert data["prfaqs"]["totalCount"] == 4


def test_bad_input_and_callers(server: FlywheelServer, org: dict[str, Any]) -> None:
    assert_problem(server.post("/api/v1/prfaqs", None, body("x")), 401)
    problem = refused(server, "/api/v1/prfaqs", org["ann"], body(" "), 400)
    assert "title" in problem["detail"]
    problem = refused(server, "/api/v1/prfaqs", org["ann"], body("x", problem="a\u202eb"), 400)
    assert "problem" in problem["detail"]
    refused(server, "/api/v1/prfaqs", org["ann"], {**body("x"), "colour": "red"}, 400)
    refused(
        server,
        "/api/v1/prfaqs",
        org["ann"],
        body("x", faq=[{"audience": "NOBODY", "question": "q", "answer": "a"}]),
        400,
    )
    missing = "00000000-0000-4000-8000-000000000000"
    refused(server, path(missing, "/withdraw"), org["ann"], {"reason": "r"}, 404)
    refused(server, "/api/v1/prfaqs", org["ann"], body("x", missing), 404)
    mine = created(server.post("/api/v1/prfaqs", org["ann"], body("Mine", org["books"])))["id"]
    refused(
        server, path(mine, "/rounds/1/feedback"), org["rev"], {"recommendation": "ADVANCE"}, 404
    )
    refused(server, path(mine, "/withdraw"), org["mia"], {"reason": "r"}, 403)
    refused(server, path(mine, "/revisions"), org["mia"], {**body("Mine"), "reason": "r"}, 403)
    refused(
        server,
        path(mine, "/rounds"),
        org["mia"],
        {"ring": "TEAM", "reviewers": ["rev@example.com"]},
        403,
    )
    refused(
        server,
        path(mine, "/rounds"),
        org["ann"],
        {"ring": "SIDEWAYS", "reviewers": ["rev@example.com"]},
        400,
    )
    refused(server, path(mine, "/rounds"), org["ann"], {"ring": "TEAM", "reviewers": []}, 400)
    stale = ok(
        server.post(
            path(mine, "/revisions"),
            org["ann"],
            {**body("Mine"), "reason": "r"},
            headers={"If-Match": '"1"'},
        )
    )
    assert stale["version"] == 2
    before = log_position(server)
    again = server.post(
        path(mine, "/revisions"),
        org["ann"],
        {**body("Mine"), "reason": "r"},
        headers={"If-Match": '"1"'},
    )
    assert assert_problem(again, 412)["type"] == "/problems/version-mismatch"
    assert log_position(server) == before


DECISION = """
query Decision($id: ID!) {
  prfaq(id: $id) {
    state committed { handle } uncommittedDissenters { handle }
    dissents {
      id uuid by { handle } argument weighed response weighedBy { handle } prfaq { title }
    }
  }
}
"""


def test_disagree_and_commit_on_a_prfaq(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    prfaq = created(server.post("/api/v1/prfaqs", org["ann"], body("Decided", org["books"])))
    pid = prfaq["id"]
    for number, ring in enumerate(("TEAM", "ORG", "S_TEAM"), 1):
        round_of(server, org, pid, ring)
        ok(server.post(path(pid, f"/rounds/{number}/close"), leadership, {"outcome": "ADVANCE"}))
    assert_problem(server.post(path(pid, "/dissents"), None, {"argument": "No"}), 401)
    refused(server, path(pid, "/dissents"), org["max"], {"argument": " "}, 400)
    dissent = created(server.post(path(pid, "/dissents"), org["max"], {"argument": "Costly"}))
    assert dissent["id"] != pid and dissent["version"] > prfaq["version"]
    weigh = path(pid, f"/dissents/{dissent['id']}/weigh")
    refused(server, weigh, org["bo"], {"response": "Heard"}, 403)
    missing = path(pid, "/dissents/00000000-0000-4000-8000-000000000000/weigh")
    refused(server, missing, leadership, {"response": "Heard"}, 404)
    problem = refused(server, path(pid, "/commitments"), org["max"], {}, 409)
    assert problem["rule"] == "prfaq-not-approved"
    round_of(server, org, pid, "CEO")
    problem = refused(server, path(pid, "/rounds/4/close"), leadership, {"outcome": "ADVANCE"}, 409)
    assert problem["rule"] == "dissent-not-weighed"
    ok(server.post(weigh, leadership, {"response": "The FAQ prices it"}))
    problem = refused(server, weigh, leadership, {"response": "Again"}, 409)
    assert problem["rule"] == "dissent-already-weighed"
    ok(server.post(path(pid, "/rounds/4/close"), leadership, {"outcome": "ADVANCE"}))
    ok(server.post(path(pid, "/commitments"), org["rev"], {}))
    head = ok(server.post(path(pid, "/commitments"), org["bo"], {}))["position"]
    problem = refused(server, path(pid, "/commitments"), org["bo"], {}, 409)
    assert problem["rule"] == "already-committed"

    data, _ = server.graphql(org["ann"]).query(DECISION, wait_for=head, id=prfaq["nodeId"])
    found = data["prfaq"]
    assert found["state"] == "APPROVED"
    assert found["committed"] == [{"handle": "rev@example.com"}, {"handle": "bo@example.com"}]
    assert found["uncommittedDissenters"] == [{"handle": "max@example.com"}]
    [recorded] = found["dissents"]
    assert recorded["id"] == dissent["nodeId"] and recorded["uuid"] == dissent["id"]
    assert (recorded["by"], recorded["argument"], recorded["weighed"]) == (
        {"handle": "max@example.com"},
        "Costly",
        True,
    )
    assert (recorded["response"], recorded["weighedBy"]) == (
        "The FAQ prices it",
        {"handle": "ceo@example.com"},
    )
    node = "query($id: ID!) { node(id: $id) { ... on PrFaqDissent { argument } } }"
    data, _ = server.graphql(org["ann"]).query(node, id=dissent["nodeId"])
    assert data["node"] == {"argument": "Costly"}
    data, _ = server.graphql(org["sam"]).query(node, id=dissent["nodeId"])
    assert data["node"] is None, "Shop's leader is not in Books and reads no text"
    history = (
        "query($id: ID!) { node(id: $id) { ... on PrFaqDissent { history { nodes { type } } } } }"
    )
    data, _ = server.graphql(leadership).query(history, id=dissent["nodeId"])
    assert [e["type"] for e in data["node"]["history"]["nodes"]] == [
        "PrFaq.DissentRecorded",
        "PrFaq.DissentWeighed",
    ]
    data, _ = server.graphql(org["sam"]).query(DECISION, id=prfaq["nodeId"])
    assert data["prfaq"]["dissents"] is None and data["prfaq"]["uncommittedDissenters"] is None


OUTCOMES = """
query Outcomes($person: String!) {
  expectedOutcomes { decisionKind decisionTitle decidedBy { handle } metDissent target by status
                     observedValue observedPeriodEnd metric { name } }
  due: expectedOutcomes(status: MET) { decisionTitle }
  trackRecord(person: $person) {
    person { handle } figures { decisions outcomes met missed unknown pending metRate }
  }
  decisionTrackRecord {
    overall { outcomes met missed pending metRate }
    withDissent { outcomes met missed }
    withoutDissent { outcomes met missed unknown pending }
    byDecider { person { handle } figures { outcomes } }
  }
  allocationCycle(fiscalYear: 2040, kind: OP1) { expectedOutcomes { target status } }
}
"""


def test_expected_outcomes_and_the_track_record(
    server: FlywheelServer, leadership: str, org: dict[str, Any]
) -> None:
    metric = created(
        server.post(
            "/api/v1/metrics",
            leadership,
            {
                "name": "Same-day share",
                "kind": "INPUT",
                "unit": "%",
                "direction": "INCREASE",
                "definition": "Orders delivered the day they were placed",
                "ownerTeamId": org["books"],
            },
        )
    )["id"]
    ok(
        server.post(
            f"/api/v1/metrics/{metric}/observations",
            leadership,
            {"periodEnd": "2025-03-30", "value": 95},
        )
    )
    pid = created(server.post("/api/v1/prfaqs", org["ann"], body("Measured", org["books"])))["id"]
    outcome = {"metricId": metric, "target": 90, "by": "2025-03-31", "note": "Most orders"}
    problem = refused(server, path(pid, "/expected-outcomes"), leadership, outcome, 409)
    assert problem["rule"] == "prfaq-not-approved"
    for number, ring in enumerate(("TEAM", "ORG", "S_TEAM", "CEO"), 1):
        round_of(server, org, pid, ring)
        ok(server.post(path(pid, f"/rounds/{number}/close"), leadership, {"outcome": "ADVANCE"}))
    assert_problem(server.post(path(pid, "/expected-outcomes"), None, outcome), 401)
    refused(server, path(pid, "/expected-outcomes"), org["bo"], outcome, 403)
    refused(server, path(pid, "/expected-outcomes"), leadership, {**outcome, "by": "nope"}, 400)
    missing = {**outcome, "metricId": "00000000-0000-4000-8000-000000000000"}
    refused(server, path(pid, "/expected-outcomes"), leadership, missing, 404)
    stated = created(server.post(path(pid, "/expected-outcomes"), leadership, outcome))
    assert stated["id"] == pid

    cycle = created(server.post("/api/v1/cycles", leadership, {"fiscalYear": 2040, "kind": "OP1"}))
    later = {**outcome, "target": 99, "by": "2199-12-31"}
    cycle_path = f"/api/v1/cycles/{cycle['id']}/expected-outcomes"
    problem = refused(server, cycle_path, leadership, later, 409)
    assert problem["rule"] == "cycle-not-decided"
    for phase in ("REVIEW", "DECIDED"):
        ok(server.post(f"/api/v1/cycles/{cycle['id']}/phase", leadership, {"to": phase}))
    refused(server, cycle_path, org["bo"], later, 403)
    head = created(server.post(cycle_path, leadership, later))["position"]

    data, _ = server.graphql(org["mia"]).query(OUTCOMES, wait_for=head, person="ceo@example.com")
    mine = [o for o in data["expectedOutcomes"] if o["metric"]["name"] == "Same-day share"]
    assert [(o["decisionKind"], o["decisionTitle"], o["status"]) for o in mine] == [
        ("PRFAQ", "Measured", "MET"),
        ("ALLOCATION", "OP1 2040", "PENDING"),
    ]
    assert (mine[0]["observedValue"], mine[0]["observedPeriodEnd"]) == (95.0, "2025-03-30")
    assert mine[0]["decidedBy"] == {"handle": "ceo@example.com"}
    assert mine[0]["metDissent"] is False
    assert {"decisionTitle": "Measured"} in data["due"]
    assert data["trackRecord"]["person"] == {"handle": "ceo@example.com"}
    record = data["trackRecord"]["figures"]
    assert (record["met"], record["pending"], record["missed"]) == (1, 1, 0)
    assert record["metRate"] == 1.0
    company = data["decisionTrackRecord"]
    assert company["overall"]["outcomes"] == (
        company["withDissent"]["outcomes"] + company["withoutDissent"]["outcomes"]
    )
    assert sum(d["figures"]["outcomes"] for d in company["byDecider"]) == 2
    assert data["allocationCycle"]["expectedOutcomes"] == [{"target": 99.0, "status": "PENDING"}]


def test_the_prfaq_commands_are_documented_in_openapi(server: FlywheelServer) -> None:
    paths = httpx.get(f"{server.url}/schema/openapi.json", timeout=30).json()["paths"]
    for path_ in (
        "/api/v1/prfaqs",
        "/api/v1/prfaqs/{prfaq_id}/rounds/{number}/feedback",
        "/api/v1/prfaqs/{prfaq_id}/dissents/{dissent_id}/weigh",
        "/api/v1/prfaqs/{prfaq_id}/expected-outcomes",
        "/api/v1/cycles/{cycle_id}/expected-outcomes",
    ):
        operation = paths[path_]["post"]
        assert "409" in operation["responses"] and operation["description"], path_


def test_graphql_refusals(server: FlywheelServer, org: dict[str, Any]) -> None:
    reader = server.graphql(org["mia"])
    with pytest.raises(TransportQueryError) as refused:
        reader.query(LIST, filter={"author": "ann@example.com"})
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"
    data, _ = reader.query(LIST, filter={"author": "mia@example.com"})
    assert data["prfaqs"]["totalCount"] == 0
    stale = "query { prfaqFunnel(staleDays: 0) { rings { ring } } }"
    with pytest.raises(TransportQueryError) as refused:
        reader.query(stale)
    assert refused.value.errors is not None
    assert "staleDays" in refused.value.errors[0]["message"]
