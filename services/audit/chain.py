"""Tamper evidence: recomputing the hash chain and signing its head.

The chain is written by :class:`services.recorder.FlywheelRecorder` in the
same transaction as the events. Verification reads the events table and the
chain side by side, in position order, and recomputes every link:

- an event whose bytes changed no longer matches its ``event_hash``;
- an event that was deleted leaves a link without an event;
- an event inserted by any other path has no link (or, squeezed between two
  positions, breaks the chain after it).

The head of the chain is signed with an Ed25519 key from the settings, so an
auditor who keeps a digest can later prove the history up to it was not
rewritten, even by someone who also rewrote the chain table.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
import psycopg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from projections.chain import CHAIN_TABLE, GENESIS, chain_hash, event_hash
from projections.compare import TableDifference, compare_views
from projections.runner import EventNotApplied, ProgressCallback, ProjectionRunner
from projections.status import ViewsStatus, read_status
from projections.views import LIVE_SCHEMA
from services.private_files import kept_once
from services.recorder import EVENTS_TABLE
from services.settings import Settings

KEY_FILE = "audit-signing-key"
DIGEST_VERSION = "flywheel-digest-v1"
FETCH_SIZE = 5_000


# -- signing --------------------------------------------------------------


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """The configured key (base64 of a 32-byte seed), else one kept in the data dir."""
    if settings.audit_key:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.audit_key))
    text = kept_once(settings.data_path / KEY_FILE, _new_seed)
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text))


def _new_seed() -> str:
    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(seed).decode()


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def digest_message(position: int, head: str, signed_at: str) -> bytes:
    return f"{DIGEST_VERSION}|{position}|{head}|{signed_at}".encode()


@dataclass(frozen=True)
class Digest:
    position: int
    chain_hash: str
    signed_at: str
    public_key: str
    signature: str
    algorithm: str = "Ed25519"

    def as_json(self) -> dict[str, Any]:
        return {
            "version": DIGEST_VERSION,
            "position": self.position,
            "chainHash": self.chain_hash,
            "signedAt": self.signed_at,
            "algorithm": self.algorithm,
            "publicKey": self.public_key,
            "signature": self.signature,
        }


def sign_digest(key: Ed25519PrivateKey, position: int, head: bytes) -> Digest:
    signed_at = datetime.now(UTC).isoformat()
    head_hex = head.hex()
    signature = key.sign(digest_message(position, head_hex, signed_at))
    return Digest(
        position=position,
        chain_hash=head_hex,
        signed_at=signed_at,
        public_key=public_key_text(key.public_key()),
        signature=base64.b64encode(signature).decode(),
    )


def signature_holds(document: dict[str, Any]) -> bool:
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(document["publicKey"]))
    message = digest_message(document["position"], document["chainHash"], document["signedAt"])
    try:
        public.verify(base64.b64decode(document["signature"]), message)
    except InvalidSignature:
        return False
    return True


# -- verifying the chain --------------------------------------------------


@dataclass
class ChainReport:
    checked: int = 0
    head_position: int = 0
    head: bytes = GENESIS
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def first_bad_position(self) -> int | None:
        return self.problems[0][0] if self.problems else None

    @property
    def intact(self) -> bool:
        return not self.problems


def _log_rows(conn: psycopg.Connection[Any]) -> Iterator[tuple[Any, ...]]:
    with conn.cursor(name="flywheel_verify_chain") as cursor:
        cursor.itersize = FETCH_SIZE
        cursor.execute(
            "SELECT coalesce(e.notification_id, c.position), e.notification_id, e.originator_id, "
            "e.originator_version, e.topic, e.state, c.event_hash, c.chain_hash "
            f"FROM {EVENTS_TABLE} e FULL OUTER JOIN {CHAIN_TABLE} c "
            "ON c.position = e.notification_id ORDER BY 1"
        )
        yield from cursor


def verify_chain(url: str, on_row: Callable[[int], None] | None = None) -> ChainReport:
    report = ChainReport()
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        previous = GENESIS
        for position, event_position, originator, version, topic, state, stored, link in _log_rows(
            conn
        ):
            report.checked += 1
            if on_row is not None:
                on_row(position)
            if event_position is None:
                report.problems.append((position, "the event was deleted: its chain link remains"))
                previous = bytes(link)
                continue
            recomputed = event_hash(position, originator, version, topic, bytes(state))
            if stored is None:
                report.problems.append(
                    (position, "the event has no chain link: it was not written by Flywheel")
                )
                previous = chain_hash(previous, recomputed)
                continue
            if recomputed != bytes(stored):
                report.problems.append((position, "the event's stored bytes were altered"))
            expected = chain_hash(previous, bytes(stored))
            if expected != bytes(link):
                report.problems.append(
                    (position, "the chain link does not follow from the one before")
                )
            previous = bytes(link)
            report.head_position, report.head = position, previous
    return report


def head_of_chain(url: str) -> tuple[int, bytes]:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"SELECT position, chain_hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"
        ).fetchone()
    return (0, GENESIS) if row is None else (int(row[0]), bytes(row[1]))


def chain_link_at(url: str, position: int) -> bytes | None:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"SELECT chain_hash FROM {CHAIN_TABLE} WHERE position = %s", (position,)
        ).fetchone()
    return None if row is None else bytes(row[0])


# -- verifying the views ---------------------------------------------------

VERIFY_SCHEMA = "views_verify"
VIEWS_WAIT_SECONDS = 10.0
VIEWS_POLL_SECONDS = 0.2


@dataclass
class ViewsReport:
    """The live views against a rebuild, from the verified events only, to their position."""

    status: ViewsStatus
    head: int  # the head of the log when the check began
    differences: list[TableDifference]
    left_out: list[EventNotApplied]  # events the rebuild left out: their link does not verify

    @property
    def position(self) -> int:
        return self.status.position

    @property
    def lagging(self) -> bool:
        """The views stopped at an event, or did not reach the log's head in time."""
        return self.status.stall is not None or self.status.position < self.head

    @property
    def ok(self) -> bool:
        return not self.lagging and not self.differences


async def _views_caught_up(conn: asyncpg.Connection, head: int) -> ViewsStatus:
    """The views' status once they reach ``head``, or stopped at an event, or
    ``VIEWS_WAIT_SECONDS`` passed: under write load they trail the log by a batch."""
    deadline = time.monotonic() + VIEWS_WAIT_SECONDS
    while True:
        status = await read_status(conn, EVENTS_TABLE)
        if status.position >= head or status.stall is not None or time.monotonic() > deadline:
            return status
        await asyncio.sleep(VIEWS_POLL_SECONDS)


async def verify_views(
    url: str, runner: ProjectionRunner, on_progress: ProgressCallback | None = None
) -> ViewsReport:
    """Check that the live views keep up with the log, rebuild every view beside them
    from the events whose chain link verifies, and compare the two.

    The shadow is built up to the position the live views stand at once they caught
    up with the head of the log as the check began, and both are compared as of it.
    Events whose link does not verify are left out of the shadow and listed: views
    that served one differ from it.
    """
    conn = await asyncpg.connect(url)
    try:
        head = await runner.head(conn)
        status = await _views_caught_up(conn, head)
        shadow = await runner.build_shadow(
            conn, VERIFY_SCHEMA, on_progress, until=status.position, leave_out_unverified=True
        )
        try:
            differences = await compare_views(
                conn, LIVE_SCHEMA, VERIFY_SCHEMA, status.position, views=runner.views
            )
        finally:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{VERIFY_SCHEMA}" CASCADE')
    finally:
        await conn.close()
    return ViewsReport(status, head, differences, shadow.left_out or [])
