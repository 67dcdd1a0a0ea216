"""Personal data sealed with a key per person, and erased by destroying the key.

- **Keys.** ``flywheel_person_keys`` holds one random 256-bit AES key per person
  (keyed by the id of the person's ``Person`` stream), beside the event table,
  never in it. Erasing a person sets their key to NULL and stamps ``erased_at``:
  the row stays as a tombstone, so no later write can make a new key for them.
- **Sealing.** :class:`SealingMapper` encrypts every personal field of an event
  (``domain.personal_data``) with AES-GCM under its person's key before the
  event is transcoded, so the stored bytes, which the hash chain covers, hold
  only ciphertext. Reading an event back leaves the fields sealed: aggregates,
  projections, the event-log view and the export only ever see ciphertext.
- **Opening.** Only a read that shows a personal value to someone opens it
  (:func:`open_sealed`), with the key read in the same snapshot; once the key is
  gone the value reads as null everywhere, and a rebuild of the views from the
  log is the same as before.
- **Erasing.** The recorder destroys the key of every person whose
  ``Person.Erased`` event it inserts, in the same transaction
  (:func:`destroy_keys_of_erased`): an erasure is recorded exactly when the key
  is gone.
"""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    Cipher,
    Compressor,
    Mapper,
    StoredEvent,
    Transcoder,
    Transcoding,
)
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

from domain.people.person import Person, PersonErased, person_record_id
from domain.people.values import PersonId
from domain.personal_data import Sealed, personal_fields
from projections.reading import ReadSession

KEYS_TABLE = "flywheel_person_keys"
NONCE_BYTES = 12
ERASED_TOPIC = get_topic(Person.Erased)


class KeyStore(Protocol):
    def key_for_sealing(self, person: PersonId) -> bytes:
        """The person's key, made on first use; :class:`PersonErased` once erased."""
        ...


def _refuse_erased(person: PersonId) -> PersonErased:
    return PersonErased(
        f"The personal data of {person} was erased; nothing personal is recorded about them again",
        person=person,
    )


class MemoryKeyStore:
    """Keys in memory, for the in-memory event store of unit tests."""

    def __init__(self) -> None:
        self.keys: dict[UUID, bytes | None] = {}
        self._lock = threading.Lock()

    def key_for_sealing(self, person: PersonId) -> bytes:
        with self._lock:
            key = self.keys.setdefault(person_record_id(person), AESGCM.generate_key(256))
        if key is None:
            raise _refuse_erased(person)
        return key

    def destroy(self, person: PersonId) -> None:
        self.keys[person_record_id(person)] = None


class PostgresKeyStore:
    """Keys in ``flywheel_person_keys``, beside the event table."""

    def __init__(self, datastore: Any) -> None:
        self.datastore = datastore
        # One statement makes the key or returns the one there (NULL once erased). The
        # no-op update, unlike DO NOTHING, returns a row a concurrent first use has just
        # committed, so racing first uses agree on one key.
        self._key_for = SQL(
            "INSERT INTO {table} AS k (person_id, key) VALUES (%s, %s) "
            "ON CONFLICT (person_id) DO UPDATE SET key = k.key RETURNING k.key"
        ).format(table=Identifier(datastore.schema, KEYS_TABLE))

    def key_for_sealing(self, person: PersonId) -> bytes:
        record = person_record_id(person)
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._key_for, (record, AESGCM.generate_key(256)))
            row = curs.fetchone()
        if row is None or row["key"] is None:
            raise _refuse_erased(person)
        return bytes(row["key"])


def key_table_ddl(schema: str) -> list[Composed]:
    return [
        SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
            "person_id uuid PRIMARY KEY, key bytea, "
            "created_at timestamptz NOT NULL DEFAULT now(), erased_at timestamptz, "
            "CHECK ((key IS NULL) = (erased_at IS NOT NULL)))"
        ).format(schema=Identifier(schema), table=Identifier(KEYS_TABLE))
    ]


def destroy_keys_of_erased(
    curs: Cursor[DictRow], schema: str, stored_events: Sequence[StoredEvent]
) -> None:
    """In the transaction that inserts ``Person.Erased`` events, destroy those keys."""
    erased = [event.originator_id for event in stored_events if event.topic == ERASED_TOPIC]
    if erased:
        curs.execute(
            SQL(
                "INSERT INTO {schema}.{table} (person_id, key, erased_at) "
                "SELECT unnest(%s::uuid[]), NULL, now() ON CONFLICT (person_id) "
                "DO UPDATE SET key = NULL, erased_at = coalesce({table}.erased_at, now())"
            ).format(schema=Identifier(schema), table=Identifier(KEYS_TABLE)),
            (erased,),
        )


async def keys_of(
    session: ReadSession, people: Sequence[str], _at: int | None = None
) -> dict[str, bytes | None]:
    """The people's keys as they are now (whatever position the views are read at):
    a name shown as of the past is not shown once its person is erased."""
    ids = {person_record_id(PersonId(person)): person for person in people}
    rows = await session.fetch(
        f"SELECT person_id, key FROM {KEYS_TABLE} WHERE person_id = ANY($1)", list(ids)
    )
    return {ids[row["person_id"]]: row["key"] for row in rows}


# -- sealing and opening ----------------------------------------------------


def _associated_data(person: str) -> bytes:
    return f"flywheel-personal-v1|{person}".encode()


def seal(key: bytes, person: PersonId, plaintext: str) -> Sealed:
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = AESGCM(key).encrypt(nonce, plaintext.encode(), _associated_data(person))
    return Sealed(person=person, ciphertext=nonce + ciphertext)


def open_sealed(key: bytes | None, sealed: Sealed) -> str | None:
    """The plain value, or None when the key was destroyed (or does not fit)."""
    if key is None:
        return None
    nonce, ciphertext = sealed.ciphertext[:NONCE_BYTES], sealed.ciphertext[NONCE_BYTES:]
    try:
        plain = AESGCM(key).decrypt(nonce, ciphertext, _associated_data(sealed.person))
    except (InvalidTag, ValueError):  # not ours, altered, or cut short
        return None
    return plain.decode()


class SealedAsJSON(Transcoding):
    """Stores a sealed value as ``{"person": handle, "ciphertext": base64}``."""

    type = Sealed
    name = "sealed"

    def encode(self, obj: Sealed) -> dict[str, str]:
        return {"person": obj.person, "ciphertext": base64.b64encode(obj.ciphertext).decode()}

    def decode(self, data: dict[str, str]) -> Sealed:
        return Sealed(person=data["person"], ciphertext=base64.b64decode(data["ciphertext"]))


class SealingMapper(Mapper[UUID]):
    """The library's mapper, sealing the personal fields of events on the way in."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Compressor | None = None,
        cipher: Cipher | None = None,
    ) -> None:
        super().__init__(transcoder, compressor, cipher)
        self.keys: KeyStore = MemoryKeyStore()

    def to_stored_event(self, domain_event: DomainEventProtocol[UUID]) -> StoredEvent:
        fields = personal_fields(type(domain_event))
        if fields:
            domain_event = self._sealed(domain_event, fields)
        return super().to_stored_event(domain_event)

    def _sealed(
        self, domain_event: DomainEventProtocol[UUID], fields: dict[str, str]
    ) -> DomainEventProtocol[UUID]:
        state = dict(vars(domain_event))
        for name, subject in fields.items():
            value = state[name]
            if isinstance(value, str):
                person = PersonId(state[subject])
                state[name] = seal(self.keys.key_for_sealing(person), person, value)
        copy = object.__new__(type(domain_event))
        object.__setattr__(copy, "__dict__", state)
        return copy
