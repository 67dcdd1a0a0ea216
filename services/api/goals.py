"""REST commands on goals, under ``/api/v1/goals``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
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
from services.api.commands import (
    COMMAND_ERRORS,
    CommandAccepted,
    accepted,
    caller,
    correlation_id,
    expected_version,
)
from services.api.metrics import Number
from services.api.problems import problem_responses
from services.dates import YEARS, checked_date
from services.goals import GoalCommands
from services.principal import Principal

Note = Annotated[str, Meta(min_length=1, max_length=MAX_NOTE_LENGTH)]


class SetGoal(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    team_id: UUID
    metric_id: UUID
    plan_year: Annotated[int, Meta(ge=MIN_PLAN_YEAR, le=MAX_PLAN_YEAR, examples=[2025])]
    baseline: Number
    target: Number
    due_date: Annotated[date, Meta(description=f"Years {YEARS}.")]
    description: Annotated[str, Meta(min_length=1, max_length=MAX_DESCRIPTION_LENGTH)]

    def __post_init__(self) -> None:
        checked_date(self.due_date, "dueDate")


class ReviseTarget(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    target: Number
    reason: Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class CheckIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    status: CheckInStatus
    note: Note
    path_to_green: Annotated[str, Meta(max_length=MAX_NOTE_LENGTH)] | None = None


class FlagTopLevel(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    top_level: bool


class CloseGoal(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    outcome: GoalOutcome
    note: Note


GoalId = Annotated[UUID, Parameter(description="The goal's id (a UUID).")]


class GoalController(Controller):
    path = "/api/v1/goals"
    tags = ["Goals"]

    @post(
        "/",
        status_code=201,
        sync_to_thread=True,
        summary="Set a goal",
        description="The team's leader or leadership sets a goal on one metric for a plan "
        "year. The goal binds the metric's current definition version.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def set_goal(
        self, request: Request[Principal, Any, Any], data: SetGoal, goals: GoalCommands
    ) -> CommandAccepted:
        return accepted(
            goals.set_goal(
                caller(request),
                correlation_id(request),
                team_id=data.team_id,
                metric_id=data.metric_id,
                plan_year=data.plan_year,
                baseline=data.baseline,
                target=data.target,
                due_date=data.due_date,
                description=data.description,
            )
        )

    @post(
        "/{goal_id:uuid}/target",
        status_code=200,
        sync_to_thread=True,
        summary="Revise a goal's target",
        description="A new target with the reason; the history keeps every target.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def revise_target(
        self,
        request: Request[Principal, Any, Any],
        goal_id: GoalId,
        data: ReviseTarget,
        goals: GoalCommands,
    ) -> CommandAccepted:
        return accepted(
            goals.revise_target(
                caller(request),
                correlation_id(request),
                goal_id,
                target=data.target,
                reason=data.reason,
                expected_version=expected_version(request),
            )
        )

    @post(
        "/{goal_id:uuid}/check-ins",
        status_code=200,
        sync_to_thread=True,
        summary="Check in on a goal",
        description="A member of the team, its leader or leadership says how the goal stands: "
        "`GREEN`, `YELLOW` or `RED` with a note. `YELLOW` and `RED` need a `pathToGreen`.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def check_in(
        self,
        request: Request[Principal, Any, Any],
        goal_id: GoalId,
        data: CheckIn,
        goals: GoalCommands,
    ) -> CommandAccepted:
        return accepted(
            goals.check_in(
                caller(request),
                correlation_id(request),
                goal_id,
                status=data.status,
                note=data.note,
                path_to_green=data.path_to_green,
                expected_version=expected_version(request),
            )
        )

    @post(
        "/{goal_id:uuid}/top-level",
        status_code=200,
        sync_to_thread=True,
        summary="Flag or unflag a top-level (S-team) goal",
        description="Leadership only. Top-level goals take precedence.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def flag_top_level(
        self,
        request: Request[Principal, Any, Any],
        goal_id: GoalId,
        data: FlagTopLevel,
        goals: GoalCommands,
    ) -> CommandAccepted:
        return accepted(
            goals.set_top_level(
                caller(request),
                correlation_id(request),
                goal_id,
                top_level=data.top_level,
                expected_version=expected_version(request),
            )
        )

    @post(
        "/{goal_id:uuid}/close",
        status_code=200,
        sync_to_thread=True,
        summary="Close a goal",
        description="The team's leader or leadership closes the goal as `ACHIEVED`, `MISSED` "
        "or `DROPPED`, with a note. A closed goal takes no more commands.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def close(
        self,
        request: Request[Principal, Any, Any],
        goal_id: GoalId,
        data: CloseGoal,
        goals: GoalCommands,
    ) -> CommandAccepted:
        return accepted(
            goals.close_goal(
                caller(request),
                correlation_id(request),
                goal_id,
                outcome=data.outcome,
                note=data.note,
                expected_version=expected_version(request),
            )
        )
