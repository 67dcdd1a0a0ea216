"""Allocation commands racing on a real PostgreSQL event store: exactly one wins, and the
recorded state says so. Rules and roles are tested in memory, tests/unit/commands."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import psycopg

from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase
from domain.allocation.refusals import (
    AllocationCycleExists,
    CycleCarriedForward,
    EnvelopeExceeded,
)
from domain.allocation.resources import Resources
from services.allocation.commands import DISSENT
from services.allocation.rest import RecordAmendment, RecordDissent
from services.api.commands import CommandContext
from services.idempotency import recording_outcome
from services.recorder import IdempotentOutcome
from services.runtime import Runtime
from tests.allocation_fixtures import (
    ENG,
    YEAR,
    Planning,
    advance,
    decide,
    envelope,
    open_cycle,
    planning,
    request,
)
from tests.integration.test_team_commands import RACERS, event_count, race
from tests.people import CEO


def cycle_of(runtime: Runtime, cycle_id: UUID) -> AllocationCycle:
    cycle = runtime.app.repository.get(cycle_id)
    assert isinstance(cycle, AllocationCycle)
    return cycle


def lock_op1(runtime: Runtime, plan: Planning) -> None:
    retail, books = plan.org.retail, plan.org.books
    envelope(runtime, plan.op1, 10, 1000)
    request(runtime, plan, retail, 6, 600)
    request(runtime, plan, books, 4, 400)
    advance(runtime, plan.op1, CyclePhase.REVIEW)
    decide(runtime, plan.op1, retail, 6, 600)
    decide(runtime, plan.op1, books, 3, 300)
    advance(runtime, plan.op1, CyclePhase.DECIDED, CyclePhase.LOCKED)


def test_a_dissent_is_answered_with_its_own_id_even_when_replayed_after_a_crash(
    runtime: Runtime,
) -> None:
    """The outcome stored against an Idempotency-Key names the dissent, so a retry whose
    first response was lost is answered with the same dissent id."""
    plan = planning(runtime)
    stored = IdempotentOutcome(subject=CEO.subject, key="k-1", status=201)
    with psycopg.connect(runtime.database.url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO flywheel_idempotency (subject, key, fingerprint, locked_until) "
            "VALUES (%s, %s, 'f', now() + interval '1 minute')",
            (CEO.subject, "k-1"),
        )
        with recording_outcome(stored):
            outcome = runtime.allocation.record_dissent(
                CommandContext(CEO, "d"),
                plan.op1,
                RecordDissent(team_id=plan.org.retail, argument="Fund Books instead"),
            )
        row = conn.execute("SELECT outcome FROM flywheel_idempotency WHERE key = 'k-1'").fetchone()
    assert row is not None
    assert row[0]["kind"] == DISSENT and row[0]["id"] == str(outcome.id)
    assert outcome.id != plan.op1 and str(outcome.id) in cycle_of(runtime, plan.op1).dissents


def test_racing_openings_of_one_years_op1_let_exactly_one_through(runtime: Runtime) -> None:
    before = event_count(runtime)
    wins, losses = race([lambda: open_cycle(runtime, 2040, CycleKind.OP1)] * RACERS)
    assert len(wins) == 1
    assert all(isinstance(loss, AllocationCycleExists) for loss in losses), losses
    assert event_count(runtime) == before + 2


def test_racing_openings_of_one_years_op2_let_exactly_one_through(runtime: Runtime) -> None:
    plan = planning(runtime)
    lock_op1(runtime, plan)
    before = event_count(runtime)
    wins, losses = race([lambda: open_cycle(runtime, YEAR, CycleKind.OP2)] * RACERS)
    assert len(wins) == 1
    assert all(isinstance(loss, AllocationCycleExists) for loss in losses), losses
    assert event_count(runtime) == before + 3, "OP2, its claim, and CarriedForward on OP1"
    assert cycle_of(runtime, plan.op1).carried_into == wins[0]


def test_decisions_racing_for_the_last_headcount_of_the_envelope_fund_one_team(
    runtime: Runtime,
) -> None:
    """Every team asked for 2 engineers; the envelope has 2 left once Commerce is funded."""
    plan = planning(runtime)
    teams = [plan.org.retail, plan.org.books, plan.org.finance, plan.org.commerce]
    envelope(runtime, plan.op1, 8, 800)
    for team in teams:
        request(runtime, plan, team, 6 if team == plan.org.commerce else 2, 200)
    advance(runtime, plan.op1, CyclePhase.REVIEW)
    decide(runtime, plan.op1, plan.org.commerce, 6, 200)
    before = event_count(runtime)
    racers = [plan.org.retail, plan.org.books, plan.org.finance] * 2
    wins, losses = race([lambda t=team: decide(runtime, plan.op1, t, 2, 200) for team in racers])
    funded = cycle_of(runtime, plan.op1)
    total = Resources.total(funded.funding_of(team) for team in teams)
    assert total.count(ENG) == 8, "exactly one decision took the last two engineers"
    assert all(isinstance(loss, EnvelopeExceeded) for loss in losses), losses
    assert event_count(runtime) - before == len(wins)
    winners = {team for team in teams if funded.funding_of(team).count(ENG) == 2}
    assert len(winners) == 1


def test_an_op1_amendment_racing_the_op2_opening_never_leaves_them_apart(
    runtime: Runtime,
) -> None:
    """Either the amendment lands first and OP2 carries it, or OP2 opens first and the
    amendment is refused: OP2 always starts from OP1's final numbers."""
    plan = planning(runtime)
    lock_op1(runtime, plan)

    def amend() -> Any:
        return runtime.allocation.amend(
            CommandContext(CEO, "a"),
            plan.op1,
            RecordAmendment(
                team_id=plan.org.books,
                headcount={ENG: 4},
                budget=400,
                reason="Launch moved up",
                approver="cfo@x.io",
            ),
        )

    wins, losses = race([amend, lambda: open_cycle(runtime, YEAR, CycleKind.OP2)])
    assert len(wins) + len(losses) == 2 and any(isinstance(win, UUID) for win in wins)
    assert all(isinstance(loss, CycleCarriedForward) for loss in losses), losses
    op1 = cycle_of(runtime, plan.op1)
    assert op1.carried_into is not None
    op2 = cycle_of(runtime, op1.carried_into)
    assert op2.funding == op1.funding
