"""Commands that compete without conflicting all get through; rules still hold.

Registering a service writes its owning team (that is how disbanding the team
conflicts with it), so registrations for one team race each other for the
team's next version. None of them breaks a rule, so none may fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from domain.org.team import Team, TeamDisbanded, TeamOwnsActiveServices
from services import commands
from services.api.commands import CommandContext
from services.boundaries.rest_services import RegisterService
from services.commands import ConcurrentChange, UnitOfWork
from services.org.rest import DisbandTeam
from services.runtime import Runtime
from services.settings import load_settings
from tests.integration.test_team_commands import charter, race
from tests.people import CEO

PARALLEL = 20
ROUNDS = 3


@pytest.fixture
def runtime(database_url: str, tmp_path: Path) -> Iterator[Runtime]:
    """The write side with the server's default pool, so twenty threads find connections."""
    opened = Runtime.open(
        load_settings({"DATABASE_URL": database_url, "FLYWHEEL_DATA_DIR": str(tmp_path)})
    )
    yield opened
    opened.close()


def register(runtime: Runtime, name: str, team: UUID) -> UUID:
    return runtime.boundaries.register_service(
        CommandContext(CEO, "contention"),
        RegisterService(name=name, owner_team_id=team, description=f"{name} service"),
    ).id


def test_twenty_parallel_registrations_for_one_team_all_succeed(runtime: Runtime) -> None:
    team = charter(runtime, "Platform", "pat@example.com")
    registered: list[UUID] = []
    for round_ in range(ROUNDS):
        wins, losses = race(
            [
                lambda name=f"Service {round_}-{n}": register(runtime, name, team)
                for n in range(PARALLEL)
            ]
        )
        assert losses == [], losses
        registered += wins
    platform = runtime.app.repository.get(team)
    assert isinstance(platform, Team)
    assert sorted(platform.services) == sorted(registered)
    assert len(registered) == ROUNDS * PARALLEL


def test_disbanding_races_parallel_registrations_and_the_rule_holds(runtime: Runtime) -> None:
    """Either the disband wins before any registration (which then meet a disbanded
    team) or it is refused because the team owns services; never both, and no
    registration gives up for contention alone."""
    for round_ in range(ROUNDS):
        team = charter(runtime, f"Short-lived {round_}", f"lead{round_}@example.com")
        disband = [
            lambda team=team: runtime.org.disband_team(
                CommandContext(CEO, "t"), team, DisbandTeam(reason="Closed")
            )
        ]
        registrations = [
            lambda team=team, name=f"Doomed {round_}-{n}": register(runtime, name, team)
            for n in range(PARALLEL)
        ]
        wins, losses = race(disband + registrations)
        assert all(isinstance(loss, TeamDisbanded | TeamOwnsActiveServices) for loss in losses), (
            losses
        )
        assert len(wins) + len(losses) == PARALLEL + 1
        loaded = runtime.app.repository.get(team)
        assert isinstance(loaded, Team)
        assert loaded.disbanded != bool(loaded.services), "no active service of a disbanded team"
        if loaded.disbanded:
            assert all(isinstance(loss, TeamDisbanded) for loss in losses)
        else:
            assert len(loaded.services) == PARALLEL
            assert [type(loss) for loss in losses] == [TeamOwnsActiveServices]


def test_a_command_that_keeps_losing_gives_up_with_concurrent_change(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every attempt meets a change another writer committed after it loaded the
    team; the bus backs off and retries until its budget is spent."""
    monkeypatch.setattr(commands, "RETRY_BUDGET_SECONDS", 0.5)
    team = charter(runtime, "Contested", "cora@example.com")
    attempts = 0

    def always_beaten(work: UnitOfWork) -> Team:
        nonlocal attempts
        attempts += 1
        loaded = work.get(Team, team, label="team")
        register(runtime, f"Rival {attempts}", team)  # commits first, on the same team
        loaded.attach_service(uuid4())
        return loaded

    started = time.monotonic()
    with pytest.raises(ConcurrentChange) as gave_up:
        runtime.boundaries.bus.run(CEO, "t", always_beaten)
    assert attempts > 2 and gave_up.value.context["attempts"] == attempts
    assert time.monotonic() - started < 0.5 + commands.MAX_BACKOFF_SECONDS + 1
    assert gave_up.value.retry_after == commands.RETRY_AFTER_SECONDS
