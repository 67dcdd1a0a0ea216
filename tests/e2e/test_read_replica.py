"""``flywheel serve`` with ``DATABASE_READ_URL`` on a streaming read replica.

Commands and the projection runner use the primary; GraphQL reads the hot
standby. Pausing the standby's replay makes it lag: reads then show the
replica's older state, and a read that asks for its own write
(``X-Flywheel-Position``) waits until the replica's views reach it.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import FlywheelServer
from tests.e2e.fleet import in_flight, until
from tests.replication import StreamingPair, streaming_pair

COUNT = "query { teams { totalCount nodes { name } } }"


@pytest.fixture
def pair() -> Iterator[StreamingPair]:
    with streaming_pair() as running:
        yield running


@pytest.fixture
def server(pair: StreamingPair, tmp_path: Path) -> Iterator[FlywheelServer]:
    running = FlywheelServer(tmp_path, pair.primary_url)
    running.start_with(
        {
            **running.env,
            "DATABASE_READ_URL": pair.standby_url,
            "FLYWHEEL_READ_WAIT_SECONDS": "30",
        }
    )
    yield running
    running.stop()


def charter(server: FlywheelServer, token: str, name: str) -> int:
    response = server.post(
        "/api/v1/teams", token, {"name": name, "mission": "m", "leader": f"{name}@x.io"}
    )
    assert response.status_code == 201, response.text
    position: int = response.json()["position"]
    return position


def test_reads_follow_the_replica_and_wait_for_it_to_reach_a_write(
    pair: StreamingPair, server: FlywheelServer
) -> None:
    token = server.token("ceo@example.com", "leadership")
    first = charter(server, token, "a")
    data, extensions = server.graphql(token).query(COUNT, wait_for=first)
    assert extensions["positionReached"] is True
    assert data["teams"]["totalCount"] == 1

    pair.pause_replay()
    second = charter(server, token, "b")
    until(lambda: (pair.primary_views_position() or 0) >= second, "the primary's views")
    data, extensions = server.graphql(token).query(COUNT)
    assert data["teams"]["totalCount"] == 1, "the read came from the lagging replica"
    assert extensions["position"] < second

    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(server.graphql(token).query, COUNT, second)
        until(lambda: in_flight(server, "/graphql") == 1, "the read to wait for its write")
        assert not waiting.done()
        pair.resume_replay()
        data, extensions = waiting.result(timeout=30)
    assert extensions["positionReached"] is True
    assert extensions["position"] >= second
    assert sorted(node["name"] for node in data["teams"]["nodes"]) == ["a", "b"]

    ready = httpx.get(f"{server.url}/readyz", timeout=10)
    assert ready.status_code == 200
    assert ready.json()["viewsPosition"] >= second, "readiness follows the replica it reads"
