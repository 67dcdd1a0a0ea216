"""An event the views cannot take, over HTTP: ``/readyz`` says why at once, ``/metrics``
shows it, the log names it, GraphQL never serves a forged row, ``flywheel verify``
names it, and the views carry on once it is gone."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from projections.chain import CHAIN_TABLE, GENESIS, NO_LINK, chain_hash, event_hash
from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer

pytestmark = pytest.mark.slow

STALL_SECONDS = 15.0  # three retries take 3.5 s; the lag tracker looks every 2 s
RESUME_SECONDS = 30.0  # the runner tries again every 5 s; generous for a busy machine
TEAMS = "{ teams { nodes { name } } }"


@pytest.fixture
def server(postgres_server: str, tmp_path: Path) -> Iterator[FlywheelServer]:
    """A server of its own: these tests stop its views."""
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path, url)
        running.start_with({**running.env, "FLYWHEEL_LOG_FORMAT": "json"})
        yield running
        running.stop()


def until(condition: Callable[[], Any], what: str, seconds: float = STALL_SECONDS) -> Any:
    """Poll a condition with a deadline (the condition is the synchronisation)."""
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)
    return found


def charter(server: FlywheelServer, token: str, name: str) -> int:
    created = server.post(
        "/api/v1/teams", token, {"name": name, "mission": "m", "leader": f"{name}@x.io"}
    )
    assert created.status_code == 201, created.text
    position: int = created.json()["position"]
    return position


def stalled(server: FlywheelServer) -> dict[str, Any] | None:
    ready = httpx.get(f"{server.url}/readyz", timeout=10)
    if ready.status_code != 503:
        return None
    body: dict[str, Any] = ready.json()
    return body if body["status"] == "stalled" else None


def ready(server: FlywheelServer) -> bool:
    return httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200


def metrics(server: FlywheelServer) -> str:
    return httpx.get(f"{server.url}/metrics", timeout=10).text


def verify(server: FlywheelServer) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, "verify"], env=server.env, capture_output=True, text=True, timeout=300
    )


def copy_of_first_charter(conn: psycopg.Connection[Any], old: str, new: str) -> tuple[str, bytes]:
    row = conn.execute(
        "SELECT topic, state FROM flywheel_events WHERE topic LIKE '%Team.Chartered' "
        "ORDER BY notification_id LIMIT 1"
    ).fetchone()
    assert row is not None
    return row[0], bytes(row[1]).replace(old.encode(), new.encode())


def test_an_event_no_projector_can_apply_makes_readyz_say_why(
    server: FlywheelServer,
) -> None:
    """A charter without a mission, linked into the chain as the recorder links events:
    the org projector fails on it, for real, every time."""
    token = server.token("ceo@example.com", "leadership")
    charter(server, token, "Before")
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        conn.execute("LOCK TABLE flywheel_events IN EXCLUSIVE MODE")  # as the recorder does
        topic, state = copy_of_first_charter(conn, '"mission"', '"missing"')
        row = conn.execute(
            "INSERT INTO flywheel_events (originator_id, originator_version, topic, state) "
            "VALUES (gen_random_uuid(), 1, %s, %s) RETURNING notification_id, originator_id",
            (topic, state),
        ).fetchone()
        assert row is not None
        bad, originator = row
        last = conn.execute(
            f"SELECT chain_hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"
        ).fetchone()
        linked = event_hash(bad, originator, 1, topic, state)
        conn.execute(
            f"INSERT INTO {CHAIN_TABLE} (position, event_hash, chain_hash) VALUES (%s, %s, %s)",
            (bad, linked, chain_hash(bytes(last[0]) if last else GENESIS, linked)),
        )
    after = charter(server, token, "After")

    started = time.monotonic()
    body = until(lambda: stalled(server), "/readyz to say the views stalled")
    assert time.monotonic() - started < STALL_SECONDS
    stall = body["stalled"]
    assert (stall["position"], stall["eventType"], stall["cause"]) == (
        bad,
        "Team.Chartered",
        "error",
    )
    assert "AttributeError" in stall["reason"] and "mission" in stall["reason"]
    assert body["viewsPosition"] < bad < after <= body["logPosition"]

    shown = until(
        lambda: (
            f"flywheel_projection_stalled_position {bad}.0" in (text := metrics(server)) and text
        ),
        "the metric",
    )
    assert 'flywheel_projection_stalled{cause="error",event_type="Team.Chartered"} 1.0' in shown

    logged = [
        json.loads(line)
        for line in server.log.read_text().splitlines()
        if line.startswith("{") and '"projection runner stopped' in line
    ]
    assert len(logged) == 1
    assert (logged[0]["position"], logged[0]["event_type"]) == (bad, "Team.Chartered")
    assert "AttributeError" in logged[0]["error"]

    _, extensions = server.graphql(token).query(TEAMS, wait_for=after)
    assert extensions["positionReached"] is False

    checked = verify(server)
    assert checked.returncode == 1
    assert f"Views: FAILED, the views stopped before position {bad} (Team.Chartered)" in (
        checked.stdout
    )


def test_a_forged_row_is_never_served_and_verify_names_it(server: FlywheelServer) -> None:
    token = server.token("ceo@example.com", "leadership")
    charter(server, token, "Genuine")
    assert server.database_url is not None
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        topic, state = copy_of_first_charter(conn, "Genuine", "Forged")
        row = conn.execute(
            "INSERT INTO flywheel_events (originator_id, originator_version, topic, state) "
            "VALUES (gen_random_uuid(), 1, %s, %s) RETURNING notification_id",
            (topic, state),
        ).fetchone()
    assert row is not None
    forged = row[0]
    after = charter(server, token, "After")
    graphql = server.graphql(token)

    body = until(lambda: stalled(server), "/readyz to say the views stalled")
    assert body["stalled"]["position"] == forged
    assert (body["stalled"]["cause"], body["stalled"]["reason"]) == ("chain", NO_LINK)
    data, extensions = graphql.query(TEAMS, wait_for=after)
    assert extensions["positionReached"] is False
    assert {team["name"] for team in data["teams"]["nodes"]} == {"Genuine"}

    checked = verify(server)
    assert checked.returncode == 1
    assert f"position {forged}: {NO_LINK}" in checked.stdout, "the chain check names it"
    assert f"Views: FAILED, the views stopped before position {forged}" in checked.stdout

    with psycopg.connect(server.database_url, autocommit=True) as conn:
        conn.execute("DELETE FROM flywheel_events WHERE notification_id = %s", (forged,))
    until(lambda: ready(server), "/readyz to be ready again", RESUME_SECONDS)
    data, extensions = graphql.query(TEAMS, wait_for=after)
    assert extensions["positionReached"] is True
    assert {team["name"] for team in data["teams"]["nodes"]} == {"Genuine", "After"}
    assert "flywheel_projection_stalled_position 0.0" in until(
        lambda: "flywheel_projection_stalled_position 0.0" in (text := metrics(server)) and text,
        "the metric to clear",
        RESUME_SECONDS,
    )
    checked = verify(server)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Views: OK" in checked.stdout
