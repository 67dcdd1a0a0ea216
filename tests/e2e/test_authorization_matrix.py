"""Who may do what: every command and every restricted read, with every kind of caller.

Each case names the callers allowed to run it. Every allowed caller succeeds
(a 2xx): a command that changes something only once (retiring, closing,
removing) has a target of its own for each allowed caller, so no allowed caller
meets a domain rule instead of its authority. Everyone else is refused with 401
(no token) or 403, and the refusal records nothing. The matrix must cover
every command in the OpenAPI document, so a new endpoint cannot slip past it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer

NONE, ROLELESS, MEMBER, PLANNER, AUDITOR, LEADER, OTHER_LEADER, LEADERSHIP, INTEGRATOR = (
    "none",
    "a token with no role",
    "member of the team",
    "planner",
    "auditor",
    "leader of the team",
    "leader of another team",
    "leadership",
    "integrator",
)
CALLERS = (NONE, ROLELESS, MEMBER, PLANNER, AUDITOR, LEADER, OTHER_LEADER, LEADERSHIP, INTEGRATOR)
TOKENS: dict[str, tuple[str, ...]] = {
    ROLELESS: ("nora@example.com",),
    MEMBER: ("mia@example.com", "member"),
    PLANNER: ("pat@example.com", "planner"),
    AUDITOR: ("audrey@example.com", "auditor"),
    LEADER: ("lea@example.com", "member"),
    OTHER_LEADER: ("otto@example.com", "member"),
    LEADERSHIP: ("ceo@example.com", "leadership"),
    INTEGRATOR: ("ivy@example.com", "integrator"),
}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # formatted with the org's ids
    allowed: frozenset[str]
    body: Callable[[dict[str, str], str], dict[str, Any] | None] = lambda ids, caller: None
    yaml: str | None = None  # a YAML body instead (a Backstage catalog)


def unique(caller: str) -> str:
    return caller.replace(" ", "-")


LEAD = frozenset({LEADER, LEADERSHIP})
BACKSTAGE_GROUP = """\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: imported
  annotations: {flywheel.dev/leader: imported-lead@x.io}
spec: {type: team, children: []}
"""
ONLY_LEADERSHIP = frozenset({LEADERSHIP})
WEBHOOK_MANAGERS = frozenset({LEADERSHIP, INTEGRATOR})
HOOK_URL = "http://127.0.0.1:9/hook"  # never answers: the worker only records failures
CASES = [
    Case(
        "charter a team",
        "POST",
        "/api/v1/teams",
        ONLY_LEADERSHIP,
        lambda ids, c: {
            "name": f"New {unique(c)}",
            "mission": "m",
            "leader": f"new-{unique(c)}@x.io",
        },
    ),
    Case(
        "appoint a leader",
        "POST",
        "/api/v1/teams/{appointing}/leader",
        ONLY_LEADERSHIP,
        lambda ids, c: {"leader": f"next-{unique(c)}@x.io", "reason": "rotation"},
    ),
    Case(
        "add a member",
        "POST",
        "/api/v1/teams/{team}/members",
        LEAD,
        lambda ids, c: {
            "person": f"joiner-{unique(c)}@x.io",
            "function": "DESIGN",
            "attachment": "REPORTS",
        },
    ),
    Case("remove a member", "DELETE", "/api/v1/teams/{team}/members/{leaver}", LEAD),
    Case(
        "move a team",
        "POST",
        "/api/v1/teams/{spare}/parent",
        ONLY_LEADERSHIP,
        lambda ids, c: {"parentId": ids["team"], "reason": "reorg"},
    ),
    Case(
        "disband a team",
        "POST",
        "/api/v1/teams/{doomed}/disband",
        ONLY_LEADERSHIP,
        lambda ids, c: {"reason": "done"},
    ),
    Case(
        "register a service",
        "POST",
        "/api/v1/services",
        LEAD,
        lambda ids, c: {"name": f"svc-{unique(c)}", "ownerTeamId": ids["team"], "description": "d"},
    ),
    Case(
        "transfer a service",
        "POST",
        "/api/v1/services/{moving_service}/transfer",
        LEAD,
        lambda ids, c: {"toTeamId": ids["spare"], "reason": "r"},
    ),
    Case(
        "retire a service",
        "POST",
        "/api/v1/services/{bare_service}/retire",
        LEAD,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "publish an API",
        "POST",
        "/api/v1/services/{service}/apis",
        LEAD,
        lambda ids, c: {
            "name": f"api-{unique(c)}",
            "version": "1",
            "kind": "REST",
            "visibility": "PUBLIC",
        },
    ),
    Case(
        "deprecate an API",
        "POST",
        "/api/v1/apis/{api}/deprecate",
        LEAD,
        lambda ids, c: {"sunset": "2030-01-01", "reason": "r"},
    ),
    Case(
        "retire an API",
        "POST",
        "/api/v1/apis/{spare_api}/retire",
        LEAD,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "declare a dependency",
        "POST",
        "/api/v1/services/{service}/dependencies",
        LEAD,
        lambda ids, c: {"apiId": ids["other_api"]},
    ),
    Case(
        "drop a dependency", "DELETE", "/api/v1/services/{service}/dependencies/{other_api}", LEAD
    ),
    Case(
        "define a metric",
        "POST",
        "/api/v1/metrics",
        LEAD,
        lambda ids, c: {
            "name": f"Metric {unique(c)}",
            "kind": "INPUT",
            "unit": "n",
            "direction": "INCREASE",
            "definition": "d",
            "ownerTeamId": ids["team"],
        },
    ),
    Case(
        "redefine a metric",
        "POST",
        "/api/v1/metrics/{metric}/definition",
        LEAD,
        lambda ids, c: {"definition": f"d by {c}", "reason": "sharper"},
    ),
    Case(
        "declare what a metric drives",
        "POST",
        "/api/v1/metrics/{metric}/drives",
        LEAD,
        lambda ids, c: {"outputMetricId": ids["output_metric"], "hypothesis": "h"},
    ),
    Case(
        "observe a metric",
        "POST",
        "/api/v1/metrics/{metric}/observations",
        LEAD,
        lambda ids, c: {"periodEnd": f"2026-0{1 + CALLERS.index(c)}-28", "value": 1},
    ),
    Case(
        "record observations in bulk",
        "POST",
        "/api/v1/observations",
        LEAD,
        lambda ids, c: [  # type: ignore[arg-type, return-value]
            {"metricId": ids["metric"], "periodEnd": f"2025-0{1 + CALLERS.index(c)}-15", "value": 1}
        ],
    ),
    Case(
        "write a variance note",
        "POST",
        "/api/v1/metrics/{metric}/notes",
        LEAD,
        lambda ids, c: {"day": "2026-01-03", "text": f"Noted by {c}"},
    ),
    Case(
        "correct a variance note",
        "POST",
        "/api/v1/variance-notes/{note}/corrections",
        LEAD,
        lambda ids, c: {"text": f"Corrected by {c}", "reason": "Sharper"},
    ),
    Case(
        "set a goal",
        "POST",
        "/api/v1/goals",
        LEAD,
        lambda ids, c: {
            "teamId": ids["team"],
            "metricId": ids["metric"],
            "planYear": 2027,
            "baseline": 1,
            "target": 2,
            "dueDate": "2027-12-31",
            "description": "d",
        },
    ),
    Case(
        "revise a target",
        "POST",
        "/api/v1/goals/{goal}/target",
        LEAD,
        lambda ids, c: {"target": 3 + CALLERS.index(c), "reason": "r"},
    ),
    Case(
        "check in on a goal",
        "POST",
        "/api/v1/goals/{goal}/check-ins",
        frozenset({MEMBER, LEADER, LEADERSHIP}),
        lambda ids, c: {"status": "GREEN", "note": "fine"},
    ),
    Case(
        "flag a top-level goal",
        "POST",
        "/api/v1/goals/{goal}/top-level",
        ONLY_LEADERSHIP,
        lambda ids, c: {"topLevel": True},
    ),
    Case(
        "close a goal",
        "POST",
        "/api/v1/goals/{closing_goal}/close",
        LEAD,
        lambda ids, c: {"outcome": "ACHIEVED", "note": "n"},
    ),
    Case(
        "import a Backstage catalog (dry run)",
        "POST",
        "/api/v1/imports/backstage?dryRun=true",
        ONLY_LEADERSHIP,
        yaml=BACKSTAGE_GROUP,
    ),
]
ANY_TOKEN = frozenset(CALLERS) - {NONE}
ENGINEERS = {"ENGINEERING": 1}
FUNCTIONAL_LEADER = frozenset({LEADER})  # the team's leader leads ENGINEERING
HIRING_YEAR = 2036
PRINCIPLES = [
    {"name": "Customer Obsession", "description": "d"},
    {"name": "Dive Deep", "description": "d"},
]


def loop_body(candidate: str) -> dict[str, Any]:
    """A loop for the team: its leader hires, otto raises the bar, pat and audrey interview."""
    return {
        "candidate": {"handle": candidate, "name": "Cand Idate"},
        "recruiter": "rec@x.io",
        "barRaiser": "otto@example.com",
        "interviewers": [
            {"person": "pat@example.com", "principles": ["Customer Obsession"]},
            {"person": "audrey@example.com", "principles": ["Dive Deep"]},
        ],
    }


AUTHOR = frozenset({MEMBER})  # the member drafted the PR/FAQs the matrix acts on
CASES += [
    Case(
        "open an allocation cycle",
        "POST",
        "/api/v1/cycles",
        ONLY_LEADERSHIP,
        lambda ids, c: {"fiscalYear": 2040 + CALLERS.index(c), "kind": "OP1"},
    ),
    Case(
        "set the envelope",
        "PUT",
        "/api/v1/cycles/{open_cycle}/envelope",
        ONLY_LEADERSHIP,
        lambda ids, c: {
            "headcount": {"ENGINEERING": 10 + CALLERS.index(c)},
            "budget": 1000,
            "reason": "r",
        },
    ),
    Case(
        "submit a request",
        "POST",
        "/api/v1/cycles/{open_cycle}/requests",
        LEAD,
        lambda ids, c: {
            "teamId": ids["team"],
            "headcount": {"ENGINEERING": 2},
            "budget": 100,
            "rationale": f"by {c}",
            "goalIds": [ids["goal"]],
        },
    ),
    Case(
        "advance the phase",
        "POST",
        "/api/v1/cycles/{phase_cycle}/phase",
        ONLY_LEADERSHIP,
        lambda ids, c: {"to": "REVIEW"},
    ),
    Case(
        "record a decision",
        "POST",
        "/api/v1/cycles/{review_cycle}/decisions",
        ONLY_LEADERSHIP,
        lambda ids, c: {
            "teamId": ids["team"],
            "headcount": ENGINEERS,
            "budget": 50,
            "rationale": "r",
        },
    ),
    Case(
        "record a dissent",
        "POST",
        "/api/v1/cycles/{open_cycle}/dissents",
        ANY_TOKEN,
        lambda ids, c: {"argument": f"{c} disagrees"},
    ),
    Case(
        "weigh a dissent",
        "POST",
        "/api/v1/cycles/{review_cycle}/dissents/{dissent}/weigh",
        ONLY_LEADERSHIP,
        lambda ids, c: {"response": "heard"},
    ),
    Case(
        "commit", "POST", "/api/v1/cycles/{decided_cycle}/commitments", ANY_TOKEN, lambda ids, c: {}
    ),
    Case(
        "record an amendment",
        "POST",
        "/api/v1/cycles/{locked_cycle}/amendments",
        ONLY_LEADERSHIP,
        lambda ids, c: {
            "teamId": ids["team"],
            "headcount": ENGINEERS,
            "budget": 60,
            "reason": "r",
            "approver": "ceo@example.com",
        },
    ),
    Case(
        "save a scenario",
        "POST",
        "/api/v1/cycles/{review_cycle}/scenarios",
        ONLY_LEADERSHIP,
        lambda ids, c: {
            "name": f"draft-{unique(c)}",
            "allocations": [{"teamId": ids["team"], "headcount": ENGINEERS, "budget": 50}],
        },
    ),
    Case(
        "adopt a scenario",
        "POST",
        "/api/v1/cycles/{review_cycle}/scenarios/plan/adopt",
        ONLY_LEADERSHIP,
    ),
    Case(
        "draft a PR/FAQ",
        "POST",
        "/api/v1/prfaqs",
        ANY_TOKEN,
        lambda ids, c: {"title": f"Idea of {c}", "teamId": ids["team"]},
    ),
    Case(
        "revise a PR/FAQ",
        "POST",
        "/api/v1/prfaqs/{prfaq}/revisions",
        AUTHOR,
        lambda ids, c: {"title": f"Revised by {c}", "reason": "r"},
    ),
    Case(
        "open a review round",
        "POST",
        "/api/v1/prfaqs/{reviewing_prfaq}/rounds",
        frozenset({MEMBER, LEADER, LEADERSHIP}),  # the author, the team's leader, leadership
        lambda ids, c: {"ring": "TEAM", "reviewers": ["rev@x.io"]},
    ),
    Case(
        "give feedback in a round",
        "POST",
        "/api/v1/prfaqs/{feedback_prfaq}/rounds/1/feedback",
        frozenset({PLANNER, AUDITOR}),  # the round's reviewers
        lambda ids, c: {"recommendation": "ADVANCE", "comments": c},
    ),
    Case(
        "close a round",
        "POST",
        "/api/v1/prfaqs/{closing_prfaq}/rounds/1/close",
        LEAD,  # TEAM ring: the owning team's leader, or leadership
        lambda ids, c: {"outcome": "ADVANCE"},
    ),
    Case(
        "withdraw a PR/FAQ",
        "POST",
        "/api/v1/prfaqs/{withdrawing_prfaq}/withdraw",
        AUTHOR,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "dissent from a PR/FAQ",
        "POST",
        "/api/v1/prfaqs/{prfaq}/dissents",
        ANY_TOKEN,
        lambda ids, c: {"argument": f"{c} disagrees"},
    ),
    Case(
        "weigh a PR/FAQ dissent",
        "POST",
        "/api/v1/prfaqs/{dissented_prfaq}/dissents/{prfaq_dissent}/weigh",
        ONLY_LEADERSHIP,
        lambda ids, c: {"response": "heard"},
    ),
    Case(
        "commit to a PR/FAQ",
        "POST",
        "/api/v1/prfaqs/{approved_prfaq}/commitments",
        ANY_TOKEN,
        lambda ids, c: {},
    ),
    Case(
        "state a PR/FAQ's expected outcome",
        "POST",
        "/api/v1/prfaqs/{approved_prfaq}/expected-outcomes",
        ONLY_LEADERSHIP,
        lambda ids, c: {"metricId": ids["metric"], "target": 90, "by": "2027-06-30"},
    ),
    Case(
        "propose a roadmap item",
        "POST",
        "/api/v1/roadmap-items",
        LEAD,
        lambda ids, c: {"teamId": ids["team"], "title": c, "outcome": "o", "horizon": "NEXT"},
    ),
    Case(
        "commit a roadmap item",
        "POST",
        "/api/v1/roadmap-items/{roadmap_item}/commit",
        LEAD,
        lambda ids, c: {"targetDate": "2027-09-01"},
    ),
    Case("start a roadmap item", "POST", "/api/v1/roadmap-items/{committed_item}/start", LEAD),
    Case(
        "pause a roadmap item",
        "POST",
        "/api/v1/roadmap-items/{started_item}/pause",
        LEAD,
        lambda ids, c: {"reason": "r"},
    ),
    Case("resume a roadmap item", "POST", "/api/v1/roadmap-items/{paused_item}/resume", LEAD),
    Case(
        "deliver a roadmap item",
        "POST",
        "/api/v1/roadmap-items/{delivering_item}/deliver",
        LEAD,
        lambda ids, c: {"note": "shipped"},
    ),
    Case(
        "drop a roadmap item",
        "POST",
        "/api/v1/roadmap-items/{dropping_item}/drop",
        LEAD,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "move a roadmap item's target date",
        "POST",
        "/api/v1/roadmap-items/{committed_item}/target-date",
        LEAD,
        lambda ids, c: {"targetDate": "2027-10-01", "reason": "late"},
    ),
    Case(
        "add a milestone",
        "POST",
        "/api/v1/roadmap-items/{depending_item}/milestones",
        LEAD,
        lambda ids, c: {"name": "Beta", "date": "2027-05-01"},
    ),
    Case(
        "mark a milestone done",
        "POST",
        "/api/v1/roadmap-items/{committed_item}/milestones/{roadmap_milestone}/done",
        LEAD,
    ),
    Case(
        "check in on a roadmap item",
        "POST",
        "/api/v1/roadmap-items/{committed_item}/check-ins",
        frozenset({MEMBER, LEADER, LEADERSHIP}),  # the team's members, its leader, leadership
        lambda ids, c: {"health": "ON_TRACK", "note": c},
    ),
    Case(
        "add a roadmap dependency",
        "POST",
        "/api/v1/roadmap-items/{depending_item}/dependencies",
        LEAD,
        lambda ids, c: {"itemId": ids["their_item"]},
    ),
    Case(
        "remove a roadmap dependency",
        "DELETE",
        "/api/v1/roadmap-items/{committed_item}/dependencies/{their_item}",
        LEAD,
    ),
    Case(
        "change a roadmap item's headcount",
        "POST",
        "/api/v1/roadmap-items/{committed_item}/headcount",
        LEAD,
        lambda ids, c: {"headcount": {"ENGINEERING": 3 + CALLERS.index(c)}, "reason": "r"},
    ),
    Case(
        "change the roadmap settings",
        "PUT",
        "/api/v1/roadmap-settings",
        ONLY_LEADERSHIP,
        # null keeps the other cases' items free of a PR/FAQ threshold
        lambda ids, c: {"prfaqRequiredAbove": None, "reason": c},
    ),
    Case(
        "record a roadmap baseline",
        "POST",
        "/api/v1/roadmap-baselines",
        ONLY_LEADERSHIP,
        lambda ids, c: {"name": f"Baseline of {c}"},
    ),
    Case(
        "transfer a roadmap item",
        "POST",
        "/api/v1/roadmap-items/{transferring_item}/transfer",
        LEAD,
        lambda ids, c: {"toTeamId": ids["spare"], "reason": "r"},
    ),
    Case(
        "state an allocation's expected outcome",
        "POST",
        "/api/v1/cycles/{decided_cycle}/expected-outcomes",
        ONLY_LEADERSHIP,
        lambda ids, c: {"metricId": ids["metric"], "target": 90, "by": "2027-06-30"},
    ),
    Case(
        "set a display name",
        "PUT",
        "/api/v1/people/mia@example.com",
        frozenset({MEMBER, LEADERSHIP}),  # the person themselves (the member), leadership
        lambda ids, c: {"displayName": f"Mia, named by {c}"},
    ),
    Case(
        "erase a person's personal data",
        "POST",
        "/api/v1/people/erasable@x.io/erasure",
        ONLY_LEADERSHIP,
        lambda ids, c: {"reason": "Erasure request 1"},
    ),
    Case(
        "appoint a functional leader",
        "PUT",
        "/api/v1/functions/QUALITY/leader",
        ONLY_LEADERSHIP,
        lambda ids, c: {"person": f"qa-{unique(c)}@x.io", "reason": "r"},
    ),
    Case(
        "publish a standard",
        "POST",
        "/api/v1/standards",
        FUNCTIONAL_LEADER,
        lambda ids, c: {"function": "ENGINEERING", "area": "OTHER", "title": c, "body": "b"},
    ),
    Case(
        "revise a standard",
        "POST",
        "/api/v1/standards/{standard}/revisions",
        FUNCTIONAL_LEADER,
        lambda ids, c: {"body": c, "reason": "r"},
    ),
    Case(
        "retire a standard",
        "POST",
        "/api/v1/standards/{retiring_standard}/retire",
        FUNCTIONAL_LEADER,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "exempt a team from a standard",
        "POST",
        "/api/v1/standards/{standard}/exemptions",
        LEAD,  # the functional leader (the team's leader here), leadership
        lambda ids, c: {"teamId": ids["team"], "reason": "r", "expires": "2099-01-01"},
    ),
    Case(
        "assign a second job",
        "POST",
        "/api/v1/second-jobs",
        LEAD,  # the leader of the member's function (ENGINEERING), leadership
        lambda ids, c: {"person": "mia@example.com", "kind": "CODE_REVIEW", "share": 0.1},
    ),
    Case(
        "end a second job",
        "POST",
        "/api/v1/second-jobs/{second_job}/end",
        LEAD,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "set the leadership principles",
        "PUT",
        "/api/v1/principles",
        ONLY_LEADERSHIP,
        lambda ids, c: {"principles": PRINCIPLES},
    ),
    Case(
        "open a requisition",
        "POST",
        "/api/v1/requisitions",
        LEAD,
        lambda ids, c: {"teamId": ids["team"], "function": "PRODUCT", "fiscalYear": HIRING_YEAR},
    ),
    Case(
        "cancel a requisition",
        "POST",
        "/api/v1/requisitions/{cancelling_requisition}/cancel",
        LEAD,
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "schedule an interview loop",
        "POST",
        "/api/v1/requisitions/{requisition}/loops",
        LEAD,  # the team's leader, leadership (and the loop's recruiter)
        lambda ids, c: loop_body(f"cand-{unique(c)}@o.org"),
    ),
    Case(
        "submit interview feedback",
        "POST",
        "/api/v1/loops/{feedback_loop}/feedback",
        frozenset({PLANNER, AUDITOR, OTHER_LEADER}),  # the interviewers and the bar raiser
        lambda ids, c: {"vote": "YES", "notes": c},
    ),
    Case(
        "record an interviewer's absence",
        "POST",
        "/api/v1/loops/{absence_loop}/absences",
        frozenset({LEADER, OTHER_LEADER}),  # the hiring manager, the bar raiser (the recruiter)
        lambda ids, c: {
            "person": "pat@example.com" if c == LEADER else "audrey@example.com",
            "reason": "r",
        },
    ),
    Case(
        "open the debrief",
        "POST",
        "/api/v1/loops/{debrief_loop}/debrief",
        frozenset({OTHER_LEADER}),  # the bar raiser
        lambda ids, c: {},
    ),
    Case(
        "record a final vote",
        "POST",
        "/api/v1/loops/{debriefed_loop}/final-votes",
        frozenset({PLANNER, AUDITOR, OTHER_LEADER}),  # the interviewers and the bar raiser
        lambda ids, c: {"vote": "NO"},
    ),
    Case(
        "veto a candidate",
        "POST",
        "/api/v1/loops/{debriefed_loop}/veto",
        frozenset({OTHER_LEADER}),  # the bar raiser
        lambda ids, c: {"reason": "r"},
    ),
    Case(
        "decide hire or no hire",
        "POST",
        "/api/v1/loops/{deciding_loop}/decision",
        frozenset({LEADER}),  # the hiring manager
        lambda ids, c: {"hire": True, "reason": "r"},
    ),
    Case(
        "record an accepted offer",
        "POST",
        "/api/v1/loops/{hired_loop}/offer-accepted",
        LEAD,  # the hiring manager, leadership (and the recruiter)
        lambda ids, c: {"attachment": "REPORTS", "startDate": "2036-01-05"},
    ),
    Case(
        "register a webhook",
        "POST",
        "/api/v1/webhooks",
        WEBHOOK_MANAGERS,
        lambda ids, c: {"url": HOOK_URL, "types": ["Team.Chartered"]},
    ),
    Case("remove a webhook", "DELETE", "/api/v1/webhooks/{removing_webhook}", WEBHOOK_MANAGERS),
    Case(
        "rotate a webhook's secret",
        "POST",
        "/api/v1/webhooks/{webhook}/rotate-secret",
        WEBHOOK_MANAGERS,
    ),
    Case(
        "disable a webhook",
        "POST",
        "/api/v1/webhooks/{disabling_webhook}/disable",
        WEBHOOK_MANAGERS,
        lambda ids, c: {"reason": "maintenance"},
    ),
    Case(
        "enable a webhook", "POST", "/api/v1/webhooks/{disabled_webhook}/enable", WEBHOOK_MANAGERS
    ),
    Case(
        "redeliver a webhook's events",
        "POST",
        "/api/v1/webhooks/{webhook}/redeliver",
        WEBHOOK_MANAGERS,
        lambda ids, c: {"fromPosition": 1},
    ),
]
READERS = frozenset({AUDITOR, LEADERSHIP})
READS = [
    Case("read the event log", "GET", "/api/v1/events", READERS),
    Case(
        "export the Backstage catalog", "GET", "/api/v1/exports/backstage", ANY_TOKEN - {ROLELESS}
    ),
    Case("read the signed digest", "GET", "/api/v1/audit/digest", READERS),
    Case("read the digests' public key", "GET", "/api/v1/audit/public-key", READERS),
    Case("list the webhooks", "GET", "/api/v1/webhooks", WEBHOOK_MANAGERS),
    Case(
        "list a webhook's deliveries",
        "GET",
        "/api/v1/webhooks/{webhook}/deliveries",
        WEBHOOK_MANAGERS,
    ),
    Case(
        "draw the roadmap timeline",
        "GET",
        "/api/v1/roadmap.svg?teamId={team}",
        ANY_TOKEN - {ROLELESS},  # reading the views needs a role
    ),
    Case(
        "draw a metric's 6-12 chart",
        "GET",
        "/api/v1/metrics/{metric}/wbr.svg?weekEnding=2026-01-31",
        ANY_TOKEN - {ROLELESS},
    ),
    Case(
        "export the weekly business review to wbr-app",
        "GET",
        "/api/v1/wbr/export?weekEnding=2026-01-31",
        ANY_TOKEN - {ROLELESS},
    ),
]
ANY_ROLE = ANY_TOKEN - {ROLELESS}
GRAPHQL_READS = [
    ("query a team", "query($id: ID!) { team(id: $id) { name } }", ANY_ROLE),
    (
        "query a team's history",
        "query($id: ID!) { team(id: $id) { history { totalCount } } }",
        READERS,
    ),
]


@pytest.fixture(scope="module")
def world(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[FlywheelServer, dict[str, str], dict[str, dict[str, str]]]]:
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path_factory.mktemp("authz"), url)
        server.start_with(
            {**server.env, "FLYWHEEL_RATE_LIMIT": "0", "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0"}
        )
        tokens = {caller: server.token(*TOKENS[caller]) for caller in TOKENS}
        yield server, tokens, build_org(server, tokens[LEADERSHIP], tokens)
        server.stop()


def build_org(
    server: FlywheelServer, boss: str, tokens: dict[str, str]
) -> dict[str, dict[str, str]]:
    """The ids each caller's commands name: shared ones, and for the two callers allowed
    to change the team's things (its leader, leadership) targets of their own. A refused
    caller names the leader's targets, which it must leave as they are."""

    def made(path: str, body: dict[str, Any]) -> str:
        response = server.post(path, boss, body)
        assert response.status_code in (200, 201), response.text
        identifier: str = response.json()["id"]
        return identifier

    team = made("/api/v1/teams", {"name": "Authority", "mission": "m", "leader": "lea@example.com"})
    other = made(
        "/api/v1/teams", {"name": "Elsewhere", "mission": "m", "leader": "otto@example.com"}
    )
    made(
        f"/api/v1/teams/{team}/members",
        {"person": "mia@example.com", "function": "ENGINEERING", "attachment": "REPORTS"},
    )
    service = made("/api/v1/services", {"name": "core", "ownerTeamId": team, "description": "d"})
    other_service = made(
        "/api/v1/services", {"name": "theirs", "ownerTeamId": other, "description": "d"}
    )
    api_body = {"version": "1", "kind": "REST", "visibility": "PUBLIC"}
    metric_body = {"unit": "n", "direction": "INCREASE", "definition": "d", "ownerTeamId": team}
    metric = made("/api/v1/metrics", {"name": "Selection", "kind": "INPUT", **metric_body})
    goal_body = {
        "teamId": team,
        "metricId": metric,
        "planYear": 2027,
        "baseline": 1,
        "target": 2,
        "dueDate": "2027-12-31",
        "description": "d",
    }
    goal = made("/api/v1/goals", goal_body)
    note = made(f"/api/v1/metrics/{metric}/notes", {"day": "2026-01-10", "text": "Sale"})
    named = httpx.put(
        f"{server.url}/api/v1/people/erasable@x.io",
        json={"displayName": "Erin Erasable"},
        headers={"Authorization": f"Bearer {boss}"},
        timeout=30,
    )
    assert named.status_code == 200, named.text
    cycles = build_cycles(made, server, boss, team, goal)
    author = server.token("mia@example.com", "member")

    def prfaq(reviewers: list[str] | None = None) -> str:
        """A PR/FAQ by the member, owned by the team; in its first round if ``reviewers``."""
        text = {"title": "t", "customer": "c", "problem": "p", "teamId": team}
        response = server.post("/api/v1/prfaqs", author, text)
        assert response.status_code == 201, response.text
        prfaq_id: str = response.json()["id"]
        if reviewers is not None:
            opened = server.post(
                f"/api/v1/prfaqs/{prfaq_id}/rounds",
                author,
                {"ring": "TEAM", "reviewers": reviewers},
            )
            assert opened.status_code == 201, opened.text
        return prfaq_id

    def targets_of(caller: str) -> dict[str, str]:
        """What only ``caller`` changes: each of these changes once."""
        mark = unique(caller)
        leaver = f"leaver-{mark}@x.io"
        made(
            f"/api/v1/teams/{team}/members",
            {"person": leaver, "function": "ENGINEERING", "attachment": "REPORTS"},
        )

        def owned_service(name: str) -> str:
            body = {"name": f"{name}-{mark}", "ownerTeamId": team, "description": "d"}
            return made("/api/v1/services", body)

        return {
            "leaver": leaver,
            "bare_service": owned_service("bare"),
            "moving_service": owned_service("moving"),
            "api": made(
                f"/api/v1/services/{service}/apis", {"name": f"deprecating-{mark}", **api_body}
            ),
            "spare_api": made(
                f"/api/v1/services/{service}/apis", {"name": f"spare-{mark}", **api_body}
            ),
            "other_api": made(
                f"/api/v1/services/{other_service}/apis", {"name": f"their-{mark}", **api_body}
            ),
            "output_metric": made(
                "/api/v1/metrics",
                {"name": f"Revenue {mark}", "kind": "OUTPUT", "financial": True, **metric_body},
            ),
            "closing_goal": made("/api/v1/goals", {**goal_body, "description": f"close {mark}"}),
            "prfaq": prfaq(),
            "reviewing_prfaq": prfaq(),
            "withdrawing_prfaq": prfaq(),
            "feedback_prfaq": prfaq(["pat@example.com", "audrey@example.com"]),
            "closing_prfaq": prfaq(["rev@x.io"]),
            **roadmap_targets(made, team, their_item),
            **hiring.targets(mark),
        }

    hiring = HiringWorld(server, made, team, goal, tokens)
    their_item = made(
        "/api/v1/roadmap-items",
        {"teamId": other, "title": "Theirs", "outcome": "o", "horizon": "NOW"},
    )
    approved = prfaq()
    for number, ring in enumerate(("TEAM", "ORG", "S_TEAM", "CEO"), 1):
        made(f"/api/v1/prfaqs/{approved}/rounds", {"ring": ring, "reviewers": ["rev@x.io"]})
        made(f"/api/v1/prfaqs/{approved}/rounds/{number}/close", {"outcome": "ADVANCE"})
    dissented = prfaq()
    shared = {
        **cycles,
        "approved_prfaq": approved,
        "their_item": their_item,
        "dissented_prfaq": dissented,
        "prfaq_dissent": made(f"/api/v1/prfaqs/{dissented}/dissents", {"argument": "No"}),
        "team": team,
        "other_team": other,
        "spare": made("/api/v1/teams", {"name": "Spare", "mission": "m", "leader": "spare@x.io"}),
        "appointing": made(
            "/api/v1/teams", {"name": "Appointing", "mission": "m", "leader": "ap@x.io"}
        ),
        "doomed": made(
            "/api/v1/teams", {"name": "Doomed", "mission": "m", "leader": "doomed@x.io"}
        ),
        **hiring.shared(),
        "service": service,
        "metric": metric,
        "goal": goal,
        "note": note,
    }
    leaders = {**shared, **targets_of(LEADER)}
    leadership = {**shared, **targets_of(LEADERSHIP)}
    member = {**shared, **targets_of(MEMBER)}  # the author opens a round of its own
    own = {LEADERSHIP: leadership, MEMBER: member}
    callers = {caller: own.get(caller, leaders) for caller in CALLERS}
    return {caller: {**ids, **webhook_targets(made, server)} for caller, ids in callers.items()}


def webhook_targets(
    made: Callable[[str, dict[str, Any]], str], server: FlywheelServer
) -> dict[str, str]:
    """A caller's own webhook endpoints: one to remove, one to disable, one disabled."""
    body = {"url": HOOK_URL, "types": ["Team.Chartered"]}
    targets = {
        name: made("/api/v1/webhooks", body)
        for name in ("webhook", "removing_webhook", "disabling_webhook", "disabled_webhook")
    }
    made(f"/api/v1/webhooks/{targets['disabled_webhook']}/disable", {"reason": "paused"})
    return targets


def roadmap_targets(
    made: Callable[[str, dict[str, Any]], str], team: str, their_item: str
) -> dict[str, str]:
    """The team's items in every state a roadmap command starts from; the committed one
    has a milestone and depends on the other team's item."""

    def item(*steps: tuple[str, dict[str, Any]]) -> str:
        body = {"teamId": team, "title": "t", "outcome": "o", "horizon": "NOW"}
        item_id = made("/api/v1/roadmap-items", body)
        for step, step_body in steps:
            made(f"/api/v1/roadmap-items/{item_id}/{step}", step_body)
        return item_id

    commit = ("commit", {"targetDate": "2027-06-30"})
    start = ("start", {})
    committed = item(commit, ("dependencies", {"itemId": their_item}))
    return {
        "roadmap_item": item(),
        "dropping_item": item(),
        "transferring_item": item(),
        "depending_item": item(),
        "committed_item": committed,
        "roadmap_milestone": made(
            f"/api/v1/roadmap-items/{committed}/milestones", {"name": "m", "date": "2027-03-01"}
        ),
        "started_item": item(commit, start),
        "delivering_item": item(commit, start),
        "paused_item": item(commit, ("pause", {"reason": "r"})),
    }


def build_cycles(
    made: Callable[[str, dict[str, Any]], str],
    server: FlywheelServer,
    boss: str,
    team: str,
    goal: str,
) -> dict[str, str]:
    """Cycles in every phase, so each allocation command has one it can succeed on."""
    envelope = {"headcount": {"ENGINEERING": 10}, "budget": 1000, "reason": "r"}
    request = {
        "teamId": team,
        "headcount": {"ENGINEERING": 2},
        "budget": 100,
        "rationale": "r",
        "goalIds": [goal],
    }
    decision = {"teamId": team, "headcount": ENGINEERS, "budget": 50, "rationale": "r"}

    def cycle(year: int, phases: list[str]) -> str:
        cycle_id = made("/api/v1/cycles", {"fiscalYear": year, "kind": "OP1"})
        response = httpx.put(
            f"{server.url}/api/v1/cycles/{cycle_id}/envelope",
            json=envelope,
            headers={"Authorization": f"Bearer {boss}"},
        )
        assert response.status_code == 200, response.text
        made(f"/api/v1/cycles/{cycle_id}/requests", request)
        for phase in phases:
            made(f"/api/v1/cycles/{cycle_id}/phase", {"to": phase})
            if phase == "REVIEW":
                made(f"/api/v1/cycles/{cycle_id}/decisions", decision)
        return cycle_id

    review = cycle(2031, ["REVIEW"])
    made(
        f"/api/v1/cycles/{review}/scenarios",
        {"name": "plan", "allocations": [{"teamId": team, "headcount": ENGINEERS, "budget": 50}]},
    )
    return {
        "open_cycle": cycle(2030, []),
        "review_cycle": review,
        "dissent": made(f"/api/v1/cycles/{review}/dissents", {"argument": "too few engineers"}),
        "decided_cycle": cycle(2032, ["REVIEW", "DECIDED"]),
        "locked_cycle": cycle(2033, ["REVIEW", "DECIDED", "LOCKED"]),
        "phase_cycle": cycle(2034, []),
    }


class HiringWorld:
    """A funded year for PRODUCT hires, the team's leader leading ENGINEERING, otto a bar
    raiser; loops at every stage a hiring command starts from."""

    def __init__(
        self,
        server: FlywheelServer,
        made: Callable[[str, dict[str, Any]], str],
        team: str,
        goal: str,
        tokens: dict[str, str],
    ) -> None:
        self.server, self.made, self.team = server, made, team
        self.candidates = 0
        self.tokens = {TOKENS[caller][0]: tokens[caller] for caller in TOKENS}
        cycle = made("/api/v1/cycles", {"fiscalYear": HIRING_YEAR, "kind": "OP1"})
        boss = tokens[LEADERSHIP]
        envelope = httpx.put(
            f"{server.url}/api/v1/cycles/{cycle}/envelope",
            json={"headcount": {"PRODUCT": 20}, "budget": 1000, "reason": "r"},
            headers={"Authorization": f"Bearer {boss}"},
            timeout=30,
        )
        assert envelope.status_code == 200, envelope.text
        made(
            f"/api/v1/cycles/{cycle}/requests",
            {
                "teamId": team,
                "headcount": {"PRODUCT": 12},
                "budget": 100,
                "rationale": "r",
                "goalIds": [goal],
            },
        )
        made(f"/api/v1/cycles/{cycle}/phase", {"to": "REVIEW"})
        made(
            f"/api/v1/cycles/{cycle}/decisions",
            {"teamId": team, "headcount": {"PRODUCT": 12}, "budget": 50, "rationale": "r"},
        )
        made(f"/api/v1/cycles/{cycle}/phase", {"to": "DECIDED"})
        leader = httpx.put(
            f"{server.url}/api/v1/functions/ENGINEERING/leader",
            json={"person": "lea@example.com", "reason": "r"},
            headers={"Authorization": f"Bearer {boss}"},
            timeout=30,
        )
        assert leader.status_code == 200, leader.text
        made(
            "/api/v1/second-jobs",
            {"person": "otto@example.com", "kind": "BAR_RAISER", "share": 0.1},
        )
        self.requisition = self.open_requisition()

    def as_(self, who: str, path: str, body: dict[str, Any]) -> str:
        response = self.server.post(path, self.tokens[who], body)
        assert response.status_code in (200, 201), response.text
        identifier: str = response.json()["id"]
        return identifier

    def open_requisition(self) -> str:
        body = {"teamId": self.team, "function": "PRODUCT", "fiscalYear": HIRING_YEAR}
        return self.made("/api/v1/requisitions", body)

    def loop(self, stage: str, requisition: str | None = None) -> str:
        """A loop up to ``stage``: ``new``, ``interviewed``, ``debrief`` or ``hire``."""
        self.candidates += 1
        candidate = f"candidate-{self.candidates}@o.org"
        loop = self.made(
            f"/api/v1/requisitions/{requisition or self.requisition}/loops", loop_body(candidate)
        )
        if stage == "new":
            return loop
        for who in ("pat@example.com", "audrey@example.com"):
            self.as_(who, f"/api/v1/loops/{loop}/feedback", {"vote": "YES", "notes": "n"})
        if stage == "interviewed":
            return loop
        self.as_("otto@example.com", f"/api/v1/loops/{loop}/debrief", {})
        if stage == "debrief":
            return loop
        self.as_("lea@example.com", f"/api/v1/loops/{loop}/decision", {"hire": True, "reason": "r"})
        return loop

    def shared(self) -> dict[str, str]:
        lea = "lea@example.com"
        standard_body = {
            "function": "ENGINEERING",
            "area": "CODE_REVIEW",
            "title": "t",
            "body": "b",
        }
        return {
            "standard": self.as_(lea, "/api/v1/standards", standard_body),
            "retiring_standard": self.as_(lea, "/api/v1/standards", standard_body),
            "requisition": self.requisition,
            "feedback_loop": self.loop("new"),
            "absence_loop": self.loop("new"),
            "debrief_loop": self.loop("interviewed"),
            "debriefed_loop": self.loop("debrief"),
            "deciding_loop": self.loop("debrief"),
        }

    def targets(self, mark: str) -> dict[str, str]:
        return {
            "second_job": self.made(
                "/api/v1/second-jobs",
                {"person": "mia@example.com", "kind": "OTHER", "description": mark, "share": 0.1},
            ),
            "cancelling_requisition": self.open_requisition(),
            "hired_loop": self.loop("hire", self.open_requisition()),
        }


def events_recorded(server: FlywheelServer) -> int:
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
    assert row is not None
    return int(row[0])


def send(
    server: FlywheelServer, token: str | None, case: Case, ids: dict[str, str], caller: str
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if case.yaml is not None:
        return httpx.request(
            case.method,
            f"{server.url}{case.path.format(**ids)}",
            content=case.yaml.encode(),
            headers={**headers, "Content-Type": "application/yaml"},
            timeout=30,
        )
    body = case.body(ids, caller)
    return httpx.request(
        case.method,
        f"{server.url}{case.path.format(**ids)}",
        json=body,
        headers=headers,
        timeout=30,
    )


@pytest.mark.parametrize("case", CASES + READS, ids=lambda case: case.name)
def test_every_caller_gets_exactly_its_authority(
    world: tuple[FlywheelServer, dict[str, str], dict[str, dict[str, str]]], case: Case
) -> None:
    server, tokens, ids = world
    for caller in CALLERS:
        before = events_recorded(server)
        response = send(server, tokens.get(caller), case, ids[caller], caller)
        if caller in case.allowed:
            assert 200 <= response.status_code < 300, f"{caller}: {response.text}"
        else:
            assert response.status_code == (401 if caller == NONE else 403), (
                f"{caller}: {response.text}"
            )
            assert response.headers["content-type"].startswith("application/problem+json")
            assert events_recorded(server) == before, (
                f"{caller} was refused yet something was recorded"
            )


@pytest.mark.parametrize(
    ("name", "query", "allowed"), GRAPHQL_READS, ids=[read[0] for read in GRAPHQL_READS]
)
def test_graphql_reads_by_caller(
    world: tuple[FlywheelServer, dict[str, str], dict[str, dict[str, str]]],
    name: str,
    query: str,
    allowed: frozenset[str],
) -> None:
    server, tokens, ids = world
    for caller in CALLERS:
        token = tokens.get(caller)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"{server.url}/graphql",
            json={"query": query, "variables": {"id": ids[caller]["team"]}},
            headers=headers,
        )
        if caller in (NONE, ROLELESS):
            # Refused before GraphQL runs: 401 without a token, 403 without a role.
            assert response.status_code == (401 if caller == NONE else 403), response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            continue
        body = response.json()
        codes = [error["extensions"]["code"] for error in body.get("errors", [])]
        if caller in allowed:
            assert codes == [] and body["data"]["team"] is not None, f"{caller}: {body}"
        else:
            assert codes == ["FORBIDDEN"], f"{caller}: {body}"


def test_the_matrix_covers_every_command(
    world: tuple[FlywheelServer, dict[str, str], dict[str, dict[str, str]]],
) -> None:
    server, _, _ = world
    document = httpx.get(f"{server.url}/schema/openapi.json").json()
    documented = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}
    }
    covered = {(case.method, _template(case.path).partition("?")[0]) for case in CASES}
    assert documented == covered


def _template(path: str) -> str:
    """The OpenAPI path a case's path fills in."""
    replacements = {
        "{team}": "{team_id}",
        "{spare}": "{team_id}",
        "{doomed}": "{team_id}",
        "{appointing}": "{team_id}",
        "{service}": "{service_id}",
        "{bare_service}": "{service_id}",
        "{moving_service}": "{service_id}",
        "{api}": "{api_id}",
        "{spare_api}": "{api_id}",
        "{other_api}": "{api_id}",
        "{metric}": "{metric_id}",
        "{goal}": "{goal_id}",
        "{note}": "{note_id}",
        "{closing_goal}": "{goal_id}",
        "{leaver}": "{person}",
        "{open_cycle}": "{cycle_id}",
        "{review_cycle}": "{cycle_id}",
        "{decided_cycle}": "{cycle_id}",
        "{locked_cycle}": "{cycle_id}",
        "{phase_cycle}": "{cycle_id}",
        "{dissent}": "{dissent_id}",
        "{prfaq}": "{prfaq_id}",
        "{reviewing_prfaq}": "{prfaq_id}",
        "{feedback_prfaq}": "{prfaq_id}",
        "{closing_prfaq}": "{prfaq_id}",
        "{withdrawing_prfaq}": "{prfaq_id}",
        "{dissented_prfaq}": "{prfaq_id}",
        "{approved_prfaq}": "{prfaq_id}",
        "{prfaq_dissent}": "{dissent_id}",
        "{roadmap_item}": "{item_id}",
        "{committed_item}": "{item_id}",
        "{started_item}": "{item_id}",
        "{paused_item}": "{item_id}",
        "{delivering_item}": "{item_id}",
        "{dropping_item}": "{item_id}",
        "{depending_item}": "{item_id}",
        "{transferring_item}": "{item_id}",
        "{roadmap_milestone}": "{milestone_id}",
        "{their_item}": "{target_id}",
        "{webhook}": "{webhook_id}",
        "{removing_webhook}": "{webhook_id}",
        "{disabling_webhook}": "{webhook_id}",
        "{disabled_webhook}": "{webhook_id}",
        "/rounds/1/": "/rounds/{number}/",
        "/plan/": "/{name}/",
        "mia@example.com": "{handle}",
        "erasable@x.io": "{handle}",
        "/QUALITY/": "/{function}/",
        "{standard}": "{standard_id}",
        "{retiring_standard}": "{standard_id}",
        "{second_job}": "{second_job_id}",
        "{requisition}": "{requisition_id}",
        "{cancelling_requisition}": "{requisition_id}",
        "{feedback_loop}": "{loop_id}",
        "{absence_loop}": "{loop_id}",
        "{debrief_loop}": "{loop_id}",
        "{debriefed_loop}": "{loop_id}",
        "{deciding_loop}": "{loop_id}",
        "{hired_loop}": "{loop_id}",
    }
    for placeholder, parameter in replacements.items():
        path = path.replace(placeholder, parameter)
    return path
