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
from typing import TYPE_CHECKING
from uuid import UUID

from domain.goals import Goal
from domain.metrics import Metric
from domain.org.team import Team
from services.authorization import (
    require_leader_or_leadership,
    require_leadership,
    require_team_member,
)
from services.commands import AreaCommands, Outcome, UnitOfWork

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.goals.rest import CheckIn, CloseGoal, FlagTopLevel, ReviseTarget, SetGoal

GoalChange = Callable[[Goal], None]


class GoalCommands(AreaCommands):
    def set_goal(self, context: CommandContext, body: SetGoal) -> Outcome:
        def set_goal(work: UnitOfWork) -> Goal:
            team = work.get(Team, body.team_id, label="team")
            require_leader_or_leadership(context.principal, team, "Setting a goal")
            metric = work.get(Metric, body.metric_id, label="metric")
            goal = work.add(
                Goal.set(
                    team=team,
                    metric=metric,
                    plan_year=body.plan_year,
                    baseline=body.baseline,
                    target=body.target,
                    due_date=body.due_date,
                    description=body.description,
                )
            )
            metric.bind_goal(goal.id)
            return goal

        return self.run(context, set_goal, versioned=False)

    def _by_leader(
        self, context: CommandContext, goal_id: UUID, action: str, change: GoalChange
    ) -> Outcome:
        """Run ``change`` on the goal once its team's leader or leadership is calling."""

        def decide(goal: Goal, work: UnitOfWork) -> None:
            team = work.get(Team, goal.team_id, label="team")
            require_leader_or_leadership(context.principal, team, action)
            change(goal)

        return self.change(context, Goal, goal_id, decide, label="goal")

    def revise_target(self, context: CommandContext, goal_id: UUID, body: ReviseTarget) -> Outcome:
        return self._by_leader(
            context,
            goal_id,
            "Revising a goal's target",
            lambda goal: goal.revise_target(body.target, body.reason),
        )

    def close_goal(self, context: CommandContext, goal_id: UUID, body: CloseGoal) -> Outcome:
        return self._by_leader(
            context, goal_id, "Closing a goal", lambda goal: goal.close(body.outcome, body.note)
        )

    def check_in(self, context: CommandContext, goal_id: UUID, body: CheckIn) -> Outcome:
        def decide(goal: Goal, work: UnitOfWork) -> None:
            team = work.get(Team, goal.team_id, label="team")
            require_team_member(context.principal, team, "Checking in on a goal")
            goal.check_in(body.status, body.note, body.path_to_green)

        return self.change(context, Goal, goal_id, decide, label="goal")

    def set_top_level(self, context: CommandContext, goal_id: UUID, body: FlagTopLevel) -> Outcome:
        require_leadership(context.principal, "Flagging a top-level goal")

        def decide(goal: Goal, _: UnitOfWork) -> None:
            if body.top_level:
                goal.flag_top_level()
            else:
                goal.unflag_top_level()

        return self.change(context, Goal, goal_id, decide, label="goal")
