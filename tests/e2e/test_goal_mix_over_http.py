"""A company's goal mix and attainment end to end: REST commands, GraphQL reports.

The server of this module holds only this company, so company-wide figures are exact.
Commerce > Retail > Books, and Finance; goals across two plan years.
"""

from __future__ import annotations

from typing import Any

import pytest
from gql.transport.exceptions import TransportQueryError

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, define, ok, set_goal

MIX = """
query Mix($year: Int!, $team: ID, $sub: Boolean!, $at: Int) {
  goalMix(planYear: $year, teamId: $team, includeSubteams: $sub, atPosition: $at) {
    planYear total input output financial inputShare financialShare
    topLevel { total input output financial inputShare financialShare }
    byTeam { team { name } total input output financial inputShare financialShare
             topLevel { total } }
  }
}
"""

ATTAINMENT = """
query Attainment($year: Int!, $team: ID, $sub: Boolean!) {
  attainment(planYear: $year, teamId: $team, includeSubteams: $sub) {
    achieved missed dropped closed open achievedShare tooEasy tooEasyShare tooEasyMinimumClosed
  }
}
"""


def figures(total: int, input: int, output: int, financial: int) -> dict[str, Any]:
    return {
        "total": total,
        "input": input,
        "output": output,
        "financial": financial,
        "inputShare": input / total if total else 0,
        "financialShare": financial / total if total else 0,
    }


@pytest.fixture(scope="module")
def company(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    commerce = charter(server, leadership, "Commerce", "cora@example.com")["id"]
    retail = charter(server, leadership, "Retail", "rita@example.com", commerce)["id"]
    books = charter(server, leadership, "Books", "bo@example.com", retail)["id"]
    finance = charter(server, leadership, "Finance", "fin@example.com")["id"]
    selection = define(server, leadership, "Selection", "INPUT", retail)["id"]
    speed = define(server, leadership, "Delivery speed", "INPUT", books)["id"]
    customers = define(server, leadership, "Active customers", "OUTPUT", commerce)["id"]
    revenue = define(server, leadership, "Revenue", "OUTPUT", finance, financial=True)["id"]
    cash = define(server, leadership, "Free cash flow", "output", finance, financial=True)["id"]
    plan = [
        ("commerce-customers", commerce, customers, 2025),
        ("commerce-cash", commerce, cash, 2025),
        ("retail-selection", retail, selection, 2025),
        ("retail-selection-2", retail, selection, 2025),
        ("retail-revenue", retail, revenue, 2025),
        ("books-speed", books, speed, 2025),
        ("books-customers", books, customers, 2025),
        ("finance-revenue", finance, revenue, 2025),
        ("finance-cash", finance, cash, 2025),
        ("retail-2024", retail, selection, 2024),
        ("books-2024", books, speed, 2024),
        ("finance-2024", finance, revenue, 2024),
    ]
    goals = {
        name: set_goal(server, leadership, team, metric, year) for name, team, metric, year in plan
    }
    before_flags = max(goal["position"] for goal in goals.values())
    last = 0
    for name in ("commerce-customers", "retail-selection", "finance-revenue"):
        last = ok(
            server.post(
                f"/api/v1/goals/{goals[name]['id']}/top-level", leadership, {"topLevel": True}
            )
        )["position"]
    return {
        "commerce": commerce,
        "retail": retail,
        "books": books,
        "finance": finance,
        "goals": goals,
        "before_flags": before_flags,
        "position": last,
    }


def mix(
    server: FlywheelServer,
    token: str,
    after: int,
    year: int,
    team: str | None,
    sub: bool,
    at: int | None = None,
) -> dict[str, Any]:
    data, _ = server.graphql(token).query(MIX, wait_for=after, year=year, team=team, sub=sub, at=at)
    result: dict[str, Any] = data["goalMix"]
    return result


def test_the_company_goal_mix_counts_every_team(
    server: FlywheelServer, leadership: str, company: dict[str, Any]
) -> None:
    result = mix(server, leadership, company["position"], 2025, None, False)
    assert {key: result[key] for key in figures(0, 0, 0, 0)} == figures(9, 3, 6, 4)
    assert result["topLevel"] == figures(3, 1, 2, 1)
    by_team = {row["team"]["name"]: row for row in result["byTeam"]}
    assert list(by_team) == ["Books", "Commerce", "Finance", "Retail"]
    assert {key: by_team["Books"][key] for key in figures(0, 0, 0, 0)} == figures(2, 1, 1, 0)
    assert {key: by_team["Finance"][key] for key in figures(0, 0, 0, 0)} == figures(2, 0, 2, 2)
    assert by_team["Retail"]["topLevel"]["total"] == 1
    last_year = mix(server, leadership, company["position"], 2024, None, False)
    assert {key: last_year[key] for key in figures(0, 0, 0, 0)} == figures(3, 2, 1, 1)
    assert last_year["topLevel"] == figures(0, 0, 0, 0)


def test_the_goal_mix_of_a_team_and_of_its_subtree(
    server: FlywheelServer, leadership: str, company: dict[str, Any]
) -> None:
    shares = figures(0, 0, 0, 0)
    retail = mix(server, leadership, company["position"], 2025, company["retail"], False)
    assert {key: retail[key] for key in shares} == figures(3, 2, 1, 1)
    assert [row["team"]["name"] for row in retail["byTeam"]] == ["Retail"]
    subtree = mix(server, leadership, company["position"], 2025, company["retail"], True)
    assert {key: subtree[key] for key in shares} == figures(5, 3, 2, 1)
    assert (subtree["inputShare"], subtree["financialShare"]) == (0.6, 0.2)
    assert [row["team"]["name"] for row in subtree["byTeam"]] == ["Books", "Retail"]
    commerce = mix(server, leadership, company["position"], 2025, company["commerce"], True)
    assert {key: commerce[key] for key in shares} == figures(7, 3, 4, 2)
    assert commerce["topLevel"] == figures(2, 1, 1, 0)
    books_2024 = mix(server, leadership, company["position"], 2024, company["books"], True)
    assert {key: books_2024[key] for key in shares} == figures(1, 1, 0, 0)


def test_the_goal_mix_as_of_before_the_top_level_flags(
    server: FlywheelServer, leadership: str, company: dict[str, Any]
) -> None:
    then = mix(server, leadership, company["position"], 2025, None, False, company["before_flags"])
    assert then["total"] == 9
    assert then["topLevel"] == figures(0, 0, 0, 0)


def test_an_empty_year_and_an_unknown_team(
    server: FlywheelServer, leadership: str, company: dict[str, Any]
) -> None:
    empty = mix(server, leadership, company["position"], 2030, company["finance"], False)
    assert (empty["total"], empty["inputShare"], empty["financialShare"]) == (0, 0, 0)
    with pytest.raises(TransportQueryError) as refused:
        mix(
            server,
            leadership,
            company["position"],
            2025,
            "00000000-0000-4000-8000-000000000000",
            True,
        )
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["reason"] == "NOT_FOUND"


def test_attainment_counts_closed_goals_and_flags_a_bar_set_too_low(
    server: FlywheelServer, leadership: str, company: dict[str, Any]
) -> None:
    goals = company["goals"]
    outcomes = {
        "commerce-customers": "ACHIEVED",
        "commerce-cash": "missed",
        "retail-selection": "ACHIEVED",
        "retail-selection-2": "ACHIEVED",
        "retail-revenue": "ACHIEVED",
        "books-speed": "ACHIEVED",
        "books-customers": "ACHIEVED",
        "finance-revenue": "DROPPED",
    }  # finance-cash stays open
    last = company["position"]
    for name, outcome in outcomes.items():
        last = ok(
            server.post(
                f"/api/v1/goals/{goals[name]['id']}/close",
                leadership,
                {"outcome": outcome, "note": "Year end review"},
            )
        )["position"]
    graphql = server.graphql(leadership)
    year, _ = graphql.query(ATTAINMENT, wait_for=last, year=2025, team=None, sub=False)
    assert year["attainment"] == {
        "achieved": 6,
        "missed": 1,
        "dropped": 1,
        "closed": 8,
        "open": 1,
        "achievedShare": 0.75,
        "tooEasy": False,
        "tooEasyShare": 0.9,
        "tooEasyMinimumClosed": 5,
    }
    retail, _ = graphql.query(ATTAINMENT, year=2025, team=company["retail"], sub=True)
    assert (retail["attainment"]["closed"], retail["attainment"]["achievedShare"]) == (5, 1.0)
    assert retail["attainment"]["tooEasy"] is True, "all five met: the bar was too low"
    commerce, _ = graphql.query(ATTAINMENT, year=2025, team=company["commerce"], sub=True)
    assert commerce["attainment"]["achievedShare"] == 6 / 7
    assert commerce["attainment"]["tooEasy"] is False
    alone, _ = graphql.query(ATTAINMENT, year=2025, team=company["commerce"], sub=False)
    assert (alone["attainment"]["closed"], alone["attainment"]["achievedShare"]) == (2, 0.5)
    nothing_closed, _ = graphql.query(ATTAINMENT, year=2024, team=None, sub=False)
    assert nothing_closed["attainment"]["open"] == 3
    assert nothing_closed["attainment"]["achievedShare"] == 0
