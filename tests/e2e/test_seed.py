"""`flywheel seed`: a demo company recorded through the commands, with something for every view."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import psycopg
import pytest

from services.wbr.seed import last_saturday
from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer

pytestmark = pytest.mark.slow

DEMO = """
query Demo($year: Int!, $thisYear: Int!) {
  teams(first: 20) { totalCount nodes { name parent { name } leader { person { displayName } } } }
  apiBoundaries { violations { kind detail } crossTeamDependencies { api { name } } }
  goalMix(planYear: $year) { total input output financial }
  goals(first: 20, filter: {planYear: $year}) { nodes { description blindside topLevel } }
  allocationCycle(fiscalYear: $year, kind: OP1) {
    phase
    dissents(first: 5) { nodes { argument weighed } }
  }
  prfaqs(first: 20) {
    nodes { title state ring rounds { ring outcome note } uncommittedDissenters { handle } }
  }
  prfaqFunnel { rings { ring reached stopped inItNow } }
  expectedOutcomes { decisionTitle status observedValue metric { name } }
  roadmap { title status prfaq { title } slips { days reason } team { name } }
  roadmapDependencies { conflicts { dependent { title } item { title } api { name } conflict } }
  roadmapBaselines { uuid name }
  capacity(fiscalYear: $thisYear) { team { name } overCommitted { function needed funded over } }
  locked: allocationCycle(fiscalYear: $thisYear, kind: OP1) {
    unfundedAsks { team { name } items { title } }
  }
  roadmapItemsWithoutPrfaq { prfaqRequiredAbove aboveThreshold { item { title } totalHeadcount } }
  barRaiserStats { barRaiser { handle } loops vetoes hires }
  hiringPlan(fiscalYear: $thisYear) { team { name } function funded members openRequisitions }
  functionalLeaders { function leader { handle } }
}
"""


def seed(server: FlywheelServer) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, "seed"], env=server.env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def server(postgres_server: str, tmp_path: Path) -> Iterator[FlywheelServer]:
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path, url)
        yield running
        running.stop()


def test_seed_records_a_demo_company_that_every_view_shows(server: FlywheelServer) -> None:
    done = seed(server)
    assert done.returncode == 0, done.stderr
    assert "Recorded the demo company" in done.stdout
    position = int(done.stdout.rsplit("log position ", 1)[1].split(";")[0])

    server.start()
    token = server.token("ceo@example.com", "leadership")
    year = date.today().year + 1
    data, extensions = server.graphql(token).query(
        DEMO, wait_for=position, year=year, thisYear=year - 1
    )

    assert extensions["positionReached"] is True
    items = {item["title"]: item for item in data["roadmap"]}
    same_day = items["Same-day delivery in ten cities"]
    assert (same_day["team"]["name"], same_day["status"], same_day["prfaq"]["title"]) == (
        "Fulfilment",
        "IN_PROGRESS",
        "Same-day delivery",
    )
    assert same_day["slips"] == [
        {"days": 31, "reason": "The second sort centre opens a month late"}
    ]
    assert set(items) == {
        "Same-day delivery in ten cities",
        "Instant courier payouts",
        "Regional sort centres",
        "Saved searches",
    }
    [baseline] = data["roadmapBaselines"]
    assert baseline["name"] == f"FY{year - 1} OP1"
    assert data["capacity"] == [
        {
            "team": {"name": "Fulfilment"},
            "overCommitted": [{"function": "OPERATIONS", "needed": 6, "funded": 4, "over": 2}],
        }
    ]
    assert data["locked"]["unfundedAsks"] == [
        {
            "team": {"name": "Fulfilment"},
            "items": [
                {"title": "Same-day delivery in ten cities"},
                {"title": "Regional sort centres"},
            ],
        }
    ]
    assert data["roadmapItemsWithoutPrfaq"] == {
        "prfaqRequiredAbove": 5,
        "aboveThreshold": [{"item": {"title": "Regional sort centres"}, "totalHeadcount": 6}],
    }
    changes, _ = server.graphql(token).query(
        "query($b: ID!) { roadmapChanges(since: {baseline: $b}) { added { title } "
        "slipped { item { title } days } } }",
        b=baseline["uuid"],
    )
    assert changes["roadmapChanges"] == {
        "added": [{"title": "Saved searches"}],
        "slipped": [{"item": {"title": "Same-day delivery in ten cities"}, "days": 31}],
    }
    conflicts = data["roadmapDependencies"]["conflicts"]
    assert [(c["item"], c["api"], c["conflict"]) for c in conflicts] == [
        ({"title": "Instant courier payouts"}, None, "DUE_AFTER"),
        (None, {"name": "payments-legacy"}, "DEPRECATED_API"),
    ]
    assert data["barRaiserStats"] == [
        {"barRaiser": {"handle": "niaj@example.com"}, "loops": 2, "vetoes": 1, "hires": 1}
    ]
    plan = {(p["team"]["name"], p["function"]): p for p in data["hiringPlan"]}
    hired = plan[("Fulfilment", "ENGINEERING")]
    assert (hired["funded"], hired["members"], hired["openRequisitions"]) == (2, 1, 1)
    assert data["functionalLeaders"] == [
        {"function": "ENGINEERING", "leader": {"handle": "alice@example.com"}}
    ]
    teams = {node["name"]: node["parent"] for node in data["teams"]["nodes"]}
    assert data["teams"]["totalCount"] == 6
    assert teams["Retail"] is None
    assert teams["Ledger"] == {"name": "Payments"}
    leaders = {
        node["name"]: node["leader"]["person"]["displayName"] for node in data["teams"]["nodes"]
    }
    assert leaders["Checkout"] == "Alice Example"
    kinds = sorted(violation["kind"] for violation in data["apiBoundaries"]["violations"])
    assert kinds == [
        "API_WITHOUT_CONSUMERS",  # delivery-promise's INTERNAL `promise`
        "DEPRECATED_API_IN_USE",  # checkout-web on payments-legacy
        "INTERNAL_API_ACROSS_TEAMS",  # checkout-web on Ledger's ledger-entries
        "INTERNAL_API_ACROSS_TEAMS",  # payments-gateway on Ledger's ledger-entries
    ]
    assert data["goalMix"] == {"total": 5, "input": 4, "output": 1, "financial": 1}
    goals = {goal["description"]: goal for goal in data["goals"]["nodes"]}
    assert goals["Median delivery under 36 hours"]["blindside"] is True
    assert goals["In-stock selection to 90%"]["topLevel"] is True
    cycle = data["allocationCycle"]
    assert cycle["phase"] == "REVIEW"
    assert [dissent["weighed"] for dissent in cycle["dissents"]["nodes"]] == [False]
    prfaqs = {node["title"]: node for node in data["prfaqs"]["nodes"]}
    assert {title: (node["state"], node["ring"]) for title, node in prfaqs.items()} == {
        "Same-day delivery": ("APPROVED", "CEO"),
        "3D product views": ("SHELVED", "TEAM"),
        "One-click returns": ("IN_REVIEW", "TEAM"),
        "Payment links": ("IN_REVIEW", "ORG"),
        "Ledger self-service": ("DRAFT", "TEAM"),
        "Price alerts": ("DRAFT", "TEAM"),
        "Gift wrapping": ("WITHDRAWN", "TEAM"),
    }
    assert prfaqs["Same-day delivery"]["uncommittedDissenters"] == [{"handle": "carol@example.com"}]
    assert data["expectedOutcomes"] == [
        {
            "decisionTitle": "Same-day delivery",
            "status": "MET",
            "observedValue": 30.0,
            "metric": {"name": "Delivery speed"},
        }
    ]
    [stopped] = prfaqs["3D product views"]["rounds"]
    assert stopped["outcome"] == "STOP" and "customer problem" in stopped["note"]
    funnel = {
        r["ring"]: (r["reached"], r["stopped"], r["inItNow"]) for r in data["prfaqFunnel"]["rings"]
    }
    assert funnel == {
        "TEAM": (5, 1, 2),  # approved, 3D, returns, links, ledger; returns and ledger in it
        "ORG": (2, 0, 1),
        "S_TEAM": (1, 0, 0),
        "CEO": (1, 0, 0),
    }
    review, _ = server.graphql(token).query(
        "query($week: Date!) { weeklyBusinessReview(weekEnding: $week) { sections { "
        "metrics { metric { name } sixTwelve { weeks { value priorYearValue } "
        "months { value } notes { text } } } } } }",
        wait_for=position,
        week=str(last_saturday(date.today())),
    )
    views = {
        m["metric"]["name"]: m["sixTwelve"]
        for section in review["weeklyBusinessReview"]["sections"]
        for m in section["metrics"]
    }
    revenue = views["Revenue"]
    assert all(w["value"] and w["priorYearValue"] for w in revenue["weeks"]), "two years"
    assert all(m["value"] for m in revenue["months"][:12])
    assert [n["text"] for n in revenue["notes"]][-1] == "Prime Day moved into this week"
    hooks = httpx.get(
        f"{server.url}/api/v1/webhooks",
        headers={"Authorization": f"Bearer {token}", "X-Flywheel-Position": str(position)},
    ).json()["webhooks"]
    assert [(h["url"], h["enabled"], h["includeSubteams"]) for h in hooks] == [
        ("https://hooks.example.com/flywheel/fulfilment", False, True)
    ]


def events(server: FlywheelServer) -> int:
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
    assert row is not None
    return int(row[0])


def test_seeding_a_log_that_is_not_empty_is_refused_and_records_nothing(
    server: FlywheelServer,
) -> None:
    assert seed(server).returncode == 0
    recorded = events(server)
    again = seed(server)
    assert again.returncode == 1
    assert f"already holds {recorded} events" in again.stderr
    assert events(server) == recorded
