"""Reorganisation commands racing on a real PostgreSQL event store: exactly one wins, and the
recorded state says so. Rules and roles are tested in memory, tests/unit/commands."""

from __future__ import annotations

from uuid import UUID

from domain.org.team import (
    ReorganisationCycle,
    Team,
    TeamDisbanded,
    TeamHasActiveSubteams,
)
from services.api.commands import CommandContext
from services.org.rest import DisbandTeam, MoveTeam
from services.runtime import Runtime
from tests.commands import charter
from tests.integration.test_team_commands import race
from tests.people import CEO


def move(runtime: Runtime, team: UUID, parent: UUID | None, reason: str = "Reorg") -> int:
    return runtime.org.move_team(
        CommandContext(CEO, "t"), team, MoveTeam(parent_id=parent, reason=reason)
    ).position


def team(runtime: Runtime, team_id: UUID) -> Team:
    loaded = runtime.app.repository.get(team_id)
    assert isinstance(loaded, Team)
    return loaded


def test_a_move_conflicts_with_disbanding_the_new_parent(runtime: Runtime) -> None:
    target = charter(runtime, "Target", "tara@example.com")
    cart = charter(runtime, "Cart", "carl@example.com")
    wins, losses = race(
        [
            lambda: move(runtime, cart, target),
            lambda: runtime.org.disband_team(
                CommandContext(CEO, "t"), target, DisbandTeam(reason="Closed")
            ),
        ]
    )
    assert len(wins) == 1 and len(losses) == 1
    assert isinstance(losses[0], TeamDisbanded | TeamHasActiveSubteams), losses
    moved, disbanded = team(runtime, cart).parent_id == target, team(runtime, target).disbanded
    assert moved != disbanded, "never a subteam under a disbanded team"


def test_two_moves_that_would_swap_parent_and_child_let_exactly_one_through(
    runtime: Runtime,
) -> None:
    a = charter(runtime, "A", "a@example.com")
    b = charter(runtime, "B", "b@example.com")
    wins, losses = race([lambda: move(runtime, a, b), lambda: move(runtime, b, a)])
    assert len(wins) == 1
    assert [type(loss) for loss in losses] == [ReorganisationCycle]
    parents = (team(runtime, a).parent_id, team(runtime, b).parent_id)
    assert parents in ((b, None), (None, a)), "exactly one moved under the other"


def test_moves_that_only_together_close_a_loop_let_exactly_one_through(
    runtime: Runtime,
) -> None:
    """B under C and D under A: "A under B" and "C under D" touch disjoint teams, yet
    together make A > B > C > D > A. The org chart serialises them."""
    a = charter(runtime, "A", "a@example.com")
    c = charter(runtime, "C", "c@example.com")
    b = charter(runtime, "B", "b@example.com", parent=c)
    d = charter(runtime, "D", "d@example.com", parent=a)
    for _round in range(3):
        wins, losses = race([lambda: move(runtime, a, b), lambda: move(runtime, c, d)])
        assert len(wins) == 1
        assert [type(loss) for loss in losses] == [ReorganisationCycle]
        parents = (team(runtime, a).parent_id, team(runtime, c).parent_id)
        assert parents in ((b, None), (None, d)), "exactly one of the two moves landed"
        # Undo the winner so that the race can run again from the same tree.
        if team(runtime, a).parent_id == b:
            move(runtime, a, None)
        else:
            move(runtime, c, None)
