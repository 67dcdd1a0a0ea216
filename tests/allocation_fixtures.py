"""A company ready for its yearly allocation, built through the commands."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.people.values import Function
from services.allocation.rest import (
    AdvancePhase,
    OpenCycle,
    RecordDecision,
    ScenarioLine,
    SetEnvelope,
    SubmitRequest,
)
from services.api.commands import CommandContext
from tests.commands import Commands
from tests.goal_fixtures import Company, company, set_goal
from tests.people import CEO

ENG, PRODUCT, DESIGN = Function.ENGINEERING, Function.PRODUCT, Function.DESIGN
YEAR = 2027


@dataclass
class Planning:
    """The company, one 2027 goal per team, and the OP1 cycle of 2027."""

    org: Company
    goals: dict[UUID, UUID]  # team -> its goal
    op1: UUID


def planning(commands: Commands) -> Planning:
    org = company(commands)
    metrics = {
        org.commerce: org.visits,
        org.retail: org.selection,
        org.books: org.speed,
        org.finance: org.revenue,
    }
    goals = {team: set_goal(commands, team, metric, YEAR) for team, metric in metrics.items()}
    return Planning(org=org, goals=goals, op1=open_cycle(commands, YEAR, CycleKind.OP1))


def open_cycle(commands: Commands, year: int, kind: CycleKind) -> UUID:
    return commands.allocation.open_cycle(
        CommandContext(CEO, "fixture"), OpenCycle(fiscal_year=year, kind=kind)
    ).id


def envelope(commands: Commands, cycle: UUID, engineers: int, budget: int, **more: int) -> int:
    return commands.allocation.set_envelope(
        CommandContext(CEO, "fixture"),
        cycle,
        SetEnvelope(
            headcount={ENG: engineers, **{Function(k.upper()): v for k, v in more.items()}},
            budget=budget,
            reason="The board's plan",
        ),
    ).position


def request(
    commands: Commands, plan: Planning, team: UUID, engineers: int, budget: int, **more: int
) -> int:
    return commands.allocation.submit_request(
        CommandContext(CEO, "fixture"),
        plan.op1,
        SubmitRequest(
            team_id=team,
            headcount={ENG: engineers, **{Function(k.upper()): v for k, v in more.items()}},
            budget=budget,
            rationale="What the goal needs",
            goal_ids=[plan.goals[team]],
        ),
    ).position


def decide(commands: Commands, cycle: UUID, team: UUID, engineers: int, budget: int) -> int:
    return commands.allocation.decide(
        CommandContext(CEO, "fixture"),
        cycle,
        RecordDecision(team_id=team, headcount={ENG: engineers}, budget=budget, rationale="Funded"),
    ).position


def advance(commands: Commands, cycle: UUID, *phases: CyclePhase) -> int:
    position = 0
    for phase in phases:
        position = commands.allocation.advance_phase(
            CommandContext(CEO, "fixture"), cycle, AdvancePhase(to=phase)
        ).position
    return position


def numbers(team: UUID, engineers: int, budget: int) -> ScenarioLine:
    return ScenarioLine(team_id=team, headcount={ENG: engineers}, budget=budget)
