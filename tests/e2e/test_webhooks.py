"""Webhooks end to end: a real server, a real delivery worker process (`flywheel
deliver`), and a real HTTP receiver that fails, times out, answers slowly, and
recovers. Every event arrives in log order, each signature verifies with the
`standardwebhooks` package, a worker killed mid-delivery delivers nothing again that
was acknowledged, and an endpoint that keeps failing is disabled by an event and
can be enabled again.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env
from tests.e2e.receiver import FAIL, HOLD, OK, SLOW, TIMEOUT, Receiver, receiver

SETTINGS = {
    "FLYWHEEL_WEBHOOK_TIMEOUT": "3",  # generous: a loaded test machine answers slowly
    "FLYWHEEL_WEBHOOK_RETRY_BASE": "0.05",
    "FLYWHEEL_WEBHOOK_RETRY_MAX": "0.3",
    "FLYWHEEL_WEBHOOK_GIVE_UP": "6",
}


class Deliverer:
    """`flywheel deliver`, as its own process: started, killed, started again."""

    def __init__(self, server: FlywheelServer) -> None:
        self.server = server
        self.process: subprocess.Popen[str] | None = None
        self.log = server.data_dir / "deliver.log"

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [FLYWHEEL, "deliver"],
                env=flywheel_env(self.server.data_dir, self.server.database_url, **SETTINGS),
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def server(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    """A server that projects but does not deliver: `flywheel deliver` does."""
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path_factory.mktemp("flywheel"), url)
        running.start_with(
            flywheel_env(running.data_dir, url, FLYWHEEL_RUN_WEBHOOKS="false", **SETTINGS)
        )
        yield running
        running.stop()


@pytest.fixture(scope="module")
def deliverer(server: FlywheelServer) -> Iterator[Deliverer]:
    worker = Deliverer(server)
    worker.start()
    yield worker
    worker.stop()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(server: FlywheelServer, token: str, url: str, **extra: Any) -> dict[str, Any]:
    answer = server.post("/api/v1/webhooks", token, {"url": url, **extra})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def charter(server: FlywheelServer, token: str, name: str) -> int:
    answer = server.post(
        "/api/v1/teams", token, {"name": name, "mission": "m", "leader": f"{name}@example.com"}
    )
    assert answer.status_code == 201, answer.text
    position: int = answer.json()["position"]
    return position


def log_after(
    server: FlywheelServer, token: str, after: int, reaching: int = 0
) -> list[dict[str, Any]]:
    """The log after a position, once the views have reached ``reaching``."""
    found: list[dict[str, Any]] = []
    while True:
        page = httpx.get(
            f"{server.url}/api/v1/events",
            params={"after": after, "limit": 1000},
            headers={**auth(token), "X-Flywheel-Position": str(reaching)},
        ).json()
        found += page["events"]
        if page["nextAfter"] is None:
            return found
        after = page["nextAfter"]


def webhook(server: FlywheelServer, token: str, webhook_id: str, wait: int = 0) -> dict[str, Any]:
    listed = httpx.get(
        f"{server.url}/api/v1/webhooks",
        headers={**auth(token), "X-Flywheel-Position": str(wait)},
    )
    assert listed.status_code == 200, listed.text
    return next(each for each in listed.json()["webhooks"] if each["id"] == webhook_id)


def wait_for(condition: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)  # polling a condition over HTTP, with a deadline


def verify_all(hook: Receiver, secret: str) -> None:
    check = Webhook(secret)
    for received in hook.received:
        check.verify(received.body, received.headers)  # raises unless it verifies
        assert received.headers["webhook-id"] == f"flywheel-{received.position}"


def test_a_receiver_that_fails_then_recovers_gets_every_event_in_order(
    server: FlywheelServer, deliverer: Deliverer, leadership: str
) -> None:
    with receiver(FAIL, FAIL, TIMEOUT, SLOW, FAIL) as hook:
        created = register(server, leadership, hook.url)
        assert created["secret"].startswith("whsec_")
        last = 0
        for n in range(4):
            last = charter(server, leadership, f"hooked{n}")
        expected = [e["position"] for e in log_after(server, leadership, created["position"], last)]
        assert expected[-1] == last
        hook.wait_until(lambda got: last in [r.position for r in got if r.answer in (OK, SLOW)])

        positions = [r.position for r in hook.received]
        assert positions == sorted(positions)  # in log order, retries repeating in place
        assert hook.acknowledged() == expected  # each acknowledged once, none skipped
        answers = [r.answer for r in hook.received]
        assert answers[:5] == [FAIL, FAIL, TIMEOUT, SLOW, FAIL]
        verify_all(hook, created["secret"])
        body = json.loads(hook.received[-1].body)
        assert body["type"] == body["data"]["type"]
        assert body["data"]["position"] == last

    wait_for(lambda: webhook(server, leadership, created["id"])["deliveredUpTo"] == last)
    state = webhook(server, leadership, created["id"])
    assert state["failures"] == 0 and state["enabled"] and state["nextAttemptAt"] is None
    deliveries = httpx.get(
        f"{server.url}/api/v1/webhooks/{created['id']}/deliveries", headers=auth(leadership)
    ).json()["deliveries"]
    oldest = list(reversed(deliveries))
    assert [d["status"] for d in oldest[:2]] == [500, 500]
    assert "timed out" in oldest[2]["error"] and oldest[2]["status"] is None
    assert oldest[3]["delivered"] and oldest[3]["attempt"] == 4
    assert all(d["durationMs"] >= 0 for d in deliveries)
    assert httpx.delete(
        f"{server.url}/api/v1/webhooks/{created['id']}", headers=auth(leadership)
    ).is_success


def commands_accepted(server: FlywheelServer) -> float:
    """``flywheel_commands_total{outcome="accepted"}`` as /metrics says now."""
    for line in httpx.get(f"{server.url}/metrics").text.splitlines():
        if line.startswith('flywheel_commands_total{outcome="accepted",rule=""}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_no_secret_reaches_the_log(server: FlywheelServer, leadership: str) -> None:
    with receiver() as hook:
        created = register(server, leadership, hook.url)
        accepted_before = commands_accepted(server)
        rotated = server.post(f"/api/v1/webhooks/{created['id']}/rotate-secret", leadership)
        assert rotated.status_code == 200, rotated.text
        assert commands_accepted(server) == accepted_before + 1, "counted as every command"
        secrets = {created["secret"], rotated.json()["secret"]}
        assert len(secrets) == 2
        dump = httpx.get(
            f"{server.url}/api/v1/events",
            params={"limit": 1000},
            headers={**auth(leadership), "Accept": "application/x-ndjson"},
        ).text
        assert "WebhookEndpoint.Registered" in dump and "WebhookEndpoint.SecretRotated" in dump
        for secret in secrets:
            assert secret not in dump
            assert secret.removeprefix("whsec_") not in dump
        server.delete(f"/api/v1/webhooks/{created['id']}", leadership)


def test_a_worker_killed_mid_delivery_redelivers_nothing_acknowledged(
    server: FlywheelServer, deliverer: Deliverer, leadership: str
) -> None:
    with receiver(OK, OK, HOLD) as hook:
        created = register(server, leadership, hook.url)
        charter(server, leadership, "killed0")  # a team and its claim: two events
        charter(server, leadership, "killed1")
        assert hook.held.wait(60), "the third delivery never arrived"
        deliverer.kill()  # mid-delivery: the third event is not acknowledged
        hook.released.set()
        deliverer.start()
        last = charter(server, leadership, "killed2")
        hook.wait_until(lambda got: last in [r.position for r in got if r.answer == OK])
        verify_all(hook, created["secret"])

    held_position = next(r.position for r in hook.received if r.answer == HOLD)
    positions = [r.position for r in hook.received]
    assert positions == sorted(positions)
    counts = Counter(positions)
    recorded = httpx.get(
        f"{server.url}/api/v1/webhooks/{created['id']}/deliveries",
        params={"limit": 1000},
        headers=auth(leadership),
    ).json()["deliveries"]
    attempts = Counter(d["position"] for d in recorded)
    acknowledged = Counter(d["position"] for d in recorded if d["delivered"])
    expected = [
        e["position"] for e in log_after(server, leadership, created["position"], max(counts))
    ]
    assert sorted(counts) == expected == sorted(acknowledged)
    assert set(acknowledged.values()) == {1}  # each acknowledged once
    # Every request the receiver saw is a recorded attempt, but for the one the
    # killed worker never recorded: nothing acknowledged was sent again.
    assert held_position < expected[-1]
    assert counts[held_position] == attempts[held_position] + 1
    assert all(counts[p] == attempts[p] for p in expected if p != held_position)
    server.delete(f"/api/v1/webhooks/{created['id']}", leadership)


def test_an_endpoint_that_keeps_failing_is_disabled_and_can_be_enabled(
    server: FlywheelServer, deliverer: Deliverer, leadership: str
) -> None:
    with receiver(default=FAIL) as hook:
        created = register(server, leadership, hook.url)
        written = charter(server, leadership, "failing")
        wait_for(lambda: not webhook(server, leadership, created["id"])["enabled"], 90)
        disabled = [
            e
            for e in log_after(server, leadership, created["position"])
            if e["type"] == "WebhookEndpoint.Disabled"
        ]
        assert len(disabled) == 1 and disabled[0]["actor"] == "flywheel-webhooks"
        assert "failed" in disabled[0]["reason"]
        assert hook.acknowledged() == []

        hook.default = OK
        enabled = server.post(f"/api/v1/webhooks/{created['id']}/enable", leadership)
        assert enabled.status_code == 200, enabled.text
        again = server.post(f"/api/v1/webhooks/{created['id']}/enable", leadership)
        assert again.status_code == 409 and again.json()["rule"] == "webhook-not-disabled"
        hook.wait_until(
            lambda got: enabled.json()["position"] in [r.position for r in got if r.answer == OK]
        )
        assert written in hook.acknowledged()
        assert hook.acknowledged() == sorted(hook.acknowledged())
        server.delete(f"/api/v1/webhooks/{created['id']}", leadership)


def test_redeliver_sends_again_from_a_position(
    server: FlywheelServer, deliverer: Deliverer, leadership: str
) -> None:
    with receiver() as hook:
        created = register(server, leadership, hook.url)
        first = charter(server, leadership, "again0")
        last = charter(server, leadership, "again1")
        hook.wait_until(lambda got: last in [r.position for r in got])
        count = len(hook.received)
        answer = server.post(
            f"/api/v1/webhooks/{created['id']}/redeliver", leadership, {"fromPosition": first}
        )
        assert answer.status_code == 202, answer.text
        hook.wait_until(lambda got: len(got) > count and got[-1].position == last)
        again = [r.position for r in hook.received[count:]]
        assert again[0] == first and again == sorted(again)
        server.delete(f"/api/v1/webhooks/{created['id']}", leadership)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("ftp://127.0.0.1/hook", 400),
        ("http://example.com/hook", 400),  # plain http leaves the machine
        ("https://169.254.169.254/latest", 400),  # cloud metadata
        ("https://10.0.0.1/hook", 400),  # the private network
        ("https://user:pw@example.com/hook", 400),
        ("not a url", 400),
    ],
)
def test_registration_refuses_destinations_not_allowed(
    server: FlywheelServer, leadership: str, url: str, status: int
) -> None:
    answer = server.post("/api/v1/webhooks", leadership, {"url": url})
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_only_leadership_and_integrators_manage_webhooks(server: FlywheelServer) -> None:
    body = {"url": "http://127.0.0.1:9/hook"}
    assert server.post("/api/v1/webhooks", None, body).status_code == 401
    for role in ("member", "auditor", "planner"):
        token = server.token(f"{role}@example.com", role)
        assert server.post("/api/v1/webhooks", token, body).status_code == 403
        assert httpx.get(f"{server.url}/api/v1/webhooks", headers=auth(token)).status_code == 403
    integrator = server.token("int@example.com", "integrator")
    created = register(server, integrator, body["url"])
    assert server.delete(f"/api/v1/webhooks/{created['id']}", integrator).status_code == 200
