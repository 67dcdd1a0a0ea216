"""The allocation's figures, computed from view rows without I/O.

* **Totals**: per function and for the budget, the envelope, what the current
  requests ask for, what teams are funded with (decisions, amendments included once
  the cycle is locked) and what remains of the envelope.
* **Unfunded asks**: teams funded short of their request in any function or in
  budget, with the goals the request named. A request is the price of its goals:
  funding less than it leaves those goals unfunded as asked.
* **Scenario comparison**: per team and function, the request against each draft;
  per draft, the same totals (with the draft as what is funded), whether it fits the
  envelope, and which goals it leaves unfunded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import msgspec

from domain.allocation.resources import Resources
from domain.people.values import Function

_headcount = msgspec.json.Decoder(dict[str, int])
_allocations = msgspec.json.Decoder(dict[str, dict[str, Any]])


def resources(headcount: str | None, budget: int | None) -> Resources:
    """Resources from a view's ``headcount`` (JSON) and ``budget`` columns; zero if NULL."""
    counts = {} if headcount is None else _headcount.decode(headcount)
    return Resources.from_state({"headcount": counts, "budget": budget or 0})


def resources_of(row: Mapping[str, Any]) -> Resources:
    return resources(row["headcount"], row["budget"])


def scenario_allocations(allocations: str) -> dict[UUID, Resources]:
    """A scenario's ``allocations`` column: team id -> resources."""
    return {
        UUID(team): Resources.from_state(funded)
        for team, funded in _allocations.decode(allocations).items()
    }


@dataclass(frozen=True)
class FunctionTotal:
    function: Function
    envelope: int
    requested: int
    funded: int

    @property
    def remaining(self) -> int:
        return self.envelope - self.funded


@dataclass(frozen=True)
class BudgetTotal:
    envelope: int
    requested: int
    funded: int

    @property
    def remaining(self) -> int:
        return self.envelope - self.funded


@dataclass(frozen=True)
class Totals:
    functions: list[FunctionTotal]  # one entry per function, in the functions' order
    budget: BudgetTotal

    @property
    def within_envelope(self) -> bool:
        return self.budget.remaining >= 0 and all(t.remaining >= 0 for t in self.functions)


def totals(
    envelope: Resources, requested: Iterable[Resources], funded: Iterable[Resources]
) -> Totals:
    asked, given = Resources.total(requested), Resources.total(funded)
    return Totals(
        functions=[
            FunctionTotal(
                function=function,
                envelope=envelope.count(function),
                requested=asked.count(function),
                funded=given.count(function),
            )
            for function in Function
        ],
        budget=BudgetTotal(envelope=envelope.budget, requested=asked.budget, funded=given.budget),
    )


@dataclass(frozen=True)
class Request:
    team_id: UUID
    asked: Resources
    goal_ids: list[UUID]
    item_ids: list[UUID] = field(default_factory=list)


@dataclass(frozen=True)
class Ask:
    """A team funded short of its request."""

    team_id: UUID
    requested: Resources
    funded: Resources
    goal_ids: list[UUID]
    item_ids: list[UUID] = field(default_factory=list)

    @property
    def shortfall(self) -> Resources:
        return self.funded.shortfall(self.requested)


def unfunded_asks(requests: Iterable[Request], funding: Mapping[UUID, Resources]) -> list[Ask]:
    """Requests funded short, in the order given."""
    asks = []
    for request in requests:
        funded = funding.get(request.team_id, Resources())
        if not funded.shortfall(request.asked).is_zero:
            asks.append(
                Ask(request.team_id, request.asked, funded, request.goal_ids, request.item_ids)
            )
    return asks


@dataclass(frozen=True)
class Scenario:
    name: str
    allocations: dict[UUID, Resources]


@dataclass(frozen=True)
class TeamComparison:
    """One team's request against what each scenario (in order) gives it."""

    team_id: UUID
    requested: Resources
    allocated: list[Resources]


@dataclass(frozen=True)
class ScenarioUse:
    """One scenario as a whole: its totals against the envelope, and the goals it leaves
    unfunded."""

    scenario: Scenario
    totals: Totals
    unfunded_goal_ids: list[UUID]


@dataclass(frozen=True)
class Comparison:
    teams: list[TeamComparison]
    uses: list[ScenarioUse]


def compare(
    envelope: Resources, requests: Sequence[Request], scenarios: Sequence[Scenario]
) -> Comparison:
    """Every team that asked or that a scenario funds, in the order of ``requests`` and
    then of the scenarios; every scenario in the order given."""
    asked = {request.team_id: request.asked for request in requests}
    team_ids = list(asked)
    for scenario in scenarios:
        team_ids += [team for team in scenario.allocations if team not in team_ids]
    teams = [
        TeamComparison(
            team_id=team,
            requested=asked.get(team, Resources()),
            allocated=[s.allocations.get(team, Resources()) for s in scenarios],
        )
        for team in team_ids
    ]
    uses = [
        ScenarioUse(
            scenario=scenario,
            totals=totals(envelope, asked.values(), scenario.allocations.values()),
            unfunded_goal_ids=[
                goal
                for ask in unfunded_asks(requests, scenario.allocations)
                for goal in ask.goal_ids
            ],
        )
        for scenario in scenarios
    ]
    return Comparison(teams=teams, uses=uses)
