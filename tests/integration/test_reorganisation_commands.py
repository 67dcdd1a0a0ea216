"""Reorganisations against a real PostgreSQL event store: moves, refusals, races."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.errors import InvalidValue, NotFound
from domain.org_chart import ORG_CHART_ID, OrgChart
from domain.teams import (
    ReorganisationCycle,
    Team,
    TeamAlreadyUnderParent,
    TeamDisbanded,
    TeamHasActiveSubteams,
)
from services.commands import Forbidden, VersionMismatch
from services.principal import Role
from services.runtime import Runtime
from tests.integration.test_team_commands import (
    charter,
    event_count,
    race,
    refused_and_nothing_recorded,
)
from tests.people import CEO, principal


def move(runtime: Runtime, team: UUID, parent: UUID | None, reason: str = "Reorg") -> int:
    return runtime.teams.move_team(CEO, "t", team, parent_id=parent, reason=reason).position


def team(runtime: Runtime, team_id: UUID) -> Team:
    loaded = runtime.app.repository.get(team_id)
    assert isinstance(loaded, Team)
    return loaded


def test_a_move_detaches_from_the_old_parent_and_attaches_to_the_new_in_one_save(
    runtime: Runtime,
) -> None:
    commerce = charter(runtime, "Commerce", "cora@example.com")
    payments = charter(runtime, "Payments", "pia@example.com")
    cart = charter(runtime, "Cart", "carl@example.com", parent=commerce)
    before = event_count(runtime)
    outcome = runtime.teams.move_team(
        CEO, "corr-move", cart, parent_id=payments, reason="Cart is about paying"
    )
    # Reparented, SubteamAttached, SubteamDetached, and the org chart (started, moved).
    assert event_count(runtime) == before + 5 == outcome.position
    assert (outcome.kind, outcome.id) == ("Team", cart)
    assert team(runtime, cart).parent_id == payments
    assert team(runtime, payments).subteams == [cart]
    assert team(runtime, commerce).subteams == []
    chart = runtime.app.repository.get(ORG_CHART_ID)
    assert isinstance(chart, OrgChart) and chart.moves == 1
    [moved] = [
        event for event in runtime.app.events.get(cart) if isinstance(event, Team.Reparented)
    ]
    assert (moved.parent_id, moved.previous_parent_id, moved.reason) == (
        payments,
        commerce,
        "Cart is about paying",
    )
    assert (moved.actor, moved.correlation_id) == ("ceo@example.com", "corr-move")


def test_a_team_can_be_made_a_root_and_its_old_parent_can_then_be_disbanded(
    runtime: Runtime,
) -> None:
    commerce = charter(runtime, "Commerce", "cora@example.com")
    cart = charter(runtime, "Cart", "carl@example.com", parent=commerce)
    move(runtime, cart, None)
    assert team(runtime, cart).parent_id is None
    runtime.teams.disband_team(CEO, "t", commerce, reason="No longer needed")


def test_a_cycle_is_refused_naming_the_chain_and_records_nothing(runtime: Runtime) -> None:
    commerce = charter(runtime, "Commerce", "cora@example.com")
    cart = charter(runtime, "Cart", "carl@example.com", parent=commerce)
    basket = charter(runtime, "Basket", "bea@example.com", parent=cart)
    refusal = refused_and_nothing_recorded(
        runtime, ReorganisationCycle, lambda: move(runtime, commerce, basket)
    )
    assert "'Commerce' > 'Cart' > 'Basket' > 'Commerce'" in str(refusal)
    refused_and_nothing_recorded(runtime, ReorganisationCycle, lambda: move(runtime, cart, cart))


def test_moves_that_change_nothing_or_name_nothing_are_refused(runtime: Runtime) -> None:
    commerce = charter(runtime, "Commerce", "cora@example.com")
    cart = charter(runtime, "Cart", "carl@example.com", parent=commerce)
    refused_and_nothing_recorded(
        runtime, TeamAlreadyUnderParent, lambda: move(runtime, cart, commerce)
    )
    refused_and_nothing_recorded(
        runtime, TeamAlreadyUnderParent, lambda: move(runtime, commerce, None)
    )
    refused_and_nothing_recorded(runtime, NotFound, lambda: move(runtime, cart, uuid4()))
    refused_and_nothing_recorded(runtime, NotFound, lambda: move(runtime, uuid4(), commerce))
    refused_and_nothing_recorded(runtime, InvalidValue, lambda: move(runtime, cart, None, " "))


def test_nothing_moves_under_a_disbanded_team_and_a_disbanded_team_does_not_move(
    runtime: Runtime,
) -> None:
    closed = charter(runtime, "Closed", "cleo@example.com")
    cart = charter(runtime, "Cart", "carl@example.com")
    runtime.teams.disband_team(CEO, "t", closed, reason="Closed")
    refused_and_nothing_recorded(runtime, TeamDisbanded, lambda: move(runtime, cart, closed))
    refused_and_nothing_recorded(runtime, TeamDisbanded, lambda: move(runtime, closed, cart))


def test_reorganisations_are_for_leadership_only(runtime: Runtime) -> None:
    commerce = charter(runtime, "Commerce", "cora@example.com")
    cart = charter(runtime, "Cart", "carl@example.com")
    leader_of_both_ends = principal("cora@example.com", Role.MEMBER)
    refused_and_nothing_recorded(
        runtime,
        Forbidden,
        lambda: runtime.teams.move_team(
            leader_of_both_ends, "t", cart, parent_id=commerce, reason="r"
        ),
    )


def test_a_stale_expected_version_is_refused(runtime: Runtime) -> None:
    commerce = charter(runtime, "Commerce", "cora@example.com")
    cart = charter(runtime, "Cart", "carl@example.com")
    refused_and_nothing_recorded(
        runtime,
        VersionMismatch,
        lambda: runtime.teams.move_team(
            CEO, "t", cart, parent_id=commerce, reason="r", expected_version=3
        ),
    )
    runtime.teams.move_team(CEO, "t", cart, parent_id=commerce, reason="r", expected_version=1)


def test_a_move_conflicts_with_disbanding_the_new_parent(runtime: Runtime) -> None:
    target = charter(runtime, "Target", "tara@example.com")
    cart = charter(runtime, "Cart", "carl@example.com")
    wins, losses = race(
        [
            lambda: move(runtime, cart, target),
            lambda: runtime.teams.disband_team(CEO, "t", target, reason="Closed"),
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
        # Undo the winner so that the race can run again from the same tree.
        if team(runtime, a).parent_id == b:
            move(runtime, a, None)
        else:
            move(runtime, c, None)
