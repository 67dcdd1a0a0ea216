"""REST commands on goals, under ``/api/v1/goals``."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller
from litestar.params import Parameter
from msgspec import Meta

from domain.goals import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_PLAN_YEAR,
    MAX_REASON_LENGTH,
    MIN_PLAN_YEAR,
    CheckInStatus,
    GoalOutcome,
)
from services.api.bodies import CommandBody
from services.api.commands import command
from services.dates import YEARS, checked_date
from services.goals.commands import GoalCommands
from services.metrics.rest import Number

Note = Annotated[str, Meta(min_length=1, max_length=MAX_NOTE_LENGTH)]


class SetGoal(CommandBody):
    team_id: UUID
    metric_id: UUID
    plan_year: Annotated[int, Meta(ge=MIN_PLAN_YEAR, le=MAX_PLAN_YEAR, examples=[2025])]
    baseline: Number
    target: Number
    due_date: Annotated[date, Meta(description=f"Years {YEARS}.")]
    description: Annotated[str, Meta(min_length=1, max_length=MAX_DESCRIPTION_LENGTH)]

    def __post_init__(self) -> None:
        checked_date(self.due_date, "dueDate")


class ReviseTarget(CommandBody):
    target: Number
    reason: Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class CheckIn(CommandBody):
    status: CheckInStatus
    note: Note
    path_to_green: Annotated[str, Meta(max_length=MAX_NOTE_LENGTH)] | None = None


class FlagTopLevel(CommandBody):
    top_level: bool


class CloseGoal(CommandBody):
    outcome: GoalOutcome
    note: Note


GoalId = Annotated[UUID, Parameter(description="The goal's id (a UUID).")]


class GoalController(Controller):
    path = "/api/v1/goals"
    tags = ["Goals"]

    set_goal = command(
        "/",
        status_code=201,
        summary="Set a goal",
        description="The team's leader or leadership sets a goal on one metric for a plan "
        "year. The goal binds the metric's current definition version.",
        runs=GoalCommands.set_goal,
        body=SetGoal,
    )

    revise_target = command(
        "/{goal_id:uuid}/target",
        summary="Revise a goal's target",
        description="A new target with the reason; the history keeps every target.",
        runs=GoalCommands.revise_target,
        ids=[GoalId],
        body=ReviseTarget,
    )

    check_in = command(
        "/{goal_id:uuid}/check-ins",
        summary="Check in on a goal",
        description="A member of the team, its leader or leadership says how the goal stands: "
        "`GREEN`, `YELLOW` or `RED` with a note. `YELLOW` and `RED` need a `pathToGreen`.",
        runs=GoalCommands.check_in,
        ids=[GoalId],
        body=CheckIn,
    )

    flag_top_level = command(
        "/{goal_id:uuid}/top-level",
        summary="Flag or unflag a top-level (S-team) goal",
        description="Leadership only. Top-level goals take precedence.",
        runs=GoalCommands.set_top_level,
        ids=[GoalId],
        body=FlagTopLevel,
    )

    close = command(
        "/{goal_id:uuid}/close",
        summary="Close a goal",
        description="The team's leader or leadership closes the goal as `ACHIEVED`, `MISSED` "
        "or `DROPPED`, with a note. A closed goal takes no more commands.",
        runs=GoalCommands.close_goal,
        ids=[GoalId],
        body=CloseGoal,
    )
