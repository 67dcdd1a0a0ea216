"""Personal data in events: which fields hold it, and how it looks once sealed.

An event class marks a field as personal with ``Annotated[PersonalText,
PersonalOf("person")]``: the value is about the person whose handle is in the
event's ``person`` field. The services layer seals every marked field with that
person's key before the event is stored, so the log holds only ciphertext, and
erasing the person (destroying the key) makes it unreadable for good while the
stored bytes, and so the hash chain, never change.

The domain never encrypts or decrypts: events it triggers carry plain text, and
events read back from the log carry :class:`Sealed` values. No rule may depend
on a personal value, and aggregate state never holds one (snapshots would keep
it in the clear).
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from functools import cache
from typing import Annotated


@dataclass(frozen=True)
class Sealed:
    """A personal value as stored: AES-GCM ciphertext under ``person``'s key."""

    person: str
    ciphertext: bytes


PersonalText = str | Sealed


@dataclass(frozen=True)
class PersonalOf:
    """Marks an event field as personal data about the person named by ``subject``,
    the name of another field of the same event holding that person's handle."""

    subject: str


@cache
def personal_fields(event_class: type) -> dict[str, str]:
    """The personal fields of an event class, each with the field naming its person."""
    hints = typing.get_type_hints(event_class, include_extras=True)
    fields: dict[str, str] = {}
    for name, hint in hints.items():
        if typing.get_origin(hint) is Annotated:
            for marker in hint.__metadata__:
                if isinstance(marker, PersonalOf):
                    fields[name] = marker.subject
    return fields
