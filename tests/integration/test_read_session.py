"""One request's read snapshot survives its callers being cancelled.

GraphQL cancels the resolvers of sibling fields when an error nulls their
parent. A query cancelled mid-flight would leave the request's one connection
cancelling ("another operation is in progress") and its transaction aborted, so
the snapshot never cancels a query: the caller stops waiting, the query ends.

A query is held in flight, for as long as a test needs, by an advisory lock
that another connection holds: no timing is involved.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import asyncpg
import pytest

from projections import reading
from projections.reading import ReadSession, SessionClosed, Snapshots
from projections.views import TRACKING_NAME
from services.runtime import Runtime

GATE = 4242
HELD = f"SELECT pg_advisory_xact_lock({GATE}), 'held in flight' AS marker"
PROBE = 4343
DEADLINE = 10.0


@pytest.fixture
def pool(serving: Runtime) -> asyncpg.Pool:
    assert serving.read_pool is not None
    return serving.read_pool


class Gate:
    """An advisory lock held by another connection: a query taking it waits."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def waited_on(self) -> None:
        """Wait (bounded) until a query is blocked on the gate."""
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            waiting = await self._conn.fetchval(
                "SELECT count(*) FROM pg_locks "
                "WHERE locktype = 'advisory' AND objid = $1 AND NOT granted",
                GATE,
            )
            if waiting:
                return
            await asyncio.sleep(0.01)  # polling a condition, with a deadline
        pytest.fail(f"no query waited on the gate within {DEADLINE}s")

    async def still_waited_on(self, seconds: float) -> None:
        """Assert that the query blocked on the gate stays blocked, not cancelled.

        The absence of a cancellation can only be seen over a window; one sent
        by the client reaches the server within milliseconds.
        """
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            waiting = await self._conn.fetchval(
                "SELECT count(*) FROM pg_locks "
                "WHERE locktype = 'advisory' AND objid = $1 AND NOT granted",
                GATE,
            )
            assert waiting == 1, "the query in flight was cancelled on the server"
            await asyncio.sleep(0.01)  # observing over a window, not synchronising

    async def open(self) -> None:
        await self._conn.execute(f"SELECT pg_advisory_unlock({GATE})")


@pytest.fixture
async def gate(pool: asyncpg.Pool) -> AsyncIterator[Gate]:
    async with pool.acquire() as conn:
        await conn.execute(f"SELECT pg_advisory_lock({GATE})")
        yield Gate(conn)
        await conn.execute("SELECT pg_advisory_unlock_all()")


async def cancelled(task: asyncio.Task[object]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert task.cancelled()


async def test_a_query_whose_caller_is_cancelled_leaves_the_snapshot_usable(
    pool: asyncpg.Pool, gate: Gate
) -> None:
    async with ReadSession(pool) as session:
        held = asyncio.create_task(session.fetch(HELD))
        await gate.waited_on()
        await cancelled(held)
        await gate.still_waited_on(seconds=1.0)

        # The next query waits for the held one to end instead of failing, and
        # the transaction was not aborted by a cancelled statement.
        following = asyncio.create_task(session.fetchval("SELECT 1"))
        await gate.open()
        assert await following == 1
        assert await session.fetchval("SELECT count(*) FROM pg_class") > 0


async def test_closing_waits_for_the_query_in_flight_and_returns_a_clean_connection(
    pool: asyncpg.Pool, gate: Gate
) -> None:
    session = ReadSession(pool)
    async with session:
        held = asyncio.create_task(session.fetch(HELD))
        await gate.waited_on()
        await cancelled(held)
        await gate.open()
    # Closing waited: the connection went back to the pool idle, and is reusable.
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT 1") == 1
    with pytest.raises(SessionClosed):
        await session.fetch("SELECT 1")


async def test_a_snapshot_closed_in_the_background_refuses_queries_and_returns_clean(
    pool: asyncpg.Pool, gate: Gate
) -> None:
    """A GraphQL request ends its snapshot without waiting for the rollback: the query
    in flight still ends, one asked after that is refused, and the connection goes
    back to the pool out of its transaction."""
    session = await ReadSession(pool).__aenter__()
    idle_before = pool.get_idle_size()
    held = asyncio.create_task(session.fetch(HELD))
    await gate.waited_on()

    closing = session.close_in_background()
    refused = asyncio.create_task(session.fetch("SELECT 1"))

    await gate.open()
    assert (await held)[0]["marker"] == "held in flight"
    with pytest.raises(SessionClosed):
        await refused
    await closing
    idle = [await pool.acquire() for _ in range(pool.get_idle_size())]
    try:
        assert len(idle) > idle_before, "the snapshot's connection is back, idle"
        assert not any(conn.is_in_transaction() for conn in idle)
    finally:
        for conn in idle:
            await pool.release(conn)


async def test_queries_asked_at_once_run_in_turn(pool: asyncpg.Pool) -> None:
    async with ReadSession(pool) as session:
        answers = await asyncio.gather(*(session.fetchval(f"SELECT {n}") for n in range(50)))
    assert answers == list(range(50))


async def test_a_caller_cancelled_while_waiting_its_turn_sends_nothing(
    pool: asyncpg.Pool, gate: Gate
) -> None:
    probe_taken = f"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = {PROBE}"
    async with ReadSession(pool) as session:
        held = asyncio.create_task(session.fetch(HELD))
        waiting = asyncio.create_task(session.fetch(f"SELECT pg_advisory_xact_lock({PROBE})"))
        await gate.waited_on()  # by now `waiting` has queued behind the held query
        await cancelled(waiting)
        await gate.open()
        await held
        assert await session.fetchval(probe_taken) == 0
        await session.fetch(f"SELECT pg_advisory_xact_lock({PROBE})")
        assert await session.fetchval(probe_taken) == 1, "the probe itself works"


SESSION_STATE = """
SELECT (SELECT count(*) FROM pg_settings WHERE source = 'session') AS settings,
       (SELECT count(*) FROM pg_listening_channels()) AS channels,
       (SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory')
           AS advisory_locks,
       (SELECT count(*) FROM pg_cursors WHERE name <> '') AS cursors
"""


async def test_connections_go_back_to_the_pool_with_no_session_state(
    pool: asyncpg.Pool, gate: Gate
) -> None:
    """The request pools skip asyncpg's reset round trip (``keep_session``): a snapshot,
    a snapshot whose query was cancelled, and a plain acquire all leave nothing behind
    (no setting, LISTEN, advisory lock, cursor or open transaction)."""
    async with ReadSession(pool) as session:
        assert await session.fetchval("SELECT count(*) FROM views.tracking") == 1
    async with ReadSession(pool) as session:
        held = asyncio.create_task(session.fetch(HELD))
        await gate.waited_on()
        await cancelled(held)
        await gate.open()
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")
    held_connections = [await pool.acquire() for _ in range(pool.get_idle_size())]
    assert held_connections, "the connections used above are back in the pool, idle"
    try:
        for conn in held_connections:
            assert not conn.is_in_transaction()
            state = await conn.fetchrow(SESSION_STATE)
            assert (state["settings"], state["channels"], state["advisory_locks"]) == (0, 0, 0)
            assert state["cursors"] == 0
    finally:
        for conn in held_connections:
            await pool.release(conn)


BACKEND = """
SELECT state, backend_xmin IS NULL AS no_snapshot, backend_xid IS NULL AS no_xid
FROM pg_stat_activity WHERE pid = $1
"""


async def idle_again(pool: asyncpg.Pool, size: int) -> None:
    """Wait (bounded) until the pool holds ``size`` idle connections again."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if pool.get_idle_size() >= size:
            return
        await asyncio.sleep(0.01)  # polling a condition, with a deadline
    pytest.fail(f"the pool did not get {size} idle connections back within {DEADLINE}s")


@pytest.fixture
async def snapshots(pool: asyncpg.Pool) -> AsyncIterator[Snapshots]:
    kept = Snapshots(pool)
    yield kept
    await kept.close()


@pytest.fixture
async def scratch(pool: asyncpg.Pool) -> AsyncIterator[str]:
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE snapshot_probe (n int)")
        yield "snapshot_probe"
        await conn.execute("DROP TABLE snapshot_probe")


async def test_a_closed_snapshot_begins_the_next_and_that_one_sees_later_writes(
    pool: asyncpg.Pool, snapshots: Snapshots, scratch: str
) -> None:
    """A request's snapshot sends the next one's BEGIN with its ROLLBACK: the connection
    waits begun, holding no snapshot (vacuum is not held back), and the next request's
    snapshot, taken by its first statement, sees what was committed in between."""
    session = await snapshots.open()
    backend = await session.fetchval("SELECT pg_backend_pid()")
    await session.close_in_background()
    async with pool.acquire() as other:
        waiting = await other.fetchrow(BACKEND, backend)
        assert (waiting["state"], waiting["no_snapshot"], waiting["no_xid"]) == (
            "idle in transaction",
            True,
            True,
        )
        await other.execute(f"INSERT INTO {scratch} VALUES (1)")

    session = await snapshots.open()
    try:
        assert await session.fetchval("SELECT pg_backend_pid()") == backend, "kept begun"
        assert await session.fetchval(f"SELECT count(*) FROM {scratch}") == 1
        assert session.position == await session.fetchval(
            "SELECT position FROM views.tracking WHERE name = $1", TRACKING_NAME
        )
        async with pool.acquire() as other:
            await other.execute(f"INSERT INTO {scratch} VALUES (2)")
        assert await session.fetchval(f"SELECT count(*) FROM {scratch}") == 1, "one snapshot"
        assert await session.fetchval("SELECT current_setting('transaction_read_only')") == "on"
        assert (
            await session.fetchval("SELECT current_setting('transaction_isolation')")
            == "repeatable read"
        )
    finally:
        await session.close_in_background()


async def test_a_begun_connection_that_died_waiting_is_replaced(
    pool: asyncpg.Pool, snapshots: Snapshots
) -> None:
    session = await snapshots.open()
    backend = await session.fetchval("SELECT pg_backend_pid()")
    await session.close_in_background()
    async with pool.acquire() as other:
        assert await other.fetchval("SELECT pg_terminate_backend($1)", backend)

    session = await snapshots.open()
    try:
        assert await session.fetchval("SELECT pg_backend_pid()") != backend
        assert await session.fetchval("SELECT 1") == 1
    finally:
        await session.close_in_background()


async def test_begun_connections_go_back_to_the_pool_unused_and_when_closed(
    pool: asyncpg.Pool, snapshots: Snapshots, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nobody asking, a begun connection returns to the pool, out of its transaction;
    closing returns the rest at once (the pool waits for them to close)."""
    monkeypatch.setattr(reading, "BEGUN_SECONDS", 0.05)
    idle_before = pool.get_idle_size()
    await (await snapshots.open()).close_in_background()
    await idle_again(pool, idle_before)

    monkeypatch.setattr(reading, "BEGUN_SECONDS", 60.0)
    sessions = [await snapshots.open() for _ in range(3)]
    await asyncio.gather(*(session.close_in_background() for session in sessions))
    assert pool.get_idle_size() < idle_before + 3 - 1, "kept begun"
    await snapshots.close()
    after = await snapshots.open()  # once closed, a snapshot keeps nothing begun
    await after.close_in_background()
    idle = [await pool.acquire() for _ in range(pool.get_idle_size())]
    try:
        assert len(idle) >= 3
        assert not any(conn.is_in_transaction() for conn in idle)
    finally:
        for conn in idle:
            await pool.release(conn)
