"""One request's read snapshot survives its callers being cancelled.

GraphQL cancels the resolvers of sibling fields when an error nulls their
parent. A query cancelled mid-flight would leave the request's one connection
cancelling ("another operation is in progress") and its transaction aborted, so
the snapshot never cancels a query: the caller stops waiting, the query ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import asyncpg
import pytest

from projections.reading import ReadSession, SessionClosed
from services.runtime import Runtime

SLOW = "SELECT pg_sleep(0.3), 'slow snapshot query' AS marker"
DEADLINE = 10.0


async def running(pool: asyncpg.Pool, marker: str) -> None:
    """Wait (bounded) until a query containing ``marker`` is running on the server."""
    deadline = time.monotonic() + DEADLINE
    async with pool.acquire() as conn:
        while time.monotonic() < deadline:
            found = await conn.fetchval(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE state = 'active' AND query LIKE '%' || $1 || '%' "
                "AND pid <> pg_backend_pid()",
                marker,
            )
            if found:
                return
            await asyncio.sleep(0.01)  # polling a condition, with a deadline
    pytest.fail(f"no query with {marker!r} started within {DEADLINE}s")


async def cancelled(task: asyncio.Task[object]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()


@pytest.fixture
def pool(serving: Runtime) -> asyncpg.Pool:
    assert serving.read_pool is not None
    return serving.read_pool


async def test_a_query_whose_caller_is_cancelled_leaves_the_snapshot_usable(
    pool: asyncpg.Pool,
) -> None:
    async with ReadSession(pool) as session:
        slow = asyncio.create_task(session.fetch(SLOW))
        await running(pool, "slow snapshot query")
        await cancelled(slow)

        # The next query waits for the slow one instead of failing, and the
        # transaction was not aborted by a cancelled statement.
        assert await session.fetchval("SELECT 1") == 1
        assert await session.fetchval("SELECT txid_current_if_assigned() IS NULL") is True


async def test_closing_waits_for_the_query_in_flight_and_returns_a_clean_connection(
    pool: asyncpg.Pool,
) -> None:
    session = ReadSession(pool)
    async with session:
        slow = asyncio.create_task(session.fetch(SLOW))
        await running(pool, "slow snapshot query")
        await cancelled(slow)
    # Closing waited: the connection is back in the pool, idle, and reusable.
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT 1") == 1
    with pytest.raises(SessionClosed):
        await session.fetch("SELECT 1")


async def test_queries_asked_at_once_run_in_turn(pool: asyncpg.Pool) -> None:
    async with ReadSession(pool) as session:
        answers = await asyncio.gather(*(session.fetchval(f"SELECT {n}") for n in range(50)))
    assert answers == list(range(50))


async def test_a_caller_cancelled_while_waiting_its_turn_sends_nothing(
    pool: asyncpg.Pool,
) -> None:
    lock_taken = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242"
    async with ReadSession(pool) as session:
        slow = asyncio.create_task(session.fetch(SLOW))
        await running(pool, "slow snapshot query")
        waiting = asyncio.create_task(session.fetch("SELECT pg_advisory_xact_lock(4242)"))
        await asyncio.sleep(0)  # one turn of the loop: it queues behind the slow query
        await cancelled(waiting)
        await slow
        assert await session.fetchval(lock_taken) == 0
        await session.fetch("SELECT pg_advisory_xact_lock(4242)")
        assert await session.fetchval(lock_taken) == 1  # the probe itself works
