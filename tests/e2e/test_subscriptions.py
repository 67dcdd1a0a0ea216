"""GraphQL subscriptions end to end: a real server, a real websocket client.

A subscriber that disconnects and resumes from its last position receives every
event once and in order; a new event arrives live; callers without the role, or
without a token, are refused; the limits hold; a consumer that stops reading is
disconnected with the slow-consumer close code.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from services.feeds.subscriptions import SLOW_CONSUMER
from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer, flywheel_env
from tests.e2e.feeds import EVENTS, Subscriber, events_until

PER_CALLER = 3


@pytest.fixture(scope="module")
def server(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    """A server with small subscription limits, so that the test can reach them."""
    with fresh_database(postgres_server) as url:
        running = FlywheelServer(tmp_path_factory.mktemp("flywheel"), url)
        running.start_with(
            flywheel_env(
                running.data_dir,
                url,
                FLYWHEEL_SUBSCRIPTIONS_PER_CALLER=str(PER_CALLER),
                FLYWHEEL_SUBSCRIPTION_QUEUE="4",
                FLYWHEEL_SUBSCRIPTION_SLOW_SECONDS="1",
            )
        )
        yield running
        running.stop()


def charter(
    server: FlywheelServer, token: str, name: str, parent: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "mission": "m", "leader": f"{name.lower()}@example.com"}
    if parent is not None:
        body["parentId"] = parent
    answer = server.post("/api/v1/teams", token, body)
    assert answer.status_code == 201, answer.text
    team: dict[str, Any] = answer.json()
    return team


def logged(server: FlywheelServer, token: str) -> list[dict[str, Any]]:
    """The whole log as /api/v1/events shows it."""
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        page = httpx.get(
            f"{server.url}/api/v1/events",
            params={"after": after, "limit": 1000},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        found += page["events"]
        if page["nextAfter"] is None:
            return found
        after = page["nextAfter"]


def test_a_subscriber_resumes_from_its_last_position_and_misses_nothing(
    server: FlywheelServer, leadership: str
) -> None:
    for n in range(5):
        charter(server, leadership, f"Before{n}")
    head = logged(server, leadership)[-1]["position"]

    first = Subscriber(server.url, leadership)
    assert first.ack is not None
    first.subscribe("1", EVENTS, after=0)
    received = events_until(first, "1", head)
    first.close()
    # Written while nobody listens: the resumed subscription catches them up, then
    # one more arrives live.
    for n in range(5):
        charter(server, leadership, f"While{n}")
    resumed = Subscriber(server.url, leadership)
    resumed.subscribe("2", EVENTS, after=received[-1]["position"])
    middle = logged(server, leadership)[-1]["position"]
    received += events_until(resumed, "2", middle)
    live = charter(server, leadership, "Live")
    received += events_until(resumed, "2", live["position"])
    resumed.close()

    positions = [event["position"] for event in received]
    expected = logged(server, leadership)
    assert positions == [event["position"] for event in expected]  # once each, in order
    assert [event["type"] for event in received] == [event["type"] for event in expected]
    assert {"type": "Team.Chartered", "aggregateId": live["id"]} in [
        {"type": event["type"], "aggregateId": event["aggregateId"]} for event in received[-3:]
    ]
    assert all(event["chainHash"] for event in received)


def test_the_filters_follow_types_and_teams(server: FlywheelServer, leadership: str) -> None:
    parent = charter(server, leadership, "Parent")
    child = charter(server, leadership, "Child", parent=parent["id"])
    other = charter(server, leadership, "Other")
    sub = Subscriber(server.url, leadership)
    sub.subscribe("t", EVENTS, after=0, teamId=parent["id"], sub=True)
    # The last event concerning the parent's subtree is the child's move.
    team_events = events_until(sub, "t", 0, aggregate=child["id"])
    assert {event["aggregateId"] for event in team_events} <= {parent["id"], child["id"]}
    assert other["id"] not in {event["aggregateId"] for event in team_events}
    assert team_events[-1]["type"] == "Team.Chartered"
    assert parent["id"] in {event["aggregateId"] for event in team_events}
    sub.send({"id": "t", "type": "complete"})
    sub.subscribe("k", EVENTS, after=0, types=["Team.Chartered"])
    chartered = events_until(sub, "k", 0, aggregate=other["id"])
    sub.close()
    assert {event["type"] for event in chartered} == {"Team.Chartered"}
    assert chartered[-1]["aggregateId"] == other["id"]


def test_callers_without_a_token_or_the_role_are_refused(server: FlywheelServer) -> None:
    nobody = Subscriber(server.url, None)
    assert nobody.ack is None
    assert nobody.close_code == 4403
    forged = Subscriber(server.url, "not-a-token")
    assert forged.close_code == 4403
    member = Subscriber(server.url, server.token("m@example.com", "member"))
    assert member.ack is not None
    member.subscribe("1", EVENTS, after=0)
    answer = member.receive(10)
    assert answer["type"] in {"error", "next"}, answer
    errors = answer["payload"] if answer["type"] == "error" else answer["payload"]["errors"]
    assert "auditor" in errors[0]["message"]
    member.subscribe("2", "subscription { viewsAdvanced { position } }")
    advanced = next(m for m in member.messages(10) if m.get("id") == "2")
    assert (
        advanced["type"] == "next" and advanced["payload"]["data"]["viewsAdvanced"]["position"] > 0
    )
    member.close()


def test_views_advanced_moves_with_each_write(server: FlywheelServer, leadership: str) -> None:
    sub = Subscriber(server.url, server.token("p@example.com", "planner"))
    sub.subscribe("v", "subscription { viewsAdvanced { position } }")
    start = sub.receive(10)["payload"]["data"]["viewsAdvanced"]["position"]
    written = charter(server, leadership, "Advancing")["position"]
    assert written > start
    for message in sub.messages(30):
        if message["payload"]["data"]["viewsAdvanced"]["position"] >= written:
            break
    else:
        raise AssertionError("viewsAdvanced never reached the write's position")
    sub.close()


def test_subscriptions_per_caller_are_limited(server: FlywheelServer) -> None:
    token = server.token("limited@example.com", "auditor")
    sub = Subscriber(server.url, token)
    for n in range(PER_CALLER):
        sub.subscribe(str(n), "subscription { viewsAdvanced { position } }")
        assert sub.receive(10)["type"] == "next"
    sub.subscribe("over", "subscription { viewsAdvanced { position } }")
    refused = sub.receive(10)
    errors = refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
    assert refused["id"] == "over"
    assert errors[0]["extensions"]["reason"] == "subscription-limit"
    sub.send({"id": "0", "type": "complete"})
    sub.subscribe("again", "subscription { viewsAdvanced { position } }")
    answered = next(m for m in sub.messages(10) if m.get("id") == "again")
    assert answered["type"] == "next", answered
    sub.close()


def test_a_consumer_that_stops_reading_is_disconnected(
    server: FlywheelServer, leadership: str
) -> None:
    """Some megabytes of big events, a client that reads none of them: the server stops
    (queue of 4, 1 s) and closes with the slow-consumer code, holding no more."""
    answer = "a long answer " * 400
    faq = [{"audience": "EXTERNAL", "question": f"Q{n}?", "answer": answer} for n in range(50)]
    for n in range(24):
        drafted = server.post(
            "/api/v1/prfaqs", leadership, {"title": f"Big {n}", "problem": "p", "faq": faq}
        )
        assert drafted.status_code == 201, drafted.text
    slow = Subscriber(server.url, leadership, receive_buffer=4096)
    slow.subscribe("1", EVENTS, after=0)
    # Not reading: wait (bounded) until the server says it gave up, then read what
    # was in flight, up to the close frame.
    deadline = time.monotonic() + 60
    while "slow consumer" not in server.log.read_text():
        assert time.monotonic() < deadline, "the server never gave up on the slow consumer"
        time.sleep(0.2)  # polling a condition (the server's log) with a deadline
    for _ in slow.messages(60):
        pass
    assert slow.close_code == SLOW_CONSUMER
