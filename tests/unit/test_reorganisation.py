"""Reorganisations and owned services, checked on the Team aggregate alone."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.errors import InvalidValue
from domain.org.chart import ORG_CHART_ID, OrgChart
from domain.org.team import (
    ReorganisationCycle,
    Team,
    TeamAlreadyUnderParent,
    TeamDisbanded,
    TeamOwnsActiveServices,
)
from domain.people.values import PersonId

ALICE = PersonId("alice@example.com")


def chartered(name: str, parent: Team | None = None) -> Team:
    team = Team.charter(
        name=name,
        mission=f"{name} mission",
        leader=PersonId(f"{name.lower()}@example.com"),
        parent_id=None if parent is None else parent.id,
    )
    team.collect_events()
    return team


def test_a_move_records_the_old_and_new_parent_and_the_reason() -> None:
    commerce, payments = chartered("Commerce"), chartered("Payments")
    payments.move_under(commerce.id, "Payments joins Commerce", lineage=[(commerce.id, "Commerce")])
    [moved] = payments.collect_events()
    assert isinstance(moved, Team.Reparented)
    assert (moved.parent_id, moved.previous_parent_id, moved.reason) == (
        commerce.id,
        None,
        "Payments joins Commerce",
    )
    assert (moved.actor, moved.correlation_id) == ("ceo@example.com", "test-correlation")
    assert payments.parent_id == commerce.id


def test_a_team_can_be_made_a_root() -> None:
    commerce = chartered("Commerce")
    cart = chartered("Cart", parent=commerce)
    cart.move_under(None, "Cart stands alone")
    [moved] = cart.collect_events()
    assert isinstance(moved, Team.Reparented)
    assert (moved.parent_id, moved.previous_parent_id) == (None, commerce.id)
    assert cart.parent_id is None


def test_a_move_needs_a_reason() -> None:
    commerce, payments = chartered("Commerce"), chartered("Payments")
    with pytest.raises(InvalidValue) as refused:
        payments.move_under(commerce.id, " ", lineage=[(commerce.id, "Commerce")])
    assert refused.value.field == "reason"


def test_moving_under_the_same_parent_is_refused() -> None:
    commerce = chartered("Commerce")
    cart = chartered("Cart", parent=commerce)
    with pytest.raises(TeamAlreadyUnderParent, match="already under 'Commerce'"):
        cart.move_under(commerce.id, "again", lineage=[(commerce.id, "Commerce")])
    with pytest.raises(TeamAlreadyUnderParent, match="already a root team"):
        commerce.move_under(None, "again")
    assert cart.collect_events() == commerce.collect_events() == []


def test_a_team_cannot_be_moved_under_itself() -> None:
    commerce = chartered("Commerce")
    with pytest.raises(ReorganisationCycle) as refused:
        commerce.move_under(commerce.id, "loop", lineage=[(commerce.id, "Commerce")])
    assert "'Commerce' > 'Commerce'" in refused.value.detail
    assert commerce.collect_events() == []


def test_a_team_cannot_be_moved_under_its_own_descendant_and_the_error_names_the_chain() -> None:
    commerce = chartered("Commerce")
    cart = chartered("Cart", parent=commerce)
    basket = chartered("Basket", parent=cart)
    lineage = [(basket.id, "Basket"), (cart.id, "Cart"), (commerce.id, "Commerce")]
    with pytest.raises(ReorganisationCycle) as refused:
        commerce.move_under(basket.id, "upside down", lineage=lineage)
    assert refused.value.rule == "reorganisation-cycle"
    assert "'Commerce' > 'Cart' > 'Basket' > 'Commerce'" in refused.value.detail
    assert refused.value.context["chain"] == [str(commerce.id), str(cart.id), str(basket.id)]
    assert commerce.collect_events() == []


def test_a_move_must_be_given_the_new_parents_lineage() -> None:
    commerce, payments = chartered("Commerce"), chartered("Payments")
    with pytest.raises(ValueError, match="lineage"):
        payments.move_under(commerce.id, "no lineage")


def test_a_disbanded_team_is_not_moved() -> None:
    commerce, payments = chartered("Commerce"), chartered("Payments")
    payments.disband("Closed")
    with pytest.raises(TeamDisbanded):
        payments.move_under(commerce.id, "late", lineage=[(commerce.id, "Commerce")])


def test_a_team_records_the_services_it_owns() -> None:
    payments = chartered("Payments")
    ledger, wallet = uuid4(), uuid4()
    payments.attach_service(ledger)
    payments.attach_service(wallet)
    payments.attach_service(ledger)
    payments.detach_service(wallet)
    payments.detach_service(wallet)
    assert payments.services == [ledger]
    names = [type(event).__name__ for event in payments.collect_events()]
    assert names == ["ServiceAttached", "ServiceAttached", "ServiceDetached"]


def test_a_team_that_owns_active_services_cannot_be_disbanded() -> None:
    payments = chartered("Payments")
    ledger = uuid4()
    payments.attach_service(ledger)
    payments.collect_events()
    with pytest.raises(TeamOwnsActiveServices) as refused:
        payments.disband("Reorg")
    assert refused.value.rule == "team-owns-active-services"
    assert refused.value.context["service_ids"] == [str(ledger)]
    assert payments.collect_events() == []
    payments.detach_service(ledger)
    payments.disband("Reorg")
    assert payments.disbanded


def test_a_disbanded_team_owns_no_new_service() -> None:
    payments = chartered("Payments")
    payments.disband("Closed")
    with pytest.raises(TeamDisbanded):
        payments.attach_service(uuid4())


def test_a_snapshot_taken_before_teams_owned_services_loads_with_none() -> None:
    team = chartered("Payments")
    snapshot = Team.Snapshot.take(team)
    del snapshot.state["services"]
    snapshot.state.pop("class_version")
    restored = snapshot.mutate(None)
    assert isinstance(restored, Team)
    assert restored.services == [] and restored.name == "Payments"


def test_every_move_passes_through_the_one_org_chart() -> None:
    chart = OrgChart.start()
    assert chart.id == ORG_CHART_ID == OrgChart.start().id
    team, parent = uuid4(), uuid4()
    chart.record_move(team, parent)
    chart.record_move(team, None)
    moved = [event for event in chart.collect_events() if isinstance(event, OrgChart.TeamMoved)]
    assert [(event.team_id, event.parent_id) for event in moved] == [(team, parent), (team, None)]
