"""Goal reports in GraphQL: the goal mix and attainment for a team, its subtree or
the whole company, for a plan year, as of any moment."""

from __future__ import annotations

from typing import Annotated

import strawberry

from projections.goals import reports as goal_reports
from projections.goals.reports import Scope
from services.graphql.common import (
    FlywheelInfo,
    context,
    time_travel,
    uuid_of,
)
from services.graphql.errors import NOT_FOUND, client_error
from services.graphql.rows import FromRow
from services.metrics.graphql import LazyTeam, team_from_row

PlanYear = Annotated[int, strawberry.argument(description="The plan year, e.g. 2025.")]
TeamId = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="A team (UUID or global id); none for the whole company."),
]
IncludeSubteams = Annotated[
    bool,
    strawberry.argument(description="Count the team's whole subtree of the org, not it alone."),
]


@strawberry.type(
    description="Goal counts by the kind of their metric. Financial goals are output goals "
    "too; shares are fractions of `total` (0 when there are no goals)."
)
class GoalMixFigures(FromRow):
    total: int = strawberry.field(description="How many goals.")
    input: int = strawberry.field(description="Goals on input metrics.")
    output: int = strawberry.field(description="Goals on output metrics.")
    financial: int = strawberry.field(description="Goals on financial output metrics.")
    input_share: float = strawberry.field(description="Input goals as a share of all, 0 to 1.")
    financial_share: float = strawberry.field(
        description="Financial goals as a share of all, 0 to 1."
    )


@strawberry.type(description="One team's goal mix (its own goals, not its subteams').")
class TeamGoalMix(GoalMixFigures):
    team: LazyTeam = strawberry.field(description="The team.")
    top_level: GoalMixFigures = strawberry.field(description="The same for top-level goals.")


@strawberry.type(description="The goal mix of a plan year in a scope, overall and per team.")
class GoalMix(GoalMixFigures):
    plan_year: int = strawberry.field(description="The plan year.")
    top_level: GoalMixFigures = strawberry.field(
        description="The same figures for the top-level (S-team) goals."
    )
    by_team: list[TeamGoalMix] = strawberry.field(
        description="Per team in the scope, by name: every active team, and any other team "
        "that had goals that year."
    )


@strawberry.type(
    description="How the plan year's closed goals ended. About 75% achieved is expected; "
    "nearly all achieved means the bar was set too low."
)
class Attainment(FromRow):
    plan_year: int = strawberry.field(description="The plan year.")
    achieved: int = strawberry.field(description="Goals closed as achieved.")
    missed: int = strawberry.field(description="Goals closed as missed.")
    dropped: int = strawberry.field(description="Goals closed as dropped.")
    closed: int = strawberry.field(description="Goals closed in all.")
    open: int = strawberry.field(description="Goals of the year not closed yet.")
    achieved_share: float = strawberry.field(
        description="`achieved / closed` (dropped goals count as not achieved); 0 when none "
        "are closed."
    )
    too_easy: bool = strawberry.field(
        description="At least `tooEasyShare` of at least `tooEasyMinimumClosed` closed goals "
        "were achieved: the bar was probably set too low."
    )
    too_easy_share: float = strawberry.field(description="The share that makes a year too easy.")
    too_easy_minimum_closed: int = strawberry.field(
        description="How many goals must be closed before a year can count as too easy."
    )


async def _scope(
    info: FlywheelInfo, team_id: str | None, include_subteams: bool, at: int | None
) -> Scope:
    if team_id is None:
        return Scope()
    team = uuid_of(team_id, "Team", "teamId")
    if not await goal_reports.team_exists(context(info).views, team, at):
        raise client_error(f"No team with id {team_id}", NOT_FOUND)
    return Scope(team, include_subteams)


@strawberry.type
class GoalReportQuery:
    @strawberry.field(
        description="How many of the plan year's goals sit on input, output and financial "
        "metrics, and the shares: for a team, its subtree (`includeSubteams`) or the whole "
        "company (no `teamId`)."
    )
    @time_travel
    async def goal_mix(
        self,
        info: FlywheelInfo,
        plan_year: PlanYear,
        team_id: TeamId = None,
        include_subteams: IncludeSubteams = False,
        *,
        at: int | None,
    ) -> GoalMix | None:
        scope = await _scope(info, team_id, include_subteams, at)
        mix = await goal_reports.goal_mix(context(info).views, at, plan_year, scope)
        return GoalMix.from_fields(
            mix.figures,
            plan_year=plan_year,
            top_level=GoalMixFigures.from_fields(mix.top_level),
            by_team=[
                TeamGoalMix.from_fields(
                    row.figures,
                    team=team_from_row(row.team, at),
                    top_level=GoalMixFigures.from_fields(row.top_level),
                )
                for row in mix.by_team
            ],
        )

    @strawberry.field(
        description="How the plan year's closed goals ended, for a team, its subtree or the "
        "whole company, with a flag when nearly all were achieved."
    )
    @time_travel
    async def attainment(
        self,
        info: FlywheelInfo,
        plan_year: PlanYear,
        team_id: TeamId = None,
        include_subteams: IncludeSubteams = False,
        *,
        at: int | None,
    ) -> Attainment | None:
        scope = await _scope(info, team_id, include_subteams, at)
        year = await goal_reports.attainment(context(info).views, at, plan_year, scope)
        return Attainment.from_fields(
            year,
            plan_year=plan_year,
            too_easy_share=goal_reports.TOO_EASY_SHARE,
            too_easy_minimum_closed=goal_reports.TOO_EASY_MIN_CLOSED,
        )
