"""The projection runner: follows the event log and keeps the views current.

- One runner works at a time, kept single by a PostgreSQL advisory lock; a
  second runner waits as a hot standby and takes over when the first one's
  connection goes away.
- Events are read in batches by log position and applied in one transaction
  that also moves the tracking position, so a crash loses nothing and no event
  is applied twice. The tracking update is conditional on the position and
  generation it started from, as a second guard against a concurrent writer.
- It wakes on the event store's ``NOTIFY`` (sent by every insert), with a slow
  poll as a fallback, and after each batch notifies ``flywheel_views`` so API
  processes can answer read-your-writes waits at once.
- When the views' shape changed (a new fingerprint), it rebuilds them from
  position zero into a schema beside the live one and swaps them in; a runner
  told not to migrate (``flywheel migrate`` does it once per release) stands by
  instead until the views have its shape.
- When the live views are swapped under it (``flywheel replay``, ``flywheel
  migrate``), it reopens them and carries on from their position.
- Asked to stop, it finishes the batch in hand, then closes its connection,
  which releases the lock: a standby takes over within ``STANDBY_POLL_SECONDS``.
- It applies only events whose hash-chain link is present and follows from the
  link of the last event it applied (kept in the tracking row), checked as the
  batch is read, so a row written to the event table by any other path is
  never served.
- An event it cannot apply (its link does not verify, or decoding, a handler or
  writing its rows fails) is never skipped: the events before it are applied,
  a failure is retried a few times with a growing pause, and then the runner
  stops at that event, records where and why in the tracking row (read by
  ``/readyz`` and ``/metrics`` in every API process, see
  ``projections/status.py``), logs it, and tries it again every
  ``STALLED_RETRY_SECONDS``: once the cause is fixed (a release whose handler
  copes, a forged row removed, views replayed past it) it carries on by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.persistence import Mapper, StoredEvent

from projections.audit.log import EVENT_LOG, log_row
from projections.batch import RowCache, ViewBatch, Writes
from projections.chain import CHAIN_TABLE, GENESIS, link_problem
from projections.connection import CONNECTION_LOST
from projections.statistics import Statistics
from projections.status import Stall, stall_of
from projections.tables import Table, TemporalTable
from projections.views import (
    LIVE_SCHEMA,
    TRACKING_NAME,
    VIEWS_CHANNEL,
    Views,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
STANDBY_POLL_SECONDS = 0.5
MAX_PAUSE_SECONDS = 30.0
REBUILD_CACHE_ROWS = 2_000_000
END_OF_LOG = 2**63 - 1
# An event that fails is tried this many more times, after 0.5 s, 1 s, 2 s: a
# deadlock or a statement timeout passes, a bug does not.
RETRIES = 3
RETRY_SECONDS = 0.5
STALLED_RETRY_SECONDS = 5.0


@dataclass
class Progress:
    position: int
    head: int
    applied: int
    seconds: float


ProgressCallback = Callable[[Progress], None]


class TrackingMoved(RuntimeError):
    """The tracking row changed under the runner (a swap or a second writer)."""


class ViewsNotMigrated(RuntimeError):
    """The live views are missing or have another release's shape, and this runner
    may not create or rebuild them."""


class EventNotApplied(RuntimeError):
    """An event the runner cannot apply: where, what and why. The events before it
    have been applied; the views stand just before it."""

    def __init__(self, position: int, event_type: str, reason: str, *, retryable: bool) -> None:
        super().__init__(f"the event at position {position} ({event_type}): {reason}")
        self.position = position
        self.event_type = event_type
        self.reason = reason
        # A link that does not verify will not verify on a retry; a failure might.
        self.retryable = retryable

    @property
    def stall(self) -> Stall:
        return Stall(self.position, self.event_type, self.reason)


# Failures that are not an event's: passed on to the loop that reconnects or reopens.
PASSED_ON: tuple[type[Exception], ...] = (TrackingMoved, *CONNECTION_LOST)


@dataclass
class _Cursor:
    """Where a runner stands in one views schema."""

    schema: str
    position: int
    at: datetime | None
    generation: UUID
    cache: RowCache
    chain: bytes = GENESIS  # the link of the last event applied
    stall: Stall | None = None
    # While a list (``flywheel verify``'s rebuild from verified events only), events
    # whose link does not verify are left out and listed here instead of stopping.
    left_out: list[EventNotApplied] | None = None


@dataclass
class _Entry:
    """One event of a batch: its row, the chain link the views carry once it is
    applied, and why it may not be applied (left out when the cursor allows)."""

    row: asyncpg.Record
    chain: bytes
    refusal: EventNotApplied | None = None

    @property
    def position(self) -> int:
        position: int = self.row["notification_id"]
        return position


class _FailedAt(Exception):
    """A batch failed while decoding or handling ``entries[index]``."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(index, error)
        self.index = index
        self.error = error


def lock_key(schema: str) -> str:
    return f"flywheel-projection:{schema}"


class ProjectionRunner:
    def __init__(
        self,
        dsn: str,
        mapper: Mapper[UUID],
        *,
        views: Views,
        events_table: str,
        chain_table: str = CHAIN_TABLE,
        schema: str = LIVE_SCHEMA,
        batch_size: int = 1000,
        cache_rows: int = 50_000,
        migrate: bool = True,
    ) -> None:
        self.dsn = dsn
        self.mapper = mapper
        self.events_table = events_table
        self.schema = schema
        self.batch_size = batch_size
        self.cache_rows = cache_rows
        self.migrate = migrate
        self.views = views
        self._handlers = views.handlers()
        self._every_event = views.every_event_handlers()
        # Each event with its chain link, read in the same statement. The link's range is
        # repeated so that both index scans start at the batch: without it the planner
        # merges with the chain from its first link, every batch.
        self._select = (
            "SELECT e.notification_id, e.originator_id, e.originator_version, e.topic, e.state, "
            f"c.event_hash, c.chain_hash FROM {events_table} e "
            f"LEFT JOIN {chain_table} c ON c.position = e.notification_id "
            "AND c.position > $1 AND c.position <= $3 "
            "WHERE e.notification_id > $1 AND e.notification_id <= $3 "
            "ORDER BY e.notification_id LIMIT $2"
        )
        self.active = asyncio.Event()
        self._statistics = Statistics()

    # -- running ---------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Keep the views current until ``stop`` is set.

        It survives database restarts, views swapped in by a replay, and failures
        of its own (logged, then retried with a growing pause), so a serving
        process never silently stops projecting. A runner not allowed to migrate
        stands by while the views are missing or of another release.
        """
        pause = POLL_SECONDS
        not_migrated_logged = False
        while not stop.is_set():
            try:
                await self._run_once(stop)
            except CONNECTION_LOST as error:
                log.warning("projection runner lost the database (%s); retrying", error)
            except ViewsNotMigrated as error:
                if not not_migrated_logged:
                    log.warning("projection runner standing by: %s", error)
                    not_migrated_logged = True
            except Exception:
                log.exception("projection runner failed; retrying in %.0fs", pause)
                await _sleep_unless(stop, pause)
                pause = min(pause * 2, MAX_PAUSE_SECONDS)
                continue
            finally:
                self.active.clear()
            pause = POLL_SECONDS
            await _sleep_unless(stop, POLL_SECONDS)

    async def _run_once(self, stop: asyncio.Event) -> None:
        conn = await asyncpg.connect(self.dsn)
        try:
            if not await self._acquire_lock(conn, stop):
                return
            cursor = await self.prepare(conn)
            self.active.set()
            log.info("projection runner active at position %d", cursor.position)
            wake = asyncio.Event()
            await conn.add_listener(_channel(self.events_table), lambda *_: wake.set())
            cursor = await self._follow(conn, cursor, wake, stop)
            log.info("projection runner stopped at position %d", cursor.position)
        finally:
            self.active.clear()
            await conn.close()

    async def _follow(
        self, conn: asyncpg.Connection, cursor: _Cursor, wake: asyncio.Event, stop: asyncio.Event
    ) -> _Cursor:
        """Apply batches as events arrive until ``stop``; an event that cannot be applied
        is retried, then the runner stalls at it (see the module's docstring)."""
        failures = 0
        while not stop.is_set():
            wake.clear()
            try:
                applied = await self.step(conn, cursor)
            except TrackingMoved as moved:
                # Views were swapped in under us (a replay, a migration): open them again at
                # once, which also checks that they are still this release's shape.
                log.info("projection runner: %s; reopening the views", moved)
                cursor = await self.prepare(conn)
                failures = 0
                continue
            except EventNotApplied as refused:
                failures += 1
                if refused.retryable and failures <= RETRIES and cursor.stall is None:
                    pause = RETRY_SECONDS * 2 ** (failures - 1)
                    log.warning(
                        "projection runner could not apply %s; retrying in %.1fs", refused, pause
                    )
                    await _sleep_unless(stop, pause)
                else:
                    await self._stall(conn, cursor, refused)
                    await _sleep_unless(stop, STALLED_RETRY_SECONDS)
                continue
            failures = 0
            if cursor.stall is not None:
                await self._resume(conn, cursor)
            if applied < self.batch_size:
                await _wait_any(wake, stop, POLL_SECONDS)
        return cursor

    async def _stall(
        self, conn: asyncpg.Connection, cursor: _Cursor, refused: EventNotApplied
    ) -> None:
        """Record where and why the views stopped, once, for every process to see."""
        stall = refused.stall
        known = cursor.stall
        if known is not None and (known.position, known.reason) == (stall.position, stall.reason):
            return
        since = await conn.fetchval(
            f'UPDATE "{cursor.schema}".tracking SET stalled_position = $1, stalled_type = $2, '
            "stalled_reason = $3, stalled_since = now() WHERE name = $4 AND generation = $5 "
            "RETURNING stalled_since",
            stall.position,
            stall.event_type,
            stall.reason,
            TRACKING_NAME,
            cursor.generation,
        )
        cursor.stall = Stall(stall.position, stall.event_type, stall.reason, since)
        log.error(
            "projection runner stopped: %s; the views stand at position %d until it can be "
            "applied (retried every %.0fs)",
            refused,
            cursor.position,
            STALLED_RETRY_SECONDS,
            extra={
                "fields": {
                    "position": stall.position,
                    "event_type": stall.event_type,
                    "error": stall.reason,
                    "views_position": cursor.position,
                }
            },
        )

    async def _resume(self, conn: asyncpg.Connection, cursor: _Cursor) -> None:
        stalled, cursor.stall = cursor.stall, None
        await conn.execute(
            f'UPDATE "{cursor.schema}".tracking SET stalled_position = NULL, stalled_type = NULL, '
            "stalled_reason = NULL, stalled_since = NULL WHERE name = $1 AND generation = $2",
            TRACKING_NAME,
            cursor.generation,
        )
        if stalled is not None:
            log.info(
                "projection runner resumed: the event at position %d (%s) no longer stops it; "
                "the views stand at position %d",
                stalled.position,
                stalled.event_type,
                cursor.position,
            )

    async def _acquire_lock(self, conn: asyncpg.Connection, stop: asyncio.Event) -> bool:
        waiting_logged = False
        while not stop.is_set():
            if await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1))", lock_key(self.schema)
            ):
                return True
            if not waiting_logged:
                log.info("another projection runner is active; standing by")
                waiting_logged = True
            await _sleep_unless(stop, STANDBY_POLL_SECONDS)
        return False

    # -- preparing the schema --------------------------------------------

    async def prepare(
        self, conn: asyncpg.Connection, on_progress: ProgressCallback | None = None
    ) -> _Cursor:
        """Open the live views; create them, or rebuild them if their shape changed."""
        if not self.migrate:
            found = await self.live_fingerprint(conn)
            if found != self.views.fingerprint():
                raise ViewsNotMigrated(
                    f"the views are {'missing' if found is None else 'of another release'}; "
                    "waiting for `flywheel migrate`"
                )
        cursor = await self._open(conn, self.schema)
        if cursor is None:
            await self._create(conn, self.schema)
            cursor = await self._open(conn, self.schema)
        elif await self._fingerprint(conn, self.schema) != self.views.fingerprint():
            log.info("views changed shape; rebuilding them from the event log")
            await self.rebuild(conn, on_progress)
            cursor = await self._open(conn, self.schema)
        assert cursor is not None
        return cursor

    async def rebuild(
        self, conn: asyncpg.Connection, on_progress: ProgressCallback | None = None
    ) -> int:
        """Build every view from position zero beside the live ones, then swap.

        Returns the position the rebuilt views reached.
        """
        staging = f"{self.schema}_next"
        cursor = await self.build_shadow(conn, staging, on_progress)
        retired = f"{self.schema}_retired"
        async with conn.transaction():
            await conn.execute(f'DROP SCHEMA IF EXISTS "{retired}" CASCADE')
            if await self._open(conn, self.schema) is not None:
                # Retire the live tracking row's generation, not just lock it: a runner whose
                # batch waits on this row then finds it changed and rolls back, rather than
                # committing into the retired views and announcing a position that the views
                # swapped in may not have reached (read-your-writes would answer too early).
                # Every batch committed before this is in the log the catch-up reads.
                await conn.execute(
                    f'UPDATE "{self.schema}".tracking SET generation = gen_random_uuid() '
                    "WHERE name = $1",
                    TRACKING_NAME,
                )
                await self.catch_up(conn, cursor)
                await conn.execute(f'ALTER SCHEMA "{self.schema}" RENAME TO "{retired}"')
            await conn.execute(f'ALTER SCHEMA "{staging}" RENAME TO "{self.schema}"')
            await conn.execute("SELECT pg_notify($1, $2)", VIEWS_CHANNEL, str(cursor.position))
        await conn.execute(f'DROP SCHEMA IF EXISTS "{retired}" CASCADE')
        return cursor.position

    async def build_shadow(
        self,
        conn: asyncpg.Connection,
        schema: str,
        on_progress: ProgressCallback | None = None,
        *,
        until: int | None = None,
        leave_out_unverified: bool = False,
    ) -> _Cursor:
        """Build every view from position zero into ``schema`` (replacing it).

        It stops at the first event it cannot apply (``EventNotApplied``), unless told
        to leave out the events whose chain link does not verify; those are then
        listed in the cursor's ``left_out``.
        """
        if not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", lock_key(schema)):
            raise RuntimeError(f"another process is building {schema}")
        # A shadow that is not finished is built again from zero, so its batches need not
        # wait for the WAL to reach the disk; the swap commits durably as ever. For the
        # same reason the fast path may hold current versions back (``RowCache.hold_open``):
        # no one reads a shadow before it is finished and swapped in.
        await conn.execute("SET synchronous_commit TO off")
        collecting = gc.isenabled()
        try:
            progress = _freezing(on_progress)
            fast = not leave_out_unverified
            cursor = await self._fresh_shadow(conn, schema, fast=fast)
            indexed = False
            if fast:
                indexed = await self._catch_up_overlapped(conn, cursor, progress, until)
                if not indexed:
                    log.warning("building %s again from zero, one batch at a time", schema)
                    cursor = await self._fresh_shadow(conn, schema, fast=False)
            cursor.left_out = [] if leave_out_unverified else None
            await self.catch_up(conn, cursor, progress, until=until)
            if not indexed:
                async with conn.transaction():
                    for table in self.views.tables():
                        for statement in _finishing(schema, table, keys=False):
                            await conn.execute(statement)
        finally:
            gc.unfreeze()
            if collecting:
                gc.enable()
            await conn.execute("RESET synchronous_commit")
            await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock_key(schema))
        return cursor

    async def _fresh_shadow(self, conn: asyncpg.Connection, schema: str, *, fast: bool) -> _Cursor:
        """Empty views in ``schema`` (replacing it), without their query indexes, and a
        cursor at zero with a complete cache. ``fast``: without the temporal tables' keys
        either, and a cache that holds current versions back (``_catch_up_overlapped``
        writes them and adds the keys)."""
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await self._create(conn, schema, indexes=False, keys=not fast)
        cursor = await self._open(conn, schema)
        assert cursor is not None
        cursor.cache = RowCache(REBUILD_CACHE_ROWS, complete=True, hold_open=fast)
        return cursor

    async def _create(
        self, conn: asyncpg.Connection, schema: str, *, indexes: bool = True, keys: bool = True
    ) -> None:
        async with conn.transaction():
            for statement in self.views.schema_ddl(schema, indexes=indexes, keys=keys):
                await conn.execute(statement)
            await conn.execute(
                f'INSERT INTO "{schema}".tracking (name, position, chain_hash, fingerprint) '
                "VALUES ($1, 0, $2, $3)",
                TRACKING_NAME,
                GENESIS,
                self.views.fingerprint(),
            )

    async def _open(self, conn: asyncpg.Connection, schema: str) -> _Cursor | None:
        exists = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'"{schema}".tracking')
        if not exists:
            return None
        row = await conn.fetchrow(
            f'SELECT * FROM "{schema}".tracking WHERE name = $1', TRACKING_NAME
        )
        assert row is not None
        return _Cursor(
            schema,
            row["position"],
            row["at"],
            row["generation"],
            RowCache(self.cache_rows),
            # Views of an older release (rebuilt before use) have no chain column.
            bytes(row.get("chain_hash") or GENESIS),
            stall_of(row),
        )

    async def live_fingerprint(self, conn: asyncpg.Connection) -> str | None:
        """The fingerprint of the live views' shape; None when they do not exist."""
        if await self._open(conn, self.schema) is None:
            return None
        return await self._fingerprint(conn, self.schema)

    async def _fingerprint(self, conn: asyncpg.Connection, schema: str) -> str | None:
        value: str | None = await conn.fetchval(
            f'SELECT fingerprint FROM "{schema}".tracking WHERE name = $1',
            TRACKING_NAME,
        )
        return value

    # -- applying events -------------------------------------------------

    async def catch_up(
        self,
        conn: asyncpg.Connection,
        cursor: _Cursor,
        on_progress: ProgressCallback | None = None,
        *,
        until: int | None = None,
    ) -> int:
        """Apply batches until the head of the log (or ``until``); returns how many events."""
        started = time.perf_counter()
        head = await self.head(conn) if until is None else until
        applied = 0
        while True:
            count = await self.step(conn, cursor, until=until)
            applied += count
            if on_progress is not None:
                elapsed = time.perf_counter() - started
                on_progress(Progress(cursor.position, max(head, cursor.position), applied, elapsed))
            if count < self.batch_size:
                return applied

    async def head(self, conn: asyncpg.Connection) -> int:
        value = await conn.fetchval(f"SELECT max(notification_id) FROM {self.events_table}")
        return int(value or 0)

    async def step(
        self, conn: asyncpg.Connection, cursor: _Cursor, *, until: int | None = None
    ) -> int:
        """Apply the next batch of events (up to ``until``); returns how many were read.

        Raises ``EventNotApplied`` at the first event that cannot be applied, once the
        events before it are applied.
        """
        last = until if until is not None else END_OF_LOG
        rows = await conn.fetch(self._select, cursor.position, self.batch_size, last)
        if not rows:
            return 0
        entries = self._verified(rows, cursor)
        refusal = entries[-1].refusal if cursor.left_out is None else None
        if refusal is not None:
            entries.pop()
        if entries:
            await self._apply_entries(conn, cursor, entries)
        if refusal is not None:
            raise refusal
        return len(rows)

    def _verified(self, rows: list[asyncpg.Record], cursor: _Cursor) -> list[_Entry]:
        """The batch's events with their chain links checked, from the cursor's link on.

        Stopping (the runner), the list ends at the first event whose link does not
        verify; leaving such events out (``flywheel verify``), they are marked and
        listed in the cursor, and the chain goes on from the last event that verified.
        """
        entries = []
        previous = cursor.chain
        for row in rows:
            position = row["notification_id"]
            problem = link_problem(
                previous,
                position,
                row["originator_id"],
                row["originator_version"],
                row["topic"],
                row["state"],
                row["event_hash"],
                row["chain_hash"],
            )
            if problem is None:
                previous = row["chain_hash"]
                entries.append(_Entry(row, previous))
                continue
            refusal = EventNotApplied(position, _type_of(row["topic"]), problem, retryable=False)
            entries.append(_Entry(row, previous, refusal))
            if cursor.left_out is None:
                break
            cursor.left_out.append(refusal)
        return entries

    async def _apply_entries(
        self, conn: asyncpg.Connection, cursor: _Cursor, entries: list[_Entry]
    ) -> None:
        """Apply ``entries`` in one transaction; when that fails, find the event it fails
        on, apply the ones before it, and raise ``EventNotApplied`` for it."""
        try:
            await self._apply(conn, cursor, entries)
        except _FailedAt as failed:
            await self._reset(conn, cursor)
            if failed.index:
                await self._apply_entries(conn, cursor, entries[: failed.index])
            raise _not_applied(entries[failed.index], failed.error) from failed.error
        except PASSED_ON:
            await self._reset(conn, cursor)
            raise
        except Exception as error:
            # Writing the batch's rows failed, which no one event is named by: one at a time.
            await self._reset(conn, cursor)
            if len(entries) == 1:
                raise _not_applied(entries[0], error) from error
            for entry in entries:
                await self._apply_entries(conn, cursor, [entry])
        except BaseException:
            await self._reset(conn, cursor)
            raise

    async def _reset(self, conn: asyncpg.Connection, cursor: _Cursor) -> None:
        """After a batch rolled back: forget the rows it cached, and check the views are
        still the ones the cursor follows."""
        cursor.cache.clear()
        reopened = await self._open(conn, cursor.schema)
        if reopened is None or reopened.generation != cursor.generation:
            raise TrackingMoved(f"{cursor.schema} were replaced")

    async def _apply(
        self, conn: asyncpg.Connection, cursor: _Cursor, entries: list[_Entry]
    ) -> None:
        async with conn.transaction():
            views = ViewBatch(conn, cursor.schema, cursor.cache)
            at = await self._handle(views, entries, cursor.at)
            writes = views.seal()
            await views.write(writes)
            last = entries[-1]
            await self._track(conn, cursor, last.position, at, last.chain)
        cursor.position, cursor.at, cursor.chain = last.position, at, last.chain
        if cursor.schema == self.schema:
            await self._statistics.keep_current(conn, cursor.schema, writes)

    async def _handle(
        self,
        views: ViewBatch,
        entries: list[_Entry],
        at: datetime | None,
        *,
        yield_every: int = 0,
    ) -> datetime | None:
        """Decode the entries and run their handlers into ``views``; returns the time the
        views stand at after them. With ``yield_every``, lets other tasks run after so
        many events (a write of the previous batch in flight)."""
        for index, entry in enumerate(entries):
            if yield_every and index % yield_every == yield_every - 1:
                await asyncio.sleep(0)
            if entry.refusal is not None:
                continue  # left out: its link does not verify
            try:
                event = self._decode(entry.row)
                at = event.timestamp if at is None or event.timestamp > at else at
                views.begin_event(entry.position, at)
                views.append(EVENT_LOG, log_row(event, entry.position, at))
                for handler in self._every_event:
                    await handler(event, views)
                for handler in self._handlers.get(type(event), ()):
                    await handler(event, views)
            except CONNECTION_LOST:
                raise
            except Exception as error:
                raise _FailedAt(index, error) from error
        return at

    async def _catch_up_overlapped(
        self,
        conn: asyncpg.Connection,
        cursor: _Cursor,
        on_progress: ProgressCallback,
        until: int | None,
    ) -> bool:
        """A rebuild's fast path into a shadow from ``_fresh_shadow(fast=True)``: handle
        batch n+1 in Python while PostgreSQL writes batch n, and read batch n+2 meanwhile
        on a second connection.

        The cache holds every current version back (``RowCache.hold_open``), so each
        version is written once, already closed, and nothing is updated: the tables
        need no keys meanwhile, and get them (built once over the rows) when the held
        versions are written at the end. Each batch still commits in its own transaction
        with its tracking position, in order, one at a time; handling a batch never reads
        from ``conn`` (the cache is complete). It stops at anything unusual (an event that
        does not verify, a cache past its bound) and leaves the rest to ``catch_up``,
        which stops at the exact event. Returns False when the views it built cannot be
        carried on from (an event failed, a write failed): the cache ran ahead of the
        database and what it held back is lost, so the shadow must be built again.
        """
        last_position = until if until is not None else END_OF_LOG
        started, applied = time.perf_counter(), 0
        head = await self.head(conn) if until is None else until
        reader = await asyncpg.connect(self.dsn)
        writing: asyncio.Task[None] | None = None
        ahead_at, ahead = (
            cursor.at,
            _Cursor(
                cursor.schema,
                cursor.position,
                cursor.at,
                cursor.generation,
                cursor.cache,
                cursor.chain,
            ),
        )
        reading = asyncio.ensure_future(
            reader.fetch(self._select, ahead.position, self.batch_size, last_position)
        )
        clean = True
        try:
            while not cursor.cache.full:
                rows = await reading
                if not rows:
                    break
                entries = self._verified(rows, ahead)
                if entries[-1].refusal is not None:
                    break
                reading = asyncio.ensure_future(
                    reader.fetch(self._select, entries[-1].position, self.batch_size, last_position)
                )
                views = ViewBatch(conn, cursor.schema, cursor.cache)
                try:
                    ahead_at = await self._handle(views, entries, ahead_at, yield_every=64)
                except _FailedAt:
                    clean = False
                    break
                writes = views.seal()
                if writing is not None:
                    await writing
                    progress = Progress(
                        cursor.position, max(head, cursor.position), applied, elapsed(started)
                    )
                    on_progress(progress)
                writing = asyncio.ensure_future(
                    self._commit(conn, cursor, views, writes, entries[-1], ahead_at)
                )
                applied += len(entries)
                ahead.position, ahead.chain = entries[-1].position, entries[-1].chain
                if len(rows) < self.batch_size:
                    break
        except BaseException:
            clean = False
            raise
        finally:
            reading.cancel()
            with contextlib.suppress(BaseException):
                await reading
            if writing is not None:
                try:
                    await writing
                except Exception:
                    clean = False
                    log.warning(
                        "an overlapped rebuild write failed at %s", cursor.position, exc_info=True
                    )
            await reader.close()
        if clean:
            try:
                await self._finish(conn, cursor)
            except Exception:
                clean = False
                log.warning("finishing a rebuild's tables failed", exc_info=True)
        if not clean:
            cursor.cache.clear()
        return clean

    async def _finish(self, conn: asyncpg.Connection, cursor: _Cursor) -> None:
        """Write the versions the cache held back, and give every table its keys (as
        ``table_ddl`` would have made them), its query indexes and its statistics, so that
        the views can be carried on from and read as any others.

        The tables are finished on two connections at once, each table as soon as its
        rows are written: a second connection starts on the tables that hold nothing
        back (the event log first) while this one writes the held versions, then joins
        it. Building each index once over the finished rows costs a fraction of keeping
        it up to date row by row."""
        schema = cursor.schema
        held = cursor.cache.release()
        cursor.cache.trim()
        holding = {table.name for table, _ in held}
        jobs: asyncio.Queue[Table | None] = asyncio.Queue()
        for table in self.views.tables():
            if table.name not in holding:
                jobs.put_nowait(table)
        helper = await asyncpg.connect(self.dsn)
        helping = asyncio.ensure_future(_finish_tables(helper, schema, jobs))
        try:
            for table, records in held:
                writes = Writes([], [(table, records)])
                async with conn.transaction():
                    await ViewBatch(conn, schema, cursor.cache).write(writes)
                jobs.put_nowait(table)
            jobs.put_nowait(None)  # one for each connection
            jobs.put_nowait(None)
            await _finish_tables(conn, schema, jobs)
            await helping
        finally:
            helping.cancel()
            with contextlib.suppress(BaseException):
                await helping
            await helper.close()

    async def _commit(
        self,
        conn: asyncpg.Connection,
        cursor: _Cursor,
        views: ViewBatch,
        writes: Writes,
        last: _Entry,
        at: datetime | None,
    ) -> None:
        """Write a sealed batch and move the tracking position, in one transaction."""
        async with conn.transaction():
            await views.write(writes)
            await self._track(conn, cursor, last.position, at, last.chain)
        cursor.position, cursor.at, cursor.chain = last.position, at, last.chain

    async def _track(
        self,
        conn: asyncpg.Connection,
        cursor: _Cursor,
        position: int,
        at: datetime | None,
        chain: bytes,
    ) -> None:
        """Move the tracking position (only from where this batch started) and, for the
        live views, notify API processes in the same round trip (sent on commit).

        A stall the batch has passed is cleared in the same statement, so that no reader
        sees the views past the event they are said to be stopped at."""
        notify = cursor.schema == self.schema
        moved = await conn.fetch(
            f'UPDATE "{cursor.schema}".tracking SET position = $1, at = $2, chain_hash = $3, '
            + _STALL_PASSED_AT_1
            + " WHERE name = $4 AND position = $5 AND generation = $6"
            + (" RETURNING pg_notify($7, position::text)" if notify else " RETURNING 1"),
            position,
            at,
            chain,
            TRACKING_NAME,
            cursor.position,
            cursor.generation,
            *((VIEWS_CHANNEL,) if notify else ()),
        )
        if len(moved) != 1:
            raise TrackingMoved(f"tracking of {cursor.schema} moved from {cursor.position}")

    def _decode(self, row: asyncpg.Record) -> Any:
        return self.mapper.to_domain_event(
            StoredEvent(
                originator_id=row["originator_id"],
                originator_version=row["originator_version"],
                topic=row["topic"],
                state=row["state"],
            )
        )


_STALL_PASSED_AT_1 = ", ".join(
    f"{column} = CASE WHEN stalled_position <= $1 THEN NULL ELSE {column} END"
    for column in ("stalled_position", "stalled_type", "stalled_reason", "stalled_since")
)
"""SET clauses that clear a stall at or before position ``$1``."""


def _finishing(schema: str, table: Table, *, keys: bool) -> list[str]:
    """What a table whose rows are all written gets: its keys when it was made without
    them, its query indexes, then statistics for the planner (new tables have none, and
    it would guess nested loops over a million rows until autovacuum came by)."""
    keyed = table.key_ddl(schema) if keys and isinstance(table, TemporalTable) else []
    return [*keyed, *table.index_ddl(schema), f'ANALYZE "{schema}"."{table.name}"']


async def _finish_tables(
    conn: asyncpg.Connection, schema: str, jobs: asyncio.Queue[Table | None]
) -> None:
    """Finish the tables queued in ``jobs`` until a None (see ``_finishing``)."""
    while (table := await jobs.get()) is not None:
        async with conn.transaction():
            for statement in _finishing(schema, table, keys=True):
                await conn.execute(statement)


def elapsed(started: float) -> float:
    return time.perf_counter() - started


def _type_of(topic: str) -> str:
    """The event's type as the views name it (``Team.Chartered``), from its topic alone:
    an event that cannot be applied may not decode either."""
    return topic.rpartition(":")[2]


def _not_applied(entry: _Entry, error: Exception) -> EventNotApplied:
    return EventNotApplied(
        entry.position,
        _type_of(entry.row["topic"]),
        f"{type(error).__name__}: {error}",
        retryable=True,
    )


def _freezing(on_progress: ProgressCallback | None) -> ProgressCallback:
    """Turn the cyclic collector off for a rebuild, and after each batch move what is
    alive into its permanent generation: the row cache grows to millions of objects
    that live until the end, and scanning them again and again cost a rebuild a
    quarter of its time and more; collecting a batch's young objects, which form
    hardly any cycles, cost it a tenth more (reference counting frees the rest).
    ``build_shadow`` unfreezes them and turns the collector back on when it ends."""
    gc.disable()

    def frozen(progress: Progress) -> None:
        gc.freeze()
        if on_progress is not None:
            on_progress(progress)

    return frozen


def _channel(events_table: str) -> str:
    """The channel the eventsourcing recorder notifies on every insert."""
    return events_table.rsplit(".", 1)[-1].strip('"')


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def _wait_any(wake: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
