"""Commands on goals: set, revise the target, check in, flag top-level, close.

Who may: the leader of the owning team or leadership change a goal; the team's
current members (and its leader, and leadership) check in; only leadership
flags a goal top-level. Membership and leadership are read from the team as it
stands on the write side, never from the token.

Setting a goal records it on its metric (``Metric.GoalBound``) in the same save,
so a goal set while the metric is being redefined conflicts with the
redefinition; the command is run again and binds the new version.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.goals import CheckInStatus, Goal, GoalOutcome
from domain.metrics import Metric
from domain.org.team import Team
from services.authorization import (
    require_leader_or_leadership,
    require_leadership,
    require_team_member,
)
from services.commands import CommandBus, Outcome, UnitOfWork
from services.principal import Principal

GoalChange = Callable[[Goal], None]


class GoalCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def set_goal(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        team_id: UUID,
        metric_id: UUID,
        plan_year: int,
        baseline: Decimal,
        target: Decimal,
        due_date: date,
        description: str,
    ) -> Outcome:
        def set_goal(work: UnitOfWork) -> Goal:
            team = work.get(Team, team_id, label="team")
            require_leader_or_leadership(principal, team, "Setting a goal")
            metric = work.get(Metric, metric_id, label="metric")
            goal = work.add(
                Goal.set(
                    team=team,
                    metric=metric,
                    plan_year=plan_year,
                    baseline=baseline,
                    target=target,
                    due_date=due_date,
                    description=description,
                )
            )
            metric.bind_goal(goal.id)
            return goal

        return self.bus.run(principal, correlation_id, set_goal)

    def _change(
        self,
        principal: Principal,
        correlation_id: str,
        goal_id: UUID,
        action: str,
        change: GoalChange,
        expected_version: int | None,
    ) -> Outcome:
        """Run ``change`` on the goal once its team's leader or leadership is calling."""

        def run(work: UnitOfWork) -> Goal:
            goal = work.get(Goal, goal_id, label="goal")
            require_leader_or_leadership(
                principal, work.get(Team, goal.team_id, label="team"), action
            )
            change(goal)
            return goal

        return self.bus.run(principal, correlation_id, run, expected_version=expected_version)

    def revise_target(
        self,
        principal: Principal,
        correlation_id: str,
        goal_id: UUID,
        *,
        target: Decimal,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            goal_id,
            "Revising a goal's target",
            lambda goal: goal.revise_target(target, reason),
            expected_version,
        )

    def close_goal(
        self,
        principal: Principal,
        correlation_id: str,
        goal_id: UUID,
        *,
        outcome: GoalOutcome,
        note: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            goal_id,
            "Closing a goal",
            lambda goal: goal.close(outcome, note),
            expected_version,
        )

    def check_in(
        self,
        principal: Principal,
        correlation_id: str,
        goal_id: UUID,
        *,
        status: CheckInStatus,
        note: str,
        path_to_green: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        def check_in(work: UnitOfWork) -> Goal:
            goal = work.get(Goal, goal_id, label="goal")
            team = work.get(Team, goal.team_id, label="team")
            require_team_member(principal, team, "Checking in on a goal")
            goal.check_in(status, note, path_to_green)
            return goal

        return self.bus.run(principal, correlation_id, check_in, expected_version=expected_version)

    def set_top_level(
        self,
        principal: Principal,
        correlation_id: str,
        goal_id: UUID,
        *,
        top_level: bool,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Flagging a top-level goal")

        def flag(work: UnitOfWork) -> Goal:
            goal = work.get(Goal, goal_id, label="goal")
            if top_level:
                goal.flag_top_level()
            else:
                goal.unflag_top_level()
            return goal

        return self.bus.run(principal, correlation_id, flag, expected_version=expected_version)
