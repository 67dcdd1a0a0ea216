"""Migrations: the event store's tables and the views, brought to this release's shape.

By default every ``flywheel serve`` and ``flywheel project`` migrates on start
(the event store's DDL is ``IF NOT EXISTS`` under an advisory lock; the runner
creates or rebuilds the views), so one process on a fresh machine just works.
A deployment with replicas runs ``flywheel migrate`` once per release instead (a
Kubernetes Job, a compose one-shot service) and sets
``FLYWHEEL_MIGRATE_ON_START=false``: its processes then create nothing and
refuse to start on a database this release has not migrated.

What "migrated for this release" means:

- **The event store.** ``flywheel_migrations`` records a fingerprint of the DDL
  of every release that migrated the database. The event store's DDL only ever
  adds (tables, indexes ``IF NOT EXISTS``), so a release whose fingerprint is
  recorded finds everything it needs, even after a later release migrated.
- **The views.** The live views' tracking row holds the fingerprint of their
  shape (``projections/views.py``). Views of another shape are rebuilt from the
  log beside the live ones and swapped in (blue/green); the old release's runner
  then stands by (``ViewsNotMigrated``) instead of rebuilding them back.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import Any

import asyncpg
import psycopg
from eventsourcing.domain import CanSnapshotAggregate
from eventsourcing.persistence import OperationalError
from eventsourcing.utils import get_topic, resolve_topic
from psycopg import sql

from projections.runner import ProgressCallback, ProjectionRunner
from projections.views import LIVE_SCHEMA, TRACKING_NAME
from services.application import AGGREGATES, Flywheel, create_event_tables
from services.database import Database
from services.registry import VIEWS

MIGRATIONS_TABLE = "flywheel_migrations"
LEDGER_LOCK = "flywheel-migrate:ledger"
VIEWS_LOCK = "flywheel-migrate:views"

Connection = psycopg.Connection[tuple[Any, ...]]


class NotMigrated(RuntimeError):
    """The database lacks migrations this release needs, and this process may not run them."""

    def __init__(self, pending: list[str]) -> None:
        self.pending = pending
        super().__init__(
            f"the database is not migrated for flywheel {release()}: {'; '.join(pending)}. "
            "Run `flywheel migrate` first (FLYWHEEL_MIGRATE_ON_START is false)."
        )


class ViewsMigration(Enum):
    CURRENT = "already current"
    BUILT = "built from the event log"
    REBUILT = "rebuilt from the event log beside the old ones and swapped in"


def release() -> str:
    return importlib.metadata.version("flywheel")


def store_fingerprint(app: Flywheel) -> str:
    """A digest of every statement that creates the event store's tables."""
    statements = list(app.recorder.sql_create_statements)  # type: ignore[attr-defined]
    if app.snapshots is not None:
        statements += app.snapshots.recorder.sql_create_statements  # type: ignore[attr-defined]
    text = "\n".join(statement.as_string() for statement in statements)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@contextmanager
def _locked(conn: Connection, name: str) -> Iterator[None]:
    conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (name,))
    try:
        yield
    finally:
        conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (name,))


def migrate_event_store(app: Flywheel, url: str) -> None:
    """Create the event store's tables (idempotent, safe when replicas race), record
    that this release's DDL has run, and bring old snapshots to this release's
    aggregate versions (:func:`retake_old_snapshots`)."""
    create_event_tables(app, url)
    with psycopg.connect(url, autocommit=True) as conn, _locked(conn, LEDGER_LOCK):
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_TABLE} ("
            "fingerprint text PRIMARY KEY, release text NOT NULL, "
            "migrated_at timestamptz NOT NULL DEFAULT now())"
        )
        _record(conn, store_fingerprint(app))
        versions = class_versions()
        if not _recorded(conn, versions):
            retake_old_snapshots(app, conn)
            _record(conn, versions)


def _record(conn: Connection, fingerprint: str) -> None:
    conn.execute(
        f"INSERT INTO {MIGRATIONS_TABLE} (fingerprint, release) VALUES (%s, %s) "
        "ON CONFLICT (fingerprint) DO NOTHING",
        (fingerprint, release()),
    )


def class_versions() -> str:
    """A digest of every aggregate class's ``class_version``: it changes when a release
    evolves an aggregate's state, and the old snapshots are then retaken once."""
    versions = sorted(
        f"{get_topic(aggregate)}@{getattr(aggregate, 'class_version', 1)}"
        for aggregate in AGGREGATES
    )
    return "snapshots " + hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]


def retake_old_snapshots(app: Flywheel, conn: Connection) -> int:
    """Snapshot again, at its class's current version, every aggregate whose latest
    snapshot an older release took; returns how many.

    An old snapshot still loads (it is upcast), but only after the old state is decoded
    whole: a metric whose version-3 snapshot held years of values loaded as slowly as
    before they moved to ``MetricYear`` until its next snapshot, 50 events later."""
    if app.snapshots is None:
        return 0
    table = sql.Identifier(app.snapshots.recorder.events_table_name)  # type: ignore[attr-defined]
    retaken = 0
    for (aggregate_id,) in conn.execute(
        sql.SQL("SELECT DISTINCT originator_id FROM {}").format(table)
    ).fetchall():
        [latest] = app.snapshots.get(aggregate_id, desc=True, limit=1)
        assert isinstance(latest, CanSnapshotAggregate)
        current = getattr(resolve_topic(latest.topic), "class_version", 1)
        if latest.state.get("class_version", 1) < current:
            # Replaced at its own version: until then a load uses the snapshot before it.
            conn.execute(
                sql.SQL(
                    "DELETE FROM {} WHERE originator_id = %s AND originator_version = %s"
                ).format(table),
                (aggregate_id, latest.originator_version),
            )
            app.take_snapshot(aggregate_id, version=latest.originator_version)
            retaken += 1
    return retaken


def pending_migrations(app: Flywheel, url: str) -> list[str]:
    """What this release still needs migrated; empty when nothing."""
    pending: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        if not _recorded(conn, store_fingerprint(app)):
            pending.append("the event store's tables")
        shape = _views_shape(conn)
        if shape is None:
            pending.append("the views do not exist")
        elif shape != VIEWS.fingerprint():
            pending.append("the views have another release's shape")
    return pending


def _exists(conn: Connection, relation: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (relation,)).fetchone()
    return bool(row and row[0])


def _recorded(conn: Connection, store: str) -> bool:
    return _exists(conn, MIGRATIONS_TABLE) and (
        conn.execute(
            f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE fingerprint = %s", (store,)
        ).fetchone()
        is not None
    )


def _views_shape(conn: Connection) -> str | None:
    if not _exists(conn, f'"{LIVE_SCHEMA}".tracking'):
        return None
    row = conn.execute(
        f'SELECT fingerprint FROM "{LIVE_SCHEMA}".tracking WHERE name = %s', (TRACKING_NAME,)
    ).fetchone()
    return str(row[0]) if row else None


def pending_on(database: Database) -> list[str]:
    """:func:`pending_migrations` for a process that has no application open; an
    unreachable database is reported as pending too, so callers can wait for it."""
    try:
        app = Flywheel(env=database.eventsourcing_env(pool_size=1))
    except OperationalError as error:
        return [f"the database does not answer ({error})"]
    try:
        return pending_migrations(app, database.url)
    except psycopg.OperationalError as error:
        return [f"the database does not answer ({error})"]
    finally:
        app.close()


def require_migrated(app: Flywheel, url: str) -> None:
    if pending := pending_migrations(app, url):
        raise NotMigrated(pending)


async def migrate_views(
    runner: ProjectionRunner, on_progress: ProgressCallback | None = None
) -> ViewsMigration:
    """Bring the live views to this release's shape: build them when missing,
    rebuild them beside the live ones and swap when their shape changed.

    Migrations are serialised by an advisory lock, so a second ``flywheel
    migrate`` waits and then finds the views current. A runner already following
    the live views keeps serving them until the swap and then reopens them.
    """
    conn = await asyncpg.connect(runner.dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock(hashtext($1))", VIEWS_LOCK)
        found = await runner.live_fingerprint(conn)
        if found == runner.views.fingerprint():
            return ViewsMigration.CURRENT
        await runner.rebuild(conn, on_progress)
        return ViewsMigration.BUILT if found is None else ViewsMigration.REBUILT
    finally:
        await conn.close()
