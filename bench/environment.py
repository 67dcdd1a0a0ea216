"""Where benchmarks run: a PostgreSQL server, fresh databases, `flywheel serve` processes.

The server is ``--database-url`` / ``BENCH_DATABASE_URL`` when given, else the
machine's PostgreSQL at 127.0.0.1:5432 when it answers, else an embedded
pgserver in a temporary directory (so the suite runs on a fresh machine too).
Each benchmark creates its own database on that server and drops it after.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import httpx
import psycopg

from bench.harness import say

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
FLYWHEEL = str(Path(sys.executable).parent / "flywheel")
START_TIMEOUT = 120.0
JWT_SECRET = secrets.token_hex(32)


@contextlib.contextmanager
def postgres_server(url: str | None = None) -> Iterator[str]:
    """A URL of a PostgreSQL server on which the benchmarks may create databases."""
    url = url or os.environ.get("BENCH_DATABASE_URL")
    if url:
        yield url
        return
    if _answers(LOCAL_SERVER):
        yield LOCAL_SERVER
        return
    from pgserver.postgres_server import get_server

    with tempfile.TemporaryDirectory(prefix="flywheel-bench-pg-") as directory:
        server = get_server(Path(directory), cleanup_mode="stop")
        try:
            yield server.get_uri()
        finally:
            server.cleanup()


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.Error:
        return False


def database_url_for(server_url: str, name: str) -> str:
    return urlunsplit(urlsplit(server_url)._replace(path=f"/{name}"))


def new_database(server_url: str, label: str = "bench") -> str:
    """A new, empty database on the server; its URL."""
    name = f"flywheel_{label}_{uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return database_url_for(server_url, name)


@contextlib.contextmanager
def fresh_database(server_url: str, label: str = "bench") -> Iterator[str]:
    """A new, empty database, dropped afterwards."""
    url = new_database(server_url, label)
    try:
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path[1:]}" WITH (FORCE)')


def machine() -> dict[str, object]:
    """What the figures ran on."""
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count() or 0,
        "processor": platform.processor() or platform.machine(),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def flywheel_env(database_url: str, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a benchmarked process: production-like, no rate limit, quiet logs."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLYWHEEL_", "DATABASE_"))
    }
    env.update(
        DATABASE_URL=database_url,
        FLYWHEEL_DATA_DIR=str(data_dir),
        FLYWHEEL_JWT_SECRET=JWT_SECRET,
        FLYWHEEL_LOG_LEVEL="WARNING",
        FLYWHEEL_RATE_LIMIT="0",
        FLYWHEEL_GRAPHQL_RATE_LIMIT="0",
    )
    env.update(extra)
    return env


def token(subject: str, *roles: str) -> str:
    from services.auth import mint_token
    from services.principal import Role

    return mint_token(JWT_SECRET, subject, [Role(role) for role in roles])


class Server:
    """One ``flywheel serve`` process on a free port, started and stopped by a benchmark."""

    def __init__(self, database_url: str, **env: str) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._directory = tempfile.TemporaryDirectory(prefix="flywheel-bench-serve-")
        self.data_dir = Path(self._directory.name)
        self.env = flywheel_env(database_url, self.data_dir, **env)
        self.log = self.data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        self._directory.cleanup()

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [FLYWHEEL, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"flywheel serve exited early:\n{self.log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)  # polling a condition (readiness), with a deadline
        raise RuntimeError(f"flywheel serve not ready in {START_TIMEOUT}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    @staticmethod
    @contextlib.contextmanager
    def scratch() -> Iterator[Path]:
        """A throwaway data directory for a one-off `flywheel` command."""
        with tempfile.TemporaryDirectory(prefix="flywheel-bench-cli-") as directory:
            yield Path(directory)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


def headers(bearer: str, **extra: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer}", **{k: str(v) for k, v in extra.items()}}


def note(text: str) -> None:
    say(f"  {text}")
