"""``flywheel serve --workers 2``: two server processes on one port, the projections once.

The server answers commands and reads their writes (the projections run in the
parent, the workers serve), a worker killed outright is replaced while the other
keeps answering, and SIGTERM stops every process with a clean exit.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator

import httpx
import psutil
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer
from tests.e2e.fleet import until

WORKERS = 2
TEAMS = "{ teams { totalCount nodes { name } } }"


@pytest.fixture(scope="module")
def served(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    """One server for the module; the last test stops it with SIGTERM."""
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path_factory.mktemp("workers"), url)
        server.start_with(server.env, "--workers", str(WORKERS))
        try:
            yield server
        finally:
            server.stop()


def workers_of(server: FlywheelServer) -> list[psutil.Process]:
    """The server processes uvicorn's supervisor spawned (not its resource tracker)."""
    assert server.process is not None
    return [
        child
        for child in psutil.Process(server.process.pid).children()
        if "spawn_main" in " ".join(child.cmdline())
    ]


def ready(server: FlywheelServer) -> bool:
    try:
        return httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_workers_serve_commands_and_read_their_writes(served: FlywheelServer) -> None:
    until(lambda: len(workers_of(served)) == WORKERS, f"{WORKERS} worker processes", 60)
    leadership = served.token("lead@example.com", "leadership")
    for name in ("Payments", "Search", "Ads", "Maps"):
        created = served.post(
            "/api/v1/teams",
            leadership,
            {"name": name, "mission": "m", "leader": f"{name.lower()}@example.com"},
        )
        assert created.status_code == 201, created.text
        data, _ = served.graphql(leadership).query(TEAMS, wait_for=created.json()["position"])
        assert name in {team["name"] for team in data["teams"]["nodes"]}
    assert data["teams"]["totalCount"] == 4


def test_a_killed_worker_is_replaced(served: FlywheelServer) -> None:
    until(lambda: len(workers_of(served)) == WORKERS, f"{WORKERS} worker processes", 60)
    victim = workers_of(served)[0]
    victim.kill()
    victim.wait(timeout=10)
    until(lambda: ready(served), "an answer from the worker left", 30)
    until(
        lambda: len(workers_of(served)) == WORKERS and victim.pid not in pids(served),
        "a new worker in place of the killed one",
        90,
    )
    leadership = served.token("lead@example.com", "leadership")
    until(lambda: ready(served), "the workers answering", 60)
    answer = served.graphql(leadership).query(TEAMS)[0]
    assert answer["teams"]["totalCount"] == 4


def pids(server: FlywheelServer) -> set[int]:
    return {worker.pid for worker in workers_of(server)}


def test_sigterm_stops_every_process(served: FlywheelServer) -> None:
    until(lambda: len(workers_of(served)) == WORKERS, f"{WORKERS} worker processes", 60)
    workers = workers_of(served)
    assert served.process is not None
    served.process.send_signal(signal.SIGTERM)
    assert served.process.wait(timeout=60) == 0, served.log.read_text()
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    assert len(gone) == WORKERS
    served.process = None
