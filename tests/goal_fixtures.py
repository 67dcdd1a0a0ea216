"""A small company with metrics and goals, built through the commands."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.goals import CheckInStatus
from domain.metrics import Direction, MetricKind
from services.api.commands import CommandContext
from services.goals.rest import CheckIn, SetGoal
from services.metrics.rest import DefineMetric
from services.org.rest import CharterTeam
from tests.commands import Commands
from tests.people import CEO


def define(
    commands: Commands,
    name: str,
    kind: MetricKind,
    owner: UUID,
    *,
    financial: bool = False,
    definition: str | None = None,
) -> UUID:
    return commands.metrics.define_metric(
        CommandContext(CEO, "fixture"),
        DefineMetric(
            name=name,
            kind=kind,
            financial=financial,
            unit="count",
            direction=Direction.INCREASE,
            definition=definition or f"How we count {name}",
            owner_team_id=owner,
        ),
    ).id


def set_goal(
    commands: Commands,
    team: UUID,
    metric: UUID,
    plan_year: int = 2025,
    *,
    baseline: int = 10,
    target: int = 20,
) -> UUID:
    return commands.goals.set_goal(
        CommandContext(CEO, "fixture"),
        SetGoal(
            team_id=team,
            metric_id=metric,
            plan_year=plan_year,
            baseline=Decimal(baseline),
            target=Decimal(target),
            due_date=date(plan_year, 12, 31),
            description=f"Move {metric} in {plan_year}",
        ),
    ).id


def check_in(commands: Commands, goal: UUID, status: CheckInStatus) -> int:
    path = None if status is CheckInStatus.GREEN else "Recover by next month"
    return commands.goals.check_in(
        CommandContext(CEO, "fixture"),
        goal,
        CheckIn(status=status, note=f"{status.value} this week", path_to_green=path),
    ).position


@dataclass
class Company:
    """Commerce (root) > Retail > Books, and Finance (root); four metrics."""

    commerce: UUID
    retail: UUID
    books: UUID
    finance: UUID
    selection: UUID
    speed: UUID
    revenue: UUID
    visits: UUID


def company(commands: Commands) -> Company:
    def charter(name: str, leader: str, parent: UUID | None = None) -> UUID:
        return commands.org.charter_team(
            CommandContext(CEO, "fixture"),
            CharterTeam(name=name, mission=f"{name} mission", leader=leader, parent_id=parent),
        ).id

    commerce = charter("Commerce", "cora@x.io")
    retail = charter("Retail", "rita@x.io", commerce)
    books = charter("Books", "bo@x.io", retail)
    finance = charter("Finance", "fin@x.io")
    return Company(
        commerce=commerce,
        retail=retail,
        books=books,
        finance=finance,
        selection=define(commands, "Selection", MetricKind.INPUT, retail),
        speed=define(commands, "Delivery speed", MetricKind.INPUT, books),
        revenue=define(commands, "Revenue", MetricKind.OUTPUT, finance, financial=True),
        visits=define(commands, "Active customers", MetricKind.OUTPUT, commerce),
    )
