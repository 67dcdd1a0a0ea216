"""The edges of a roadmap item's rules: each limit at its longest accepted value and
one more, each refusal compared whole, and what each event records."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.allocation.resources import Resources
from domain.errors import NotFound
from domain.people.values import Function
from domain.roadmap import (
    MAX_BASELINE_NAME_LENGTH,
    MAX_DEPENDENCIES,
    MAX_GOALS,
    MAX_MILESTONE_NAME_LENGTH,
    MAX_MILESTONES,
    MAX_NOTE_LENGTH,
    MAX_OUTCOME_LENGTH,
    MAX_PRFAQ_THRESHOLD,
    MAX_REASON_LENGTH,
    Health,
    ItemStatus,
    RoadmapBaseline,
    RoadmapDependencyCycle,
    RoadmapDependencyExists,
    RoadmapDependencyOnRetiredApi,
    RoadmapItem,
    RoadmapItemClosed,
    RoadmapItemNeedsPrFaq,
    RoadmapMilestoneDone,
    RoadmapNotCommitted,
    RoadmapPathBackRequired,
    RoadmapSettings,
    RoadmapTransferToSameTeam,
    RoadmapTransitionRefused,
    dependency_cycle,
)
from tests.unit.refusals import blank, invalid, refusal, too_long
from tests.unit.test_roadmap import TEAM, committed, proposed

LINES = "First line\nSecond line"


def started() -> RoadmapItem:
    item = committed()
    item.start()
    item.collect_events()
    return item


def test_a_proposed_item_keeps_its_title_and_outcome_and_has_no_health_or_pause_yet() -> None:
    item = proposed(title="Same-day delivery", outcome=LINES)
    assert (item.title, item.outcome) == ("Same-day delivery", LINES)
    assert (item.paused_from, item.health) == (None, None)


def test_an_item_names_at_most_fifty_goals() -> None:
    assert len(proposed(goal_ids=[uuid4() for _ in range(MAX_GOALS)]).goal_ids) == MAX_GOALS
    assert refusal(lambda: proposed(goal_ids=[uuid4() for _ in range(MAX_GOALS + 1)])) == invalid(
        "goalIds", "`goalIds` names at most 50 goals"
    )


def test_the_outcome_may_run_over_several_lines_up_to_its_limit() -> None:
    assert proposed(outcome="x" * MAX_OUTCOME_LENGTH).outcome == "x" * MAX_OUTCOME_LENGTH
    assert refusal(lambda: proposed(outcome="x" * (MAX_OUTCOME_LENGTH + 1))) == too_long(
        "outcome", MAX_OUTCOME_LENGTH
    )


def test_every_transition_refused_names_the_statuses_it_needs() -> None:
    item = proposed()
    assert refusal(item.start, item) == (
        RoadmapTransitionRefused,
        "An item that is PROPOSED cannot be started; it must be COMMITTED",
        {"item_id": str(item.id), "status": "PROPOSED", "allowed": ["COMMITTED"]},
    )
    assert refusal(lambda: item.pause("why"), item) == (
        RoadmapTransitionRefused,
        "An item that is PROPOSED cannot be paused; it must be COMMITTED or IN_PROGRESS",
        {"item_id": str(item.id), "status": "PROPOSED", "allowed": ["COMMITTED", "IN_PROGRESS"]},
    )
    assert refusal(item.resume, item) == (
        RoadmapTransitionRefused,
        "An item that is PROPOSED cannot be resumed; it must be PAUSED",
        {"item_id": str(item.id), "status": "PROPOSED", "allowed": ["PAUSED"]},
    )
    assert refusal(lambda: item.deliver(None), item) == (
        RoadmapTransitionRefused,
        "An item that is PROPOSED cannot be delivered; it must be IN_PROGRESS",
        {"item_id": str(item.id), "status": "PROPOSED", "allowed": ["IN_PROGRESS"]},
    )
    item = committed()
    assert refusal(lambda: item.commit(date(2027, 4, 1)), item) == (
        RoadmapTransitionRefused,
        "An item that is COMMITTED cannot be committed; it must be PROPOSED",
        {"item_id": str(item.id), "status": "COMMITTED", "allowed": ["PROPOSED"]},
    )


def test_a_closed_item_is_kept_as_it_ended() -> None:
    item = started()
    item.deliver(None)
    assert refusal(lambda: item.drop("Late"), item) == (
        RoadmapItemClosed,
        "The item is DELIVERED; it is kept as it ended",
        {"item_id": str(item.id), "status": "DELIVERED"},
    )


def test_a_pause_records_its_reason_which_may_run_over_several_lines() -> None:
    item = started()
    item.pause(LINES)
    (paused,) = item.collect_events()
    assert isinstance(paused, RoadmapItem.Paused)
    assert paused.reason == LINES
    assert item.paused_from is ItemStatus.IN_PROGRESS
    item.resume()
    assert (item.status, item.paused_from) == (ItemStatus.IN_PROGRESS, None)


def test_a_reason_is_at_most_its_limit_long() -> None:
    item = started()
    item.pause("x" * MAX_REASON_LENGTH)
    assert refusal(lambda: item.drop("x" * (MAX_REASON_LENGTH + 1)), item) == too_long(
        "reason", MAX_REASON_LENGTH
    )


def test_a_delivery_records_its_note_which_may_run_over_several_lines() -> None:
    item = started()
    item.deliver(LINES)
    (delivered,) = item.collect_events()
    assert isinstance(delivered, RoadmapItem.Delivered)
    assert delivered.note == LINES


def test_a_delivery_note_is_at_most_its_limit_long() -> None:
    item = started()
    assert refusal(lambda: item.deliver("x" * (MAX_NOTE_LENGTH + 1)), item) == too_long(
        "note", MAX_NOTE_LENGTH
    )
    item.deliver("x" * MAX_NOTE_LENGTH)
    assert item.status is ItemStatus.DELIVERED


def test_a_drop_records_its_reason_and_the_status_it_ended_from() -> None:
    item = started()
    item.drop("The market moved")
    (dropped,) = item.collect_events()
    assert isinstance(dropped, RoadmapItem.Dropped)
    assert (dropped.reason, dropped.status) == ("The market moved", ItemStatus.IN_PROGRESS)


def test_moving_a_target_date_refusals_are_whole() -> None:
    item = proposed()
    assert refusal(lambda: item.move_target_date(date(2027, 1, 1), "why"), item) == (
        RoadmapNotCommitted,
        "The item has no target date to move: commit it with one first",
        {"item_id": str(item.id), "status": "PROPOSED"},
    )
    item = committed(date(2027, 3, 1))
    assert refusal(lambda: item.move_target_date(date(2027, 3, 1), "why"), item) == invalid(
        "targetDate", "`targetDate` is the item's target date already"
    )


def test_a_milestone_name_is_required_and_at_most_its_limit_long() -> None:
    item = committed()
    assert refusal(lambda: item.add_milestone(uuid4(), " ", date(2027, 2, 1)), item) == blank(
        "name"
    )
    long_name = "x" * (MAX_MILESTONE_NAME_LENGTH + 1)
    assert refusal(lambda: item.add_milestone(uuid4(), long_name, date(2027, 2, 1)), item) == (
        too_long("name", MAX_MILESTONE_NAME_LENGTH)
    )
    item.add_milestone(uuid4(), "x" * MAX_MILESTONE_NAME_LENGTH, date(2027, 2, 1))
    assert len(item.milestones) == 1


def test_an_item_has_at_most_a_hundred_milestones() -> None:
    item = committed()
    for _ in range(MAX_MILESTONES):
        item.add_milestone(uuid4(), "Step", date(2027, 2, 1))
    assert len(item.milestones) == MAX_MILESTONES
    assert refusal(lambda: item.add_milestone(uuid4(), "One more", date(2027, 2, 1)), item) == (
        invalid("name", "An item has at most 100 milestones")
    )


def test_a_milestone_done_twice_or_unknown_is_refused_whole() -> None:
    item = committed()
    mid, unknown = uuid4(), uuid4()
    item.add_milestone(mid, "Beta", date(2027, 2, 1))
    item.complete_milestone(mid)
    assert refusal(lambda: item.complete_milestone(mid), item) == (
        RoadmapMilestoneDone,
        "Milestone 'Beta' is done already",
        {"item_id": str(item.id), "milestone_id": str(mid)},
    )
    assert refusal(lambda: item.complete_milestone(unknown), item) == (
        NotFound,
        f"No milestone with id {item.id}/{unknown}",
        {"kind": "milestone", "key": f"{item.id}/{unknown}"},
    )


def test_a_check_in_records_its_health_note_path_back_and_blindside() -> None:
    item = committed()
    item.check_in(Health.ON_TRACK, None, None)
    assert item.check_in(Health.OFF_TRACK, LINES, "Cut scope\nHire") is True
    checked_in = item.collect_events()[-1]
    assert isinstance(checked_in, RoadmapItem.CheckedIn)
    assert (checked_in.health, checked_in.note, checked_in.path_back, checked_in.blindside) == (
        Health.OFF_TRACK,
        LINES,
        "Cut scope\nHire",
        True,
    )
    assert item.health is Health.OFF_TRACK


def test_a_check_in_without_a_path_back_is_refused_whole() -> None:
    item = committed()
    assert refusal(lambda: item.check_in(Health.AT_RISK, None, None), item) == (
        RoadmapPathBackRequired,
        "An item AT_RISK needs a `pathBack`: how it gets back on track",
        {"item_id": str(item.id), "health": "AT_RISK"},
    )


def test_a_check_in_note_and_path_back_are_at_most_their_limit_long() -> None:
    item = committed()
    longest, too_much = "x" * MAX_NOTE_LENGTH, "x" * (MAX_NOTE_LENGTH + 1)
    assert refusal(lambda: item.check_in(Health.AT_RISK, too_much, "Hire"), item) == too_long(
        "note", MAX_NOTE_LENGTH
    )
    assert refusal(lambda: item.check_in(Health.AT_RISK, None, too_much), item) == too_long(
        "pathBack", MAX_NOTE_LENGTH
    )
    item.check_in(Health.AT_RISK, longest, longest)
    assert item.health is Health.AT_RISK


def test_a_transfer_records_both_teams_and_its_reason() -> None:
    item = proposed()
    other = uuid4()
    assert refusal(lambda: item.transfer(TEAM, "why"), item) == (
        RoadmapTransferToSameTeam,
        "The item already belongs to this team",
        {"item_id": str(item.id), "team_id": str(TEAM)},
    )
    item.transfer(other, "Platform owns it")
    (transferred,) = item.collect_events()
    assert isinstance(transferred, RoadmapItem.Transferred)
    assert (transferred.from_team_id, transferred.to_team_id, transferred.reason) == (
        TEAM,
        other,
        "Platform owns it",
    )


def test_a_cycle_is_named_in_the_refusal() -> None:
    a, b = proposed(), proposed()
    edges: dict[UUID, list[UUID]] = {b.id: [a.id]}
    assert refusal(lambda: a.depend_on_item(b.id, lambda n: edges.get(n, [])), a) == (
        RoadmapDependencyCycle,
        f"The dependency would close a cycle: {a.id} -> {b.id} -> {a.id}",
        {"item_id": str(a.id), "cycle": [str(a.id), str(b.id), str(a.id)]},
    )


def test_the_cycle_search_reads_each_item_once() -> None:
    a, b, c, d = (uuid4() for _ in range(4))
    edges = {b: [c, d], c: [d], d: []}
    read: list[UUID] = []

    def dependencies_of(node: UUID) -> list[UUID]:
        read.append(node)
        return edges.get(node, [])

    assert dependency_cycle(dependencies_of, a, b) is None
    assert sorted(read) == sorted([b, c, d])


def test_an_api_is_depended_on_once_and_never_when_retired() -> None:
    item = proposed()
    api, retired = uuid4(), uuid4()
    item.depend_on_api(api, retired=False)
    assert refusal(lambda: item.depend_on_api(api, retired=False), item) == (
        RoadmapDependencyExists,
        "The item already depends on it",
        {"item_id": str(item.id), "target_id": str(api)},
    )
    assert refusal(lambda: item.depend_on_api(retired, retired=True), item) == (
        RoadmapDependencyOnRetiredApi,
        "The API is retired: depend on a published API",
        {"item_id": str(item.id), "api_id": str(retired)},
    )


def test_an_item_has_at_most_a_hundred_dependencies() -> None:
    item = proposed()
    for _ in range(MAX_DEPENDENCIES):
        item.depend_on_api(uuid4(), retired=False)
    assert len(item.dependencies) == MAX_DEPENDENCIES
    assert refusal(lambda: item.depend_on_item(uuid4(), lambda n: []), item) == invalid(
        "itemId", "An item has at most 100 dependencies"
    )


def test_a_removed_dependency_records_its_reason() -> None:
    item = proposed()
    target, unknown = uuid4(), uuid4()
    item.depend_on_item(target, lambda n: [])
    item.collect_events()
    assert refusal(lambda: item.remove_dependency(target, "x" * (MAX_NOTE_LENGTH + 1)), item) == (
        too_long("reason", MAX_NOTE_LENGTH)
    )
    item.remove_dependency(target, LINES)
    (removed,) = item.collect_events()
    assert isinstance(removed, RoadmapItem.DependencyRemoved)
    assert (removed.target_id, removed.reason) == (target, LINES)
    assert refusal(lambda: item.remove_dependency(unknown, None), item) == (
        NotFound,
        f"No dependency with id {item.id}/{unknown}",
        {"kind": "dependency", "key": f"{item.id}/{unknown}"},
    )


def test_an_item_needs_its_headcount_and_no_budget() -> None:
    item = proposed(headcount={Function.ENGINEERING: 3, Function.DESIGN: 1})
    assert item.headcount_needed() == Resources.of({Function.ENGINEERING: 3, Function.DESIGN: 1}, 0)


def test_a_headcount_change_to_the_same_figure_is_refused_whole() -> None:
    item = proposed()
    assert refusal(lambda: item.change_headcount({Function.ENGINEERING: 3}, "why"), item) == (
        invalid("headcount", "`headcount` is the item's headcount already")
    )


def test_a_baseline_name_is_required_and_at_most_its_limit_long() -> None:
    assert refusal(lambda: RoadmapBaseline.record(" ")) == blank("name")
    assert refusal(lambda: RoadmapBaseline.record("x" * (MAX_BASELINE_NAME_LENGTH + 1))) == (
        too_long("name", MAX_BASELINE_NAME_LENGTH)
    )
    assert RoadmapBaseline.record("x" * MAX_BASELINE_NAME_LENGTH).name == "x" * 100


@pytest.mark.parametrize("threshold", [0, 1, MAX_PRFAQ_THRESHOLD])
def test_the_prfaq_threshold_is_any_headcount_from_zero_to_its_limit(threshold: int) -> None:
    settings = RoadmapSettings.start()
    settings.require_prfaq_above(threshold, LINES)
    assert settings.prfaq_required_above == threshold
    threshold_set = settings.collect_events()[-1]
    assert isinstance(threshold_set, RoadmapSettings.PrFaqThresholdSet)
    assert threshold_set.reason == LINES


@pytest.mark.parametrize("threshold", [-1, MAX_PRFAQ_THRESHOLD + 1])
def test_a_prfaq_threshold_out_of_range_is_refused(threshold: int) -> None:
    settings = RoadmapSettings.start()
    assert refusal(lambda: settings.require_prfaq_above(threshold, None), settings) == invalid(
        "prfaqRequiredAbove", "`prfaqRequiredAbove` is a headcount from 0 to 1000000, or null"
    )


def test_the_prfaq_threshold_reason_is_at_most_its_limit_long() -> None:
    settings = RoadmapSettings.start()
    too_much = "x" * (MAX_NOTE_LENGTH + 1)
    assert refusal(lambda: settings.require_prfaq_above(3, too_much), settings) == too_long(
        "reason", MAX_NOTE_LENGTH
    )


def test_an_item_above_the_threshold_is_refused_whole() -> None:
    settings = RoadmapSettings.start()
    settings.require_prfaq_above(0, None)
    item = proposed()
    assert refusal(lambda: settings.admit(item), item) == (
        RoadmapItemNeedsPrFaq,
        "The item needs 3 people, more than 0: leadership requires such items to come "
        "from an approved PR/FAQ (`prfaqId`)",
        {"item_id": str(item.id), "headcount": 3, "prfaq_required_above": 0},
    )
