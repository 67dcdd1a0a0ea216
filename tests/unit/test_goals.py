"""The rules of goals, checked on the aggregate alone."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue, RuleViolation
from domain.goals import (
    CheckInStatus,
    Goal,
    GoalClosed,
    GoalOutcome,
    PathToGreenRequired,
    TargetUnchanged,
    TopLevelUnchanged,
)
from domain.metrics import Direction, Metric, MetricKind
from domain.org.team import Team, TeamDisbanded
from domain.people.values import PersonId


def team() -> Team:
    chartered = Team.charter(name="Retail", mission="Sell", leader=PersonId("lead@x.io"))
    chartered.collect_events()
    return chartered


def metric(owner: Team) -> Metric:
    defined = Metric.define(
        name="Delivery speed",
        kind=MetricKind.INPUT,
        financial=False,
        unit="hours",
        direction=Direction.DECREASE,
        definition="Median hours from order to doorstep",
        owner=owner,
    )
    defined.collect_events()
    return defined


def goal(owner: Team | None = None, measured_by: Metric | None = None) -> Goal:
    owner = owner or team()
    set_goal = Goal.set(
        team=owner,
        metric=measured_by or metric(owner),
        plan_year=2025,
        baseline=Decimal(48),
        target=Decimal(24),
        due_date=date(2025, 12, 31),
        description="Halve delivery time",
    )
    set_goal.collect_events()
    return set_goal


def names(aggregate: Goal) -> list[str]:
    return [type(event).__name__ for event in aggregate.collect_events()]


def test_a_goal_binds_the_metric_definition_version_in_force() -> None:
    owner = team()
    speed = metric(owner)
    speed.redefine("P90 hours from order to doorstep", "Medians hide the long tail")
    set_goal = Goal.set(
        team=owner,
        metric=speed,
        plan_year=2025,
        baseline=Decimal("48.5"),
        target=Decimal(24),
        due_date=date(2025, 12, 31),
        description="Halve delivery time",
    )
    [event] = set_goal.collect_events()
    assert isinstance(event, Goal.Set)
    assert (event.team_id, event.metric_id, event.metric_definition_version) == (
        owner.id,
        speed.id,
        2,
    )
    assert (event.baseline, event.target, event.plan_year) == (Decimal("48.5"), Decimal(24), 2025)
    assert event.actor == "ceo@example.com"


def test_a_goal_needs_an_active_team() -> None:
    owner = team()
    speed = metric(owner)
    owner.disband("Merged")
    with pytest.raises(TeamDisbanded):
        goal(owner, speed)


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("planYear", {"plan_year": 1999}),
        ("planYear", {"plan_year": 2101}),
        ("baseline", {"baseline": Decimal("NaN")}),
        ("target", {"target": Decimal("-1e19")}),
        ("description", {"description": " "}),
    ],
)
def test_bad_goal_values_are_refused(field: str, changes: dict[str, object]) -> None:
    owner = team()
    arguments: dict[str, object] = {
        "plan_year": 2025,
        "baseline": Decimal(1),
        "target": Decimal(2),
        "due_date": date(2025, 6, 30),
        "description": "d",
        **changes,
    }
    with pytest.raises(InvalidValue) as refused:
        Goal.set(team=owner, metric=metric(owner), **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_target_revisions_keep_the_previous_target_and_a_reason() -> None:
    set_goal = goal()
    set_goal.revise_target(Decimal(30), "Carrier strike")
    [event] = set_goal.collect_events()
    assert isinstance(event, Goal.TargetRevised)
    assert (event.previous_target, event.target, event.reason) == (
        Decimal(24),
        Decimal(30),
        "Carrier strike",
    )
    with pytest.raises(TargetUnchanged):
        set_goal.revise_target(Decimal("30.0"), "same")
    with pytest.raises(InvalidValue):
        set_goal.revise_target(Decimal(31), " ")


def test_yellow_and_red_need_a_path_to_green() -> None:
    set_goal = goal()
    set_goal.check_in(CheckInStatus.GREEN, "On track")
    for status in (CheckInStatus.YELLOW, CheckInStatus.RED):
        with pytest.raises(PathToGreenRequired):
            set_goal.check_in(status, "Slipping", "  ")
    set_goal.check_in(CheckInStatus.RED, "Strike", "Second carrier from March")
    green, red = set_goal.collect_events()
    assert isinstance(green, Goal.CheckedIn) and green.path_to_green is None
    assert isinstance(red, Goal.CheckedIn)
    assert (red.status, red.path_to_green) == (CheckInStatus.RED, "Second carrier from March")
    assert set_goal.status is CheckInStatus.RED


def test_a_check_in_needs_a_note() -> None:
    with pytest.raises(InvalidValue) as refused:
        goal().check_in(CheckInStatus.GREEN, "")
    assert refused.value.field == "note"


def test_top_level_flags_change_something_or_are_refused() -> None:
    set_goal = goal()
    with pytest.raises(TopLevelUnchanged):
        set_goal.unflag_top_level()
    set_goal.flag_top_level()
    with pytest.raises(TopLevelUnchanged):
        set_goal.flag_top_level()
    set_goal.unflag_top_level()
    assert names(set_goal) == ["TopLevelFlagged", "TopLevelUnflagged"]
    assert set_goal.top_level is False


@pytest.mark.parametrize(
    "command",
    [
        lambda g: g.revise_target(Decimal(1), "late"),
        lambda g: g.check_in(CheckInStatus.GREEN, "late"),
        lambda g: g.flag_top_level(),
        lambda g: g.close(GoalOutcome.DROPPED, "twice"),
    ],
)
def test_a_closed_goal_takes_no_more_commands(command: object) -> None:
    set_goal = goal()
    set_goal.close(GoalOutcome.ACHIEVED, "Shipped in 22 hours")
    [closed] = set_goal.collect_events()
    assert isinstance(closed, Goal.Closed) and closed.outcome is GoalOutcome.ACHIEVED
    with pytest.raises(GoalClosed):
        command(set_goal)  # type: ignore[operator]
    assert set_goal.collect_events() == []


def test_enums_accept_any_case() -> None:
    assert CheckInStatus("yellow") is CheckInStatus.YELLOW
    assert GoalOutcome("Missed") is GoalOutcome.MISSED


def test_goal_rules_are_in_the_catalogue() -> None:
    assert {
        "goal-closed",
        "path-to-green-required",
        "target-unchanged",
        "top-level-unchanged",
    } <= set(RuleViolation.catalogue())
