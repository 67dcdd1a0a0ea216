"""A person's personal data: naming, the erasure rule, and sealing in memory."""

from __future__ import annotations

import json

import pytest
from eventsourcing.domain import Snapshot

from domain.errors import InvalidValue
from domain.people.person import MAX_DISPLAY_NAME_LENGTH, Person, PersonErased, person_record_id
from domain.people.values import PersonId
from domain.personal_data import Sealed, personal_fields
from services.application import Flywheel
from services.personal_data import MemoryKeyStore, SealingMapper, open_sealed, seal

ALICE = PersonId("alice@example.com")


def test_a_person_is_named_renamed_and_erased_once() -> None:
    person = Person.name(ALICE, "  Alice  ")
    person.rename("Alice Example")
    person.erase("Erasure request 114")
    named, renamed, erased = person.pending_events
    assert person.id == person_record_id(ALICE)
    assert (named.display_name, renamed.display_name) == ("Alice", "Alice Example")  # type: ignore[attr-defined]
    assert isinstance(erased, Person.Erased)
    assert (erased.person, erased.reason, erased.actor) == (
        ALICE,
        "Erasure request 114",
        "ceo@example.com",
    )
    assert person.erased


def test_erasure_is_final() -> None:
    person = Person.name(ALICE, "Alice")
    person.erase("asked")
    with pytest.raises(PersonErased) as second:
        person.erase("asked again")
    assert second.value.rule == "person-erased"
    with pytest.raises(PersonErased):
        person.rename("Alice again")
    assert len(person.pending_events) == 2, "refusals trigger nothing"


@pytest.mark.parametrize(
    ("name", "reason"),
    [("Alice", " "), ("   ", "asked"), ("x" * (MAX_DISPLAY_NAME_LENGTH + 1), "asked")],
)
def test_blank_or_long_values_are_refused(name: str, reason: str) -> None:
    with pytest.raises(InvalidValue):
        Person.name(ALICE, name).erase(reason)


def test_a_snapshot_holds_no_personal_value() -> None:
    person = Person.name(ALICE, "Alice Example")
    snapshot = Snapshot.take(person)
    assert snapshot.state["person"] == ALICE
    assert "Alice Example" not in repr(snapshot.state)


def test_personal_fields_are_declared_on_the_event_with_their_subject() -> None:
    assert personal_fields(Person.Named) == {"display_name": "person"}
    assert personal_fields(Person.Renamed) == {"display_name": "person"}
    assert personal_fields(Person.Erased) == {}


def in_memory_app() -> Flywheel:
    return Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_the_mapper_seals_personal_fields_and_reading_leaves_them_sealed() -> None:
    app = in_memory_app()
    person = Person.name(ALICE, "Alice Example")
    app.save(person)
    (stored,) = app.recorder.select_notifications(start=1, limit=10)
    assert b"Alice Example" not in stored.state
    assert json.loads(stored.state)["display_name"]["_type_"] == "sealed"
    (event,) = app.events.get(person.id)
    sealed = event.display_name  # type: ignore[attr-defined]
    assert isinstance(sealed, Sealed) and sealed.person == ALICE
    assert isinstance(app.mapper, SealingMapper)
    keys = app.mapper.keys
    assert isinstance(keys, MemoryKeyStore)
    assert open_sealed(keys.key_for_sealing(ALICE), sealed) == "Alice Example"
    assert app.repository.get(person.id).person == ALICE


def test_a_destroyed_key_opens_nothing_and_seals_nothing() -> None:
    app = in_memory_app()
    person = Person.name(ALICE, "Alice Example")
    app.save(person)
    (event,) = app.events.get(person.id)
    keys = app.mapper.keys  # type: ignore[attr-defined]
    keys.destroy(ALICE)
    assert open_sealed(None, event.display_name) is None  # type: ignore[attr-defined]
    with pytest.raises(PersonErased):
        app.save(Person.name(ALICE, "Alice Again"))


def test_an_altered_or_cut_ciphertext_opens_to_nothing() -> None:
    keys = MemoryKeyStore()
    key = keys.key_for_sealing(ALICE)
    sealed = seal(key, ALICE, "Alice Example")
    assert open_sealed(key, sealed) == "Alice Example"
    flipped = bytes([sealed.ciphertext[-1] ^ 1])
    assert open_sealed(key, Sealed(ALICE, sealed.ciphertext[:-1] + flipped)) is None
    assert open_sealed(key, Sealed(ALICE, sealed.ciphertext[:5])) is None
    assert open_sealed(key, Sealed("bob@example.com", sealed.ciphertext)) is None
