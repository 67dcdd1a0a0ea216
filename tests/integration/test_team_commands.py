"""Team commands racing on a real PostgreSQL event store: exactly one wins, and the
recorded state says so. Rules and roles are tested in memory, tests/unit/commands."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg

from domain.org.team import (
    Attachment,
    PersonDedicatedElsewhere,
    PersonLeadsAnotherTeam,
    TeamNameTaken,
)
from domain.people.values import Function
from services.api.commands import CommandContext
from services.org.rest import AddMember
from services.runtime import Runtime
from tests.commands import charter
from tests.people import CEO

RACERS = 8


def event_count(runtime: Runtime) -> int:
    with psycopg.connect(runtime.database.url) as conn:
        row = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
    assert row is not None
    return int(row[0])


def race(commands: list[Callable[[], Any]]) -> tuple[list[Any], list[Exception]]:
    """Run the commands at the same moment from separate threads."""
    start = threading.Barrier(len(commands))

    def run(command: Callable[[], Any]) -> Any:
        start.wait()
        try:
            return command()
        except Exception as error:
            return error

    with ThreadPoolExecutor(len(commands)) as pool:
        results = list(pool.map(run, commands))
    return (
        [r for r in results if not isinstance(r, Exception)],
        [r for r in results if isinstance(r, Exception)],
    )


def test_racing_charters_for_one_leader_let_exactly_one_through(runtime: Runtime) -> None:
    wins, losses = race(
        [lambda n=n: charter(runtime, f"Team {n}", "alice@example.com") for n in range(RACERS)]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, PersonLeadsAnotherTeam) for loss in losses), losses
    assert event_count(runtime) == 3


def test_racing_charters_for_one_name_let_exactly_one_through(runtime: Runtime) -> None:
    wins, losses = race(
        [lambda n=n: charter(runtime, "Payments", f"leader{n}@example.com") for n in range(RACERS)]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, TeamNameTaken) for loss in losses), losses
    assert event_count(runtime) == 3, "one team with its name and leader claims"
    assert runtime.app.repository.get(wins[0]).name == "Payments"


def test_racing_dedications_let_exactly_one_through(runtime: Runtime) -> None:
    teams = [charter(runtime, f"Team {n}", f"leader{n}@example.com") for n in range(RACERS)]
    wins, losses = race(
        [
            lambda team=team: runtime.org.add_member(
                CommandContext(CEO, "t"),
                team,
                AddMember(
                    person="gus@example.com",
                    function=Function.OPERATIONS,
                    attachment=Attachment.DEDICATED,
                ),
            )
            for team in teams
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, PersonDedicatedElsewhere) for loss in losses), losses
    dedicated = [team for team in teams if runtime.app.repository.get(team).members]
    assert len(dedicated) == 1
    assert runtime.app.repository.get(dedicated[0]).members == {"gus@example.com": "DEDICATED"}
