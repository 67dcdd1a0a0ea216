"""SIGTERM, as Kubernetes and compose send it: nothing in flight is lost.

- A server stops accepting connections, answers every request it already has,
  then exits 0.
- Under a stream of commands, a client that retries refused requests on the
  other replica with the same ``Idempotency-Key`` (as the proxy does for a
  refused connection) gets every command recorded exactly once.
- A projection worker finishes the batch in hand, commits it, and releases the
  lock: the standby takes over at once and no event is applied twice.
"""

from __future__ import annotations

import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
import pytest

from domain.org.team import Attachment
from domain.people.values import Function
from services.api.commands import CommandContext
from services.org.rest import AddMember, CharterTeam
from services.runtime import Runtime
from services.settings import load_settings
from tests.conftest import fresh_database
from tests.e2e.compose_topology import Fleet, running_fleet
from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env
from tests.e2e.fleet import (
    Worker,
    in_flight,
    projection_lock_holder,
    until,
    views_position,
)
from tests.people import CEO

pytestmark = pytest.mark.slow

TEAMS = "{ teams { totalCount nodes { name } } }"
READS = 5
CLIENTS = 4
BATCH = 20
EVENTS = 1000
HANDOVER_SECONDS = 3.0


@pytest.fixture
def fleet(postgres_server: str, tmp_path: Path) -> Iterator[Fleet]:
    with running_fleet(postgres_server, tmp_path) as running:
        yield running


def charter(server: FlywheelServer, token: str, name: str) -> int:
    response = server.post(
        "/api/v1/teams", token, {"name": name, "mission": "m", "leader": f"{name}@x.io"}
    )
    assert response.status_code == 201, response.text
    position: int = response.json()["position"]
    return position


def refuses_connections(server: FlywheelServer) -> bool:
    """True once the server turns connections away. A connection that reached the
    listening socket's backlog just before it closed is reset rather than refused."""
    try:
        httpx.get(f"{server.url}/healthz", timeout=2)
    except (httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError):
        return True
    return False


def test_sigterm_answers_every_request_in_flight_before_exiting(fleet: Fleet) -> None:
    stopping, other = fleet.servers
    token = fleet.topology.token("ceo@example.com", "leadership")
    before = charter(other, token, "before")
    stopping.graphql(token).query(TEAMS, wait_for=before)

    with ThreadPoolExecutor(READS) as pool:
        # Each read waits for a write nobody has made yet.
        reads = [
            pool.submit(stopping.graphql(token).query, TEAMS, before + 1) for _ in range(READS)
        ]
        until(lambda: in_flight(stopping, "/graphql") == READS, "the reads to be in flight")
        assert stopping.process is not None
        stopping.process.send_signal(signal.SIGTERM)
        until(lambda: refuses_connections(stopping), "the server to stop accepting")
        assert not any(read.done() for read in reads)

        charter(other, token, "during")
        answers = [read.result(timeout=30) for read in reads]
    for data, extensions in answers:
        assert extensions["positionReached"] is True
        assert sorted(node["name"] for node in data["teams"]["nodes"]) == ["before", "during"]
    assert stopping.process.wait(timeout=30) == 0, "a clean exit after draining"
    stopping.process = None


def test_a_replica_stopping_under_a_stream_of_commands_loses_none(fleet: Fleet) -> None:
    stopping, other = fleet.servers
    token = fleet.topology.token("ceo@example.com", "leadership")
    done_on: dict[str, str] = {}
    statuses: list[int] = []
    retried: set[int] = set()
    lock = threading.Lock()
    enough = threading.Event()

    def send(client: int) -> None:
        sent = 0
        while not enough.is_set():
            name = f"load-{client}-{sent}"
            body = {"name": name, "mission": "m", "leader": f"{name}@x.io"}
            headers = {"Idempotency-Key": str(uuid4())}
            where = "stopping"
            try:
                response = stopping.post("/api/v1/teams", token, body, headers=headers)
            except httpx.TransportError:
                where = "other"
                response = other.post("/api/v1/teams", token, body, headers=headers)
            with lock:
                statuses.append(response.status_code)
                done_on[name] = where
                if where == "other":
                    retried.add(client)
            sent += 1

    with ThreadPoolExecutor(CLIENTS) as pool:
        clients = [pool.submit(send, client) for client in range(CLIENTS)]
        until(lambda: len(done_on) >= 20, "commands on the replica about to stop")
        assert stopping.process is not None
        stopping.process.send_signal(signal.SIGTERM)
        until(lambda: len(retried) == CLIENTS, "every client to be refused and retry")
        enough.set()
        for client in clients:
            client.result(timeout=60)
    assert stopping.process.wait(timeout=30) == 0
    stopping.process = None

    assert set(statuses) == {201}, "every command was answered, none half-done"
    assert {"stopping", "other"} <= set(done_on.values())
    with psycopg.connect(fleet.database) as conn:
        recorded = conn.execute(
            "SELECT convert_from(state, 'UTF8')::jsonb ->> 'name', count(*) "
            "FROM flywheel_events WHERE topic LIKE '%Team.Chartered' GROUP BY 1"
        ).fetchall()
    assert dict(recorded) == dict.fromkeys(done_on, 1), "each command recorded exactly once"


def many_events(url: str, data_dir: Path) -> int:
    runtime = Runtime.open(load_settings({"DATABASE_URL": url, "FLYWHEEL_DATA_DIR": str(data_dir)}))
    try:
        position, n = 0, 0
        while position < EVENTS:
            team = runtime.org.charter_team(
                CommandContext(CEO, "load"),
                CharterTeam(name=f"Load {n}", mission="m", leader=f"l{n}@x.io"),
            )
            position = runtime.org.add_member(
                CommandContext(CEO, "load"),
                team.id,
                AddMember(
                    person=f"m{n}@x.io",
                    function=Function.ENGINEERING,
                    attachment=Attachment.REPORTS,
                ),
            ).position
            n += 1
        return position
    finally:
        runtime.close()


def connected(url: str, application_name: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    return bool(row and row[0])


def waiting_for_a_lock(url: str, application_name: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = %s AND wait_event_type = 'Lock'",
            (application_name,),
        ).fetchone()
    return bool(row and row[0])


def test_a_worker_stopped_by_sigterm_commits_its_batch_and_the_standby_takes_over_at_once(
    postgres_server: str, tmp_path: Path
) -> None:
    with fresh_database(postgres_server) as database:
        env = flywheel_env(tmp_path, database, FLYWHEEL_PROJECTION_BATCH=str(BATCH))
        migrated = subprocess.run(
            [FLYWHEEL, "migrate"], env=env, capture_output=True, text=True, check=False
        )
        assert migrated.returncode == 0, migrated.stderr
        head = many_events(database, tmp_path)
        active = Worker("worker-1", env, tmp_path / "worker-1.log")
        standby = Worker("worker-2", env, tmp_path / "worker-2.log")
        try:
            with psycopg.connect(database) as holding:
                # Hold the tracking row: the worker's first batch blocks before committing.
                holding.execute("SELECT position FROM views.tracking FOR UPDATE")
                active.start()
                until(lambda: waiting_for_a_lock(database, "worker-1"), "a batch in hand")
                standby.start()
                until(lambda: connected(database, "worker-2"), "the standby to stand by")
                assert active.process is not None
                active.process.send_signal(signal.SIGTERM)
                assert active.process.poll() is None, "the batch in hand is not abandoned"
            assert active.wait() == 0

            logged = active.log.read_text()
            stopped = re.search(r"projection runner stopped at position (\d+)", logged)
            assert stopped, logged
            assert int(stopped[1]) == BATCH, "it committed the batch in hand and began no other"
            until(
                lambda: projection_lock_holder(database) == "worker-2",
                "the standby to take over",
                HANDOVER_SECONDS,
            )
            until(lambda: views_position(database) >= head, "the standby to reach the head")
        finally:
            active.stop()
            standby.stop()
        with psycopg.connect(database) as conn:
            logged_events = conn.execute(
                "SELECT count(*), count(DISTINCT position), max(position) FROM views.event_log"
            ).fetchone()
        assert logged_events == (head, head, head), "every event applied exactly once"
