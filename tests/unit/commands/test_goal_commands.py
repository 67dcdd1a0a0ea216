"""Goal commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.errors import InvalidValue, NotFound
from domain.goals import (
    CheckInStatus,
    Goal,
    GoalClosed,
    GoalOutcome,
    PathToGreenRequired,
    TargetUnchanged,
    TopLevelUnchanged,
)
from domain.metrics import Metric
from domain.org.team import Attachment, TeamDisbanded
from domain.people.values import Function
from services.api.commands import CommandContext
from services.commands import Forbidden, VersionMismatch
from services.goals.rest import CheckIn, CloseGoal, FlagTopLevel, ReviseTarget, SetGoal
from services.metrics.rest import RedefineMetric
from services.org.rest import AddMember, DisbandTeam
from services.principal import Role
from tests.commands import (
    Commands,
    refused_and_nothing_recorded,
)
from tests.goal_fixtures import company, set_goal
from tests.people import CEO, PLANNER, principal

RITA = principal("rita@x.io", Role.MEMBER)  # leads Retail


MEL = principal("mel@x.io", Role.MEMBER)  # a member of Retail, added below


BO = principal("bo@x.io", Role.MEMBER)  # leads Books, a subteam of Retail


def events_in_log_order(flywheel: Commands) -> list[tuple[int, Any]]:
    notifications = flywheel.app.recorder.select_notifications(start=1, limit=10_000)
    return [
        (n.id, flywheel.app.mapper.to_domain_event(n))  # type: ignore[arg-type]
        for n in notifications
    ]


def test_a_goal_binds_the_current_definition_and_is_recorded_on_its_metric(
    flywheel: Commands,
) -> None:
    org = company(flywheel)
    old_goal = set_goal(flywheel, org.retail, org.selection, 2024)
    flywheel.metrics.redefine_metric(
        CommandContext(CEO, "t"),
        org.selection,
        RedefineMetric(definition="In-stock detail page views", reason="Availability"),
    )
    new_goal = set_goal(flywheel, org.retail, org.selection, 2025)
    assert flywheel.app.repository.get(old_goal).metric_definition_version == 1
    assert flywheel.app.repository.get(new_goal).metric_definition_version == 2
    bound = [
        (event.goal_id, event.definition_version)
        for _, event in events_in_log_order(flywheel)
        if isinstance(event, Metric.GoalBound)
    ]
    assert bound == [(old_goal, 1), (new_goal, 2)]


def test_a_goal_needs_a_team_a_metric_and_good_values(flywheel: Commands) -> None:
    org = company(flywheel)
    refused_and_nothing_recorded(flywheel, NotFound, lambda: set_goal(flywheel, uuid4(), org.speed))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: set_goal(flywheel, org.books, uuid4()))
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: set_goal(flywheel, org.books, org.speed, 1900)
    )
    books_goal = set_goal(flywheel, org.books, org.speed)
    flywheel.goals.close_goal(
        CommandContext(CEO, "t"), books_goal, CloseGoal(outcome=GoalOutcome.DROPPED, note="Reorg")
    )
    flywheel.org.disband_team(
        CommandContext(CEO, "t"), org.books, DisbandTeam(reason="Folded into Retail")
    )
    refused_and_nothing_recorded(
        flywheel, TeamDisbanded, lambda: set_goal(flywheel, org.books, org.speed)
    )


def test_who_may_set_change_and_check_in(flywheel: Commands) -> None:
    org = company(flywheel)
    flywheel.org.add_member(
        CommandContext(RITA, "t"),
        org.retail,
        AddMember(person="mel@x.io", function=Function.ENGINEERING, attachment=Attachment.REPORTS),
    )

    def set_as(who: Any) -> UUID:
        return flywheel.goals.set_goal(
            CommandContext(who, "t"),
            SetGoal(
                team_id=org.retail,
                metric_id=org.selection,
                plan_year=2025,
                baseline=Decimal(1),
                target=Decimal(2),
                due_date=date(2025, 12, 31),
                description="More selection",
            ),
        ).id

    goal = set_as(RITA)
    for outsider in (MEL, BO, PLANNER):
        refused_and_nothing_recorded(flywheel, Forbidden, lambda who=outsider: set_as(who))
        refused_and_nothing_recorded(
            flywheel,
            Forbidden,
            lambda who=outsider: flywheel.goals.revise_target(
                CommandContext(who, "t"), goal, ReviseTarget(target=Decimal(3), reason="r")
            ),
        )
        refused_and_nothing_recorded(
            flywheel,
            Forbidden,
            lambda who=outsider: flywheel.goals.close_goal(
                CommandContext(who, "t"), goal, CloseGoal(outcome=GoalOutcome.MISSED, note="n")
            ),
        )
    for outsider in (BO, PLANNER):
        refused_and_nothing_recorded(
            flywheel,
            Forbidden,
            lambda who=outsider: flywheel.goals.check_in(
                CommandContext(who, "t"), goal, CheckIn(status=CheckInStatus.GREEN, note="n")
            ),
        )
    for leader_only in (RITA, MEL):
        refused_and_nothing_recorded(
            flywheel,
            Forbidden,
            lambda who=leader_only: flywheel.goals.set_top_level(
                CommandContext(who, "t"), goal, FlagTopLevel(top_level=True)
            ),
        )
    flywheel.goals.check_in(
        CommandContext(MEL, "t"), goal, CheckIn(status=CheckInStatus.GREEN, note="Members check in")
    )
    flywheel.goals.check_in(
        CommandContext(RITA, "t"),
        goal,
        CheckIn(status=CheckInStatus.GREEN, note="So does the leader"),
    )
    flywheel.goals.revise_target(
        CommandContext(RITA, "t"), goal, ReviseTarget(target=Decimal(3), reason="Ahead of plan")
    )
    flywheel.goals.set_top_level(CommandContext(CEO, "t"), goal, FlagTopLevel(top_level=True))
    closed = flywheel.goals.close_goal(
        CommandContext(RITA, "t"), goal, CloseGoal(outcome=GoalOutcome.ACHIEVED, note="Done")
    )
    assert closed.version == 6
    loaded = flywheel.app.repository.get(goal)
    assert isinstance(loaded, Goal)
    assert (loaded.target, loaded.top_level, loaded.outcome) == (
        Decimal(3),
        True,
        GoalOutcome.ACHIEVED,
    )


def test_goal_rules_refuse_and_record_nothing(flywheel: Commands) -> None:
    org = company(flywheel)
    goal = set_goal(flywheel, org.retail, org.selection, target=20)
    refused_and_nothing_recorded(
        flywheel,
        PathToGreenRequired,
        lambda: flywheel.goals.check_in(
            CommandContext(CEO, "t"), goal, CheckIn(status=CheckInStatus.RED, note="Late")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        TargetUnchanged,
        lambda: flywheel.goals.revise_target(
            CommandContext(CEO, "t"), goal, ReviseTarget(target=Decimal(20), reason="r")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        TopLevelUnchanged,
        lambda: flywheel.goals.set_top_level(
            CommandContext(CEO, "t"), goal, FlagTopLevel(top_level=False)
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.goals.check_in(
            CommandContext(CEO, "t"), uuid4(), CheckIn(status=CheckInStatus.GREEN, note="n")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        VersionMismatch,
        lambda: flywheel.goals.revise_target(
            CommandContext(CEO, "t").at_version(3),
            goal,
            ReviseTarget(target=Decimal(25), reason="r"),
        ),
    )
    flywheel.goals.close_goal(
        CommandContext(CEO, "t"), goal, CloseGoal(outcome=GoalOutcome.MISSED, note="Too ambitious")
    )
    refused_and_nothing_recorded(
        flywheel,
        GoalClosed,
        lambda: flywheel.goals.check_in(
            CommandContext(CEO, "t"), goal, CheckIn(status=CheckInStatus.GREEN, note="late")
        ),
    )
