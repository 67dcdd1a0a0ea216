"""Roadmap items survive the event store's encoding and snapshots, in memory."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from uuid import uuid4

from domain.people.values import Function
from domain.roadmap import (
    ROADMAP_GRAPH_ID,
    ROADMAP_SETTINGS_ID,
    Health,
    Horizon,
    ItemStatus,
    RoadmapGraph,
    RoadmapItem,
    RoadmapSettings,
)
from services.application import SNAPSHOT_INTERVAL, Flywheel


def test_an_item_comes_back_as_itself_from_events_and_from_a_snapshot() -> None:
    app = Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    item = RoadmapItem.propose(
        team_id=uuid4(),
        title="Depots",
        outcome="Books the same day",
        horizon=Horizon.NOW,
        goal_ids=[uuid4()],
        headcount={Function.ENGINEERING: 3},
    )
    item.commit(date(2027, 1, 1))
    for day in range(1, SNAPSHOT_INTERVAL + 1):
        item.move_target_date(date(2027, 1, 1) + timedelta(days=day), "r")
    milestone, target, api = uuid4(), uuid4(), uuid4()
    item.add_milestone(milestone, "Beta", date(2026, 12, 1))
    item.complete_milestone(milestone)
    item.depend_on_item(target, lambda node: [])
    item.depend_on_api(api, retired=False)
    item.pause("Legal")
    item.check_in(Health.AT_RISK, "slow", "Hire")
    item.transfer(uuid4(), "Platform owns it")
    app.save(item)
    app.take_snapshot(item.id)
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(item.id)][-1] == item.version

    loaded = app.repository.get(item.id)
    assert isinstance(loaded, RoadmapItem)
    assert (loaded.status, loaded.paused_from, loaded.health) == (
        ItemStatus.PAUSED,
        ItemStatus.COMMITTED,
        Health.AT_RISK,
    )
    assert (loaded.team_id, loaded.target_date) == (item.team_id, item.target_date)
    assert loaded.milestones == item.milestones
    assert loaded.dependencies == {str(target): "ITEM", str(api): "API"}
    assert (loaded.goal_ids, loaded.headcount) == (item.goal_ids, item.headcount)
    loaded.resume()
    assert loaded.status is ItemStatus.COMMITTED


def test_the_graphs_guard_and_the_settings_come_back_from_a_snapshot() -> None:
    app = Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    graph, settings = RoadmapGraph.start(), RoadmapSettings.start()
    items = [
        RoadmapItem.propose(
            team_id=uuid4(),
            title=f"I{n}",
            outcome="o",
            horizon=Horizon.NOW,
            goal_ids=[],
            headcount={},
        )
        for n in range(SNAPSHOT_INTERVAL + 1)
    ]
    for before, after in itertools.pairwise(items):
        before.depend_on_item(after.id, lambda node: graph.dependencies_of(node, lambda _: []))
        graph.record(before)
    settings.require_prfaq_above(4, "Big bets")
    app.save(graph, settings, *items)
    app.take_snapshot(graph.id)
    app.take_snapshot(settings.id)
    loaded = app.repository.get(ROADMAP_GRAPH_ID)
    assert isinstance(loaded, RoadmapGraph) and loaded.edges == graph.edges
    assert len(loaded.edges) == SNAPSHOT_INTERVAL
    assert loaded.dependencies_of(items[0].id, lambda _: []) == [items[1].id]
    kept = app.repository.get(ROADMAP_SETTINGS_ID)
    assert isinstance(kept, RoadmapSettings) and kept.prfaq_required_above == 4
