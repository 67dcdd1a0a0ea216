"""The hash chain over the event log: its one definition, for the writer and every reader.

The recorder (``services/recorder.py``) links each event as it is inserted, in
the same transaction; the projection runner checks each link before it applies
an event, and ``flywheel verify`` recomputes them all. For each stored event:

- ``event_hash`` is SHA-256 over its position, aggregate, version, topic and
  stored bytes;
- ``chain_hash`` is SHA-256 over the previous event's chain hash (32 zero bytes
  before the first event) and this event's hash.

The standalone ``docs/verify_export.py`` restates the same two lines for auditors
on purpose: it must not depend on this code.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

GENESIS = bytes(32)
CHAIN_TABLE = "flywheel_chain"

NO_LINK = "the event has no chain link: it was not written by Flywheel"
ALTERED = "the event's stored bytes were altered"
BROKEN = "the chain link does not follow from the one before"


def event_hash(
    position: int, originator_id: UUID | str, version: int, topic: str, state: bytes
) -> bytes:
    """SHA-256 of ``b"<position>|<originator_id>|<version>|<topic>|" + state``."""
    header = f"{position}|{originator_id}|{version}|{topic}|".encode()
    return hashlib.sha256(header + state).digest()


def chain_hash(previous: bytes, this_event: bytes) -> bytes:
    return hashlib.sha256(previous + this_event).digest()


def link_problem(
    previous: bytes,
    position: int,
    originator_id: UUID | str,
    version: int,
    topic: str,
    state: bytes,
    stored_event_hash: bytes | None,
    stored_chain_hash: bytes | None,
) -> str | None:
    """Why the event's link does not verify after ``previous``; None when it does."""
    if stored_event_hash is None or stored_chain_hash is None:
        return NO_LINK
    recomputed = event_hash(position, originator_id, version, topic, state)
    if recomputed != stored_event_hash:
        return ALTERED
    if chain_hash(previous, recomputed) != stored_chain_hash:
        return BROKEN
    return None
