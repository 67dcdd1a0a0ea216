"""The projection runner against real PostgreSQL: views, time travel, crashes, restarts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from domain.org.team import Attachment, Team
from domain.people.values import Function
from projections import views
from projections.org import queries as org_queries
from projections.paging import PageRequest
from projections.reading import ReadSession
from projections.runner import EventNotApplied, ProjectionRunner
from services.api.commands import CommandContext
from services.org.rest import AddMember, AppointLeader, CharterTeam, DisbandTeam
from services.registry import VIEWS
from services.runtime import Runtime
from tests.people import CEO

WAIT = 10.0


def build_history(runtime: Runtime) -> dict[str, Any]:
    """A small org: two teams, members, a leader change, a disbanded team."""
    teams = runtime.org
    payments = teams.charter_team(
        CommandContext(CEO, "h"),
        CharterTeam(name="Payments", mission="Move money", leader="alice@x.io"),
    )
    checkout = teams.charter_team(
        CommandContext(CEO, "h"),
        CharterTeam(name="Checkout", mission="Buy", leader="bob@x.io", parent_id=payments.id),
    )
    teams.add_member(
        CommandContext(CEO, "h"),
        payments.id,
        AddMember(
            person="carol@x.io", function=Function.ENGINEERING, attachment=Attachment.DEDICATED
        ),
    )
    teams.add_member(
        CommandContext(CEO, "h"),
        payments.id,
        AddMember(person="dan@x.io", function=Function.DESIGN, attachment=Attachment.REPORTS),
    )
    before_change = teams.add_member(
        CommandContext(CEO, "h"),
        checkout.id,
        AddMember(person="erin@x.io", function=Function.ENGINEERING, attachment=Attachment.REPORTS),
    )
    teams.appoint_leader(
        CommandContext(CEO, "h"),
        payments.id,
        AppointLeader(leader="carol@x.io", reason="Alice moves to Risk"),
    )
    teams.remove_member(
        CommandContext(CEO, "h"), payments.id, person="dan@x.io", reason="Left the company"
    )
    fraud = teams.charter_team(
        CommandContext(CEO, "h"), CharterTeam(name="Fraud", mission="Stop fraud", leader="fay@x.io")
    )
    last = teams.disband_team(
        CommandContext(CEO, "h"), fraud.id, DisbandTeam(reason="Merged into Risk")
    )
    return {
        "payments": payments.id,
        "checkout": checkout.id,
        "fraud": fraud.id,
        "before_change": before_change.position,
        "head": last.position,
    }


async def snapshot(
    pool: asyncpg.Pool, schema: str = views.LIVE_SCHEMA
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table, in a stable order."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    async with pool.acquire() as conn:
        for table in VIEWS.tables():
            rows = await conn.fetch(f'SELECT * FROM "{schema}"."{table.name}"')
            dump[table.name] = sorted((tuple(row) for row in rows), key=repr)
    return dump


@pytest.fixture
async def pool(runtime: Runtime) -> AsyncIterator[asyncpg.Pool]:
    created = await asyncpg.create_pool(runtime.database.url, min_size=1, max_size=3)
    yield created
    await created.close()


def runner_for(runtime: Runtime, batch_size: int = 1000) -> ProjectionRunner:
    return runtime.projection_runner(batch_size=batch_size)


async def test_views_follow_the_commands(serving: Runtime) -> None:
    ids = build_history(serving)
    assert await serving.watcher.wait_for(ids["head"], WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        assert db.position == ids["head"]
        teams = await org_queries.teams_by_id(
            db, [ids["payments"], ids["checkout"], ids["fraud"]], None
        )
        assert teams[ids["payments"]]["leader"] == "carol@x.io"
        assert teams[ids["checkout"]]["parent_id"] == ids["payments"]
        assert teams[ids["fraud"]]["status"] == "DISBANDED"
        history = (await org_queries.leader_history(db, [ids["payments"]], None))[ids["payments"]]
        assert [(h["person"], h["reason"], h["until"] is None) for h in history] == [
            ("alice@x.io", None, False),
            ("carol@x.io", "Alice moves to Risk", True),
        ]
        members = (await org_queries.members_of(db, [ids["payments"]], None)).get(
            ids["payments"], []
        )
        assert members == [], "carol was promoted, dan left"
        led = await org_queries.teams_led_by(db, ["alice@x.io", "carol@x.io", "fay@x.io"], None)
        assert set(led) == {"carol@x.io"}
        page = await org_queries.team_page(
            db, None, org_queries.TeamFilter(status="ACTIVE"), PageRequest(10)
        )
        assert [row["name"] for row in page.rows] == ["Checkout", "Payments"]
        assert page.total == 2
        log_rows = await db.fetchval("SELECT count(*) FROM {views}.event_log")
        assert log_rows == ids["head"]


async def test_any_view_can_be_read_as_of_a_past_position(serving: Runtime) -> None:
    ids = build_history(serving)
    assert await serving.watcher.wait_for(ids["head"], WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        then = ids["before_change"]
        teams = await org_queries.teams_by_id(db, [ids["payments"], ids["fraud"]], then)
        assert teams[ids["payments"]]["leader"] == "alice@x.io"
        assert ids["fraud"] not in teams, "Fraud was chartered later"
        members = (await org_queries.members_of(db, [ids["payments"]], then))[ids["payments"]]
        assert [m["person"] for m in members] == ["carol@x.io", "dan@x.io"]
        history = (await org_queries.leader_history(db, [ids["payments"]], then))[ids["payments"]]
        assert [(h["person"], h["until"]) for h in history] == [("alice@x.io", None)]
        assert await org_queries.known_people(db, ["fay@x.io"], then) == set()


async def test_a_restarted_runner_resumes_and_applies_nothing_twice(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    ids = build_history(runtime)
    async with pool.acquire() as conn:
        first = runner_for(runtime, batch_size=4)
        cursor = await first.prepare(conn)
        await first.step(conn, cursor)
        await first.step(conn, cursor)
        assert cursor.position == 8
    async with pool.acquire() as conn:
        second = runner_for(runtime, batch_size=4)
        cursor = await second.prepare(conn)
        assert cursor.position == 8, "resumed from the tracking position"
        await second.catch_up(conn, cursor)
        assert cursor.position == ids["head"]
        positions = await conn.fetch("SELECT position FROM views.event_log ORDER BY position")
        assert [row["position"] for row in positions] == list(range(1, ids["head"] + 1))
    resumed = await snapshot(pool)
    async with pool.acquire() as conn:
        await runner_for(runtime).rebuild(conn)
    assert await snapshot(pool) == resumed, "resuming in batches equals one clean rebuild"


async def test_a_failing_event_stops_the_batch_just_before_it(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    """The events before it are applied; nothing of it is written; once it can be
    applied the runner carries on, and the views equal a clean rebuild."""
    ids = build_history(runtime)
    runner = runner_for(runtime, batch_size=1000)
    original = runner._handlers[Team.LeaderAppointed]

    async def crash(*_: Any) -> None:
        raise RuntimeError("projection crashed mid-batch")

    runner._handlers[Team.LeaderAppointed] = [crash]
    async with pool.acquire() as conn:
        cursor = await runner.prepare(conn)
        with pytest.raises(EventNotApplied) as refused:
            await runner.step(conn, cursor)
        failed = refused.value
        assert (failed.event_type, failed.reason) == (
            "Team.LeaderAppointed",
            "RuntimeError: projection crashed mid-batch",
        )
        assert failed.retryable
        appointed = await conn.fetchval(
            "SELECT min(notification_id) FROM flywheel_events WHERE topic LIKE '%LeaderAppointed'"
        )
        assert failed.position == appointed
        before = await conn.fetchval(
            "SELECT max(notification_id) FROM flywheel_events WHERE notification_id < $1",
            appointed,
        )
        assert cursor.position == before
        assert await conn.fetchval("SELECT position FROM views.tracking") == before
        assert await conn.fetchval("SELECT max(position) FROM views.event_log") == before
        runner._handlers[Team.LeaderAppointed] = original
        await runner.catch_up(conn, cursor)
        assert cursor.position == ids["head"]
    recovered = await snapshot(pool)
    async with pool.acquire() as conn:
        await runner_for(runtime).rebuild(conn)
    assert await snapshot(pool) == recovered


async def test_one_runner_works_while_another_stands_by(runtime: Runtime) -> None:
    ids = build_history(runtime)
    first, second = runner_for(runtime), runner_for(runtime)
    stop_first, stop_second = asyncio.Event(), asyncio.Event()
    first_task = asyncio.create_task(first.run(stop_first))
    await asyncio.wait_for(first.active.wait(), WAIT)
    second_task = asyncio.create_task(second.run(stop_second))
    try:
        await asyncio.wait_for(runtime.watcher.start(), WAIT)
        assert await runtime.watcher.wait_for(ids["head"], WAIT)
        assert not second.active.is_set(), "the lock keeps the second runner waiting"
        stop_first.set()
        await asyncio.wait_for(first_task, WAIT)
        await asyncio.wait_for(second.active.wait(), WAIT)
        more = runtime.org.charter_team(
            CommandContext(CEO, "h"), CharterTeam(name="Wallet", mission="m", leader="gil@x.io")
        )
        assert await runtime.watcher.wait_for(more.position, WAIT), "the standby took over"
    finally:
        stop_first.set()
        stop_second.set()
        await runtime.watcher.stop()
        await asyncio.gather(first_task, second_task)


async def test_views_are_rebuilt_when_their_shape_changed(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    build_history(runtime)
    async with pool.acquire() as conn:
        runner = runner_for(runtime)
        cursor = await runner.prepare(conn)
        await runner.catch_up(conn, cursor)
        before = await snapshot(pool)
        await conn.execute("UPDATE views.tracking SET fingerprint = 'an older shape'")
        await conn.execute("DELETE FROM views.team_members")  # the old views differ
        cursor = await runner_for(runtime).prepare(conn)
        assert await conn.fetchval("SELECT fingerprint FROM views.tracking") == VIEWS.fingerprint()
        assert await conn.fetchval("SELECT to_regnamespace('views_next') IS NULL")
    assert await snapshot(pool) == before


async def test_every_event_records_its_actor_correlation_and_reason(serving: Runtime) -> None:
    payments = serving.org.charter_team(
        CommandContext(CEO, "corr-42"), CharterTeam(name="Payments", mission="m", leader="a@x.io")
    )
    changed = serving.org.appoint_leader(
        CommandContext(CEO, "corr-43"),
        payments.id,
        AppointLeader(leader="b@x.io", reason="Rotation"),
    )
    assert await serving.watcher.wait_for(changed.position, WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        rows = await db.fetch(
            "SELECT type, actor, correlation_id, reason, data "
            "FROM {views}.event_log ORDER BY position"
        )
    assert {(row["actor"]) for row in rows} == {"ceo@example.com"}
    assert [row["correlation_id"] for row in rows] == ["corr-42"] * 3 + ["corr-43"] * 3
    appointed = next(row for row in rows if row["type"] == "Team.LeaderAppointed")
    assert appointed["reason"] == "Rotation"
    assert '"previous_leader": "a@x.io"' in appointed["data"]


async def test_a_failing_runner_keeps_retrying_instead_of_dying(runtime: Runtime) -> None:
    ids = build_history(runtime)
    runner = runner_for(runtime)
    original = runner._handlers[Team.LeaderAppointed]
    failures = 0

    async def flaky(event: Any, views: Any) -> None:
        nonlocal failures
        failures += 1
        if failures == 1:
            raise RuntimeError("a bug met in production")
        for handler in original:
            await handler(event, views)

    runner._handlers[Team.LeaderAppointed] = [flaky]
    stop = asyncio.Event()
    task = asyncio.create_task(runner.run(stop))
    try:
        await asyncio.wait_for(runtime.watcher.start(), WAIT)
        assert await runtime.watcher.wait_for(ids["head"], WAIT), "it retried and caught up"
        assert failures >= 2 and not task.done()
    finally:
        stop.set()
        await runtime.watcher.stop()
        await asyncio.wait_for(task, WAIT)


async def test_an_overlapped_rebuild_equals_the_views_built_batch_by_batch(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    """A rebuild handles batch n+1 while batch n is written: in batches of 2 (every batch
    overlapped with a write) it builds the views the runner builds following the log."""
    ids = build_history(runtime)
    async with pool.acquire() as conn:
        runner = runner_for(runtime, batch_size=3)
        cursor = await runner.prepare(conn)
        await runner.catch_up(conn, cursor)
        assert cursor.position == ids["head"]
    whole = await snapshot(pool)
    assert whole["event_log"], "the views hold the log"
    async with pool.acquire() as conn:
        assert await runner_for(runtime, batch_size=2).rebuild(conn) == ids["head"]
        assert await conn.fetchval("SELECT position FROM views.tracking") == ids["head"]
    assert await snapshot(pool) == whole


async def test_a_rebuild_gives_an_entity_ended_and_started_again_every_version(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    """A member removed, added back and removed again, rebuilt in batches of one (every
    version closed by a later batch than the one that wrote it): the views the runner
    builds following the log, every version of the member included."""
    ids = build_history(runtime)
    for _ in range(2):
        runtime.org.add_member(
            CommandContext(CEO, "h"),
            ids["payments"],
            AddMember(person="dan@x.io", function=Function.DESIGN, attachment=Attachment.REPORTS),
        )
        last = runtime.org.remove_member(
            CommandContext(CEO, "h"), ids["payments"], person="dan@x.io", reason="Left again"
        )
    async with pool.acquire() as conn:
        runner = runner_for(runtime, batch_size=3)
        cursor = await runner.prepare(conn)
        await runner.catch_up(conn, cursor)
        assert cursor.position == last.position
        versions = await conn.fetch(
            "SELECT valid_from, valid_to FROM views.team_members WHERE person = $1 "
            "ORDER BY valid_from",
            "dan@x.io",
        )
    whole = await snapshot(pool)
    assert len(versions) == 3 and all(row["valid_to"] is not None for row in versions)
    async with pool.acquire() as conn:
        assert await runner_for(runtime, batch_size=1).rebuild(conn) == last.position
    assert await snapshot(pool) == whole


async def test_a_rebuild_stops_just_before_a_failing_event_in_any_batch(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    """An event that fails in a batch handled while the one before it is written: the
    rebuild stops exactly before it, with every event before it in the shadow views."""
    build_history(runtime)
    runner = runner_for(runtime, batch_size=2)

    async def crash(*_: Any) -> None:
        raise RuntimeError("projection crashed mid-rebuild")

    runner._handlers[Team.LeaderAppointed] = [crash]
    async with pool.acquire() as conn:
        appointed = await conn.fetchval(
            "SELECT min(notification_id) FROM flywheel_events WHERE topic LIKE '%LeaderAppointed'"
        )
        assert appointed > 4, "the failing event comes after two overlapped batches"
        with pytest.raises(EventNotApplied) as refused:
            await runner.build_shadow(conn, "views_shadow")
        assert refused.value.position == appointed
        assert refused.value.event_type == "Team.LeaderAppointed"
        before = await conn.fetchval(
            "SELECT max(notification_id) FROM flywheel_events WHERE notification_id < $1",
            appointed,
        )
        assert await conn.fetchval("SELECT position FROM views_shadow.tracking") == before
        logged = await conn.fetch("SELECT position FROM views_shadow.event_log ORDER BY position")
        assert [row["position"] for row in logged] == list(range(1, before + 1))
        await conn.execute("DROP SCHEMA views_shadow CASCADE")


async def test_a_rebuilt_schema_has_the_keys_and_indexes_of_a_created_one(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    """A rebuild creates its tables bare and adds the keys and indexes over the finished
    rows, two tables at a time: the schema it swaps in has every constraint and index,
    with the names, of views created whole (what the fingerprint stands for)."""
    ids = build_history(runtime)
    async with pool.acquire() as conn:
        runner = runner_for(runtime, batch_size=2)
        await runner.prepare(conn)  # created whole: keys and indexes with the tables
        shadow = await runner.build_shadow(conn, "views_shadow")
        assert shadow.position == ids["head"]
        indexes = (
            "SELECT tablename, indexname, replace(indexdef, $1, '') AS definition "
            "FROM pg_indexes WHERE schemaname = $2 ORDER BY 1, 2"
        )
        created = await conn.fetch(indexes, "views.", "views")
        rebuilt = await conn.fetch(indexes, "views_shadow.", "views_shadow")
        constraints = (
            "SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k "
            "JOIN pg_class c ON c.oid = k.conrelid WHERE k.connamespace = $1::regnamespace "
            "ORDER BY 1, 2"
        )
        created_keys = await conn.fetch(constraints, "views")
        rebuilt_keys = await conn.fetch(constraints, "views_shadow")
        await conn.execute("DROP SCHEMA views_shadow CASCADE")
    assert len(created) > len(VIEWS.tables()) * 2, "every temporal table has two keys at least"
    assert [tuple(row) for row in rebuilt] == [tuple(row) for row in created]
    assert [tuple(row) for row in rebuilt_keys] == [tuple(row) for row in created_keys]


async def test_a_rebuild_whose_cache_fills_up_goes_on_batch_by_batch(
    runtime: Runtime, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path holds every current version in the cache; past the cache's bound it
    writes them, gives the tables their keys, and the rest is applied batch by batch
    (closing versions in the database): the views are those built following the log."""
    ids = build_history(runtime)
    async with pool.acquire() as conn:
        runner = runner_for(runtime, batch_size=3)
        cursor = await runner.prepare(conn)
        await runner.catch_up(conn, cursor)
    whole = await snapshot(pool)
    monkeypatch.setattr("projections.runner.REBUILD_CACHE_ROWS", 4)
    async with pool.acquire() as conn:
        shadow = await runner_for(runtime, batch_size=2).build_shadow(conn, "views_shadow")
        assert shadow.position == ids["head"]
        assert not shadow.cache.complete, "the cache overflowed: the rest went batch by batch"
    assert await snapshot(pool, "views_shadow") == whole
    async with pool.acquire() as conn:
        await conn.execute("DROP SCHEMA views_shadow CASCADE")
