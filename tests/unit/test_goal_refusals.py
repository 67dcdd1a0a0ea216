"""Every refusal of a goal, compared whole (rule, text, payload), at its edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.goals import (
    MAX_DESCRIPTION_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_REASON_LENGTH,
    CheckInStatus,
    Goal,
    GoalClosed,
    GoalOutcome,
    PathToGreenRequired,
    TargetUnchanged,
    TopLevelUnchanged,
)
from domain.org.team import TeamDisbanded
from tests.unit.refusals import blank, invalid, refusal, too_long
from tests.unit.test_goals import goal, metric, team


def recorded(aggregate: Goal) -> list[object]:
    return list(aggregate.collect_events())


def set_for(plan_year: int = 2025, description: str = "Halve delivery time") -> Goal:
    owner = team()
    return Goal.set(
        team=owner,
        metric=metric(owner),
        plan_year=plan_year,
        baseline=Decimal(48),
        target=Decimal(24),
        due_date=date(2025, 12, 31),
        description=description,
    )


@pytest.mark.parametrize("plan_year", [2000, 2100])
def test_plan_years_from_2000_to_2100_are_accepted(plan_year: int) -> None:
    assert set_for(plan_year).plan_year == plan_year


@pytest.mark.parametrize("plan_year", [1999, 2101])
def test_plan_years_beyond_the_bounds_are_refused(plan_year: int) -> None:
    assert refusal(lambda: set_for(plan_year)) == invalid(
        "planYear", "`planYear` must be between 2000 and 2100"
    )


def test_a_goal_keeps_what_it_was_set_with() -> None:
    owner = team()
    measured_by = metric(owner)
    chosen = Goal.set(
        team=owner,
        metric=measured_by,
        plan_year=2025,
        baseline=Decimal("48.5"),
        target=Decimal(24),
        due_date=date(2025, 12, 31),
        description=" " + "d" * MAX_DESCRIPTION_LENGTH + " ",
    )
    assert (chosen.team_id, chosen.metric_id, chosen.metric_definition_version) == (
        owner.id,
        measured_by.id,
        1,
    )
    assert (chosen.baseline, chosen.target, chosen.description) == (
        Decimal("48.5"),
        Decimal(24),
        "d" * MAX_DESCRIPTION_LENGTH,
    )
    assert (chosen.status, chosen.top_level, chosen.outcome) == (None, False, None)
    assert refusal(lambda: set_for(description="d" * (MAX_DESCRIPTION_LENGTH + 1))) == too_long(
        "description", MAX_DESCRIPTION_LENGTH
    )
    assert set_for(description=" Halve it;\nthen halve it again ").description == (
        "Halve it;\nthen halve it again"
    )


def test_a_disbanded_team_sets_no_goal() -> None:
    owner = team()
    measured_by = metric(owner)
    owner.disband("Merged")
    assert refusal(
        lambda: Goal.set(
            team=owner,
            metric=measured_by,
            plan_year=2025,
            baseline=Decimal(1),
            target=Decimal(2),
            due_date=date(2025, 12, 31),
            description="d",
        )
    ) == (
        TeamDisbanded,
        "Team 'Retail' is disbanded and cannot own a goal",
        {"team_id": str(owner.id)},
    )


def test_the_target_revision_refusals() -> None:
    chosen = goal()
    assert refusal(lambda: chosen.revise_target(Decimal("24.0"), "Same"), chosen) == (
        TargetUnchanged,
        "The goal's target is already 24",
        {"goal_id": str(chosen.id)},
    )
    assert refusal(lambda: chosen.revise_target(Decimal("NaN"), "Why")) == invalid(
        "target", "`target` must be a finite number"
    )
    assert refusal(lambda: chosen.revise_target(Decimal(20), " "), chosen) == blank("reason")
    long_reason = "r" * (MAX_REASON_LENGTH + 1)
    assert refusal(lambda: chosen.revise_target(Decimal(20), long_reason)) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    chosen.collect_events()
    chosen.revise_target(Decimal(20), " Demand fell;\nsee the WBR ")
    [revised] = recorded(chosen)
    assert isinstance(revised, Goal.TargetRevised)
    assert (revised.target, revised.previous_target, revised.reason) == (
        Decimal(20),
        Decimal(24),
        "Demand fell;\nsee the WBR",
    )


def test_the_check_in_refusals_at_their_edges() -> None:
    chosen = goal()
    longest = "n" * MAX_NOTE_LENGTH
    assert refusal(lambda: chosen.check_in(CheckInStatus.GREEN, " "), chosen) == blank("note")
    assert refusal(lambda: chosen.check_in(CheckInStatus.GREEN, longest + "n")) == too_long(
        "note", MAX_NOTE_LENGTH
    )
    assert refusal(lambda: chosen.check_in(CheckInStatus.RED, "Late", longest + "p")) == invalid(
        "pathToGreen", f"`pathToGreen` is longer than {MAX_NOTE_LENGTH} characters"
    )
    assert refusal(lambda: chosen.check_in(CheckInStatus.RED, "Late", "  "), chosen) == (
        PathToGreenRequired,
        "A RED check-in needs a path to green: say how the goal gets back on track",
        {"goal_id": str(chosen.id)},
    )
    chosen.check_in(CheckInStatus.YELLOW, f" {longest} ", f" {longest} ")
    [checked_in] = recorded(chosen)
    assert isinstance(checked_in, Goal.CheckedIn)
    assert (checked_in.status, checked_in.note, checked_in.path_to_green) == (
        CheckInStatus.YELLOW,
        longest,
        longest,
    )
    assert chosen.status is CheckInStatus.YELLOW
    chosen.check_in(CheckInStatus.RED, " Late:\nthe vendor slipped ", " A second vendor;\nby May ")
    [checked_in] = recorded(chosen)
    assert (checked_in.note, checked_in.path_to_green) == (
        "Late:\nthe vendor slipped",
        "A second vendor;\nby May",
    )


def test_the_top_level_refusals() -> None:
    chosen = goal()
    assert refusal(chosen.unflag_top_level, chosen) == (
        TopLevelUnchanged,
        "The goal is not top-level",
        {"goal_id": str(chosen.id)},
    )
    chosen.flag_top_level()
    chosen.collect_events()
    assert refusal(chosen.flag_top_level, chosen) == (
        TopLevelUnchanged,
        "The goal is already top-level",
        {"goal_id": str(chosen.id)},
    )


def test_closing_needs_a_note_and_ends_the_goal() -> None:
    chosen = goal()
    assert refusal(lambda: chosen.close(GoalOutcome.MISSED, " \t"), chosen) == blank("note")
    too_much = "n" * (MAX_NOTE_LENGTH + 1)
    assert refusal(lambda: chosen.close(GoalOutcome.MISSED, too_much)) == too_long(
        "note", MAX_NOTE_LENGTH
    )
    chosen.close(GoalOutcome.MISSED, " Fell short ")
    [closed] = recorded(chosen)
    assert isinstance(closed, Goal.Closed)
    assert (closed.outcome, closed.note) == (GoalOutcome.MISSED, "Fell short")
    assert refusal(lambda: chosen.check_in(CheckInStatus.GREEN, "Fine"), chosen) == (
        GoalClosed,
        "The goal was closed as MISSED; it takes no more commands",
        {"goal_id": str(chosen.id)},
    )
