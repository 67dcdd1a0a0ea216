"""The allocation's figures in GraphQL: resources, totals against the envelope, unfunded
asks, and the comparison of scenarios. Built from :mod:`projections.allocation.report`.

Budgets are ``Float``: whole currency units, exact as floats (each figure is at most
10^13, so sums over thousands of teams stay exact).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import strawberry

from domain.allocation.resources import Resources
from domain.people.values import Function
from projections.allocation.report import (
    Ask,
    BudgetTotal,
    Comparison,
    FunctionTotal,
    ScenarioUse,
    TeamComparison,
    Totals,
)
from services.goals.graphql import Goal
from services.graphql.common import FlywheelInfo, context
from services.graphql.relations import team_field
from services.graphql.scalars import Money

if TYPE_CHECKING:  # the roadmap's types build on these figures: resolved lazily
    from services.roadmap.graphql import RoadmapItem

LazyRoadmapItem = Annotated["RoadmapItem", strawberry.lazy("services.roadmap.graphql")]


@strawberry.type(description="People in one function.")
class FunctionCount:
    function: Function = strawberry.field(description="The function.")
    count: int = strawberry.field(description="How many people.")


def function_counts(resources: Resources) -> list[FunctionCount]:
    """Every function, with its headcount (zero included)."""
    return [FunctionCount(function=f, count=resources.count(f)) for f in Function]


@strawberry.type(name="Resources", description="Headcount by function and a budget.")
class ResourceFigures:
    budget: Money = strawberry.field(description="The budget, in whole currency units.")
    counts: strawberry.Private[Resources]

    @staticmethod
    def of(resources: Resources) -> ResourceFigures:
        return ResourceFigures(budget=Money(resources.budget), counts=resources)

    @strawberry.field(description="People per function, every function listed.")
    def headcount(self) -> list[FunctionCount]:
        return function_counts(self.counts)

    @strawberry.field(description="People in all functions together.")
    def total_headcount(self) -> int:
        return sum(self.counts.headcount.values())


@strawberry.type(
    name="FunctionTotal",
    description="One function's headcount: the envelope, what the current requests ask, what "
    "teams are funded with (amendments included once the cycle is locked; for a scenario, "
    "what the scenario funds), and what remains of the envelope.",
)
class FunctionTotalFigures:
    function: Function = strawberry.field(description="The function.")
    envelope: int = strawberry.field(description="The envelope's headcount in the function.")
    requested: int = strawberry.field(description="What the current requests ask in the function.")
    funded: int = strawberry.field(description="What teams are funded with in the function.")
    remaining: int = strawberry.field(description="Envelope minus funded; negative when over.")

    @staticmethod
    def of(total: FunctionTotal) -> FunctionTotalFigures:
        return FunctionTotalFigures(
            function=total.function,
            envelope=total.envelope,
            requested=total.requested,
            funded=total.funded,
            remaining=total.remaining,
        )


@strawberry.type(
    name="BudgetTotal",
    description="The budget: the envelope, what the current requests ask, what teams are "
    "funded with, and what remains of the envelope (whole currency units).",
)
class BudgetFigures:
    envelope: Money = strawberry.field(description="The envelope's budget.")
    requested: Money = strawberry.field(description="What the current requests ask.")
    funded: Money = strawberry.field(description="What teams are funded with.")
    remaining: Money = strawberry.field(description="Envelope minus funded; negative when over.")

    @staticmethod
    def of(total: BudgetTotal) -> BudgetFigures:
        return BudgetFigures(
            envelope=Money(total.envelope),
            requested=Money(total.requested),
            funded=Money(total.funded),
            remaining=Money(total.remaining),
        )


def function_totals(totals: Totals) -> list[FunctionTotalFigures]:
    return [FunctionTotalFigures.of(total) for total in totals.functions]


async def items_of(
    info: FlywheelInfo, item_ids: list[UUID], at: int | None
) -> list[LazyRoadmapItem]:
    """The roadmap items, loaded together, in the order named."""
    from services.roadmap.graphql import RoadmapItem

    return await RoadmapItem.find_all(info, item_ids, at)


async def _team_name(info: FlywheelInfo, team_id: UUID, at: int | None) -> str:
    row = await context(info).load.org.team.load(team_id, at)
    return "" if row is None else str(row["name"])


@strawberry.type(description="A team funded short of its request, and the goals it asked for.")
class UnfundedAsk:
    requested: ResourceFigures = strawberry.field(description="What the team asked for.")
    funded: ResourceFigures = strawberry.field(description="What the team is funded with.")
    shortfall: ResourceFigures = strawberry.field(
        description="What the request asks beyond the funding, per function and budget."
    )
    team_id: strawberry.Private[UUID]
    goal_ids: strawberry.Private[list[UUID]]
    item_ids: strawberry.Private[list[UUID]]
    at: strawberry.Private[int | None]

    @staticmethod
    def of(ask: Ask, at: int | None) -> UnfundedAsk:
        return UnfundedAsk(
            requested=ResourceFigures.of(ask.requested),
            funded=ResourceFigures.of(ask.funded),
            shortfall=ResourceFigures.of(ask.shortfall),
            team_id=ask.team_id,
            goal_ids=ask.goal_ids,
            item_ids=ask.item_ids,
            at=at,
        )

    team = team_field("The team.", nullable=False)

    @strawberry.field(description="The goals the request funds, left unfunded as asked.")
    async def goals(self, info: FlywheelInfo) -> list[Goal]:
        return await Goal.find_all(info, self.goal_ids, self.at)

    @strawberry.field(
        description="The roadmap items the request names, left unfunded as asked; empty when "
        "it names none."
    )
    async def items(self, info: FlywheelInfo) -> list[LazyRoadmapItem]:
        return await items_of(info, self.item_ids, self.at)


@strawberry.type(description="What one scenario gives a team.")
class ScenarioShare:
    scenario: str = strawberry.field(description="The scenario's name.")
    allocated: ResourceFigures = strawberry.field(
        description="What the scenario gives the team; null when it gives it nothing."
    )
    short_of_request: bool = strawberry.field(
        description="The scenario gives the team less than it asked, in a function or budget."
    )


@strawberry.type(description="A team's request against what each compared scenario gives it.")
class TeamAgainstScenarios:
    requested: ResourceFigures = strawberry.field(description="Zero when the team did not ask.")
    scenarios: list[ScenarioShare] = strawberry.field(description="In the order compared.")
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @staticmethod
    def of(line: TeamComparison, names: list[str], at: int | None) -> TeamAgainstScenarios:
        return TeamAgainstScenarios(
            requested=ResourceFigures.of(line.requested),
            scenarios=[
                ScenarioShare(
                    scenario=name,
                    allocated=ResourceFigures.of(allocated),
                    short_of_request=not allocated.shortfall(line.requested).is_zero,
                )
                for name, allocated in zip(names, line.allocated, strict=True)
            ],
            team_id=line.team_id,
            at=at,
        )

    team = team_field("The team.", nullable=False)


@strawberry.type(
    description="One scenario as a whole: its totals against the envelope (`funded` is what "
    "the scenario funds), whether it fits, and which requested goals it leaves unfunded."
)
class ScenarioSummary:
    scenario: str = strawberry.field(description="The scenario's name.")
    totals: list[FunctionTotalFigures] = strawberry.field(
        description="Per function: the envelope, the requests, the funding, what remains."
    )
    budget: BudgetFigures = strawberry.field(
        description="The budget: the envelope, the requests, what the scenario funds, what remains."
    )
    within_envelope: bool = strawberry.field(
        description="The scenario funds no more than the envelope, in each function and budget."
    )
    goal_ids: strawberry.Private[list[UUID]]
    at: strawberry.Private[int | None]

    @staticmethod
    def of(use: ScenarioUse, at: int | None) -> ScenarioSummary:
        return ScenarioSummary(
            scenario=use.scenario.name,
            totals=function_totals(use.totals),
            budget=BudgetFigures.of(use.totals.budget),
            within_envelope=use.totals.within_envelope,
            goal_ids=use.unfunded_goal_ids,
            at=at,
        )

    @strawberry.field(
        description="Goals of requests the scenario funds short (in any function or budget)."
    )
    async def unfunded_goals(self, info: FlywheelInfo) -> list[Goal]:
        return await Goal.find_all(info, self.goal_ids, self.at)


@strawberry.type(
    description="Scenarios side by side: per team and function the request against each "
    "scenario, and per scenario its use of the envelope and the goals it leaves unfunded."
)
class ScenarioComparison:
    scenarios: list[str] = strawberry.field(description="The scenarios compared, in order.")
    teams: list[TeamAgainstScenarios] = strawberry.field(
        description="Every team that asked or that a scenario funds, by name."
    )
    summaries: list[ScenarioSummary] = strawberry.field(
        description="Each scenario's totals, in the order asked."
    )

    @staticmethod
    async def of(info: FlywheelInfo, comparison: Comparison, at: int | None) -> ScenarioComparison:
        names = [use.scenario.name for use in comparison.uses]
        teams = [TeamAgainstScenarios.of(line, names, at) for line in comparison.teams]
        names_in_order = await asyncio.gather(*(_team_name(info, t.team_id, at) for t in teams))
        team_names = dict(zip([t.team_id for t in teams], names_in_order, strict=True))
        teams.sort(key=lambda line: (team_names[line.team_id], str(line.team_id)))
        return ScenarioComparison(
            scenarios=names,
            teams=teams,
            summaries=[ScenarioSummary.of(use, at) for use in comparison.uses],
        )
