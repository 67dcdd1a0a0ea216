"""A whole fiscal year of allocation, run by leadership over HTTP on its own server and
database: OP1 from opening to an amendment after the lock, then OP2 opened from it.
Every refusal on the way is a 409 problem with its rule, and records nothing."""

from __future__ import annotations

from typing import Any

from tests.e2e.allocation import (
    CYCLE,
    CYCLES,
    by_function,
    cycle_path,
    numbers,
    open_cycle,
    refused_rule,
    set_envelope,
)
from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, created, define, ok, set_goal

YEAR = 2027
ENVELOPE = {"ENGINEERING": 12, "PRODUCT": 3, "DESIGN": 2}
BALANCED = {
    "Retail": ({"ENGINEERING": 5, "PRODUCT": 1, "DESIGN": 1}, 1_100_000),
    "Books": ({"ENGINEERING": 4, "PRODUCT": 1}, 900_000),
    "Ads": ({"ENGINEERING": 3, "DESIGN": 1}, 700_000),
}

TEAM_ALLOCATION = """
query TeamAllocation($id: ID!, $year: Int!) {
  team(id: $id) {
    allocation(fiscalYear: $year) {
      fiscalYear
      funded { budget headcount { function count } }
      op1 {
        cycle { kind }
        requested { budget totalHeadcount }
        decided { budget totalHeadcount }
        funded { budget totalHeadcount }
        amendments { number reason approver { handle } }
      }
      op2 { cycle { kind } requested { budget } funded { budget totalHeadcount } }
    }
  }
}
"""

DETAILS = """
query Details($year: Int!, $team: ID!) {
  allocationCycle(fiscalYear: $year, kind: OP1) {
    carriedInto { kind fiscalYear }
    envelopeHistory { reason budget }
    request(teamId: $team) { version versions { version rationale } goals { uuid } }
    dissents(weighed: true, first: 1) {
      totalCount pageInfo { hasNextPage }
      nodes { response weighedBy { handle } cycle { kind } }
    }
  }
}
"""

COMPARISON = """
query Compare($year: Int!, $at: Int) {
  allocationCycle(fiscalYear: $year, kind: OP1, atPosition: $at) {
    scenarioComparison {
      scenarios
      teams {
        team { name } requested { budget }
        scenarios { scenario shortOfRequest allocated { budget } }
      }
      summaries {
        scenario withinEnvelope unfundedGoals { uuid }
        totals { function funded remaining } budget { funded remaining }
      }
    }
  }
}
"""


def test_a_year_of_op1_and_op2(server: FlywheelServer, leadership: str) -> None:
    ceo = leadership
    rita = server.token("rita@example.com", "member")  # leads Retail
    ann = server.token("ann@example.com", "member")
    ben = server.token("ben@example.com", "planner")
    teams = {
        "Retail": charter(server, ceo, "Retail", "rita@example.com")["id"],
        "Books": charter(server, ceo, "Books", "bo@example.com")["id"],
        "Ads": charter(server, ceo, "Ads", "ada@example.com")["id"],
    }
    goals = {}
    for name, team in teams.items():
        metric = define(server, ceo, f"{name} input", "INPUT", team)["id"]
        goals[name] = set_goal(server, ceo, team, metric, YEAR)["id"]
    gql = server.graphql(ceo)

    # OP1 opens; a second OP1 for the year is refused.
    op1 = open_cycle(server, ceo, YEAR, "OP1")
    cycle = op1["id"]
    refused_rule(
        server, CYCLES, ceo, {"fiscalYear": YEAR, "kind": "OP1"}, "allocation-cycle-exists"
    )
    set_envelope(server, ceo, cycle, ENVELOPE, 3_000_000)

    # Requests from every team; Retail revises its own.
    requests = cycle_path(cycle, "/requests")

    def ask(token: str, name: str, headcount: dict[str, int], budget: int) -> dict[str, Any]:
        body = numbers(
            teams[name], headcount, budget, rationale=f"{name} growth", goalIds=[goals[name]]
        )
        return ok(server.post(requests, token, body))

    ask(rita, "Retail", {"ENGINEERING": 5, "PRODUCT": 1}, 1_000_000)
    ask(rita, "Retail", {"ENGINEERING": 6, "PRODUCT": 1, "DESIGN": 1}, 1_200_000)
    ask(ceo, "Books", {"ENGINEERING": 4, "PRODUCT": 1}, 900_000)
    ask(ceo, "Ads", {"ENGINEERING": 4, "DESIGN": 1}, 800_000)

    # Dissent, before anything is decided; the answer names the dissent.
    dissents = cycle_path(cycle, "/dissents")
    ann_dissent = created(
        server.post(dissents, ann, {"teamId": teams["Retail"], "argument": "Books needs more"})
    )
    ben_dissent = created(server.post(dissents, ben, {"argument": "The envelope is too small"}))
    assert ann_dissent["id"] != cycle and ann_dissent["nodeId"] != op1["nodeId"]

    # What-if scenarios, compared, then one adopted in REVIEW.
    scenarios = cycle_path(cycle, "/scenarios")
    ok(
        server.post(
            scenarios,
            ceo,
            {
                "name": "Balanced",
                "allocations": [numbers(teams[n], hc, b) for n, (hc, b) in BALANCED.items()],
            },
        )
    )
    everyone = [
        numbers(teams["Retail"], {"ENGINEERING": 6, "PRODUCT": 1, "DESIGN": 1}, 1_200_000),
        numbers(teams["Books"], {"ENGINEERING": 4, "PRODUCT": 1}, 900_000),
        numbers(teams["Ads"], {"ENGINEERING": 4, "DESIGN": 1}, 800_000),
    ]
    saved = ok(server.post(scenarios, ceo, {"name": "Everyone", "allocations": everyone}))
    data, _ = gql.query(COMPARISON, wait_for=saved["position"], year=YEAR)
    comparison = data["allocationCycle"]["scenarioComparison"]
    assert comparison["scenarios"] == ["Balanced", "Everyone"]
    balanced, generous = comparison["summaries"]
    assert (balanced["withinEnvelope"], generous["withinEnvelope"]) == (True, False)
    assert by_function(generous["totals"])["ENGINEERING"] == {"funded": 14, "remaining": -2}
    assert {g["uuid"] for g in balanced["unfundedGoals"]} == {
        goals["Retail"],
        goals["Ads"],
    }, "Balanced funds Retail and Ads short of their requests"
    assert generous["unfundedGoals"] == []
    assert [t["team"]["name"] for t in comparison["teams"]] == ["Ads", "Books", "Retail"]
    ads_line = comparison["teams"][0]
    assert ads_line["requested"] == {"budget": "800000"}
    assert [(s["scenario"], s["shortOfRequest"]) for s in ads_line["scenarios"]] == [
        ("Balanced", True),
        ("Everyone", False),
    ]

    phase = cycle_path(cycle, "/phase")
    refused_rule(
        server, cycle_path(cycle, "/scenarios/Balanced/adopt"), ceo, None, "review-not-started"
    )
    ok(server.post(phase, ceo, {"to": "REVIEW"}))
    refused_rule(
        server,
        requests,
        rita,
        numbers(
            teams["Retail"], {"ENGINEERING": 7}, 1, rationale="Late", goalIds=[goals["Retail"]]
        ),
        "requests-closed",
    )
    adopted = ok(server.post(cycle_path(cycle, "/scenarios/Balanced/adopt"), ceo))

    # Decisions: beyond a request or beyond the envelope are refused; a confirmation is not.
    decisions = cycle_path(cycle, "/decisions")
    beyond = refused_rule(
        server,
        decisions,
        ceo,
        numbers(teams["Ads"], {"ENGINEERING": 5, "DESIGN": 1}, 700_000, rationale="Push ads"),
        "funded-beyond-request",
    )
    assert "ENGINEERING 5 > 4" in beyond["detail"]
    over = refused_rule(
        server,
        decisions,
        ceo,
        numbers(
            teams["Retail"],
            {"ENGINEERING": 6, "PRODUCT": 1, "DESIGN": 1},
            1_100_000,
            rationale="All of Retail's ask",
        ),
        "envelope-exceeded",
    )
    assert "ENGINEERING 13 > 12" in over["detail"]
    books_hc, books_budget = BALANCED["Books"]
    ok(
        server.post(
            decisions,
            ceo,
            numbers(teams["Books"], books_hc, books_budget, rationale="Confirmed in review"),
        )
    )

    # DECIDED needs every dissent weighed.
    unweighed = refused_rule(server, phase, ceo, {"to": "DECIDED"}, "dissent-not-weighed")
    assert ann_dissent["id"] in unweighed["detail"] and ben_dissent["id"] in unweighed["detail"]
    for dissent, response in ((ann_dissent, "Books is funded in full"), (ben_dissent, "Fixed")):
        path = cycle_path(cycle, f"/dissents/{dissent['id']}/weigh")
        ok(server.post(path, ceo, {"response": response}))
    ok(server.post(phase, ceo, {"to": "DECIDED"}))

    # Commitment: Ann disagreed and commits; Ben disagreed and does not.
    for token in (ann, rita, ceo):
        ok(server.post(cycle_path(cycle, "/commitments"), token, {}))
    locked = ok(server.post(phase, ceo, {"to": "LOCKED"}))

    data, _ = gql.query(CYCLE, wait_for=locked["position"], year=YEAR, kind="OP1")
    op1_view = data["allocationCycle"]
    assert (op1_view["phase"], op1_view["id"]) == ("LOCKED", op1["nodeId"])
    assert [p["phase"] for p in op1_view["phaseHistory"]] == ["OPEN", "REVIEW", "DECIDED", "LOCKED"]
    expected_hc: dict[str, int] = {}
    for headcount, _budget in BALANCED.values():
        for function, count in headcount.items():
            expected_hc[function] = expected_hc.get(function, 0) + count
    totals = by_function(op1_view["totals"])
    assert {f: t["funded"] for f, t in totals.items()} == expected_hc, "the scenario, exactly"
    assert totals["ENGINEERING"] == {"envelope": 12, "requested": 14, "funded": 12, "remaining": 0}
    assert op1_view["budget"] == {  # Money: exact, as strings of digits
        "envelope": "3000000",
        "requested": "2900000",
        "funded": str(sum(b for _, b in BALANCED.values())),
        "remaining": "300000",
    }
    retail_request = next(r for r in op1_view["requests"]["nodes"] if r["team"]["name"] == "Retail")
    assert [v["version"] for v in retail_request["versions"]] == [1, 2]
    assert (retail_request["version"], retail_request["submittedBy"]) == (
        2,
        {"handle": "rita@example.com"},
    )
    sources = {
        d["team"]["name"]: (d["source"], d["scenario"]) for d in op1_view["decisions"]["nodes"]
    }
    assert sources == {
        "Ads": ("SCENARIO", "Balanced"),
        "Books": ("DECIDED", None),
        "Retail": ("SCENARIO", "Balanced"),
    }
    assert {a["team"]["name"] for a in op1_view["unfundedAsks"]} == {"Ads", "Retail"}
    assert {d["weighed"] for d in op1_view["dissents"]["nodes"]} == {True}
    assert op1_view["uncommittedDissenters"] == [{"handle": "ben@example.com"}]
    assert op1_view["commitments"]["totalCount"] == 3
    assert {s["name"]: bool(s["adoptedAt"]) for s in op1_view["scenarios"]["nodes"]} == {
        "Balanced": True,
        "Everyone": False,
    }
    node, _ = gql.query(
        "query($id: ID!) { node(id: $id) { ... on Dissent { argument by { handle } } } }",
        id=ann_dissent["nodeId"],
    )
    assert node["node"] == {"argument": "Books needs more", "by": {"handle": "ann@example.com"}}
    before, _ = gql.query(CYCLE, year=YEAR, kind="OP1", at=adopted["position"] - 1)
    assert before["allocationCycle"]["decisions"]["totalCount"] == 0, "as of before adoption"

    # After the lock only an amendment changes anything, within the envelope.
    refused_rule(
        server,
        decisions,
        ceo,
        numbers(teams["Ads"], {"ENGINEERING": 4}, 1, rationale="Late"),
        "cycle-locked",
    )
    amended = ok(
        server.post(
            cycle_path(cycle, "/amendments"),
            ceo,
            numbers(
                teams["Ads"],
                {"ENGINEERING": 3, "DESIGN": 1},
                800_000,
                reason="Ad-fraud incident",
                approver="cfo@example.com",
            ),
        )
    )
    data, _ = gql.query(CYCLE, wait_for=amended["position"], year=YEAR, kind="OP1")
    op1_view = data["allocationCycle"]
    assert op1_view["amendmentCount"] == 1
    assert op1_view["amendments"]["nodes"] == [
        {
            "number": 1,
            "reason": "Ad-fraud incident",
            "approver": {"handle": "cfo@example.com"},
            "team": {"name": "Ads"},
            "funded": {"budget": "800000", "totalHeadcount": 4},
        }
    ]
    assert op1_view["budget"]["funded"] == "2800000", "amendments count once locked"

    # OP2 opens from the locked OP1, starting from its envelope and funding.
    op2 = open_cycle(server, ceo, YEAR, "OP2")
    data, _ = gql.query(CYCLE, wait_for=op2["position"], year=YEAR, kind="OP2")
    op2_view = data["allocationCycle"]
    assert (op2_view["phase"], op2_view["carriedFrom"]) == ("OPEN", {"kind": "OP1"})
    assert op2_view["envelope"]["budget"] == "3000000"
    assert by_function(op2_view["totals"])["ENGINEERING"]["funded"] == 12
    assert op2_view["budget"]["funded"] == "2800000"
    assert {d["source"] for d in op2_view["decisions"]["nodes"]} == {"CARRIED"}
    assert op2_view["requests"]["totalCount"] == 0
    refused_rule(
        server,
        cycle_path(cycle, "/amendments"),
        ceo,
        numbers(teams["Ads"], {}, 0, reason="Too late", approver="cfo@example.com"),
        "cycle-carried-forward",
    )

    data, _ = gql.query(DETAILS, year=YEAR, team=teams["Retail"])
    details = data["allocationCycle"]
    assert details["carriedInto"] == {"kind": "OP2", "fiscalYear": YEAR}
    assert details["envelopeHistory"] == [{"reason": "The board's plan", "budget": "3000000"}]
    assert details["request"]["version"] == 2
    assert [v["version"] for v in details["request"]["versions"]] == [1, 2]
    assert details["request"]["goals"] == [{"uuid": goals["Retail"]}]
    assert details["dissents"]["totalCount"] == 2
    assert details["dissents"]["pageInfo"]["hasNextPage"] is True
    assert details["dissents"]["nodes"] == [
        {
            "response": "Books is funded in full",
            "weighedBy": {"handle": "ceo@example.com"},
            "cycle": {"kind": "OP1"},
        }
    ]

    data, _ = gql.query(TEAM_ALLOCATION, id=teams["Ads"], year=YEAR)
    allocation = data["team"]["allocation"]
    assert allocation["op1"] == {
        "cycle": {"kind": "OP1"},
        "requested": {"budget": "800000", "totalHeadcount": 5},
        "decided": {"budget": "700000", "totalHeadcount": 4},
        "funded": {"budget": "800000", "totalHeadcount": 4},
        "amendments": [
            {
                "number": 1,
                "reason": "Ad-fraud incident",
                "approver": {"handle": "cfo@example.com"},
            }
        ],
    }
    assert allocation["op2"] == {
        "cycle": {"kind": "OP2"},
        "requested": None,
        "funded": {"budget": "800000", "totalHeadcount": 4},
    }
    assert allocation["funded"]["budget"] == "800000"
