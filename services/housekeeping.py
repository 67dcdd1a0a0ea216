"""Periodic clean-up of the disposable tables beside the event log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

import asyncpg

from projections.connection import CONNECTION_LOST
from services import idempotency
from services.recorder import RATE_LIMIT_TABLE

log = logging.getLogger(__name__)

EVERY_SECONDS = 600
RATE_WINDOWS_KEPT_SECONDS = 120


async def tidy(pool: asyncpg.Pool) -> None:
    """Forget idempotency keys older than their retention and finished rate windows."""
    purged = await idempotency.purge_expired(pool)
    async with pool.acquire() as conn:
        await conn.execute(
            f"DELETE FROM {RATE_LIMIT_TABLE} WHERE window_start < $1",
            int(time.time()) - RATE_WINDOWS_KEPT_SECONDS,
        )
    if purged:
        log.info("forgot %d expired idempotency keys", purged)


async def keep_tidy(pool: asyncpg.Pool, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await tidy(pool)
        except (*CONNECTION_LOST, asyncpg.PostgresError) as error:
            log.warning("housekeeping skipped: %s", error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=EVERY_SECONDS)
