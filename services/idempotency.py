"""Safe retries: a command sent again with the same ``Idempotency-Key`` runs once.

The protocol, per (caller, key), kept in ``flywheel_idempotency``:

1. **Claim** the key before running the command (a row with a short lease). If
   the key is already there: a different request body is refused (422); a
   recorded response is replayed; a request still in flight answers 409.
2. **Run** the command. Its outcome is written to the key's row *in the same
   transaction as its events* (see :mod:`services.recorder`), so there is no
   moment where the events exist and the key does not know it.
3. **Remember** the response sent, so a retry gets the same bytes. A 5xx is not
   remembered: the key is released so the retry runs again, which is safe
   because a command that recorded nothing left no outcome.

A lease that expires without an outcome (the process died before committing)
lets a retry claim the key again. Rows older than 24 hours are purged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
import msgspec

from services.recorder import IDEMPOTENCY_TABLE, IdempotentOutcome

LEASE = timedelta(seconds=60)
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 255

_current: ContextVar[IdempotentOutcome | None] = ContextVar("flywheel_idempotency", default=None)


def current_outcome() -> IdempotentOutcome | None:
    """The outcome the running command must record against its key, if any."""
    return _current.get()


@contextmanager
def recording_outcome(outcome: IdempotentOutcome) -> Iterator[None]:
    token = _current.set(outcome)
    try:
        yield
    finally:
        _current.reset(token)


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


@dataclass(frozen=True)
class Claimed:
    """The key is ours: run the command."""


@dataclass(frozen=True)
class Mismatch:
    """The key was used for a different request."""


@dataclass(frozen=True)
class InFlight:
    """The first request with this key is still running."""


@dataclass(frozen=True)
class Recorded:
    """The first request finished; this is what it answered."""

    status: int
    body: bytes | None
    media_type: str | None
    outcome: dict[str, Any] | None


Claim = Claimed | Mismatch | InFlight | Recorded

_TABLE = f'"{IDEMPOTENCY_TABLE}"'


async def claim(pool: asyncpg.Pool, subject: str, key: str, print_: str) -> Claim:
    async with pool.acquire() as conn:
        inserted = await conn.fetchval(
            f"INSERT INTO {_TABLE} (subject, key, fingerprint, locked_until) "
            "VALUES ($1, $2, $3, now() + $4::interval) ON CONFLICT DO NOTHING RETURNING true",
            subject,
            key,
            print_,
            LEASE,
        )
        if inserted:
            return Claimed()
        row = await conn.fetchrow(
            "SELECT fingerprint, status, outcome, body, media_type, "
            f"locked_until < now() AS expired FROM {_TABLE} WHERE subject = $1 AND key = $2",
            subject,
            key,
        )
        if row is None:  # purged in between: try once more
            return await claim(pool, subject, key, print_)
        if row["fingerprint"] != print_:
            return Mismatch()
        if row["status"] is not None:
            outcome = msgspec.json.decode(row["outcome"]) if row["outcome"] else None
            return Recorded(row["status"], row["body"], row["media_type"], outcome)
        if row["expired"]:
            taken = await conn.fetchval(
                f"UPDATE {_TABLE} SET locked_until = now() + $3::interval "
                "WHERE subject = $1 AND key = $2 AND status IS NULL AND locked_until < now() "
                "RETURNING true",
                subject,
                key,
                LEASE,
            )
            if taken:
                return Claimed()
        return InFlight()


async def remember(
    pool: asyncpg.Pool, subject: str, key: str, status: int, body: bytes, media_type: str
) -> None:
    async with pool.acquire() as conn:
        await conn.execute(
            f"UPDATE {_TABLE} SET status = $3, body = $4, media_type = $5 "
            "WHERE subject = $1 AND key = $2",
            subject,
            key,
            status,
            body,
            media_type,
        )


async def release(pool: asyncpg.Pool, subject: str, key: str) -> None:
    """Forget a key whose request failed on the server, unless it recorded an outcome."""
    async with pool.acquire() as conn:
        await conn.execute(
            f"DELETE FROM {_TABLE} WHERE subject = $1 AND key = $2 AND outcome IS NULL",
            subject,
            key,
        )


async def purge_expired(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as conn:
        status = await conn.execute(
            f"DELETE FROM {_TABLE} WHERE created_at < now() - $1::interval", RETENTION
        )
    return int(status.split()[-1])
