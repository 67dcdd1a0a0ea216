"""Dependency additions racing on a real PostgreSQL event store.

Two additions that each pass their own cycle check can close a cycle together: A
needs B and B needs A, added at once, write two different items. The roadmap graph's
guard (one stream every dependency change writes) serialises them: the loser is run
again, reads the graph with the winner's edge and meets the cycle (409
``roadmap-dependency-cycle``).

To make the race certain rather than likely, both commands are held, after their
checks and before their saves, until both have checked against the old graph.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from domain.people.values import Function
from domain.roadmap import (
    ROADMAP_GRAPH_ID,
    Horizon,
    RoadmapDependencyCycle,
    RoadmapGraph,
    RoadmapItem,
)
from services.api.commands import CommandContext
from services.api.problems import on_rule_violation
from services.roadmap.rest import AddDependency, ProposeItem
from services.runtime import Runtime
from tests.commands import charter
from tests.integration.test_team_commands import race
from tests.people import CEO

HOLD_SECONDS = 10.0


def propose(runtime: Runtime, team: UUID, title: str) -> UUID:
    return runtime.roadmap.propose(
        CommandContext(CEO, "race"),
        ProposeItem(
            team_id=team,
            title=title,
            outcome="o",
            horizon=Horizon.NOW,
            goal_ids=[],
            headcount={Function.ENGINEERING: 1},
        ),
    ).id


def item(runtime: Runtime, item_id: UUID) -> RoadmapItem:
    loaded = runtime.app.repository.get(item_id)
    assert isinstance(loaded, RoadmapItem)
    return loaded


def has_cycle(edges: dict[UUID, list[UUID]]) -> bool:
    """Whether the recorded item graph has a cycle (depth-first, three colours)."""
    state: dict[UUID, int] = {}

    def visit(node: UUID) -> bool:
        state[node] = 1
        for target in edges.get(node, []):
            if state.get(target) == 1 or (target not in state and visit(target)):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in edges)


def status_of(error: RoadmapDependencyCycle) -> int:
    """The HTTP status the API answers the refusal with."""
    return on_rule_violation(None, error).status_code  # type: ignore[arg-type]


@pytest.fixture
def held_checks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Once armed, hold the first check of each of two racers until both have checked;
    a retried command passes straight through."""
    barrier = threading.Barrier(2, timeout=HOLD_SECONDS)
    held: set[int] = set()
    armed = threading.Event()
    original = RoadmapItem.depend_on_item

    def depend_on_item(self: RoadmapItem, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        thread = threading.get_ident()
        if armed.is_set() and thread not in held:
            held.add(thread)
            barrier.wait()

    monkeypatch.setattr(RoadmapItem, "depend_on_item", depend_on_item)
    return armed.set


def test_two_additions_that_close_a_cycle_together_let_exactly_one_through(
    runtime: Runtime, held_checks: Callable[[], None]
) -> None:
    books = charter(runtime, "Books", "bo@example.com")
    depots = charter(runtime, "Depots", "dee@example.com")
    a, b = propose(runtime, books, "A"), propose(runtime, depots, "B")
    held_checks()
    wins, losses = race(
        [
            lambda: runtime.roadmap.add_dependency(
                CommandContext(CEO, "race"), a, AddDependency(item_id=b)
            ),
            lambda: runtime.roadmap.add_dependency(
                CommandContext(CEO, "race"), b, AddDependency(item_id=a)
            ),
        ]
    )
    assert len(wins) == 1 and len(losses) == 1, losses
    assert isinstance(losses[0], RoadmapDependencyCycle), losses
    assert status_of(losses[0]) == 409 and losses[0].rule == "roadmap-dependency-cycle"
    edges = {node: item(runtime, node).item_dependencies() for node in (a, b)}
    assert not has_cycle(edges), edges
    assert sum(len(targets) for targets in edges.values()) == 1, "exactly the winner's edge"
    graph = runtime.app.repository.get(ROADMAP_GRAPH_ID)
    assert isinstance(graph, RoadmapGraph)
    assert {UUID(k): [UUID(t) for t in v] for k, v in graph.edges.items() if v} == {
        k: v for k, v in edges.items() if v
    }, "the guard holds the graph the items record"


def test_additions_that_only_close_a_cycle_through_other_items_let_exactly_one_through(
    runtime: Runtime, held_checks: Callable[[], None]
) -> None:
    """B needs C and D needs A: "A needs B" and "C needs D" write disjoint items, yet
    together make A -> B -> C -> D -> A."""
    team = charter(runtime, "Books", "bo@example.com")
    a, b, c, d = (propose(runtime, team, title) for title in "ABCD")
    runtime.roadmap.add_dependency(CommandContext(CEO, "race"), b, AddDependency(item_id=c))
    runtime.roadmap.add_dependency(CommandContext(CEO, "race"), d, AddDependency(item_id=a))
    held_checks()
    wins, losses = race(
        [
            lambda: runtime.roadmap.add_dependency(
                CommandContext(CEO, "race"), a, AddDependency(item_id=b)
            ),
            lambda: runtime.roadmap.add_dependency(
                CommandContext(CEO, "race"), c, AddDependency(item_id=d)
            ),
        ]
    )
    assert len(wins) == 1 and [type(loss) for loss in losses] == [RoadmapDependencyCycle]
    assert status_of(losses[0]) == 409
    edges = {node: item(runtime, node).item_dependencies() for node in (a, b, c, d)}
    assert not has_cycle(edges), edges
    assert sum(len(targets) for targets in edges.values()) == 3
