"""The README's path: no DATABASE_URL, an embedded PostgreSQL that keeps its data."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env

pytestmark = pytest.mark.slow

QUERY = """
query { teams(filter: {nameContains: "Embedded"}) {
  totalCount nodes { name leader { person { handle } } } } }
"""


def test_the_embedded_database_keeps_the_data_across_a_restart(tmp_path: Path) -> None:
    server = FlywheelServer(tmp_path / "data", database_url=None)
    server.start()
    try:
        minted = subprocess.run(
            [FLYWHEEL, "token", "--subject", "ceo@example.com", "--role", "leadership"],
            env=server.env,
            capture_output=True,
            text=True,
            check=True,
        )
        token = minted.stdout.strip()
        created = server.post(
            "/api/v1/teams", token, {"name": "Embedded", "mission": "m", "leader": "em@example.com"}
        )
        assert created.status_code == 201, created.text
        before, _ = server.graphql(token).query(QUERY, wait_for=created.json()["position"])
    finally:
        server.stop()
    assert "embedded PostgreSQL, data in" in server.log.read_text()
    assert (tmp_path / "data" / "postgres" / "PG_VERSION").exists()

    server.start()
    try:
        after, _ = server.graphql(server.token("ceo@example.com", "planner")).query(QUERY)
    finally:
        server.stop()
    assert not (tmp_path / "data" / "postgres" / "postmaster.pid").exists(), "stopped with serve"
    assert after == before
    assert after["teams"]["nodes"] == [
        {"name": "Embedded", "leader": {"person": {"handle": "em@example.com"}}}
    ]


def test_a_bad_setting_stops_start_up_and_names_it(tmp_path: Path) -> None:
    done = subprocess.run(
        [FLYWHEEL, "serve"],
        env=flywheel_env(tmp_path, None, FLYWHEEL_PORT="eighty"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "FLYWHEEL_PORT" in done.stderr
