"""Digests kept outside the database: written at the interval by one writer, and
the only thing that catches a chain rewritten, or cut, together with its events."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from prometheus_client import REGISTRY

from services.api.commands import CommandContext
from services.audit import chain as audit
from services.audit import digests as digests
from services.org.rest import CharterTeam
from services.recorder import GENESIS, chain_hash, event_hash
from services.runtime import Runtime
from services.settings import Settings, load_settings
from tests.integration.test_projections import CEO, build_history

WAIT_SECONDS = 20.0


def settings_for(runtime: Runtime, directory: Path, interval: float = 0.2) -> Settings:
    return load_settings(
        {
            "DATABASE_URL": runtime.database.url,
            "FLYWHEEL_DIGEST_DIR": str(directory),
            "FLYWHEEL_DIGEST_INTERVAL": str(interval),
        }
    )


@asynccontextmanager
async def writer(runtime: Runtime, directory: Path) -> AsyncIterator[asyncio.Event]:
    stop = asyncio.Event()
    task = asyncio.create_task(
        digests.keep_digests(
            settings_for(runtime, directory), runtime.database.url, runtime.signing_key, stop
        )
    )
    try:
        yield stop
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=WAIT_SECONDS)


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def digest_at(directory: Path, position: int) -> Path:
    return directory / digests.file_name(position)


def check(runtime: Runtime, directory: Path) -> digests.DigestsReport:
    return digests.check_digests(runtime.database.url, directory, runtime.signing_key)


def rewrite_chain(url: str, old: bytes, new: bytes) -> None:
    """What someone with write access to the database can do: change an event and
    recompute every link, so that the chain verifies again."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM flywheel_events ORDER BY notification_id"
        ).fetchall()
        found = next(row for row in rows if old in bytes(row[4]))
        conn.execute(
            "UPDATE flywheel_events SET state = %s WHERE notification_id = %s",
            (bytes(found[4]).replace(old, new), found[0]),
        )
        rows = conn.execute(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM flywheel_events ORDER BY notification_id"
        ).fetchall()
        previous = GENESIS
        for at, originator, version, topic, state in rows:
            this = event_hash(at, originator, version, topic, bytes(state))
            previous = chain_hash(previous, this)
            conn.execute(
                "UPDATE flywheel_chain SET event_hash = %s, chain_hash = %s WHERE position = %s",
                (this, previous, at),
            )


def cut_tail(url: str, after: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM flywheel_events WHERE notification_id > %s", (after,))
        conn.execute("DELETE FROM flywheel_chain WHERE position > %s", (after,))


async def test_the_writer_writes_a_digest_of_the_head_at_the_interval(
    runtime: Runtime, tmp_path: Path
) -> None:
    directory = tmp_path / "digests"
    history = build_history(runtime)
    async with writer(runtime, directory):
        await wait_until(lambda: digest_at(directory, history["head"]).exists(), "the first")
        later = await asyncio.to_thread(
            runtime.org.charter_team,
            CommandContext(CEO, "h"),
            CharterTeam(name="Later", mission="m", leader="l@x.io"),
        )
        await wait_until(lambda: digest_at(directory, later.position).exists(), "the next")
    written = sorted(path.name for path in directory.iterdir())
    assert written == [
        digests.file_name(history["head"]),
        digests.file_name(later.position),
    ], "one file per head, none written twice"
    document = json.loads(digest_at(directory, later.position).read_text())
    assert audit.signature_holds(document)
    assert (document["position"], document["chainHash"]) == (
        later.position,
        audit.head_of_chain(runtime.database.url)[1].hex(),
    )
    report = check(runtime, directory)
    assert (report.hold, report.checked, report.latest) == (True, 2, later.position)
    assert REGISTRY.get_sample_value("flywheel_digest_position") == later.position


async def test_an_existing_digest_file_is_never_overwritten(
    runtime: Runtime, tmp_path: Path
) -> None:
    history = build_history(runtime)
    position, head = audit.head_of_chain(runtime.database.url)
    digest = audit.sign_digest(runtime.signing_key, position, head)
    assert digests.write_digest(tmp_path, digest) == digest_at(tmp_path, history["head"])
    kept = digest_at(tmp_path, history["head"]).read_bytes()
    assert digests.write_digest(tmp_path, digest) is None
    assert digest_at(tmp_path, history["head"]).read_bytes() == kept


async def test_only_one_writer_at_a_time(runtime: Runtime, tmp_path: Path) -> None:
    """Two workers, two directories: only the one holding the lock writes; when it
    stops, the other takes over."""
    first, second = tmp_path / "first", tmp_path / "second"
    history = build_history(runtime)

    def written(directory: Path) -> bool:
        return digest_at(directory, history["head"]).exists()

    async with writer(runtime, first) as stop_first, writer(runtime, second):
        await wait_until(lambda: written(first) or written(second), "a digest")
        active, standby = (first, second) if written(first) else (second, first)
        assert not written(standby)
        if active is first:
            stop_first.set()
            await wait_until(lambda: written(second), "the standby to take over")
        else:
            later = await asyncio.to_thread(
                runtime.org.charter_team,
                CommandContext(CEO, "h"),
                CharterTeam(name="Later", mission="m", leader="l@x.io"),
            )
            await wait_until(lambda: digest_at(second, later.position).exists(), "the next")
            assert not any(first.glob("digest-*.json")), "the standby never wrote"


@pytest.fixture
def pinned(runtime: Runtime, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A history with a digest of its head kept outside the database."""
    history = build_history(runtime)
    position, head = audit.head_of_chain(runtime.database.url)
    directory = tmp_path / "digests"
    directory.mkdir()
    digests.write_digest(directory, audit.sign_digest(runtime.signing_key, position, head))
    return directory, history


def test_a_rewritten_chain_passes_the_chain_check_but_not_the_digests(
    runtime: Runtime, pinned: tuple[Path, dict[str, Any]]
) -> None:
    directory, history = pinned
    rewrite_chain(runtime.database.url, b'"Buy"', b'"Sell"')
    assert audit.verify_chain(runtime.database.url).intact, "without a digest, nothing shows"
    report = check(runtime, directory)
    assert report.problems == [
        (
            digests.file_name(history["head"]),
            f"the chain at position {history['head']} is not the one signed on "
            f"{json.loads(digest_at(directory, history['head']).read_text())['signedAt']}: "
            "the chain was rewritten",
        )
    ]


def test_a_cut_tail_passes_the_chain_check_but_not_the_digests(
    runtime: Runtime, pinned: tuple[Path, dict[str, Any]]
) -> None:
    directory, history = pinned
    cut_tail(runtime.database.url, history["head"] - 2)
    assert audit.verify_chain(runtime.database.url).intact, "without a digest, nothing shows"
    assert check(runtime, directory).problems == [
        (
            digests.file_name(history["head"]),
            f"signs position {history['head']}, beyond the head {history['head'] - 2}: "
            "the tail was cut",
        )
    ]


def test_a_cut_tail_written_over_again_is_caught(
    runtime: Runtime, pinned: tuple[Path, dict[str, Any]]
) -> None:
    directory, history = pinned
    cut_tail(runtime.database.url, history["head"] - 2)
    for name in ("Refill one", "Refill two"):
        runtime.org.charter_team(
            CommandContext(CEO, "h"),
            CharterTeam(name=name, mission="m", leader=f"{name[-3:]}@x.io"),
        )
    assert audit.verify_chain(runtime.database.url).intact
    (name, problem), *_ = check(runtime, directory).problems
    assert name == digests.file_name(history["head"])
    assert problem.endswith(("the chain was rewritten", "it was cut or rewritten"))


def test_a_digest_that_does_not_hold_is_named(
    runtime: Runtime, pinned: tuple[Path, dict[str, Any]]
) -> None:
    directory, history = pinned
    path = digest_at(directory, history["head"])
    document = json.loads(path.read_text())
    forged = digest_at(directory, 3)
    forged.write_text(json.dumps({**document, "position": 3}))
    other = digest_at(directory, 4)
    other.write_text(json.dumps(document))
    (directory / "digest-9.json").write_text("{")
    problems = dict(check(runtime, directory).problems)
    assert problems[forged.name] == "its signature does not hold"
    assert problems[other.name] == f"signs position {history['head']}, not the one its name gives"
    assert problems["digest-9.json"].startswith("cannot be read as a signed digest")
    assert path.name not in problems
