"""The rules of a roadmap item, checked on the aggregate alone: each refusal with its
rule and payload."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.errors import InvalidValue, NotFound
from domain.people.values import Function
from domain.roadmap import (
    Health,
    Horizon,
    ItemStatus,
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

TEAM = uuid4()
GOAL = uuid4()


def proposed(**changes: object) -> RoadmapItem:
    fields: dict[str, object] = {
        "team_id": TEAM,
        "title": "Same-day delivery",
        "outcome": "Readers get books the day they order them",
        "horizon": Horizon.NOW,
        "goal_ids": [GOAL, GOAL],
        "headcount": {Function.ENGINEERING: 3, Function.DESIGN: 0},
        **changes,
    }
    item = RoadmapItem.propose(**fields)  # type: ignore[arg-type]
    item.collect_events()
    return item


def committed(target: date = date(2027, 3, 1)) -> RoadmapItem:
    item = proposed()
    item.commit(target)
    return item


def test_a_proposed_item_keeps_its_team_outcome_goals_once_and_headcount_without_zeros() -> None:
    item = proposed()
    assert (item.team_id, item.status, item.horizon) == (TEAM, ItemStatus.PROPOSED, Horizon.NOW)
    assert item.goal_ids == [GOAL]
    assert item.headcount == {"ENGINEERING": 3}
    assert item.target_date is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"outcome": ""}, "outcome"),
        ({"headcount": {Function.ENGINEERING: -1}}, "headcount.ENGINEERING"),
        ({"goal_ids": [uuid4() for _ in range(51)]}, "goalIds"),
    ],
)
def test_bad_values_are_refused_naming_their_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        proposed(**changes)
    assert refused.value.field == field


def test_the_lifecycle_runs_proposed_committed_in_progress_delivered() -> None:
    item = committed()
    assert (item.status, item.target_date) == (ItemStatus.COMMITTED, date(2027, 3, 1))
    item.start()
    item.deliver("Shipped")
    assert item.status is ItemStatus.DELIVERED
    assert [type(e).__name__ for e in item.collect_events()] == [
        "Committed",
        "Started",
        "Delivered",
    ]


@pytest.mark.parametrize("paused_at", ["committed", "started"])
def test_pausing_and_resuming_returns_to_where_it_was(paused_at: str) -> None:
    item = committed()
    if paused_at == "started":
        item.start()
    before = item.status
    item.pause("Waiting for legal")
    assert item.status is ItemStatus.PAUSED
    item.resume()
    assert item.status is before


def test_nothing_skips_a_step() -> None:
    item = proposed()
    with pytest.raises(RoadmapTransitionRefused) as refused:
        item.start()
    assert refused.value.rule == "roadmap-transition-refused"
    assert refused.value.context == {
        "item_id": str(item.id),
        "status": "PROPOSED",
        "allowed": ["COMMITTED"],
    }
    with pytest.raises(RoadmapTransitionRefused):
        item.deliver(None)
    with pytest.raises(RoadmapTransitionRefused):
        item.resume()
    with pytest.raises(RoadmapTransitionRefused):
        item.pause("why")
    item.commit(date(2027, 1, 1))
    with pytest.raises(RoadmapTransitionRefused):
        item.commit(date(2027, 2, 1))
    assert item.collect_events()[-1].__class__.__name__ == "Committed"


def test_dropping_needs_a_reason_from_any_open_state_and_closes_the_item() -> None:
    item = committed()
    with pytest.raises(InvalidValue) as refused:
        item.drop(" ")
    assert refused.value.field == "reason"
    item.drop("The market moved")
    assert item.status is ItemStatus.DROPPED
    with pytest.raises(RoadmapItemClosed) as closed:
        item.drop("again")
    assert closed.value.rule == "roadmap-item-closed"
    assert closed.value.context == {"item_id": str(item.id), "status": "DROPPED"}
    with pytest.raises(RoadmapItemClosed):
        item.check_in(Health.ON_TRACK, None, None)


def test_a_target_date_change_is_a_slip_or_a_pull_in_with_its_days() -> None:
    item = committed(date(2027, 3, 1))
    assert item.move_target_date(date(2027, 3, 15), "Vendor late") == 14
    assert item.move_target_date(date(2027, 3, 10), "Vendor early") == -5
    moves = [e for e in item.collect_events() if isinstance(e, RoadmapItem.TargetDateMoved)]
    assert [(m.previous, m.target_date, m.days, m.reason) for m in moves] == [
        (date(2027, 3, 1), date(2027, 3, 15), 14, "Vendor late"),
        (date(2027, 3, 15), date(2027, 3, 10), -5, "Vendor early"),
    ]
    with pytest.raises(InvalidValue) as same:
        item.move_target_date(date(2027, 3, 10), "no change")
    assert same.value.field == "targetDate"


def test_an_uncommitted_item_has_no_target_date_to_move() -> None:
    item = proposed()
    with pytest.raises(RoadmapNotCommitted) as refused:
        item.move_target_date(date(2027, 1, 1), "why")
    assert refused.value.rule == "roadmap-not-committed"
    assert refused.value.context == {"item_id": str(item.id), "status": "PROPOSED"}


def test_milestones_are_added_and_done_once() -> None:
    item = committed()
    mid = uuid4()
    item.add_milestone(mid, "Beta", date(2027, 2, 1))
    item.complete_milestone(mid)
    assert item.milestones[str(mid)] == {"name": "Beta", "date": "2027-02-01", "done": True}
    with pytest.raises(RoadmapMilestoneDone) as refused:
        item.complete_milestone(mid)
    assert refused.value.context == {"item_id": str(item.id), "milestone_id": str(mid)}
    with pytest.raises(NotFound):
        item.complete_milestone(uuid4())


def test_at_risk_and_off_track_need_a_path_back() -> None:
    item = committed()
    for health in (Health.AT_RISK, Health.OFF_TRACK):
        with pytest.raises(RoadmapPathBackRequired) as refused:
            item.check_in(health, "slow", " ")
        assert refused.value.rule == "roadmap-path-back-required"
        assert refused.value.context == {"item_id": str(item.id), "health": health.value}


def test_on_track_straight_to_off_track_is_a_blindside() -> None:
    item = committed()
    assert item.check_in(Health.ON_TRACK, "fine", None) is False
    assert item.check_in(Health.OFF_TRACK, "surprise", "Cut scope") is True
    assert item.check_in(Health.AT_RISK, "better", "Hire") is False
    assert item.check_in(Health.OFF_TRACK, "worse", "Cut scope") is False


def test_a_transfer_moves_the_item_to_another_team_with_a_reason() -> None:
    item = proposed()
    other = uuid4()
    with pytest.raises(RoadmapTransferToSameTeam) as same:
        item.transfer(TEAM, "why")
    assert same.value.context == {"item_id": str(item.id), "team_id": str(TEAM)}
    with pytest.raises(InvalidValue):
        item.transfer(other, "")
    item.transfer(other, "Platform owns it")
    assert item.team_id == other


def test_a_dependency_that_closes_a_cycle_is_refused_naming_the_cycle() -> None:
    a, b, c = proposed(), proposed(), proposed()
    edges: dict[UUID, list[UUID]] = {b.id: [c.id], c.id: [a.id]}
    with pytest.raises(RoadmapDependencyCycle) as refused:
        a.depend_on_item(b.id, lambda node: edges.get(node, []))
    assert refused.value.rule == "roadmap-dependency-cycle"
    assert refused.value.context == {
        "item_id": str(a.id),
        "cycle": [str(a.id), str(b.id), str(c.id), str(a.id)],
    }
    with pytest.raises(RoadmapDependencyCycle):
        a.depend_on_item(a.id, lambda node: [])
    assert a.dependencies == {}


def test_dependency_cycle_finds_none_in_a_diamond() -> None:
    a, b, c, d = (uuid4() for _ in range(4))
    edges = {b: [c, d], c: [d]}
    assert dependency_cycle(lambda node: edges.get(node, []), a, b) is None


def test_dependencies_are_named_once_and_never_on_a_retired_api() -> None:
    item = proposed()
    target, api, retired = uuid4(), uuid4(), uuid4()
    item.depend_on_item(target, lambda node: [])
    item.depend_on_api(api, retired=False)
    assert item.dependencies == {str(target): "ITEM", str(api): "API"}
    assert item.item_dependencies() == [target]
    with pytest.raises(RoadmapDependencyExists) as twice:
        item.depend_on_item(target, lambda node: [])
    assert twice.value.context == {"item_id": str(item.id), "target_id": str(target)}
    with pytest.raises(RoadmapDependencyOnRetiredApi) as refused:
        item.depend_on_api(retired, retired=True)
    assert refused.value.rule == "roadmap-dependency-on-retired-api"
    assert refused.value.context == {"item_id": str(item.id), "api_id": str(retired)}
    item.remove_dependency(target, "Not needed")
    assert item.item_dependencies() == []
    with pytest.raises(NotFound):
        item.remove_dependency(target, None)


def test_a_headcount_change_keeps_the_previous_figure_and_refuses_no_change() -> None:
    item = proposed()
    item.change_headcount({Function.ENGINEERING: 5, Function.DESIGN: 1}, "Scope grew")
    (event,) = item.collect_events()
    assert isinstance(event, RoadmapItem.HeadcountChanged)
    assert (event.previous, event.headcount, event.reason) == (
        {"ENGINEERING": 3},
        {"ENGINEERING": 5, "DESIGN": 1},
        "Scope grew",
    )
    assert item.total_headcount() == 6
    with pytest.raises(InvalidValue):
        item.change_headcount({Function.ENGINEERING: 5, Function.DESIGN: 1}, "Again")
    with pytest.raises(InvalidValue):
        item.change_headcount({Function.ENGINEERING: 1}, " ")
    item.drop("Not now")
    with pytest.raises(RoadmapItemClosed):
        item.change_headcount({Function.ENGINEERING: 1}, "Smaller")


def test_the_prfaq_threshold_refuses_only_items_above_it_without_a_prfaq() -> None:
    settings = RoadmapSettings.start()
    assert settings.prfaq_required_above is None
    settings.admit(proposed(headcount={Function.ENGINEERING: 1000}))  # off by default
    settings.require_prfaq_above(3, "Big bets are worked backwards")
    settings.admit(proposed())  # 3 people: not above 3
    big = proposed(headcount={Function.ENGINEERING: 3, Function.DESIGN: 1})
    with pytest.raises(RoadmapItemNeedsPrFaq) as refused:
        settings.admit(big)
    assert refused.value.rule == "roadmap-item-needs-prfaq"
    assert refused.value.context == {
        "item_id": str(big.id),
        "headcount": 4,
        "prfaq_required_above": 3,
    }
    settings.admit(proposed(headcount={Function.ENGINEERING: 4}, prfaq_id=uuid4()))
    settings.require_prfaq_above(None, None)
    settings.admit(big)
    changes = [
        e for e in settings.collect_events() if isinstance(e, RoadmapSettings.PrFaqThresholdSet)
    ]
    assert [(c.previous, c.prfaq_required_above) for c in changes] == [(None, 3), (3, None)]
    with pytest.raises(InvalidValue):
        settings.require_prfaq_above(-1, None)
