"""`flywheel project` as its own process: it keeps the views for a server that runs none."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env

COUNT = "query { teams { totalCount } }"
STANDBY_TIMEOUT = 60.0


def start_worker(data_dir: Path, database_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [FLYWHEEL, "project"],
        env=flywheel_env(data_dir, database_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    with fresh_database(postgres_server) as url:
        yield url


def test_a_separate_worker_projects_and_a_second_one_takes_over(
    database: str, tmp_path: Path
) -> None:
    first = start_worker(tmp_path, database)
    second: subprocess.Popen[str] | None = None
    server = FlywheelServer(tmp_path, database)
    try:
        server_env = server.env
        server_env["FLYWHEEL_RUN_PROJECTIONS"] = "false"
        server.start_with(server_env)
        token = server.token("ceo@example.com", "leadership")
        graphql = server.graphql(token)
        created = server.post(
            "/api/v1/teams", token, {"name": "A", "mission": "m", "leader": "a@x.io"}
        )
        data, extensions = graphql.query(COUNT, wait_for=created.json()["position"])
        assert extensions["positionReached"] is True
        assert data["teams"]["totalCount"] == 1

        second = start_worker(tmp_path, database)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        created = server.post(
            "/api/v1/teams", token, {"name": "B", "mission": "m", "leader": "b@x.io"}
        )
        # The standby starts (imports every area) and takes the lock while the first
        # dies: each read waits up to the server's read wait for the position.
        position = created.json()["position"]
        deadline = time.monotonic() + STANDBY_TIMEOUT
        data, extensions = graphql.query(COUNT, wait_for=position)
        while not extensions["positionReached"] and time.monotonic() < deadline:
            data, extensions = graphql.query(COUNT, wait_for=position)
        assert extensions["positionReached"] is True, "the standby worker took over"
        assert data["teams"]["totalCount"] == 2
    finally:
        server.stop()
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)
