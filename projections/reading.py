"""Reading the views: consistent snapshots, as-of positions, and waiting for writes.

A :class:`ReadSession` is one read-only REPEATABLE READ transaction, so every
query of one GraphQL request sees the views at one log position, the one it
reports. ``at`` arguments throughout are log positions: ``None`` reads the
current versions, an integer reads the versions valid at that position.

:class:`ViewsWatcher` keeps, per API process, the position the views have
reached (from the runner's ``NOTIFY``), so a read-your-writes request can wait
for its position without polling the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from datetime import datetime
from types import TracebackType
from typing import Any

import asyncpg

from projections.connection import CONNECTION_LOST
from projections.storable import storable
from projections.views import LIVE_SCHEMA, TRACKING_NAME, VIEWS_CHANNEL

log = logging.getLogger(__name__)

BEGIN_SNAPSHOT = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
# How long a connection waits, begun, for the next request's snapshot (``Snapshots``).
BEGUN_SECONDS = 2.0
# How many begun connections a process keeps at most (fewer than its pool holds).
BEGUN_AT_MOST = 4

WATCH_POLL_SECONDS = 1.0
# A read replica (a hot standby) accepts no LISTEN: polling is all there is, so poll
# often enough that a read waiting for its own write barely notices.
REPLICA_POLL_SECONDS = 0.1


def visible(alias: str, at_param: int | None) -> str:
    """The SQL condition for versions visible now (``None``) or at position ``$n``."""
    if at_param is None:
        return f"{alias}.valid_to IS NULL"
    return (
        f"{alias}.valid_from <= ${at_param} "
        f"AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ${at_param})"
    )


class SessionClosed(RuntimeError):
    """A query was asked of a read snapshot after its request ended."""


# Snapshots closing in the background (``close_in_background``), held until they end.
_CLOSING: set[asyncio.Task[None]] = set()


def _closed(closing: asyncio.Task[None]) -> None:
    _CLOSING.discard(closing)
    if not closing.cancelled() and (error := closing.exception()) is not None:
        log.warning("Returning a read snapshot's connection failed: %r", error)


class ReadSession:
    """One consistent snapshot of the views, shared by one request's queries.

    A connection runs one query at a time, and a cancelled asyncpg query leaves
    the connection cancelling (the next query fails with "another operation is
    in progress") and aborts the transaction. GraphQL cancels resolvers whenever
    a sibling field's error nulls their parent, so queries here are never
    cancelled: each runs in its own task, in turn, holding the lock until the
    database answers, while a cancelled caller stops waiting for it. A caller
    cancelled while still waiting its turn sends nothing. Closing waits for the
    query in flight, and refuses queries asked after the request ended.
    """

    def __init__(
        self, pool: asyncpg.Pool, schema: str = LIVE_SCHEMA, snapshots: Snapshots | None = None
    ) -> None:
        self.schema = schema
        self._pool = pool
        self._snapshots = snapshots
        self._conn: asyncpg.pool.PoolConnectionProxy | None = None
        self._lock = asyncio.Lock()
        self._closed = False
        self.position = 0
        self.log_time: datetime | None = None

    async def __aenter__(self) -> ReadSession:
        self._conn = await self._pool.acquire()
        try:
            await self._conn.execute(BEGIN_SNAPSHOT)
            await self._take_snapshot()
        except BaseException:
            self._snapshots = None
            await self._release()
            raise
        return self

    async def _take_snapshot(self) -> None:
        """Read the views' position: the first statement after ``BEGIN``, which takes
        the snapshot (REPEATABLE READ takes it there, not at ``BEGIN``)."""
        assert self._conn is not None
        row = await self._conn.fetchrow(
            f'SELECT position, at FROM "{self.schema}".tracking WHERE name = $1',
            TRACKING_NAME,
        )
        self.position, self.log_time = (row["position"], row["at"]) if row else (0, None)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closed = True
        # Shielded: a request cancelled while closing still returns its connection clean.
        await asyncio.shield(self._close_in_turn())

    def close_in_background(self) -> asyncio.Task[None]:
        """End the snapshot without waiting for it: refuse further queries now, and roll
        back and return the connection in a task of its own (returned, to wait on it).
        A request's answer is already read: its response need not wait for ``ROLLBACK``."""
        self._closed = True
        return _in_background(self._close_in_turn())

    async def _close_in_turn(self) -> None:
        async with self._lock:  # after the query in flight
            await self._release()

    async def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        snapshots, self._snapshots = self._snapshots, None
        if snapshots is not None and snapshots.reserve():
            # The next request's BEGIN goes with this one's ROLLBACK, in one round trip.
            try:
                await conn.execute(f"ROLLBACK; {BEGIN_SNAPSHOT}")
            except (asyncpg.InterfaceError, asyncpg.PostgresError):
                snapshots.unreserve()
            else:
                snapshots.keep(conn)
                return
        await _end(self._pool, conn)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Rows of ``sql``. A string argument holding what the views store as U+FFFD
        (NUL, a lone surrogate: see projections.storable) is asked as stored, so a
        search for it finds what was stored and no argument can fail the query."""
        await self._lock.acquire()
        try:
            if self._closed or self._conn is None:
                raise SessionClosed("the request's read snapshot is closed")
            query = asyncio.ensure_future(
                self._conn.fetch(sql.replace("{views}", f'"{self.schema}"'), *storable(args))
            )
        except BaseException:
            self._lock.release()
            raise
        query.add_done_callback(self._query_done)
        return list(await asyncio.shield(query))

    def _query_done(self, query: asyncio.Future[Any]) -> None:
        """The next query's turn; an answer nobody waits for any more is dropped."""
        self._lock.release()
        if not query.cancelled():
            query.exception()  # retrieved, so asyncio does not log it as lost

    async def fetchval(self, sql: str, *args: Any) -> Any:
        rows = await self.fetch(sql, *args)
        return rows[0][0] if rows else None

    async def position_at(self, moment: datetime) -> int:
        """The last log position recorded at or before ``moment`` (0 if none).

        Log time never decreases along the log, so that is the last event of the
        latest log time at or before ``moment``: found from the ``at`` index in a
        step, where ``max(position)`` walks the log back from its end to ``moment``.
        """
        value = await self.fetchval(
            "SELECT position FROM {views}.event_log WHERE at <= $1 "
            "ORDER BY at DESC, position DESC LIMIT 1",
            moment,
        )
        return int(value or 0)


async def _end(pool: asyncpg.Pool, conn: asyncpg.pool.PoolConnectionProxy) -> None:
    """Roll ``conn``'s transaction back (if it still can) and return it to ``pool``."""
    try:
        with contextlib.suppress(asyncpg.InterfaceError, asyncpg.PostgresError):
            await conn.execute("ROLLBACK")
    finally:
        await pool.release(conn)


def _in_background(work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    task = asyncio.get_running_loop().create_task(work)
    _CLOSING.add(task)
    task.add_done_callback(_closed)
    return task


class Snapshots:
    """Requests' read snapshots, each ``BEGIN`` sent ahead with the last one's ``ROLLBACK``.

    A snapshot closing keeps its connection (up to ``BEGUN_AT_MOST``, fewer than the
    pool holds) and sends ``ROLLBACK; BEGIN ...`` in one round trip; the next request
    opens its snapshot on it with one statement, the position read, where a connection
    from the pool needs ``BEGIN`` first. A connection that has only begun holds no
    snapshot, transaction id or lock, so it holds back neither vacuum nor DDL; it waits
    ``BEGUN_SECONDS`` at most, then goes back to the pool. Its transaction's ``now()``
    is when it began, not when the request came: no read of the views uses it.
    """

    def __init__(self, pool: asyncpg.Pool, schema: str = LIVE_SCHEMA) -> None:
        self.schema = schema
        self._pool = pool
        self._at_most = max(0, min(BEGUN_AT_MOST, pool.get_max_size() - 1))
        self._begun: list[tuple[asyncpg.pool.PoolConnectionProxy, asyncio.TimerHandle]] = []
        self._reserved = 0
        self._closed = False

    async def open(self) -> ReadSession:
        """A snapshot, on a begun connection if one waits (a broken one is dropped)."""
        while self._begun:
            conn, timer = self._begun.pop()
            timer.cancel()
            session = ReadSession(self._pool, self.schema, self)
            session._conn = conn
            try:
                await session._take_snapshot()
            except (*CONNECTION_LOST, asyncpg.PostgresError, asyncpg.InternalClientError) as error:
                # Ended while it waited (the server's idle_in_transaction_session_timeout,
                # a restart): the pool makes a new connection in its place.
                log.debug("a begun read connection failed, taking another: %r", error)
                with contextlib.suppress(asyncpg.InterfaceError):  # released on closing
                    conn.terminate()
                await self._pool.release(conn)
                continue
            except BaseException:
                session._snapshots = None
                await session._release()
                raise
            return session
        return await ReadSession(self._pool, self.schema, self).__aenter__()

    def reserve(self) -> bool:
        """Whether a closing snapshot may keep its connection begun (room is held for it)."""
        if self._closed or len(self._begun) + self._reserved >= self._at_most:
            return False
        self._reserved += 1
        return True

    def unreserve(self) -> None:
        self._reserved -= 1

    def keep(self, conn: asyncpg.pool.PoolConnectionProxy) -> None:
        self._reserved -= 1
        if self._closed:
            _in_background(_end(self._pool, conn))
            return
        timer = asyncio.get_running_loop().call_later(BEGUN_SECONDS, self._return, conn)
        self._begun.append((conn, timer))

    def _return(self, conn: asyncpg.pool.PoolConnectionProxy) -> None:
        """A begun connection no request took in time goes back to the pool."""
        self._begun = [(kept, timer) for kept, timer in self._begun if kept is not conn]
        _in_background(_end(self._pool, conn))

    async def close(self) -> None:
        """Return every begun connection to the pool (before the pool closes)."""
        self._closed = True
        begun, self._begun = self._begun, []
        for _conn, timer in begun:
            timer.cancel()
        await asyncio.gather(*(_end(self._pool, conn) for conn, _ in begun))


class ViewsWatcher:
    """The views' position as seen by this process, and waiting for a position."""

    def __init__(self, dsn: str, schema: str = LIVE_SCHEMA) -> None:
        self._dsn = dsn
        self._schema = schema
        self.position = 0
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def start(self) -> None:
        self._stop.clear()
        self._task = asyncio.create_task(self._watch(), name="views-watcher")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for(self, position: int, seconds: float) -> bool:
        """Wait until the views reach ``position``; False if the timeout passed first."""
        if self.position >= position:
            return True
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self.position >= position), seconds
                )
            except TimeoutError:
                return False
        return True

    async def _advance(self, position: int) -> None:
        if position > self.position:
            async with self._changed:
                self.position = position
                self._changed.notify_all()

    async def _watch(self) -> None:
        """Listen for the runner's notifications and poll the tracking row too: a
        notification can be missed while reconnecting, and a read replica takes no
        LISTEN at all (NOTIFY is not replicated), so there the poll is all there is."""
        while not self._stop.is_set():
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(self._dsn)
                every = WATCH_POLL_SECONDS if await self._listen(conn) else REPLICA_POLL_SECONDS
                while not self._stop.is_set():
                    value = await conn.fetchval(
                        f'SELECT position FROM "{self._schema}".tracking WHERE name = $1',
                        TRACKING_NAME,
                    )
                    await self._advance(int(value or 0))
                    await asyncio.sleep(every)
            except (*CONNECTION_LOST, asyncpg.PostgresError) as error:
                log.debug("views watcher reconnecting: %s", error)
                await asyncio.sleep(WATCH_POLL_SECONDS)
            finally:
                if conn is not None:
                    with contextlib.suppress(Exception):
                        await conn.close()

    async def _listen(self, conn: asyncpg.Connection) -> bool:
        """Subscribe to the runner's notifications; False on a hot standby, which
        refuses LISTEN ("cannot execute LISTEN during recovery")."""
        try:
            await conn.add_listener(VIEWS_CHANNEL, self._on_notify)
        except asyncpg.ReadOnlySQLTransactionError:
            log.info("views watcher: a read replica; polling every %ss", REPLICA_POLL_SECONDS)
            return False
        return True

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        with contextlib.suppress(ValueError):
            asyncio.get_running_loop().create_task(self._advance(int(payload)))
