"""Events the runner cannot apply: a failing projector and a forged row stop it loudly,
at the event, and it carries on once the cause is gone."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import psycopg
import pytest

from domain.org.team import Team
from projections.chain import NO_LINK
from projections.runner import ProjectionRunner, _Cursor, _Entry
from projections.status import ViewsStatus, read_status
from services.api.commands import CommandContext
from services.audit import chain as audit
from services.org.rest import CharterTeam
from services.recorder import EVENTS_TABLE
from services.registry import VIEWS
from services.runtime import Runtime
from tests.integration.test_projections import build_history
from tests.people import CEO

WAIT = 10.0
RUNNER = "projections.runner"


async def status_of(runtime: Runtime) -> ViewsStatus:
    conn = await asyncpg.connect(runtime.database.url)
    try:
        return await read_status(conn, EVENTS_TABLE)
    finally:
        await conn.close()


async def until_status(
    runtime: Runtime, condition: Callable[[ViewsStatus], bool], what: str
) -> ViewsStatus:
    deadline = time.monotonic() + WAIT
    while not condition(status := await status_of(runtime)):
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {status}"
        await asyncio.sleep(0.05)  # polling a condition, with a deadline
    return status


def forge_team(runtime: Runtime, name: str) -> int:
    """A team chartered by a row written straight into the event table: a copy of a real
    charter under a new name and id, with no hash-chain link."""
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        row = conn.execute(
            "INSERT INTO flywheel_events (originator_id, originator_version, topic, state) "
            "SELECT gen_random_uuid(), 1, topic, "
            "convert_to(replace(convert_from(state, 'UTF8'), 'Payments', %s), 'UTF8') "
            "FROM flywheel_events WHERE topic LIKE '%%Team.Chartered' "
            "ORDER BY notification_id LIMIT 1 RETURNING notification_id",
            (name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


async def run_runner(runner: ProjectionRunner, body: Callable[[], Any]) -> None:
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await body()
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)


async def test_a_failing_projector_stops_the_runner_at_its_event_then_it_resumes(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    history = build_history(runtime)
    runner = runtime.projection_runner()
    fixed = False
    original = runner._handlers[Team.LeaderAppointed]

    async def failing(event: Any, views: Any) -> None:
        if not fixed:
            raise RuntimeError("a bug met in production")
        for handler in original:
            await handler(event, views)

    runner._handlers[Team.LeaderAppointed] = [failing]

    async def body() -> None:
        nonlocal fixed
        stalled = await until_status(runtime, lambda s: s.stall is not None, "the stall")
        assert stalled.stall is not None
        assert stalled.stall.event_type == "Team.LeaderAppointed"
        assert stalled.stall.reason == "RuntimeError: a bug met in production"
        assert stalled.stall.cause == "error"
        assert stalled.position < stalled.stall.position <= history["head"]
        assert stalled.head == history["head"]
        logged = [r for r in caplog.records if r.name == RUNNER and r.levelno == logging.ERROR]
        assert len(logged) == 1, "the stall is logged once, not once per retry"
        assert logged[0].fields == {  # type: ignore[attr-defined]
            "position": stalled.stall.position,
            "event_type": "Team.LeaderAppointed",
            "error": "RuntimeError: a bug met in production",
            "views_position": stalled.position,
        }
        retries = [r for r in caplog.records if r.name == RUNNER and r.levelno == logging.WARNING]
        assert len(retries) == 3, "retried three times before stopping"

        fixed = True  # the release with the fix
        resumed = await until_status(
            runtime, lambda s: s.stall is None and s.position == history["head"], "the resume"
        )
        assert resumed.lag == 0

    with caplog.at_level(logging.INFO, logger=RUNNER):
        await run_runner(runner, body)


async def test_a_forged_event_is_never_applied_and_its_removal_lets_the_runner_go_on(
    serving: Runtime,
) -> None:
    history = build_history(serving)
    assert await serving.watcher.wait_for(history["head"], WAIT)
    forged = forge_team(serving, "Forged")
    later = serving.org.charter_team(
        CommandContext(CEO, "h"), CharterTeam(name="Later", mission="m", leader="l@x.io")
    )

    stalled = await until_status(serving, lambda s: s.stall is not None, "the stall")
    assert stalled.stall is not None
    assert (stalled.stall.position, stalled.stall.event_type) == (forged, "Team.Chartered")
    assert (stalled.stall.reason, stalled.stall.cause) == (NO_LINK, "chain")
    assert stalled.position == history["head"]
    assert not await serving.watcher.wait_for(later.position, 0.5)
    assert serving.read_pool is not None
    async with serving.read_pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM views.teams WHERE name = 'Forged'") == 0

    with psycopg.connect(serving.database.url, autocommit=True) as conn:
        conn.execute("DELETE FROM flywheel_events WHERE notification_id = %s", (forged,))
    assert await serving.watcher.wait_for(later.position, WAIT), "it carried on by itself"
    resumed = await status_of(serving)
    assert resumed.stall is None
    async with serving.read_pool.acquire() as conn:
        names = {row["name"] for row in await conn.fetch("SELECT name FROM views.teams")}
    assert "Later" in names and "Forged" not in names


class RunnerBeforeTheChain(ProjectionRunner):
    """The runner as it was before it checked chain links: it applies every row."""

    def _verified(self, rows: list[asyncpg.Record], cursor: _Cursor) -> list[_Entry]:
        return [_Entry(row, cursor.chain) for row in rows]


async def test_verify_names_a_forged_event_that_older_views_served(runtime: Runtime) -> None:
    history = build_history(runtime)
    forged = forge_team(runtime, "Forged")
    older = RunnerBeforeTheChain(
        runtime.database.url, runtime.app.mapper, views=VIEWS, events_table=EVENTS_TABLE
    )
    conn = await asyncpg.connect(runtime.database.url)
    try:
        cursor = await older.prepare(conn)
        await older.catch_up(conn, cursor)
        assert await conn.fetchval("SELECT count(*) FROM views.teams WHERE name = 'Forged'") == 1
    finally:
        await conn.close()

    report = await audit.verify_views(runtime.database.url, runtime.projection_runner())
    assert not report.ok
    assert report.position == forged > history["head"]
    assert [(e.position, e.event_type, e.reason) for e in report.left_out] == [
        (forged, "Team.Chartered", NO_LINK)
    ]
    teams = next(d for d in report.differences if d.table == "teams")
    assert any("Forged" in row for row in teams.only_in_live)
    assert teams.only_in_rebuilt == []
