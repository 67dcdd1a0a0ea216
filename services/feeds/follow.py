"""Following the log: catch-up from a position, then live, woken by the views' NOTIFY.

The event log view (``views.event_log``) is written in the same transaction as the
views' tracking row, and the runner notifies ``flywheel_views`` with the position it
reached on commit; each API process's :class:`~projections.reading.ViewsWatcher`
listens. A follower reads pages of events after its position up to where the views
stand, and when it has caught up waits for the watcher to move. Memory stays bounded:
a follower holds one page at a time, and the log itself is the buffer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

import asyncpg

from projections.feeds.queries import FeedFilter, events_after
from projections.reading import ViewsWatcher

T = TypeVar("T")
PAGE = 500
IDLE_RECHECK_SECONDS = 30.0  # re-read even without a notification (one may be missed)


async def follow(
    pool: asyncpg.Pool,
    watcher: ViewsWatcher,
    feed: FeedFilter,
    *,
    after: int,
    page: int = PAGE,
) -> AsyncIterator[asyncpg.Record]:
    """Every event the feed follows after ``after``, in log order, forever."""
    scanned = after
    while True:
        async with (
            pool.acquire() as conn,
            conn.transaction(isolation="repeatable_read", readonly=True),
        ):
            rows, reached = await events_after(conn, feed, after=scanned, limit=page)
        for row in rows:
            yield row
        full = len(rows) >= page
        scanned = max(scanned, reached)
        if not full:
            await watcher.wait_for(scanned + 1, IDLE_RECHECK_SECONDS)


class _End(Generic[T]):
    def __init__(self, error: BaseException | None) -> None:
        self.error = error


async def bounded(
    source: AsyncIterator[T],
    *,
    size: int,
    slow_seconds: float,
    on_slow: Callable[[], Awaitable[None]],
) -> AsyncIterator[T]:
    """``source`` read ahead into a queue of at most ``size`` items. When the consumer
    leaves the queue full for ``slow_seconds`` (it does not read what it is sent), the
    feed calls ``on_slow`` (which disconnects it) and ends: a slow consumer never makes
    the server hold more than ``size`` items for it."""
    queue: asyncio.Queue[T | _End[T]] = asyncio.Queue(size)

    async def produce() -> None:
        end: _End[T] = _End(None)
        try:
            async for item in source:
                try:
                    await asyncio.wait_for(queue.put(item), slow_seconds)
                except TimeoutError:
                    await on_slow()
                    return
        except Exception as error:  # handed to the consumer, which raises it
            end = _End(error)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(queue.put(end), slow_seconds)

    producer = asyncio.create_task(produce(), name="feed-producer")
    try:
        while True:
            item = await queue.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        producer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await producer
        aclose = getattr(source, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
