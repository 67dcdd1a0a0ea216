"""Signed digests of the chain's head, kept in a directory outside the database.

The hash chain proves the events match their links, but someone who can write
to the database can rewrite events and links together, or cut the tail off
both: the chain then verifies. A digest written elsewhere pins the head as it
was. The process that runs the projections writes one every
``FLYWHEEL_DIGEST_INTERVAL`` seconds to ``FLYWHEEL_DIGEST_DIR`` (mount
write-once storage there), one file per digest named by its position, never
overwriting one; ``flywheel verify`` checks the log against every digest found.

One writer at a time: a worker writes only while it holds the digest advisory
lock, so an active worker and its hot standby (or several ``flywheel serve``
processes running projections) never race; a standby takes the lock at its
next interval once the holder's session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from prometheus_client import Gauge

from projections.connection import CONNECTION_LOST
from services.audit.chain import Digest, public_key_text, sign_digest, signature_holds
from services.database import CONNECT_TIMEOUT_SECONDS
from services.recorder import CHAIN_TABLE, GENESIS
from services.settings import Settings

log = logging.getLogger(__name__)

LOCK_KEY = 0x466C7977_64696773  # "Flywdigs"
FILE_NAME = re.compile(r"digest-(\d+)\.json")
DIGEST_POSITION = Gauge(
    "flywheel_digest_position",
    "The log position of the last signed digest this process wrote outside the database.",
)


def file_name(position: int) -> str:
    """Zero-padded, so the names sort in log order."""
    return f"digest-{position:020d}.json"


# -- writing ----------------------------------------------------------------


def write_digest(directory: Path, digest: Digest) -> Path | None:
    """Write ``digest`` to a new file; None when one for its position exists already."""
    path = directory / file_name(digest.position)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(json.dumps(digest.as_json()) + "\n")
            file.flush()
            os.fsync(file.fileno())
    except FileExistsError:
        return None
    return path


async def write_head_digest(
    conn: asyncpg.Connection, key: Ed25519PrivateKey, directory: Path
) -> Digest | None:
    """Sign the head of the chain into ``directory``; None for an empty log or a head
    already written."""
    row = await conn.fetchrow(
        f"SELECT position, chain_hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"
    )
    if row is None:
        return None
    digest = sign_digest(key, int(row["position"]), bytes(row["chain_hash"]))
    written = await asyncio.to_thread(write_digest, directory, digest)
    return None if written is None else digest


async def keep_digests(
    settings: Settings, url: str, key: Ed25519PrivateKey, stop: asyncio.Event
) -> None:
    """Every interval, while holding the digest lock, write a digest of the head."""
    directory = settings.digest_path
    if directory is None:
        return
    log.info("keeping signed digests in %s every %ss", directory, settings.digest_interval_seconds)
    conn: asyncpg.Connection | None = None
    holding = False
    try:
        while not stop.is_set():
            try:
                if conn is None or conn.is_closed():
                    conn = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
                    holding = False
                if not holding:
                    holding = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", LOCK_KEY))
                if holding:
                    directory.mkdir(parents=True, exist_ok=True)
                    written = await write_head_digest(conn, key, directory)
                    if written is not None:
                        DIGEST_POSITION.set(written.position)
                        log.info("signed position %d into %s", written.position, directory)
            except (*CONNECTION_LOST, asyncpg.PostgresError) as error:
                # A directory that cannot be written (OSError) gives the lock up too,
                # so a standby whose mount works may take over.
                log.warning("no digest written this time: %s", error)
                if conn is not None:
                    conn.terminate()
                conn = None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=settings.digest_interval_seconds)
    finally:
        if conn is not None and not conn.is_closed():
            await conn.close()


# -- checking ---------------------------------------------------------------


@dataclass
class DigestsReport:
    """What the digests in a directory say about the log."""

    directory: Path
    checked: int = 0
    latest: int | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def hold(self) -> bool:
        return not self.problems


def _read(path: Path, public_key: str) -> tuple[dict[str, Any] | None, str | None]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        position = int(document["position"])
        holds = signature_holds(document)
    except (OSError, ValueError, KeyError, TypeError) as error:
        return None, f"cannot be read as a signed digest: {error}"
    named = FILE_NAME.fullmatch(path.name)
    if named is None or int(named.group(1)) != position:
        return None, f"signs position {position}, not the one its name gives"
    if not holds:
        return None, "its signature does not hold"
    if document["publicKey"] != public_key:
        return None, f"is signed by key {document['publicKey']}, not this server's {public_key}"
    return document, None


def check_digests(url: str, directory: Path, key: Ed25519PrivateKey) -> DigestsReport:
    """Check the log against every digest in ``directory``, naming each that fails."""
    report = DigestsReport(directory)
    public_key = public_key_text(key.public_key())
    documents: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(directory.glob("digest-*.json")):
        report.checked += 1
        document, problem = _read(path, public_key)
        if document is None:
            report.problems.append((path.name, problem or ""))
        else:
            documents.append((path.name, document))
    positions = [int(document["position"]) for _, document in documents]
    with psycopg.connect(url) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        head_row = conn.execute(f"SELECT max(position) FROM {CHAIN_TABLE}").fetchone()
        links: dict[int, bytes] = {
            int(position): bytes(link)
            for position, link in conn.execute(
                f"SELECT position, chain_hash FROM {CHAIN_TABLE} WHERE position = ANY(%s)",
                (positions,),
            )
        }
    head = int(head_row[0] or 0) if head_row else 0
    links[0] = GENESIS
    for name, document in documents:
        position, signed = int(document["position"]), document["chainHash"]
        report.latest = max(report.latest or 0, position)
        if position > head:
            report.problems.append(
                (name, f"signs position {position}, beyond the head {head}: the tail was cut")
            )
        elif position not in links:
            report.problems.append(
                (name, f"the chain has no link at position {position}: it was cut or rewritten")
            )
        elif links[position].hex() != signed:
            report.problems.append(
                (
                    name,
                    f"the chain at position {position} is not the one signed on "
                    f"{document['signedAt']}: the chain was rewritten",
                )
            )
    return report
