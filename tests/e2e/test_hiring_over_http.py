"""Hiring end to end over HTTP: funding bounds requisitions, each bar-raiser rule has its
own problem, a full loop hires someone, a veto blocks a hire; functional excellence's
commands (leaders, standards, second jobs, principles) answer as documented."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, created, define, log_position, ok, set_goal
from tests.e2e.test_goals_over_http import refused

YEAR = 2031
MEMBERS = """
query Team($id: ID!) {
  team(id: $id) { members { person { handle } function } requisitions { status } }
}
"""
LOOP = """
query Loop($id: ID!) {
  interviewLoop(id: $id) {
    stage candidateName vetoReason feedbackReadable
    feedback { person { handle } vote notes absent finalVote changed }
  }
}
"""
CANDIDATE = """
query Candidate($id: ID!) { person(id: $id) { handle displayName } }
"""
STATS = """
query {
  barRaiserStats { barRaiser { handle } loops vetoes decided hires hireRate }
  loopHealth { debriefs finalVotes changedVotes changedShare medianDaysToDebrief }
  hiringPlan(fiscalYear: 2031) { team { name } function funded members openRequisitions }
}
"""


def put(server: FlywheelServer, path: str, token: str, body: Any) -> httpx.Response:
    return httpx.put(
        f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


@pytest.fixture(scope="module")
def people(server: FlywheelServer) -> dict[str, str]:
    names = ("hana", "cto", "bea", "rex", "rae", "ian", "ivy", "out")
    return {name: server.token(f"{name}@hire.io", "member") for name in names} | {
        "planner": server.token("plan@hire.io", "planner"),
        "auditor": server.token("audit@hire.io", "auditor"),
    }


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str, people: dict[str, str]) -> dict[str, Any]:
    """Hiring (hana) funded for one engineer in a decided OP1; Talent (recruiting, rae)."""
    team = charter(server, leadership, "Hiring Team", "hana@hire.io")["id"]
    talent = charter(server, leadership, "Talent", "tal@hire.io")["id"]
    for who, function, where in (
        ("rex@hire.io", "QUALITY", team),
        ("rae@hire.io", "RECRUITING", talent),
        ("bea@hire.io", "ENGINEERING", talent),
    ):
        created_or_ok = server.post(
            f"/api/v1/teams/{where}/members",
            leadership,
            {"person": who, "function": function, "attachment": "REPORTS"},
        )
        assert created_or_ok.status_code in (200, 201), created_or_ok.text
    metric = define(server, leadership, "Hires made", "INPUT", team)["id"]
    goal = set_goal(server, leadership, team, metric, YEAR)["id"]
    cycle = created(server.post("/api/v1/cycles", leadership, {"fiscalYear": YEAR, "kind": "OP1"}))[
        "id"
    ]
    for path, body in (
        ("envelope", {"headcount": {"ENGINEERING": 5}, "budget": 1000, "reason": "Plan"}),
        (
            "requests",
            {
                "teamId": team,
                "headcount": {"ENGINEERING": 2},
                "budget": 100,
                "rationale": "Hire",
                "goalIds": [goal],
            },
        ),
        ("phase", {"to": "REVIEW"}),
        (
            "decisions",
            {"teamId": team, "headcount": {"ENGINEERING": 2}, "budget": 100, "rationale": "Two"},
        ),
        ("phase", {"to": "DECIDED"}),
    ):
        answer = server.post(f"/api/v1/cycles/{cycle}/{path}", leadership, body)
        if answer.status_code == 405:
            answer = put(server, f"/api/v1/cycles/{cycle}/{path}", leadership, body)
        assert answer.status_code in (200, 201), answer.text
    ok(
        put(
            server,
            "/api/v1/functions/ENGINEERING/leader",
            leadership,
            {"person": "cto@hire.io", "reason": "Sets the bar"},
        )
    )
    jobs = {}
    for who, token in (("bea", people["cto"]), ("rex", leadership), ("rae", leadership)):
        jobs[who] = created(
            server.post(
                "/api/v1/second-jobs",
                token,
                {"person": f"{who}@hire.io", "kind": "BAR_RAISER", "share": 0.1},
            )
        )["id"]
    return {"team": team, "talent": talent, "jobs": jobs}


def loop_body(
    bar_raiser: str, recruiter: str = "rae@hire.io", handle: str = "cy@cand.org"
) -> dict[str, Any]:
    return {
        "candidate": {"handle": handle, "name": "Cy Candidate"},
        "recruiter": recruiter,
        "barRaiser": bar_raiser,
        "interviewers": [
            {"person": "ian@hire.io", "principles": ["Customer Obsession"]},
            {"person": "ivy@hire.io", "principles": ["Dive Deep"]},
        ],
    }


def test_hiring_through_a_loop_over_http(
    server: FlywheelServer, leadership: str, people: dict[str, str], org: dict[str, Any]
) -> None:
    body = {"teamId": org["team"], "function": "ENGINEERING", "fiscalYear": YEAR}
    refused(server, "/api/v1/requisitions", people["out"], body, 403)
    refused(server, "/api/v1/requisitions", leadership, {**body, "fiscalYear": "x"}, 400)
    requisition = created(server.post("/api/v1/requisitions", people["hana"], body))["id"]
    org["second"] = created(server.post("/api/v1/requisitions", people["hana"], body))["id"]
    problem = refused(server, "/api/v1/requisitions", people["hana"], body, 409)
    assert problem["rule"] == "requisition-beyond-funding"
    loops = f"/api/v1/requisitions/{requisition}/loops"
    for bar_raiser, recruiter, rule in (
        ("ian@hire.io", "rae@hire.io", "bar-raiser-not-assigned"),
        ("hana@hire.io", "rae@hire.io", "bar-raiser-is-hiring-manager"),
        ("rex@hire.io", "rae@hire.io", "bar-raiser-reports-to-hiring-manager"),
        ("bea@hire.io", "bea@hire.io", "bar-raiser-is-recruiter"),
        ("rae@hire.io", "out@hire.io", "bar-raiser-in-recruiting"),
    ):
        problem = refused(server, loops, leadership, loop_body(bar_raiser, recruiter), 409)
        assert problem["rule"] == rule
    loop = created(server.post(loops, people["hana"], loop_body("bea@hire.io")))["id"]
    path = f"/api/v1/loops/{loop}"
    assert refused(server, f"{path}/debrief", people["bea"], {}, 409)["rule"] == "feedback-missing"
    refused(server, f"{path}/feedback", people["out"], {"vote": "YES", "notes": "x"}, 403)
    refused(server, f"{path}/feedback", people["ian"], {"vote": "MAYBE", "notes": "x"}, 400)
    for who, vote in (("ian", "YES"), ("ivy", "NO")):
        created_answer = server.post(
            f"{path}/feedback",
            people[who],
            {"vote": vote, "notes": f"{who} notes", "principles": []},
        )
        assert created_answer.status_code == 200, created_answer.text
    ok(server.post(f"{path}/debrief", people["bea"], {}))
    ok(server.post(f"{path}/final-votes", people["ivy"], {"vote": "YES"}))
    ok(server.post(f"{path}/decision", people["hana"], {"hire": True, "reason": "Raises the bar"}))
    ok(
        server.post(
            f"{path}/offer-accepted",
            people["hana"],
            {"attachment": "REPORTS", "startDate": f"{YEAR}-02-01"},
        )
    )
    problem = refused(server, "/api/v1/requisitions", people["hana"], body, 409)
    assert problem["rule"] == "requisition-beyond-funding", "the hire now fills the funded slot"
    data, _ = server.graphql(leadership).query(
        MEMBERS, wait_for=log_position(server), id=org["team"]
    )
    members = {m["person"]["handle"]: m["function"] for m in data["team"]["members"]}
    assert members["cy@cand.org"] == "ENGINEERING"
    statuses = {r["status"] for r in data["team"]["requisitions"]}
    assert statuses == {"FILLED", "OPEN"}
    # Hired, Cy is on a team: their name is no longer a candidate's secret.
    hired, _ = server.graphql(people["out"]).query(
        CANDIDATE, wait_for=log_position(server), id="cy@cand.org"
    )
    assert hired["person"]["displayName"] == "Cy Candidate"


def test_a_veto_blocks_the_hire_over_http(
    server: FlywheelServer, leadership: str, people: dict[str, str], org: dict[str, Any]
) -> None:
    loops = f"/api/v1/requisitions/{org['second']}/loops"
    loop = created(server.post(loops, leadership, loop_body("bea@hire.io", handle="vi@cand.org")))
    path = f"/api/v1/loops/{loop['id']}"
    position = ok(
        server.post(f"{path}/feedback", people["ian"], {"vote": "YES", "notes": "Fine answers"})
    )["position"]

    def feedback(token: str) -> Any:
        data, _ = server.graphql(token).query(LOOP, wait_for=position, id=loop["id"])
        return data["interviewLoop"]

    # Sealed: Ian (submitted) reads his; Ivy (not yet) reads nothing; the hiring manager
    # waits for the debrief; planners, leadership and outsiders never read feedback.
    assert [f["notes"] for f in feedback(people["ian"])["feedback"]] == ["Fine answers"]
    assert feedback(people["ivy"])["feedback"] == []
    assert feedback(people["hana"])["feedback"] == []  # the hiring manager
    assert feedback(people["rae"])["feedback"] == []  # the recruiter
    assert feedback(people["bea"])["feedback"] == []  # the bar raiser, before their own
    for outsider in (people["planner"], people["auditor"], leadership, people["out"]):
        seen = feedback(outsider)
        assert seen["feedback"] is None and seen["vetoReason"] is None
    assert feedback(leadership)["candidateName"] == "Cy Candidate"
    assert feedback(people["out"])["candidateName"] is None
    # The same name through `person`: no way round `candidateName`'s rule.
    for reader, name in (
        (leadership, "Cy Candidate"),
        (people["ian"], "Cy Candidate"),  # an interviewer of the loop
        (people["rae"], "Cy Candidate"),  # its recruiter
        (people["out"], None),
        (people["planner"], None),
        (people["auditor"], None),
    ):
        data, _ = server.graphql(reader).query(CANDIDATE, wait_for=position, id="vi@cand.org")
        assert data["person"]["displayName"] == name, reader
    ok(server.post(f"{path}/absences", people["bea"], {"person": "ivy@hire.io", "reason": "Ill"}))
    ok(server.post(f"{path}/debrief", people["bea"], {}))
    refused(server, f"{path}/veto", people["hana"], {"reason": "No"}, 403)
    ok(server.post(f"{path}/veto", people["bea"], {"reason": "Below the bar"}))
    problem = refused(
        server, f"{path}/decision", people["hana"], {"hire": True, "reason": "Seat"}, 409
    )
    assert problem["rule"] == "bar-raiser-veto"
    position = ok(
        server.post(f"{path}/decision", people["hana"], {"hire": False, "reason": "Vetoed"})
    )["position"]
    data, _ = server.graphql(people["ivy"]).query(LOOP, wait_for=position, id=loop["id"])
    seen = data["interviewLoop"]
    assert seen["stage"] == "NO_HIRE" and seen["vetoReason"] == "Below the bar"
    for participant in ("hana", "rae", "bea"):  # from the debrief on, everyone in the loop
        data, _ = server.graphql(people[participant]).query(LOOP, wait_for=position, id=loop["id"])
        assert [f["notes"] for f in data["interviewLoop"]["feedback"]] == ["Fine answers", None]
    for outsider in (people["planner"], people["auditor"], leadership, people["out"]):
        data, _ = server.graphql(outsider).query(LOOP, wait_for=position, id=loop["id"])
        assert data["interviewLoop"]["feedback"] is None
    assert [(f["person"]["handle"], f["absent"]) for f in seen["feedback"]] == [
        ("ian@hire.io", False),
        ("ivy@hire.io", True),
    ]
    # Erasing the candidate (the people area's command) makes the name, the notes and
    # the reasons unreadable for everyone; the votes and the order stay.
    erased = ok(server.post("/api/v1/people/vi@cand.org/erasure", leadership, {"reason": "Asked"}))[
        "position"
    ]
    data, _ = server.graphql(people["ivy"]).query(LOOP, wait_for=erased, id=loop["id"])
    gone = data["interviewLoop"]
    assert gone["candidateName"] is None and gone["vetoReason"] is None
    assert [(f["person"]["handle"], f["vote"], f["notes"]) for f in gone["feedback"]] == [
        ("ian@hire.io", "YES", None),
        ("ivy@hire.io", None, None),
    ]
    stats, _ = server.graphql(leadership).query(STATS, wait_for=position)
    bea = next(s for s in stats["barRaiserStats"] if s["barRaiser"]["handle"] == "bea@hire.io")
    assert (bea["loops"], bea["vetoes"], bea["decided"], bea["hires"]) == (2, 1, 2, 1)
    assert bea["hireRate"] == 0.5
    health = stats["loopHealth"]
    assert (health["debriefs"], health["finalVotes"], health["changedVotes"]) == (2, 1, 1)
    plan = {(line["team"]["name"], line["function"]): line for line in stats["hiringPlan"]}
    line = plan[("Hiring Team", "ENGINEERING")]
    assert (line["funded"], line["members"], line["openRequisitions"]) == (2, 1, 1)


def test_functional_excellence_over_http(
    server: FlywheelServer, leadership: str, people: dict[str, str], org: dict[str, Any]
) -> None:
    standard = created(
        server.post(
            "/api/v1/standards",
            people["cto"],
            {"function": "ENGINEERING", "area": "CODE_REVIEW", "title": "Review", "body": "Two"},
        )
    )["id"]
    refused(
        server,
        "/api/v1/standards",
        people["bea"],
        {"function": "ENGINEERING", "area": "CODE_REVIEW", "title": "Mine", "body": "x"},
        403,
    )
    ok(
        server.post(
            f"/api/v1/standards/{standard}/revisions",
            people["cto"],
            {"body": "One", "reason": "Faster"},
        )
    )
    ok(
        server.post(
            f"/api/v1/standards/{standard}/exemptions",
            leadership,
            {"teamId": org["team"], "reason": "Pilot", "expires": "2099-01-01"},
        )
    )
    ok(server.post(f"/api/v1/standards/{standard}/retire", people["cto"], {"reason": "Old"}))
    problem = refused(
        server, f"/api/v1/standards/{standard}/retire", people["cto"], {"reason": "Again"}, 409
    )
    assert problem["rule"] == "standard-retired"
    refused(
        server,
        "/api/v1/second-jobs",
        leadership,
        {"person": "bea@hire.io", "kind": "CODE_REVIEW", "share": 0.6},
        400,
    )
    ok(server.post(f"/api/v1/second-jobs/{org['jobs']['rex']}/end", leadership, {"reason": "Done"}))
    assert (
        put(
            server,
            "/api/v1/principles",
            people["cto"],
            {"principles": [{"name": "A", "description": "a"}]},
        ).status_code
        == 403
    )
