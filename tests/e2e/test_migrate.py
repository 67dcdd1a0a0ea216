"""`flywheel migrate`, once per release, for deployments whose processes do not
migrate on start (``FLYWHEEL_MIGRATE_ON_START=false``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env, free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    with fresh_database(postgres_server) as url:
        yield url


def flywheel(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_servers_wait_for_flywheel_migrate_which_runs_once_per_release(
    database: str, tmp_path: Path
) -> None:
    env = flywheel_env(tmp_path, database, FLYWHEEL_MIGRATE_ON_START="false")
    refused = flywheel(env, "serve", "--port", str(free_port()))
    assert refused.returncode == 1
    assert "not migrated" in refused.stderr and "flywheel migrate" in refused.stderr
    assert flywheel(env, "project").returncode == 1

    check = flywheel(env, "migrate", "--check")
    assert check.returncode == 1
    assert "the event store's tables; the views do not exist" in check.stderr

    waiter = subprocess.Popen(
        [FLYWHEEL, "migrate", "--wait", "90"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert waiter.poll() is None, "an init container waits for the Job"
        migrated = flywheel(env, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        assert "views built from the event log" in migrated.stdout
        out, _ = waiter.communicate(timeout=60)
        assert waiter.returncode == 0
        assert "migrated for this release" in out
    finally:
        if waiter.poll() is None:
            waiter.kill()
            waiter.wait()

    again = flywheel(env, "migrate")
    assert again.returncode == 0 and "views already current" in again.stdout
    assert flywheel(env, "migrate", "--check").returncode == 0

    server = FlywheelServer(tmp_path, database)
    server.start_with(env)
    try:
        token = server.token("ceo@example.com", "leadership")
        created = server.post(
            "/api/v1/teams", token, {"name": "A", "mission": "m", "leader": "a@x.io"}
        )
        assert created.status_code == 201, created.text
        data, extensions = server.graphql(token).query(
            "{ teams { totalCount } }", wait_for=created.json()["position"]
        )
        assert extensions["positionReached"] is True
        assert data["teams"]["totalCount"] == 1
    finally:
        server.stop()
