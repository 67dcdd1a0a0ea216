"""Shared value checks, error types and the aggregate base: what they refuse and what they say."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from uuid import uuid4

import pytest

from domain.allocation.resources import MAX_BUDGET, MAX_HEADCOUNT, Resources
from domain.claims import Claim, ClaimHeld, ClaimKind, normalised_name
from domain.errors import InvalidValue, NotFound, RuleViolation
from domain.org.chart import OrgChart
from domain.people.values import MAX_PERSON_ID_LENGTH, Function, person_id
from domain.provenance import ProvenanceMissing, current_provenance
from domain.values import required_text
from tests.unit.refusals import blank, invalid, refusal, too_long


def test_required_text_keeps_text_of_the_longest_length_and_refuses_one_more() -> None:
    assert required_text("note", " abc ", max_length=3) == "abc"
    assert refusal(lambda: required_text("note", "abcd", max_length=3)) == too_long("note", 3)
    assert refusal(lambda: required_text("note", " \u200b ", max_length=3)) == blank("note")
    assert refusal(lambda: required_text("note", " \t\n ", max_length=3, multiline=True)) == blank(
        "note"
    )


def test_whole_numbers_up_to_the_maximum_are_resources() -> None:
    most = Resources.of({Function.ENGINEERING: MAX_HEADCOUNT}, MAX_BUDGET)
    assert (most.count(Function.ENGINEERING), most.budget) == (MAX_HEADCOUNT, MAX_BUDGET)
    assert refusal(lambda: Resources.of({Function.ENGINEERING: MAX_HEADCOUNT + 1}, 0)) == invalid(
        "headcount.ENGINEERING", f"`headcount.ENGINEERING` must be between 0 and {MAX_HEADCOUNT}"
    )
    assert refusal(lambda: Resources.of({}, -1)) == invalid(
        "budget", f"`budget` must be between 0 and {MAX_BUDGET}"
    )
    assert refusal(lambda: Resources.of({}, 1.5)) == invalid(  # type: ignore[arg-type]
        "budget", "`budget` must be a whole number"
    )


def test_a_person_id_names_the_field_it_refuses() -> None:
    longest = "a" * (MAX_PERSON_ID_LENGTH - len("@x")) + "@x"
    assert person_id(f" {longest.upper()} ") == longest
    assert refusal(lambda: person_id(" ")) == invalid(
        "person", "`person` must name a person, e.g. alice@example.com"
    )
    assert refusal(lambda: person_id(longest + "x", field="leader")) == invalid(
        "leader", f"`leader` is longer than {MAX_PERSON_ID_LENGTH} characters"
    )
    assert refusal(lambda: person_id("two words", field="approver")) == invalid(
        "approver", "`approver` must not contain spaces or control characters"
    )


def test_not_found_names_the_kind_and_the_key() -> None:
    key = uuid4()
    error = NotFound("team", key)
    assert (error.detail, error.context) == (
        f"No team with id {key}",
        {"kind": "team", "key": str(key)},
    )
    assert (error.kind, error.key) == ("team", key)
    assert InvalidValue("name", "bad").field == "name"


@pytest.fixture
def catalogue() -> Iterator[dict[str, type[RuleViolation]]]:
    """The global rule catalogue, restored after a test that defines rules of its own."""
    saved = dict(RuleViolation._catalogue)
    yield RuleViolation._catalogue
    RuleViolation._catalogue.clear()
    RuleViolation._catalogue.update(saved)


def test_every_rule_code_is_catalogued_once(catalogue: dict[str, type[RuleViolation]]) -> None:
    class Invented(RuleViolation):
        """A rule invented by this test."""

        rule = "invented-by-a-test"

    class InventedAgainByName(Invented):
        """Inherits the code; defines no rule of its own."""

    assert catalogue["invented-by-a-test"] is Invented
    assert RuleViolation.catalogue()["invented-by-a-test"] is Invented
    with pytest.raises(TypeError, match=r"^Rule code 'invented-by-a-test' is defined twice$"):

        class Twice(RuleViolation):
            rule = "invented-by-a-test"

    assert catalogue["invented-by-a-test"] is Invented
    assert InventedAgainByName not in catalogue.values()


def test_claims_keep_their_key_and_say_who_holds_them() -> None:
    first, second = uuid4(), uuid4()
    claim = Claim.register(ClaimKind.TEAM_NAME, "payments", first)
    assert (claim.kind, claim.key, claim.holder) == ("team-name", "payments", first)
    assert str(ClaimHeld(second)) == f"held by {second}"
    claim.collect_events()
    claim.release(first)
    [released] = claim.collect_events()
    assert isinstance(released, Claim.Released) and released.holder == first
    assert normalised_name("  Team   Payments ") == "team payments"


def test_an_org_chart_counts_its_moves() -> None:
    chart = OrgChart.start()
    assert chart.moves == 0
    chart.record_move(uuid4(), None)
    assert chart.moves == 1


def test_an_event_outside_acting_as_says_how_to_fix_it() -> None:
    outside_any_command = contextvars.Context()
    with pytest.raises(
        ProvenanceMissing,
        match=r"^Events must be triggered inside `acting_as\(actor, correlation_id\)`$",
    ):
        outside_any_command.run(current_provenance)


def test_an_attributed_aggregate_keeps_an_id_it_is_given() -> None:
    """Overriding the library's ``_create`` keeps its contract: a given id is the id."""
    given = uuid4()
    chart = OrgChart._create(OrgChart.Started, id=given)
    assert chart.id == given
    [started] = chart.collect_events()
    assert (started.originator_id, started.actor) == (given, "ceo@example.com")  # type: ignore[attr-defined]
