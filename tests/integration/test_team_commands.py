"""Team commands against a real PostgreSQL event store: rules, refusals, races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from domain.errors import InvalidValue, NotFound
from domain.people import Function
from domain.teams import (
    Attachment,
    PersonDedicatedElsewhere,
    PersonLeadsAnotherTeam,
    Team,
    TeamDisbanded,
    TeamHasActiveSubteams,
    TeamNameTaken,
)
from services.commands import Forbidden, VersionMismatch
from services.principal import Role
from services.runtime import Runtime
from tests.people import CEO, PLANNER, principal

RACERS = 8


def event_count(runtime: Runtime) -> int:
    with psycopg.connect(runtime.database.url) as conn:
        row = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
    assert row is not None
    return int(row[0])


def charter(runtime: Runtime, name: str, leader: str, parent: UUID | None = None) -> UUID:
    return runtime.teams.charter_team(
        CEO, "test", name=name, mission=f"{name} mission", leader=leader, parent_id=parent
    ).id


def refused_and_nothing_recorded(
    runtime: Runtime, error: type[Exception], command: Callable[[], Any]
) -> Exception:
    before = event_count(runtime)
    with pytest.raises(error) as refused:
        command()
    assert event_count(runtime) == before, "a refused command recorded nothing"
    return refused.value


def test_a_charter_saves_the_team_with_its_claims_and_answers_the_position(
    runtime: Runtime,
) -> None:
    outcome = runtime.teams.charter_team(
        CEO, "corr-1", name="Payments", mission="Move money", leader="alice@example.com"
    )
    assert (outcome.kind, outcome.version) == ("Team", 1)
    assert outcome.position == event_count(runtime) == 3  # the team, its name, its leader
    team = runtime.app.repository.get(outcome.id)
    assert isinstance(team, Team) and team.leader == "alice@example.com"


def test_a_person_leads_at_most_one_team(runtime: Runtime) -> None:
    charter(runtime, "Payments", "alice@example.com")
    refusal = refused_and_nothing_recorded(
        runtime, PersonLeadsAnotherTeam, lambda: charter(runtime, "Risk", "Alice@Example.com")
    )
    assert "Payments" in str(refusal)


def test_leadership_is_free_again_once_handed_over(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    runtime.teams.appoint_leader(CEO, "t", payments, leader="bob@example.com", reason="Alice moves")
    charter(runtime, "Risk", "alice@example.com")
    refused_and_nothing_recorded(
        runtime, PersonLeadsAnotherTeam, lambda: charter(runtime, "Fraud", "bob@example.com")
    )


def test_names_of_active_teams_are_unique_without_case(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    refused_and_nothing_recorded(
        runtime, TeamNameTaken, lambda: charter(runtime, " payments ", "bob@example.com")
    )
    runtime.teams.disband_team(CEO, "t", payments, reason="Merged")
    charter(runtime, "PAYMENTS", "bob@example.com")


def test_a_person_is_dedicated_to_at_most_one_team(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    risk = charter(runtime, "Risk", "bob@example.com")

    def add(team: UUID, attachment: Attachment) -> None:
        runtime.teams.add_member(
            CEO,
            "t",
            team,
            person="dana@example.com",
            function=Function.DESIGN,
            attachment=attachment,
        )

    add(payments, Attachment.DEDICATED)
    refused_and_nothing_recorded(
        runtime, PersonDedicatedElsewhere, lambda: add(risk, Attachment.DEDICATED)
    )
    add(risk, Attachment.REPORTS)  # reporting to one leader while dedicated elsewhere is fine
    runtime.teams.remove_member(CEO, "t", payments, person="dana@example.com")
    runtime.teams.remove_member(CEO, "t", risk, person="dana@example.com")
    add(risk, Attachment.DEDICATED)


def test_promoting_a_dedicated_member_frees_their_dedication(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    risk = charter(runtime, "Risk", "bob@example.com")
    runtime.teams.add_member(
        CEO,
        "t",
        payments,
        person="erin@example.com",
        function=Function.PRODUCT,
        attachment=Attachment.DEDICATED,
    )
    runtime.teams.appoint_leader(CEO, "t", payments, leader="erin@example.com", reason="Promoted")
    runtime.teams.appoint_leader(CEO, "t", risk, leader="alice@example.com", reason="Moves over")
    team = runtime.app.repository.get(payments)
    assert team.leader == "erin@example.com" and team.members == {}


def test_subteams_hang_under_an_active_parent(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    checkout = charter(runtime, "Checkout", "bob@example.com", parent=payments)
    refusal = refused_and_nothing_recorded(
        runtime,
        TeamHasActiveSubteams,
        lambda: runtime.teams.disband_team(CEO, "t", payments, reason="Reorg"),
    )
    assert "Checkout" in str(refusal)
    runtime.teams.disband_team(CEO, "t", checkout, reason="Folded in")
    runtime.teams.disband_team(CEO, "t", payments, reason="Reorg")
    refused_and_nothing_recorded(
        runtime,
        TeamDisbanded,
        lambda: charter(runtime, "Wallet", "carol@example.com", parent=payments),
    )


def test_unknown_ids_are_not_found(runtime: Runtime) -> None:
    refused_and_nothing_recorded(
        runtime,
        NotFound,
        lambda: runtime.teams.appoint_leader(CEO, "t", uuid4(), leader="x@example.com", reason="r"),
    )
    refused_and_nothing_recorded(
        runtime, NotFound, lambda: charter(runtime, "Orphan", "x@example.com", parent=uuid4())
    )


def test_bad_values_are_refused(runtime: Runtime) -> None:
    refused_and_nothing_recorded(
        runtime, InvalidValue, lambda: charter(runtime, " ", "x@example.com")
    )
    refused_and_nothing_recorded(runtime, InvalidValue, lambda: charter(runtime, "Ok", "two words"))


def test_who_may_do_what(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    risk = charter(runtime, "Risk", "bob@example.com")
    alice = principal("alice@example.com", Role.MEMBER)
    refused_and_nothing_recorded(
        runtime,
        Forbidden,
        lambda: runtime.teams.charter_team(
            PLANNER, "t", name="X", mission="m", leader="z@example.com"
        ),
    )
    refused_and_nothing_recorded(
        runtime,
        Forbidden,
        lambda: runtime.teams.add_member(
            alice,
            "t",
            risk,
            person="f@example.com",
            function=Function.DESIGN,
            attachment=Attachment.REPORTS,
        ),
    )
    runtime.teams.add_member(
        alice,
        "t",
        payments,
        person="f@example.com",
        function=Function.DESIGN,
        attachment=Attachment.REPORTS,
    )
    refused_and_nothing_recorded(
        runtime,
        Forbidden,
        lambda: runtime.teams.appoint_leader(
            alice, "t", payments, leader="f@example.com", reason="r"
        ),
    )


def test_a_stale_expected_version_is_refused(runtime: Runtime) -> None:
    payments = charter(runtime, "Payments", "alice@example.com")
    refused_and_nothing_recorded(
        runtime,
        VersionMismatch,
        lambda: runtime.teams.appoint_leader(
            CEO, "t", payments, leader="b@example.com", reason="r", expected_version=7
        ),
    )
    outcome = runtime.teams.appoint_leader(
        CEO, "t", payments, leader="b@example.com", reason="r", expected_version=1
    )
    assert outcome.version == 2


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


def test_racing_dedications_let_exactly_one_through(runtime: Runtime) -> None:
    teams = [charter(runtime, f"Team {n}", f"leader{n}@example.com") for n in range(RACERS)]
    wins, losses = race(
        [
            lambda team=team: runtime.teams.add_member(
                CEO,
                "t",
                team,
                person="gus@example.com",
                function=Function.OPERATIONS,
                attachment=Attachment.DEDICATED,
            )
            for team in teams
        ]
    )
    assert len(wins) == 1
    assert all(isinstance(loss, PersonDedicatedElsewhere) for loss in losses), losses
