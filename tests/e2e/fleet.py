"""Several Flywheel processes on one database: helpers for the scale-out tests.

Synchronisation is by polling an observable condition with a deadline (a
request in flight in ``/metrics``, the holder of the projection lock in
``pg_locks``, the views' tracking position), never by sleeping a guessed time.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import pytest

from projections.runner import lock_key
from projections.views import LIVE_SCHEMA
from tests.e2e.conftest import FLYWHEEL, FlywheelServer

DEADLINE = 60.0


def until(condition: Callable[[], bool], what: str, seconds: float = DEADLINE) -> None:
    """Poll ``condition`` until it holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def named(url: str, application_name: str) -> str:
    """The URL with an ``application_name``, so ``pg_stat_activity`` says who is who."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}application_name={application_name}"


class Worker:
    """One ``flywheel project`` process, known to PostgreSQL by its name."""

    def __init__(self, name: str, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.env = {**env, "DATABASE_URL": named(env["DATABASE_URL"], name)}
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [FLYWHEEL, "project"], env=self.env, stdout=output, stderr=output
            )
        return self

    def signal(self, signum: signal.Signals) -> int:
        """Send ``signum`` and wait for the process to end; returns its exit code."""
        assert self.process is not None
        self.process.send_signal(signum)
        return self.wait()

    def wait(self) -> int:
        assert self.process is not None
        code = self.process.wait(timeout=30)
        self.process = None
        return code

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.signal(signal.SIGTERM)


def projection_lock_holder(url: str) -> str | None:
    """The application name of the process holding the live views' projection lock."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT a.application_name FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.objid::int = hashtext(%s) AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database())",
            (lock_key(LIVE_SCHEMA),),
        ).fetchone()
    return str(row[0]) if row else None


def views_position(url: str) -> int:
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('views.tracking') IS NOT NULL").fetchone()
        if not exists or not exists[0]:
            return 0
        row = conn.execute("SELECT position FROM views.tracking").fetchone()
    return int(row[0]) if row else 0


IN_FLIGHT = re.compile(
    r"^flywheel_http_requests_in_progress\{(?P<labels>[^}]*)\} (?P<value>[0-9.e+-]+)$", re.M
)


def in_flight(server: FlywheelServer, path: str) -> int:
    """Requests to ``path`` the server is working on now (from its ``/metrics``)."""
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    return sum(
        int(float(found["value"]))
        for found in IN_FLIGHT.finditer(text)
        if f'path="{path}"' in found["labels"]
    )
