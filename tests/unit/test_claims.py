"""Unique keys: held by one holder at a time, released and taken again."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.claims import Claim, ClaimHeld, ClaimKind, claim_id, normalised_name


def test_a_claim_id_is_derived_from_its_key() -> None:
    holder = uuid4()
    claim = Claim.register(ClaimKind.TEAM_LEADER, "alice@example.com", holder)
    assert claim.id == claim_id(ClaimKind.TEAM_LEADER, "alice@example.com")
    assert claim.id != claim_id(ClaimKind.TEAM_NAME, "alice@example.com")


def test_a_held_claim_refuses_another_holder_and_names_the_holder() -> None:
    first, second = uuid4(), uuid4()
    claim = Claim.register(ClaimKind.TEAM_NAME, "payments", first)
    with pytest.raises(ClaimHeld) as refused:
        claim.take(second)
    assert refused.value.holder == first


def test_a_released_claim_can_be_taken_again() -> None:
    first, second = uuid4(), uuid4()
    claim = Claim.register(ClaimKind.DEDICATED_MEMBER, "bob@example.com", first)
    claim.release(first)
    claim.take(second)
    assert claim.holder == second
    assert [type(e).__name__ for e in claim.collect_events()] == ["Registered", "Released", "Taken"]


def test_releasing_or_taking_what_you_hold_changes_nothing() -> None:
    holder, other = uuid4(), uuid4()
    claim = Claim.register(ClaimKind.TEAM_LEADER, "carol@example.com", holder)
    claim.collect_events()
    claim.take(holder)
    claim.release(other)
    assert claim.collect_events() == []


def test_names_compare_without_case_or_extra_blanks() -> None:
    assert normalised_name("  Team   Payments ") == normalised_name("team payments")
