"""The read queries the benchmarks send: GraphQL documents and the baseline's paths.

Each query reads the current state, ``atPosition`` or ``asOf`` (variables left
null read now), so the read and as-of benchmarks send the very same documents.
The baseline server (bench/baseline_server.py) answers the same data in the same
JSON shape at ``path``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

TEAM_PAGE_SIZE = 50
NESTED_PAGE_SIZE = 20

TEAM_PAGE = """
query TeamPage($planYear: Int!, $at: Int, $asOf: DateTime) {
  teams(first: 50, atPosition: $at, asOf: $asOf) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id name mission status
      leader { person { handle } since }
      members { person { handle } function attachment since }
      services(first: 20) { totalCount nodes { id name status } }
      apis(first: 20) { totalCount nodes { id name apiVersion kind visibility status } }
      goals(planYear: $planYear, first: 20) {
        totalCount
        nodes { id description baseline target dueDate status topLevel }
      }
    }
  }
}
"""

API_BOUNDARIES = """
query ApiBoundaries($at: Int, $asOf: DateTime) {
  apiBoundaries(atPosition: $at, asOf: $asOf) {
    provided {
      api { id name apiVersion visibility status }
      provider { id name }
      providerTeam { id name }
      dependencies { consumer { id name } consumerTeam { id name } }
    }
    crossTeamDependencies {
      consumer { id name }
      consumerTeam { id name }
      api { id name apiVersion }
      provider { id name }
      providerTeam { id name }
    }
    violations { kind detail service { id name } api { id name apiVersion } }
  }
}
"""

GOAL_MIX = """
query GoalMix($planYear: Int!, $at: Int, $asOf: DateTime) {
  goalMix(planYear: $planYear, atPosition: $at, asOf: $asOf) {
    planYear total input output financial inputShare financialShare
    topLevel { total input output financial inputShare financialShare }
    byTeam {
      team { id name }
      total input output financial inputShare financialShare
      topLevel { total input output financial }
    }
  }
}
"""

PRFAQ_FUNNEL = """
query PrFaqFunnel($at: Int, $asOf: DateTime) {
  prfaqFunnel(atPosition: $at, asOf: $asOf) {
    rings { ring reached stopped inItNow medianDays }
    staleDrafts { id title state ring }
  }
}
"""

ROADMAP = """
query Roadmap($at: Int, $asOf: DateTime) {
  roadmap(atPosition: $at, asOf: $asOf) {
    id title horizon status targetDate health
    team { id name }
  }
}
"""


@dataclass(frozen=True)
class ReadQuery:
    """One benchmarked read: its GraphQL document and the baseline's path."""

    name: str
    document: str
    path: str
    takes_plan_year: bool

    def graphql_body(
        self, plan_year: int, at: int | None = None, as_of: datetime | None = None
    ) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "at": at,
            "asOf": None if as_of is None else as_of.isoformat(),
        }
        if self.takes_plan_year:
            variables["planYear"] = plan_year
        return {"query": self.document, "variables": variables}

    def baseline_path(self, plan_year: int) -> str:
        return f"{self.path}?planYear={plan_year}" if self.takes_plan_year else self.path


QUERIES = (
    ReadQuery("team_page", TEAM_PAGE, "/team-page", takes_plan_year=True),
    ReadQuery("api_boundaries", API_BOUNDARIES, "/api-boundaries", takes_plan_year=False),
    ReadQuery("goal_mix", GOAL_MIX, "/goal-mix", takes_plan_year=True),
    ReadQuery("prfaq_funnel", PRFAQ_FUNNEL, "/prfaq-funnel", takes_plan_year=False),
    ReadQuery("roadmap", ROADMAP, "/roadmap", takes_plan_year=False),
)
