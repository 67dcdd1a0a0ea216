"""Several replicas, one database: the compose topology run as local processes.

`flywheel migrate` once, then two `flywheel serve` replicas and two `flywheel
project` workers, each with the environment deploy/compose.yaml gives it.
Commands sent to either replica are read back through the other; killing the
active worker hands the views over to the standby.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.compose_topology import Fleet, running_fleet
from tests.e2e.conftest import FlywheelServer
from tests.e2e.fleet import projection_lock_holder, until

pytestmark = pytest.mark.slow

TEAMS = "{ teams { totalCount nodes { name } } }"
TAKEOVER_SECONDS = 10.0


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


def names_through(server: FlywheelServer, token: str, position: int) -> list[str]:
    data, extensions = server.graphql(token).query(TEAMS, wait_for=position)
    assert extensions["positionReached"] is True
    return sorted(node["name"] for node in data["teams"]["nodes"])


def test_two_servers_and_two_workers_on_one_database_serve_consistent_reads(
    fleet: Fleet,
) -> None:
    first, second = fleet.servers
    assert len(fleet.servers) == 2 and len(fleet.workers) == 2, "as deploy/compose.yaml runs it"
    token = fleet.topology.token("ceo@example.com", "leadership")

    written = charter(first, token, "payments")
    assert names_through(second, token, written) == ["payments"]
    written = charter(second, token, "checkout")
    assert names_through(first, token, written) == ["checkout", "payments"]

    until(lambda: projection_lock_holder(fleet.database) is not None, "an active worker")
    active = projection_lock_holder(fleet.database)
    (standby,) = {worker.name for worker in fleet.workers} - {active}
    assert fleet.worker(str(active)).signal(signal.SIGKILL) == -signal.SIGKILL

    until(
        lambda: projection_lock_holder(fleet.database) == standby,
        "the standby to take over",
        TAKEOVER_SECONDS,
    )
    written = charter(first, token, "risk")
    assert names_through(second, token, written) == ["checkout", "payments", "risk"]
    for server in fleet.servers:
        ready = httpx.get(f"{server.url}/readyz", timeout=10)
        assert ready.status_code == 200
        assert ready.json()["viewsPosition"] >= written
