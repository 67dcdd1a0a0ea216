"""Tamper evidence against real PostgreSQL: the chain, the digest, the export, the views."""

from __future__ import annotations

import psycopg

from services.audit import chain as audit
from services.runtime import Runtime
from tests.integration.test_projections import build_history


def tamper(runtime: Runtime, sql: str, *args: object) -> None:
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        conn.execute(sql, args)


def test_an_untouched_log_verifies(runtime: Runtime) -> None:
    history = build_history(runtime)
    report = audit.verify_chain(runtime.database.url)
    assert report.intact, report.problems
    assert report.checked == report.head_position == history["head"]
    assert audit.head_of_chain(runtime.database.url) == (report.head_position, report.head)


def test_one_changed_byte_is_found_at_its_position(runtime: Runtime) -> None:
    build_history(runtime)
    tamper(
        runtime,
        "UPDATE flywheel_events SET state = overlay(state placing '\\x20'::bytea from 10 for 1) "
        "WHERE notification_id = 7",
    )
    report = audit.verify_chain(runtime.database.url)
    assert report.first_bad_position == 7
    assert report.problems[0] == (7, "the event's stored bytes were altered")


def test_a_deleted_event_is_found_at_its_position(runtime: Runtime) -> None:
    build_history(runtime)
    tamper(runtime, "DELETE FROM flywheel_events WHERE notification_id = 5")
    report = audit.verify_chain(runtime.database.url)
    assert report.first_bad_position == 5
    assert "deleted" in report.problems[0][1]


def test_a_forged_event_is_found_at_its_position(runtime: Runtime) -> None:
    history = build_history(runtime)
    tamper(
        runtime,
        "INSERT INTO flywheel_events (originator_id, originator_version, topic, state) "
        "SELECT originator_id, originator_version + 100, topic, state FROM flywheel_events "
        "WHERE notification_id = 1",
    )
    report = audit.verify_chain(runtime.database.url)
    assert report.first_bad_position == history["head"] + 1
    assert "not written by Flywheel" in report.problems[0][1]


def test_a_rewritten_chain_is_caught_by_a_saved_digest(runtime: Runtime) -> None:
    history = build_history(runtime)
    position, head = audit.head_of_chain(runtime.database.url)
    digest = audit.sign_digest(runtime.signing_key, position, head).as_json()
    assert audit.signature_holds(digest)
    assert audit.signature_holds({**digest, "position": position - 1}) is False
    tamper(
        runtime,
        "UPDATE flywheel_chain SET chain_hash = sha256(chain_hash) WHERE position = %s",
        history["head"],
    )
    assert audit.chain_link_at(runtime.database.url, position) != head


async def test_a_shadow_rebuild_equals_the_live_views(serving: Runtime) -> None:
    history = build_history(serving)
    assert await serving.watcher.wait_for(history["head"], 10)
    report = await audit.verify_views(serving.database.url, serving.projection_runner())
    assert report.position == history["head"]
    assert report.differences == [] and report.left_out == []
    assert report.ok


async def test_a_doctored_view_row_is_reported(serving: Runtime) -> None:
    history = build_history(serving)
    assert await serving.watcher.wait_for(history["head"], 10)
    tamper(serving, "UPDATE views.teams SET mission = 'rewritten' WHERE name = 'Checkout'")
    report = await audit.verify_views(serving.database.url, serving.projection_runner())
    differences = report.differences
    assert [difference.table for difference in differences] == ["teams"]
    assert any("rewritten" in row for row in differences[0].only_in_live)
