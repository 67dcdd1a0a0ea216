"""``DATABASE_READ_URL``: reads from a streaming read replica, writes to the primary.

The replica is a real hot standby (``tests/replication.py``): it takes no LISTEN,
so the views watcher has to follow it by polling, and its replay can be paused
to make it lag behind the primary.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.org.rest import CharterTeam
from services.runtime import Runtime
from services.settings import load_settings
from tests.people import CEO
from tests.replication import StreamingPair, streaming_pair

WAIT = 15.0
TEAMS = "SELECT count(*) FROM {views}.teams WHERE valid_to IS NULL"


@pytest.fixture
def pair() -> Iterator[StreamingPair]:
    with streaming_pair() as running:
        yield running


@pytest.fixture
async def replicated(pair: StreamingPair, tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = load_settings(
        {
            "DATABASE_URL": pair.primary_url,
            "DATABASE_READ_URL": pair.standby_url,
            "FLYWHEEL_DATA_DIR": str(tmp_path),
            "FLYWHEEL_POOL_SIZE": "2",
        }
    )
    runtime = Runtime.open(settings)
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.stop()
        runtime.close()


async def until_primary_reaches(pair: StreamingPair, position: int) -> None:
    """Poll the primary's views (the runner writes there) with a deadline."""
    deadline = time.monotonic() + WAIT
    while (pair.primary_views_position() or 0) < position:
        assert time.monotonic() < deadline, f"the primary's views never reached {position}"
        await asyncio.sleep(0.02)


async def in_recovery(runtime: Runtime, which: str) -> bool:
    pool = runtime.read_pool if which == "read" else runtime.primary_pool
    assert pool is not None
    async with pool.acquire() as conn:
        return bool(await conn.fetchval("SELECT pg_is_in_recovery()"))


async def test_reads_go_to_the_replica_and_commands_to_the_primary(
    replicated: Runtime,
) -> None:
    assert await in_recovery(replicated, "read") is True, "GraphQL reads use the standby"
    assert await in_recovery(replicated, "primary") is False, "rate limits, keys use the primary"

    written = replicated.org.charter_team(
        CommandContext(CEO, "r"), CharterTeam(name="Payments", mission="m", leader="alice@x.io")
    )
    assert await replicated.watcher.wait_for(written.position, WAIT), (
        "the watcher follows a replica that takes no LISTEN"
    )
    assert replicated.read_pool is not None
    async with ReadSession(replicated.read_pool) as session:
        assert session.position >= written.position
        assert await session.fetchval(TEAMS) == 1


async def test_a_lagging_replica_holds_reads_back_until_it_reaches_the_position(
    pair: StreamingPair, replicated: Runtime
) -> None:
    first = replicated.org.charter_team(
        CommandContext(CEO, "r"), CharterTeam(name="A", mission="m", leader="a@x.io")
    )
    assert await replicated.watcher.wait_for(first.position, WAIT)
    pair.pause_replay()
    second = replicated.org.charter_team(
        CommandContext(CEO, "r"), CharterTeam(name="B", mission="m", leader="b@x.io")
    )
    await until_primary_reaches(pair, second.position)

    assert not await replicated.watcher.wait_for(second.position, 0.5), (
        "the primary has the position, the paused replica does not"
    )
    assert replicated.read_pool is not None
    async with ReadSession(replicated.read_pool) as session:
        assert session.position < second.position
        assert await session.fetchval(TEAMS) == 1, "the read came from the replica"

    waiting = asyncio.create_task(replicated.watcher.wait_for(second.position, WAIT))
    await asyncio.sleep(0)
    assert not waiting.done()
    pair.resume_replay()
    assert await waiting is True
    async with ReadSession(replicated.read_pool) as session:
        assert session.position >= second.position
        assert await session.fetchval(TEAMS) == 2
