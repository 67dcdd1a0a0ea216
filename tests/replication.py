"""A PostgreSQL primary with a hot standby fed by streaming replication.

Both servers come from the binaries of the ``pgserver`` package, so this needs
no Docker and no installed server: the primary is an embedded pgserver, the
standby a ``pg_basebackup -R`` of it started on its own socket. It is the same
kind of read replica a managed PostgreSQL offers (physical, asynchronous,
read-only, no LISTEN/NOTIFY), and its replay can be paused to make it lag.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

DATABASE = "flywheel"
# The postgres processes run as this system user when the tests run as root
# (PostgreSQL refuses to run as root; pgserver makes the user).
POSTGRES_USER_WHEN_ROOT = "pgserver"


@dataclass(frozen=True)
class StreamingPair:
    primary_url: str
    standby_url: str

    def pause_replay(self) -> None:
        """Stop applying the primary's changes: the standby lags from now on."""
        with psycopg.connect(self.standby_url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_pause()")

    def resume_replay(self) -> None:
        with psycopg.connect(self.standby_url, autocommit=True) as conn:
            conn.execute("SELECT pg_wal_replay_resume()")

    def standby_views_position(self) -> int | None:
        """Where the standby's copy of the views stands (None before they exist)."""
        return _views_position(self.standby_url)

    def primary_views_position(self) -> int | None:
        return _views_position(self.primary_url)


def _views_position(url: str) -> int | None:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('views.tracking') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return None
        row = conn.execute("SELECT position FROM views.tracking").fetchone()
    return int(row[0]) if row else None


@contextlib.contextmanager
def streaming_pair() -> Iterator[StreamingPair]:
    """Start a primary and a hot standby replicating from it; stop both after."""
    from pgserver import _commands
    from pgserver.postgres_server import get_server

    user = POSTGRES_USER_WHEN_ROOT if os.geteuid() == 0 else None
    # Short paths: a Unix socket's path must fit in 107 bytes.
    base = Path(tempfile.mkdtemp(prefix="fw-repl-"))
    base.chmod(0o755)
    primary = get_server(base / "primary", cleanup_mode="stop")
    standby = base / "standby"
    sockets = base / "standby-socket"
    started = False
    try:
        with psycopg.connect(primary.get_uri(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        info = primary.get_postmaster_info()
        for directory, mode in ((standby, 0o700), (sockets, 0o777)):
            directory.mkdir()
            if user is not None:
                shutil.chown(directory, user, user)
            directory.chmod(mode)
        source = ["-h", str(info.socket_dir), "-p", str(info.port), "-U", "postgres"]
        _commands.pg_basebackup(
            ["-D", str(standby), "-R", "-X", "stream", "-c", "fast", *source],
            user=user,
            timeout=120,
        )
        _commands.pg_ctl(
            [
                "-w",
                *("-o", '-h ""', "-o", f"-k {sockets}", "-o", f"-p {info.port}"),
                *("-o", "-c hot_standby_feedback=on"),
                *("-l", str(standby / "log"), "start"),
            ],
            pgdata=standby,
            user=user,
            timeout=120,
        )
        started = True
        yield StreamingPair(
            primary_url=primary.get_uri(DATABASE),
            standby_url=f"postgresql://postgres@/{DATABASE}?host={sockets}&port={info.port}",
        )
    finally:
        if started:
            _commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=standby, user=user, timeout=60)
        primary.cleanup()
        shutil.rmtree(base, ignore_errors=True)
