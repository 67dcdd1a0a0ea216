"""The webhook worker looks for endpoints each time the views move, which in a serving
process is after nearly every command: it does so on one kept connection, not on a
new one per look (a PostgreSQL backend started for every command)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from services.api.commands import CommandContext
from services.feeds.delivery import WebhookDeliverer
from services.org.rest import CharterTeam
from services.runtime import Runtime
from services.settings import Settings
from tests.integration.conftest import settings_for
from tests.people import CEO

COMMANDS = 12
LOOKS = 3  # at least: the worker may see several moves at once
WAIT_SECONDS = 20.0


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The runtime's own worker is off: the test runs one it watches."""
    return settings_for(database_url, tmp_path, FLYWHEEL_RUN_WEBHOOKS="false")


@pytest.fixture
async def deliverer(serving: Runtime) -> AsyncIterator[None]:
    stop = asyncio.Event()
    worker = WebhookDeliverer(serving.settings, serving.database.url, serving.commands["feeds"])
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT_SECONDS)


async def counters(conn: asyncpg.Connection) -> tuple[int, int]:
    """Sessions opened on this database, and scans of the endpoints' view, so far."""
    await conn.execute("SELECT pg_stat_clear_snapshot()")
    sessions = await conn.fetchval(
        "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
    )
    scans = await conn.fetchval(
        "SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables "
        "WHERE schemaname = 'views' AND relname = 'webhook_endpoints'"
    )
    return int(sessions), int(scans or 0)


async def test_looking_for_endpoints_opens_no_connection_per_command(
    serving: Runtime, deliverer: None
) -> None:
    conn = await asyncpg.connect(serving.database.url)
    try:
        sessions_before, scans_before = await counters(conn)
        for number in range(COMMANDS):
            outcome = serving.org.charter_team(
                CommandContext(CEO, "scan"),
                CharterTeam(name=f"Team {number}", mission="m", leader=f"lead{number}@x.io"),
            )
            assert await serving.watcher.wait_for(outcome.position, WAIT_SECONDS)
        deadline = time.monotonic() + WAIT_SECONDS
        while (found := await counters(conn))[1] - scans_before < LOOKS:
            assert time.monotonic() < deadline, f"the worker looked {found[1] - scans_before} times"
            await asyncio.sleep(0.1)  # statistics reach the view within a second or so
        sessions, _ = await counters(conn)
    finally:
        await conn.close()
    assert sessions - sessions_before <= 2, (
        f"{sessions - sessions_before} sessions opened for {COMMANDS} commands "
        f"and {found[1] - scans_before} looks"
    )
