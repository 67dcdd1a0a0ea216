"""Idempotency-Key and If-Match over HTTP: retries record once, stale versions are refused."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from uuid import uuid4

import httpx
import psycopg

from services.recorder import IDEMPOTENCY_TABLE
from tests.e2e.conftest import FlywheelServer
from tests.e2e.fleet import until


def events_recorded(server: FlywheelServer) -> int:
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
    assert row is not None
    return int(row[0])


def charter(server: FlywheelServer, token: str, key: str, name: str, leader: str) -> httpx.Response:
    return server.post(
        "/api/v1/teams",
        token,
        {"name": name, "mission": "m", "leader": leader},
        headers={"Idempotency-Key": key},
    )


def test_a_retried_command_records_once_and_answers_the_same(
    server: FlywheelServer, leadership: str
) -> None:
    key = str(uuid4())
    first = charter(server, leadership, key, "Retry", "retry@example.com")
    assert first.status_code == 201, first.text
    recorded = events_recorded(server)
    again = charter(server, leadership, key, "Retry", "retry@example.com")
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotency-replayed"] == "true"
    assert events_recorded(server) == recorded


def test_a_key_reused_for_another_body_is_refused(server: FlywheelServer, leadership: str) -> None:
    key = str(uuid4())
    assert charter(server, leadership, key, "Reuse", "reuse@example.com").status_code == 201
    recorded = events_recorded(server)
    other = charter(server, leadership, key, "Reuse 2", "reuse2@example.com")
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency-key-reused"
    assert events_recorded(server) == recorded


def test_a_refusal_is_replayed_too(server: FlywheelServer, leadership: str) -> None:
    assert charter(server, leadership, str(uuid4()), "Held", "held@example.com").status_code == 201
    key = str(uuid4())
    refused = charter(server, leadership, key, "Second", "held@example.com")
    assert refused.status_code == 409
    assert charter(server, leadership, key, "Second", "held@example.com").content == refused.content


def test_keys_belong_to_their_caller(server: FlywheelServer, leadership: str) -> None:
    key = str(uuid4())
    other_leader = server.token("coo@example.com", "leadership")
    assert charter(server, leadership, key, "Mine", "mine@example.com").status_code == 201
    theirs = charter(server, other_leader, key, "Theirs", "theirs@example.com")
    assert theirs.status_code == 201
    assert "idempotency-replayed" not in theirs.headers


def test_concurrent_duplicates_record_one_set_of_events(
    server: FlywheelServer, leadership: str
) -> None:
    key, racers = str(uuid4()), 6
    start = threading.Barrier(racers)
    before = events_recorded(server)

    def attempt(_: int) -> httpx.Response:
        start.wait()
        return charter(server, leadership, key, "Concurrent", "concurrent@example.com")

    with ThreadPoolExecutor(racers) as pool:
        responses = list(pool.map(attempt, range(racers)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    assert all(
        r.json()["type"] == "/problems/request-in-progress"
        for r in responses
        if r.status_code == 409
    )
    assert events_recorded(server) == before + 3
    assert len({r.content for r in responses if r.status_code == 201}) == 1


def test_a_bad_key_is_refused(server: FlywheelServer, leadership: str) -> None:
    response = charter(server, leadership, "x" * 300, "Long key", "long@example.com")
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_stale_if_match_is_refused_with_412(server: FlywheelServer, leadership: str) -> None:
    created = charter(server, leadership, str(uuid4()), "Versioned", "v1@example.com").json()
    path = f"/api/v1/teams/{created['id']}/leader"
    body = {"leader": "v2@example.com", "reason": "rotation"}
    stale = server.post(path, leadership, body, headers={"If-Match": '"7"'})
    assert stale.status_code == 412
    assert stale.json()["type"] == "/problems/version-mismatch"
    fresh = server.post(path, leadership, body, headers={"If-Match": f'"{created["version"]}"'})
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["version"] == created["version"] + 1


def key_age(server: FlywheelServer, key: str, hours: float) -> None:
    """Make a recorded key ``hours`` old, as if it had been sent that long ago."""
    assert server.database_url is not None
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        updated = conn.execute(
            f"UPDATE {IDEMPOTENCY_TABLE} SET created_at = now() - make_interval(secs => %s) "
            "WHERE key = %s",
            (hours * 3600, key),
        )
        assert updated.rowcount == 1


def keys_kept(server: FlywheelServer, *keys: str) -> set[str]:
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        rows = conn.execute(
            f"SELECT key FROM {IDEMPOTENCY_TABLE} WHERE key = ANY(%s)", (list(keys),)
        ).fetchall()
    return {row[0] for row in rows}


def test_a_key_is_kept_for_24_hours_and_only_older_keys_are_purged(
    server: FlywheelServer, leadership: str
) -> None:
    """Issue 7: keys are kept for at least 24 hours. A 23-hour-old key still replays;
    the server's housekeeping (run when it starts, then every ten minutes) forgets
    keys older than 24 hours and only those."""
    young, old = str(uuid4()), str(uuid4())
    first = charter(server, leadership, young, "Day old", "dayold@example.com")
    assert first.status_code == 201, first.text
    stale = charter(server, leadership, old, "Two days", "twodays@example.com")
    assert stale.status_code == 201, stale.text
    key_age(server, young, 23)
    key_age(server, old, 25)

    recorded = events_recorded(server)
    again = charter(server, leadership, young, "Day old", "dayold@example.com")
    assert again.status_code == 201
    assert again.headers["idempotency-replayed"] == "true"
    assert again.content == first.content
    assert events_recorded(server) == recorded

    server.stop()
    server.start()  # housekeeping runs as the server starts
    until(lambda: old not in keys_kept(server, old), "housekeeping to forget the 25-hour-old key")
    assert keys_kept(server, young, old) == {young}, "the 23-hour-old key is kept"

    replayed = charter(server, leadership, young, "Day old", "dayold@example.com")
    assert replayed.headers["idempotency-replayed"] == "true"
    assert replayed.content == first.content
    forgotten = charter(server, leadership, old, "Two days", "twodays@example.com")
    assert "idempotency-replayed" not in forgotten.headers, "a purged key runs the command again"
    assert forgotten.status_code == 409, "and the rule, not the key, refuses the repeat"
    assert events_recorded(server) == recorded
