"""Read-your-writes across replays: views swapped in while commands keep coming."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import asyncpg

from projections.reading import ReadSession
from projections.runner import ProgressCallback, ProjectionRunner, _Cursor
from services.api.commands import CommandContext
from services.org.rest import CharterTeam
from services.recorder import EVENTS_TABLE
from services.registry import VIEWS
from services.runtime import Runtime
from tests.people import CEO

SWAPS = 6
WRITERS = 4
READ_WAIT = 5.0
DEADLINE = 30.0  # on a loaded two-core machine the live runner can take seconds


class CommandDuringTheSwap(ProjectionRunner):
    """A replay that, inside its swap (the shadow caught up, the live tracking row held),
    runs one more command and lets the live runner read and apply it before swapping:
    the moment a real replay under load meets now and then, every time."""

    def __init__(self, runtime: Runtime, command: Callable[[], int]) -> None:
        super().__init__(
            runtime.database.url, runtime.app.mapper, views=VIEWS, events_table=EVENTS_TABLE
        )
        self._command = command
        self.positions: list[int] = []

    async def catch_up(
        self,
        conn: asyncpg.Connection,
        cursor: _Cursor,
        on_progress: ProgressCallback | None = None,
        *,
        until: int | None = None,
    ) -> int:
        applied = await super().catch_up(conn, cursor, on_progress, until=until)
        if conn.is_in_transaction():
            self.positions.append(await asyncio.to_thread(self._command))
            await _until_live_runner_waits_on_its_tracking_row(conn)
        return applied


async def _until_live_runner_waits_on_its_tracking_row(conn: asyncpg.Connection) -> None:
    deadline = time.monotonic() + DEADLINE
    while not await conn.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query LIKE '%\"views\".%' AND pid <> pg_backend_pid()"
    ):
        assert time.monotonic() < deadline, "the live runner never reached the tracking row"
        await asyncio.sleep(0.01)  # polling a condition, with a deadline


async def test_every_position_a_command_returned_is_reached_across_replays(
    serving: Runtime,
) -> None:
    """Commands race six ``flywheel replay`` swaps, one of them inside each swap; every
    position a command returned is reached within the read wait, read exactly as a
    GraphQL request reads it."""
    stop = asyncio.Event()
    positions: list[int] = []
    unreached: list[tuple[int, int]] = []

    def charter(writer: Any, number: int) -> int:
        done = serving.org.charter_team(
            CommandContext(CEO, "h"),
            CharterTeam(name=f"W{writer}-{number}", mission="m", leader=f"w{writer}-{number}@x.io"),
        )
        return done.position

    async def read_own_write(position: int) -> None:
        await serving.watcher.wait_for(position, READ_WAIT)
        assert serving.read_pool is not None
        async with ReadSession(serving.read_pool) as session:
            if session.position < position:
                unreached.append((position, session.position))

    async def write(writer: int) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            position = await asyncio.to_thread(charter, writer, number)
            positions.append(position)
            await read_own_write(position)

    writers = [asyncio.create_task(write(writer)) for writer in range(WRITERS)]
    inside: list[int] = []
    try:
        conn = await asyncpg.connect(serving.database.url)
        try:
            for swap in range(SWAPS):
                replay = CommandDuringTheSwap(serving, lambda swap=swap: charter("swap", swap))
                await replay.rebuild(conn)
                inside += replay.positions
        finally:
            await conn.close()
        for position in inside:
            await read_own_write(position)
    finally:
        stop.set()
        await asyncio.gather(*writers)
    assert len(inside) == SWAPS
    assert len(positions) > SWAPS * WRITERS, "commands ran during the replays"
    assert unreached == [], "(returned, read at): positions a read waited for but did not see"
