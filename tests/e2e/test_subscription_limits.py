"""The per-server bound on GraphQL subscriptions, on a server of its own (its limit is
small enough to reach), and the gauge that shows how many are open."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer, flywheel_env
from tests.e2e.feeds import Subscriber

PER_SERVER = 4
VIEWS = "subscription { viewsAdvanced { position } }"


@pytest.fixture(scope="module")
def server(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path_factory.mktemp("flywheel"), url)
        running.start_with(
            flywheel_env(running.data_dir, url, FLYWHEEL_SUBSCRIPTIONS_PER_SERVER=str(PER_SERVER))
        )
        yield running
        running.stop()


def open_subscriptions(server: FlywheelServer) -> float:
    text = httpx.get(f"{server.url}/metrics", timeout=10).text
    found = re.search(r"^flywheel_subscriptions_open (\S+)$", text, re.MULTILINE)
    assert found, "the gauge is exported"
    return float(found.group(1))


def until_open_is(server: FlywheelServer, count: int) -> None:
    deadline = time.monotonic() + 30
    while open_subscriptions(server) != count:
        assert time.monotonic() < deadline, f"open subscriptions never came to {count}"
        time.sleep(0.1)  # polling a condition (the gauge), with a deadline


def test_a_full_server_refuses_any_caller_until_one_completes(server: FlywheelServer) -> None:
    first = Subscriber(server.url, server.token("first@example.com", "auditor"))
    for n in range(PER_SERVER):
        first.subscribe(str(n), VIEWS)
        assert first.receive(10)["type"] == "next"
    until_open_is(server, PER_SERVER)

    second = Subscriber(server.url, server.token("second@example.com", "auditor"))
    second.subscribe("over", VIEWS)
    refused = second.receive(10)
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert refused["id"] == "over"
    assert errors[0]["extensions"]["reason"] == "subscription-limit"
    assert f"limit of {PER_SERVER} subscriptions" in errors[0]["message"]

    first.send({"id": "0", "type": "complete"})
    until_open_is(server, PER_SERVER - 1)
    second.subscribe("now", VIEWS)
    answered = next(m for m in second.messages(10) if m.get("id") == "now")
    assert answered["type"] == "next", answered
    first.close()
    second.close()
    until_open_is(server, 0)
