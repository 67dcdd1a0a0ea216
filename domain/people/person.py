"""A person's personal data: their display name, and its erasure on request.

People are identified by their handle (``domain.people.values``), a pseudonymous work
identifier that every team, claim and event names and that stays. What a person
may ask to have erased is their personal data: today the display name, later a
candidate's details and the interview feedback about them. Those values are
personal fields of events (``domain.personal_data``), sealed with the person's
key when stored; erasing the person destroys the key, in the same transaction
as the :class:`Person.Erased` event, so from then on nobody can read them.

One ``Person`` stream per handle (its id derived from the handle) holds the name
changes and the erasure, so a rename racing an erasure conflicts on the stream:
either the rename lands first and is erased with the rest, or it meets
``person-erased``. The state holds no personal value, only whether the person
was erased.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import RuleViolation
from domain.people.values import PersonId
from domain.personal_data import PersonalOf, PersonalText
from domain.values import required_text

PERSON_NAMESPACE = UUID("9b7f3c62-2f1e-4c8a-a0d5-6e3b1f4c7a21")
MAX_DISPLAY_NAME_LENGTH = 200
MAX_ERASURE_REASON_LENGTH = 2000


class PersonErased(RuleViolation):
    """A person's personal data was erased on request; erasure is final. Nothing personal
    is recorded about them again, and a second erasure has nothing left to erase."""

    rule = "person-erased"


def person_record_id(person: PersonId) -> UUID:
    """The id of a person's stream, which is also the id of their personal-data key."""
    return uuid5(PERSON_NAMESPACE, person)


def display_name_text(raw: str) -> str:
    return required_text("displayName", raw, max_length=MAX_DISPLAY_NAME_LENGTH)


def erasure_reason_text(raw: str) -> str:
    return required_text("reason", raw, max_length=MAX_ERASURE_REASON_LENGTH, multiline=True)


class Person(AttributedAggregate):
    class Named(AttributedAggregate.Created):
        person: PersonId
        display_name: Annotated[PersonalText, PersonalOf("person")]

    class Renamed(AttributedAggregate.Event):
        person: PersonId
        display_name: Annotated[PersonalText, PersonalOf("person")]

    class Erased(AttributedAggregate.Event):
        person: PersonId
        reason: str

    def __init__(self, person: PersonId, display_name: PersonalText) -> None:
        self.person = person
        self.erased = False

    @staticmethod
    def create_id(person: PersonId, display_name: PersonalText) -> UUID:
        return person_record_id(person)

    @classmethod
    def name(cls, person: PersonId, display_name: str) -> Person:
        """A person's first recorded name starts their record."""
        return cls(person=person, display_name=display_name_text(display_name))

    def rename(self, display_name: str) -> None:
        self._refuse_if_erased()
        self._renamed(person=self.person, display_name=display_name_text(display_name))

    @event(Renamed)
    def _renamed(self, person: PersonId, display_name: PersonalText) -> None:
        pass

    def erase(self, reason: str) -> None:
        self._refuse_if_erased()
        self._erased(person=self.person, reason=erasure_reason_text(reason))

    @event(Erased)
    def _erased(self, person: PersonId, reason: str) -> None:
        self.erased = True

    def _refuse_if_erased(self) -> None:
        if self.erased:
            raise PersonErased(
                f"The personal data of {self.person} was erased; erasure is final",
                person=self.person,
            )
