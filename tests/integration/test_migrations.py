"""Migrations once per release: the event store's tables, the views, and runners
that may not migrate (``FLYWHEEL_MIGRATE_ON_START=false``)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import psycopg
import pytest

from projections.reading import ReadSession
from projections.runner import ProjectionRunner
from services.api.commands import CommandContext
from services.migrations import (
    MIGRATIONS_TABLE,
    NotMigrated,
    ViewsMigration,
    class_versions,
    migrate_event_store,
    migrate_views,
    pending_migrations,
    store_fingerprint,
)
from services.org.rest import CharterTeam
from services.registry import VIEWS
from services.runtime import Runtime
from services.settings import Settings, load_settings
from tests.people import CEO

WAIT = 15.0
TEAMS = "SELECT count(*) FROM {views}.teams WHERE valid_to IS NULL"


def settings_for(database_url: str, tmp_path: Path, *, migrate: bool) -> Settings:
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "FLYWHEEL_DATA_DIR": str(tmp_path / "data"),
            "FLYWHEEL_POOL_SIZE": "4",
            "FLYWHEEL_MIGRATE_ON_START": str(migrate).lower(),
        }
    )


@pytest.fixture
def migrated(database_url: str, tmp_path: Path) -> str:
    """A database on which this release's `flywheel migrate` has run."""
    runtime = Runtime.open(settings_for(database_url, tmp_path, migrate=True))
    try:
        asyncio.run(migrate_views(runtime.projection_runner()))
    finally:
        runtime.close()
    return database_url


@pytest.fixture
async def not_migrating(migrated: str, tmp_path: Path) -> AsyncIterator[Runtime]:
    """A server of a deployment that leaves migrations to `flywheel migrate`."""
    runtime = Runtime.open(settings_for(migrated, tmp_path, migrate=False))
    await runtime.start()
    yield runtime
    await runtime.stop()
    runtime.close()


async def until_logged(caplog: pytest.LogCaptureFixture, text: str) -> None:
    """Poll the captured log with a deadline (the log line is the signal)."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while not any(text in record.getMessage() for record in caplog.records):
        assert asyncio.get_running_loop().time() < deadline, f"never logged {text!r}"
        await asyncio.sleep(0.02)


def views_fingerprint(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT fingerprint FROM views.tracking").fetchone()
    return str(row[0]) if row else None


def test_a_process_that_may_not_migrate_refuses_an_unmigrated_database(
    database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(NotMigrated) as refused:
        Runtime.open(settings_for(database_url, tmp_path, migrate=False))
    assert refused.value.pending == ["the event store's tables", "the views do not exist"]
    assert "flywheel migrate" in str(refused.value)
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()
    assert tables == (0,), "it created nothing"


async def test_migrate_builds_the_store_and_the_views_once(
    database_url: str, tmp_path: Path
) -> None:
    runtime = Runtime.open(settings_for(database_url, tmp_path, migrate=True))
    try:
        assert pending_migrations(runtime.app, database_url) == ["the views do not exist"]
        runtime.org.charter_team(
            CommandContext(CEO, "m"), CharterTeam(name="Payments", mission="m", leader="a@x.io")
        )
        runner = runtime.projection_runner()
        assert await migrate_views(runner) is ViewsMigration.BUILT
        assert await migrate_views(runner) is ViewsMigration.CURRENT
        assert pending_migrations(runtime.app, database_url) == []
        with psycopg.connect(database_url) as conn:
            ledger = conn.execute(f"SELECT fingerprint, release FROM {MIGRATIONS_TABLE}").fetchall()
            teams = conn.execute("SELECT count(*) FROM views.teams").fetchone()
        assert sorted(ledger) == sorted(
            [(store_fingerprint(runtime.app), "0.1.0"), (class_versions(), "0.1.0")]
        ), "the release's DDL, and its aggregates' versions that the snapshots are at"
        assert teams == (1,), "the views were built from the log, not just created"
    finally:
        runtime.close()
    Runtime.open(settings_for(database_url, tmp_path, migrate=False)).close()


def test_racing_migrations_of_the_event_store_all_succeed_and_record_one_release(
    database_url: str, tmp_path: Path
) -> None:
    runtime = Runtime.open(settings_for(database_url, tmp_path / "first", migrate=True))
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f"DROP TABLE {MIGRATIONS_TABLE}")
        with ThreadPoolExecutor(6) as pool:
            results = list(
                pool.map(lambda _: migrate_event_store(runtime.app, database_url), range(6))
            )
        assert results == [None] * 6
        with psycopg.connect(database_url) as conn:
            count = conn.execute(f"SELECT count(*) FROM {MIGRATIONS_TABLE}").fetchone()
        assert count == (2,), "one release: its DDL and its snapshots' versions"
    finally:
        runtime.close()


async def test_racing_migrations_of_the_views_build_them_once(
    database_url: str, tmp_path: Path
) -> None:
    runtime = Runtime.open(settings_for(database_url, tmp_path, migrate=True))
    try:
        runtime.org.charter_team(
            CommandContext(CEO, "m"), CharterTeam(name="Payments", mission="m", leader="a@x.io")
        )
        outcomes = await asyncio.gather(
            *(migrate_views(runtime.projection_runner()) for _ in range(4))
        )
    finally:
        runtime.close()
    assert sorted(outcome.name for outcome in outcomes) == ["BUILT"] + ["CURRENT"] * 3


async def test_a_runner_that_may_not_migrate_stands_by_until_the_views_exist(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="projections.runner")
    runtime = Runtime.open(settings_for(database_url, tmp_path, migrate=True))
    stop = asyncio.Event()
    try:
        written = runtime.org.charter_team(
            CommandContext(CEO, "m"), CharterTeam(name="A", mission="m", leader="a@x.io")
        )
        standby = ProjectionRunner(
            database_url,
            runtime.app.mapper,
            views=VIEWS,
            events_table="flywheel_events",
            migrate=False,
        )
        task = asyncio.create_task(standby.run(stop))
        await until_logged(caplog, "standing by: the views are missing")
        conn = await asyncpg.connect(database_url)
        try:
            assert await conn.fetchval("SELECT to_regclass('views.tracking')") is None
        finally:
            await conn.close()

        assert await migrate_views(runtime.projection_runner()) is ViewsMigration.BUILT
        await asyncio.wait_for(standby.active.wait(), WAIT)
        later = runtime.org.charter_team(
            CommandContext(CEO, "m"), CharterTeam(name="B", mission="m", leader="b@x.io")
        )
        await until_logged(caplog, "projection runner active")
        pool = await asyncpg.create_pool(database_url, min_size=1, max_size=1)
        try:
            deadline = asyncio.get_running_loop().time() + WAIT
            while True:
                async with ReadSession(pool) as session:
                    if session.position >= later.position:
                        assert await session.fetchval(TEAMS) == 2
                        break
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.02)
        finally:
            await pool.close()
        assert written.position < later.position
    finally:
        stop.set()
        await asyncio.wait_for(task, WAIT)
        runtime.close()


async def test_views_of_another_shape_are_rebuilt_beside_the_live_ones_and_the_runner_goes_on(
    database_url: str, tmp_path: Path
) -> None:
    runtime = Runtime.open(settings_for(database_url, tmp_path, migrate=True))
    await runtime.start()
    try:
        first = runtime.org.charter_team(
            CommandContext(CEO, "m"), CharterTeam(name="A", mission="m", leader="a@x.io")
        )
        assert await runtime.watcher.wait_for(first.position, WAIT)
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("UPDATE views.tracking SET fingerprint = 'an-older-release'")
        assert pending_migrations(runtime.app, database_url) == [
            "the views have another release's shape"
        ]

        assert await migrate_views(runtime.projection_runner()) is ViewsMigration.REBUILT
        assert views_fingerprint(database_url) == VIEWS.fingerprint()
        second = runtime.org.charter_team(
            CommandContext(CEO, "m"), CharterTeam(name="B", mission="m", leader="b@x.io")
        )
        assert await runtime.watcher.wait_for(second.position, WAIT), (
            "the running runner reopened the swapped views and carried on"
        )
        assert runtime.read_pool is not None
        async with ReadSession(runtime.read_pool) as session:
            assert await session.fetchval(TEAMS) == 2
    finally:
        await runtime.stop()
        runtime.close()


async def test_an_old_release_runner_stands_by_when_a_new_release_swapped_the_views(
    not_migrating: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="projections.runner")
    url = not_migrating.database.url
    first = not_migrating.org.charter_team(
        CommandContext(CEO, "m"), CharterTeam(name="A", mission="m", leader="a@x.io")
    )
    assert await not_migrating.watcher.wait_for(first.position, WAIT)

    conn = await asyncpg.connect(url)
    try:
        swapped_at = await not_migrating.projection_runner().rebuild(conn)
        await conn.execute("UPDATE views.tracking SET fingerprint = 'a-newer-release'")
    finally:
        await conn.close()
    not_migrating.org.charter_team(
        CommandContext(CEO, "m"), CharterTeam(name="B", mission="m", leader="b@x.io")
    )
    await until_logged(caplog, "standing by: the views are of another release")

    assert views_fingerprint(url) == "a-newer-release", "it did not rebuild them back"
    with psycopg.connect(url) as conn:
        position = conn.execute("SELECT position FROM views.tracking").fetchone()
    assert position == (swapped_at,), "it wrote nothing into another release's views"
