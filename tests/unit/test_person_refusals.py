"""A person's record refusing a command, compared whole, and what each event records."""

from __future__ import annotations

from typing import Any

from domain.people.person import (
    MAX_DISPLAY_NAME_LENGTH,
    MAX_ERASURE_REASON_LENGTH,
    Person,
    PersonErased,
    erasure_reason_text,
)
from domain.people.values import PersonId
from tests.unit.refusals import blank, invalid, refusal, too_long

ALICE = PersonId("alice@example.com")


def recorded(person: Person) -> list[Any]:
    return list(person.collect_events())


def test_a_rename_records_the_person_and_the_new_name() -> None:
    person = Person.name(ALICE, "Alice")
    assert person.erased is False
    person.collect_events()
    person.rename(" Alice Example ")
    (renamed,) = recorded(person)
    assert isinstance(renamed, Person.Renamed)
    assert (renamed.person, renamed.display_name) == (ALICE, "Alice Example")
    assert refusal(lambda: person.rename(" "), person) == blank("displayName")
    too_many = "n" * (MAX_DISPLAY_NAME_LENGTH + 1)
    assert refusal(lambda: person.rename(too_many), person) == too_long(
        "displayName", MAX_DISPLAY_NAME_LENGTH
    )
    assert refusal(lambda: person.rename("Al\nice"), person) == invalid(
        "displayName",
        "`displayName` must not contain tabs or line breaks (it is one line): U+000A at "
        "character 3",
    )


def test_an_erasure_reason_is_required_multi_line_text_up_to_its_limit() -> None:
    assert erasure_reason_text(" Request 114,\nby mail ") == "Request 114,\nby mail"
    longest = "r" * MAX_ERASURE_REASON_LENGTH
    assert erasure_reason_text(longest) == longest
    assert refusal(lambda: erasure_reason_text(longest + "r")) == too_long(
        "reason", MAX_ERASURE_REASON_LENGTH
    )
    assert refusal(lambda: erasure_reason_text(" ")) == blank("reason")
    person = Person.name(ALICE, "Alice")
    person.collect_events()
    assert refusal(lambda: person.erase(""), person) == blank("reason")
    person.erase("Request 114,\nby mail")
    (erased,) = recorded(person)
    assert isinstance(erased, Person.Erased)
    assert erased.reason == "Request 114,\nby mail"


def test_an_erased_person_refuses_a_rename_and_a_second_erasure_naming_the_person() -> None:
    person = Person.name(ALICE, "Alice")
    person.erase("asked")
    person.collect_events()
    erased = (
        PersonErased,
        "The personal data of alice@example.com was erased; erasure is final",
        {"person": ALICE},
    )
    assert refusal(lambda: person.rename("Alice again"), person) == erased
    assert refusal(lambda: person.erase("asked again"), person) == erased
