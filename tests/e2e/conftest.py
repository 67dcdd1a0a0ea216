"""A real ``flywheel serve`` process on a free port, driven over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport

from services.auth import jwt_secret, mint_token
from services.principal import Role
from services.settings import load_settings
from tests.conftest import fresh_database

FLYWHEEL = str(Path(sys.executable).parent / "flywheel")
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def flywheel_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("FLYWHEEL_", "DATABASE_"))
    }
    env["FLYWHEEL_DATA_DIR"] = str(data_dir)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


class FlywheelServer:
    """One ``flywheel serve`` process; start, stop and start it again."""

    def __init__(self, data_dir: Path, database_url: str | None) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None
        self.log = data_dir / "serve.log"

    @property
    def env(self) -> dict[str, str]:
        return flywheel_env(self.data_dir, self.database_url)

    def start(self) -> None:
        self.start_with(self.env)

    def start_with(self, env: dict[str, str], *options: str) -> None:
        """Start ``flywheel serve`` with ``env`` (and command-line ``options``).

        Ready is this process saying it listens, then ``/healthz`` answering: another
        test's server may have taken the port between ``free_port`` and the bind (the
        server binds after its startup), so the answer alone could be that server's.
        A port taken that way is given up for another."""
        for _ in range(5):
            if self._started(env, options):
                return
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        pytest.fail(f"flywheel serve found no free port:\n{self.log.read_text()}")

    def _started(self, env: dict[str, str], options: tuple[str, ...]) -> bool:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            logged_before = log.tell()
            self.process = subprocess.Popen(
                [FLYWHEEL, "serve", "--port", str(self.port), *options],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
        listening = f"running on http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            logged = self.log.read_bytes()[logged_before:].decode(errors="replace")
            if self.process.poll() is not None:
                if "address already in use" in logged:
                    return False
                pytest.fail(f"flywheel serve exited early:\n{self.log.read_text()}")
            try:
                if (
                    listening in logged
                    and httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
                ):
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)  # polling a condition (the port answering), with a deadline
        pytest.fail(
            f"flywheel serve did not answer /healthz in {START_TIMEOUT}s:\n{self.log.read_text()}"
        )

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

    def token(self, subject: str, *roles: str) -> str:
        """A token as ``flywheel token`` mints it, minted here: a process per token cost a
        second each (tests/e2e/test_embedded_server.py runs the command itself)."""
        secret = jwt_secret(load_settings(self.env))
        return mint_token(secret, subject, [Role(role) for role in roles])

    def post(self, path: str, token: str | None, body: Any = None, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kwargs.pop("headers", {}))
        return httpx.post(f"{self.url}{path}", json=body, headers=headers, timeout=30, **kwargs)

    def delete(self, path: str, token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.delete(f"{self.url}{path}", headers=headers, timeout=30)

    def graphql(self, token: str) -> GraphQL:
        return GraphQL(self.url, token)


class GraphQL:
    """A real GraphQL client (gql) that can ask to read its own writes."""

    def __init__(self, url: str, token: str) -> None:
        transport = HTTPXTransport(
            url=f"{url}/graphql", headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self.client = Client(transport=transport, fetch_schema_from_transport=False)

    def query(
        self, document: str, wait_for: int | None = None, **variables: Any
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Run a query; with ``wait_for``, read only once the views reach that position."""
        extra = (
            {"headers": {"X-Flywheel-Position": str(wait_for)}} if wait_for is not None else None
        )
        request = gql(document)
        request.variable_values = variables or None
        result = self.client.execute(
            request,
            extra_args=extra,
            get_execution_result=True,
        )
        assert result.data is not None
        return result.data, dict(result.extensions or {})


@pytest.fixture(scope="module")
def server(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    """A server on its own database, shared by one test module."""
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path_factory.mktemp("flywheel"), url)
        running.start()
        yield running
        running.stop()


@pytest.fixture(scope="module")
def leadership(server: FlywheelServer) -> str:
    return server.token("ceo@example.com", "leadership")
