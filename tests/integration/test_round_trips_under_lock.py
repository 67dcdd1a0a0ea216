"""Every writer waits while a save holds the event store's table lock, so the round trips
a save makes under it are counted (services/recorder.py): the events' insert with the
chain's last link read beside it, the chain's links, the commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.api.commands import CommandContext
from services.org.rest import CharterTeam
from services.runtime import Runtime
from services.settings import Settings
from tests.integration.conftest import settings_for
from tests.people import CEO

SAVES = 6
ROUND_TRIPS_UNDER_LOCK = 3  # the insert and the last link; the links; the commit


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """One pooled connection (and one of overflow), both traced by the test."""
    return settings_for(database_url, tmp_path, FLYWHEEL_POOL_SIZE="1")


@pytest.fixture
def trace(runtime: Runtime, tmp_path: Path) -> Iterator[Path]:
    """libpq's trace of every message on the write side's connections."""
    path = tmp_path / "libpq.trace"
    pool: Any = runtime.app.recorder.datastore.pool  # type: ignore[attr-defined]
    with path.open("w") as out:
        connections = [pool.getconn() for _ in range(2)]
        for conn in connections:
            conn.pgconn.trace(out.fileno())
        for conn in connections:
            pool.putconn(conn)
        yield path
        for conn in connections:
            if not conn.closed:
                conn.pgconn.untrace()


def round_trips_under_lock(trace: Path) -> list[int]:
    """For each save in the trace: how often the client waited for the server between
    sending the table lock and the commit's answer. The lock is a prepared statement,
    named differently on each connection; the NOTIFY sent right after it is not, and
    goes out in the same batch, so it marks where the save takes the lock."""
    saves: list[int] = []
    locked, previous = False, ""
    for line in trace.read_text(errors="replace").splitlines():
        fields = line.split("\t")
        if len(fields) < 4:
            continue
        sender, message, text = fields[1], fields[3], "".join(fields[4:])
        if sender == "F" and message == "Parse" and "NOTIFY" in text:
            locked = True
            saves.append(0)
        if locked and previous == "F" and sender == "B":
            saves[-1] += 1
        if sender == "B" and message == "CommandComplete" and '"COMMIT"' in text:
            locked = False
        previous = sender
    return saves


def test_a_save_holds_the_table_lock_for_three_round_trips(runtime: Runtime, trace: Path) -> None:
    for number in range(SAVES):
        runtime.org.charter_team(
            CommandContext(CEO, "trips"),
            CharterTeam(name=f"Team {number}", mission="m", leader=f"lead{number}@x.io"),
        )
    saves = round_trips_under_lock(trace)
    assert len(saves) == SAVES
    assert saves == [ROUND_TRIPS_UNDER_LOCK] * SAVES
