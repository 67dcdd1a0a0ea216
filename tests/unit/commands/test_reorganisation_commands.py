"""Reorganisation commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.errors import InvalidValue, NotFound
from domain.org.chart import ORG_CHART_ID, OrgChart
from domain.org.team import (
    ReorganisationCycle,
    Team,
    TeamAlreadyUnderParent,
    TeamDisbanded,
)
from services.api.commands import CommandContext
from services.commands import Forbidden, VersionMismatch
from services.org.rest import DisbandTeam, MoveTeam
from services.principal import Role
from tests.commands import (
    Commands,
    charter,
    event_count,
    refused_and_nothing_recorded,
)
from tests.people import CEO, principal


def move(flywheel: Commands, team: UUID, parent: UUID | None, reason: str = "Reorg") -> int:
    return flywheel.org.move_team(
        CommandContext(CEO, "t"), team, MoveTeam(parent_id=parent, reason=reason)
    ).position


def team(flywheel: Commands, team_id: UUID) -> Team:
    loaded = flywheel.app.repository.get(team_id)
    assert isinstance(loaded, Team)
    return loaded


def test_a_move_detaches_from_the_old_parent_and_attaches_to_the_new_in_one_save(
    flywheel: Commands,
) -> None:
    commerce = charter(flywheel, "Commerce", "cora@example.com")
    payments = charter(flywheel, "Payments", "pia@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com", parent=commerce)
    before = event_count(flywheel)
    outcome = flywheel.org.move_team(
        CommandContext(CEO, "corr-move"),
        cart,
        MoveTeam(parent_id=payments, reason="Cart is about paying"),
    )
    # Reparented, SubteamAttached, SubteamDetached, and the org chart (started, moved).
    assert event_count(flywheel) == before + 5 == outcome.position
    assert (outcome.kind, outcome.id) == ("Team", cart)
    assert team(flywheel, cart).parent_id == payments
    assert team(flywheel, payments).subteams == [cart]
    assert team(flywheel, commerce).subteams == []
    chart = flywheel.app.repository.get(ORG_CHART_ID)
    assert isinstance(chart, OrgChart) and chart.moves == 1
    [moved] = [
        event for event in flywheel.app.events.get(cart) if isinstance(event, Team.Reparented)
    ]
    assert (moved.parent_id, moved.previous_parent_id, moved.reason) == (
        payments,
        commerce,
        "Cart is about paying",
    )
    assert (moved.actor, moved.correlation_id) == ("ceo@example.com", "corr-move")


def test_a_team_can_be_made_a_root_and_its_old_parent_can_then_be_disbanded(
    flywheel: Commands,
) -> None:
    commerce = charter(flywheel, "Commerce", "cora@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com", parent=commerce)
    move(flywheel, cart, None)
    assert team(flywheel, cart).parent_id is None
    flywheel.org.disband_team(
        CommandContext(CEO, "t"), commerce, DisbandTeam(reason="No longer needed")
    )


def test_a_cycle_is_refused_naming_the_chain_and_records_nothing(flywheel: Commands) -> None:
    commerce = charter(flywheel, "Commerce", "cora@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com", parent=commerce)
    basket = charter(flywheel, "Basket", "bea@example.com", parent=cart)
    refusal = refused_and_nothing_recorded(
        flywheel, ReorganisationCycle, lambda: move(flywheel, commerce, basket)
    )
    assert "'Commerce' > 'Cart' > 'Basket' > 'Commerce'" in str(refusal)
    refused_and_nothing_recorded(flywheel, ReorganisationCycle, lambda: move(flywheel, cart, cart))


def test_moves_that_change_nothing_or_name_nothing_are_refused(flywheel: Commands) -> None:
    commerce = charter(flywheel, "Commerce", "cora@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com", parent=commerce)
    refused_and_nothing_recorded(
        flywheel, TeamAlreadyUnderParent, lambda: move(flywheel, cart, commerce)
    )
    refused_and_nothing_recorded(
        flywheel, TeamAlreadyUnderParent, lambda: move(flywheel, commerce, None)
    )
    refused_and_nothing_recorded(flywheel, NotFound, lambda: move(flywheel, cart, uuid4()))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: move(flywheel, uuid4(), commerce))
    refused_and_nothing_recorded(flywheel, InvalidValue, lambda: move(flywheel, cart, None, " "))


def test_nothing_moves_under_a_disbanded_team_and_a_disbanded_team_does_not_move(
    flywheel: Commands,
) -> None:
    closed = charter(flywheel, "Closed", "cleo@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com")
    flywheel.org.disband_team(CommandContext(CEO, "t"), closed, DisbandTeam(reason="Closed"))
    refused_and_nothing_recorded(flywheel, TeamDisbanded, lambda: move(flywheel, cart, closed))
    refused_and_nothing_recorded(flywheel, TeamDisbanded, lambda: move(flywheel, closed, cart))


def test_reorganisations_are_for_leadership_only(flywheel: Commands) -> None:
    commerce = charter(flywheel, "Commerce", "cora@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com")
    leader_of_both_ends = principal("cora@example.com", Role.MEMBER)
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.org.move_team(
            CommandContext(leader_of_both_ends, "t"), cart, MoveTeam(parent_id=commerce, reason="r")
        ),
    )


def test_a_stale_expected_version_is_refused(flywheel: Commands) -> None:
    commerce = charter(flywheel, "Commerce", "cora@example.com")
    cart = charter(flywheel, "Cart", "carl@example.com")
    refused_and_nothing_recorded(
        flywheel,
        VersionMismatch,
        lambda: flywheel.org.move_team(
            CommandContext(CEO, "t").at_version(3), cart, MoveTeam(parent_id=commerce, reason="r")
        ),
    )
    flywheel.org.move_team(
        CommandContext(CEO, "t").at_version(1), cart, MoveTeam(parent_id=commerce, reason="r")
    )
