"""Allocation commands against a real PostgreSQL event store: rules, refusals, races."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import psycopg

from domain.allocation import AllocationCycle, CycleKind, CyclePhase
from domain.allocation_rules import (
    AllocationCycleExists,
    CycleCarriedForward,
    DissentNotWeighed,
    EnvelopeExceeded,
    FundedBeyondRequest,
    GoalOfAnotherTeam,
    Op1NotLocked,
    RequestsClosed,
)
from domain.errors import InvalidValue, NotFound
from domain.goals import GoalClosed, GoalOutcome
from domain.people import Function
from domain.resources import Resources
from domain.teams import Attachment
from services.allocation import DISSENT
from services.commands import Forbidden, VersionMismatch
from services.idempotency import recording_outcome
from services.principal import Role
from services.recorder import IdempotentOutcome
from services.runtime import Runtime
from tests.integration.allocation_fixtures import (
    ENG,
    YEAR,
    Planning,
    advance,
    decide,
    envelope,
    numbers,
    open_cycle,
    planning,
    request,
)
from tests.integration.test_team_commands import (
    RACERS,
    event_count,
    race,
    refused_and_nothing_recorded,
)
from tests.people import CEO, PLANNER, principal

RITA = principal("rita@x.io", Role.MEMBER)  # leads Retail
BO = principal("bo@x.io", Role.MEMBER)  # leads Books
MEL = principal("mel@x.io", Role.MEMBER)  # a member of Retail, added below


def cycle_of(runtime: Runtime, cycle_id: UUID) -> AllocationCycle:
    cycle = runtime.app.repository.get(cycle_id)
    assert isinstance(cycle, AllocationCycle)
    return cycle


def test_opening_a_cycle_saves_it_with_its_claim(runtime: Runtime) -> None:
    before = event_count(runtime)
    outcome = runtime.allocation.open_cycle(CEO, "c", fiscal_year=2030, kind=CycleKind.OP1)
    assert (outcome.kind, outcome.version) == ("AllocationCycle", 1)
    assert event_count(runtime) == before + 2, "the cycle and its allocation-cycle claim"
    cycle = cycle_of(runtime, outcome.id)
    assert (cycle.fiscal_year, cycle.kind, cycle.phase) == (2030, CycleKind.OP1, CyclePhase.OPEN)


def test_a_fiscal_year_has_one_op1_and_op2_waits_for_its_lock(runtime: Runtime) -> None:
    plan = planning(runtime)
    refusal = refused_and_nothing_recorded(
        runtime, AllocationCycleExists, lambda: open_cycle(runtime, YEAR, CycleKind.OP1)
    )
    assert "already has an OP1" in str(refusal)
    refused_and_nothing_recorded(
        runtime, Op1NotLocked, lambda: open_cycle(runtime, YEAR, CycleKind.OP2)
    )
    refused_and_nothing_recorded(
        runtime, Op1NotLocked, lambda: open_cycle(runtime, YEAR + 1, CycleKind.OP2)
    )
    refused_and_nothing_recorded(
        runtime, InvalidValue, lambda: open_cycle(runtime, 1999, CycleKind.OP1)
    )
    refused_and_nothing_recorded(
        runtime,
        Forbidden,
        lambda: runtime.allocation.open_cycle(RITA, "c", fiscal_year=2031, kind=CycleKind.OP1),
    )
    assert open_cycle(runtime, YEAR + 1, CycleKind.OP1) != plan.op1


def lock_op1(runtime: Runtime, plan: Planning) -> None:
    retail, books = plan.org.retail, plan.org.books
    envelope(runtime, plan.op1, 10, 1000)
    request(runtime, plan, retail, 6, 600)
    request(runtime, plan, books, 4, 400)
    advance(runtime, plan.op1, CyclePhase.REVIEW)
    decide(runtime, plan.op1, retail, 6, 600)
    decide(runtime, plan.op1, books, 3, 300)
    advance(runtime, plan.op1, CyclePhase.DECIDED, CyclePhase.LOCKED)


def test_op2_starts_from_the_locked_op1_as_amended(runtime: Runtime) -> None:
    plan = planning(runtime)
    lock_op1(runtime, plan)
    runtime.allocation.amend(
        CEO,
        "a",
        plan.op1,
        team_id=plan.org.books,
        headcount={ENG: 4},
        budget=400,
        reason="Carrier strike",
        approver="CFO@x.io",
    )
    op2 = open_cycle(runtime, YEAR, CycleKind.OP2)
    second = cycle_of(runtime, op2)
    assert (second.kind, second.carried_from) == (CycleKind.OP2, plan.op1)
    assert second.envelope_resources == Resources.of({ENG: 10}, 1000)
    assert second.funding_of(plan.org.books) == Resources.of({ENG: 4}, 400)
    assert cycle_of(runtime, plan.op1).carried_into == op2
    refused_and_nothing_recorded(
        runtime, AllocationCycleExists, lambda: open_cycle(runtime, YEAR, CycleKind.OP2)
    )
    refused_and_nothing_recorded(
        runtime,
        CycleCarriedForward,
        lambda: runtime.allocation.amend(
            CEO,
            "a",
            plan.op1,
            team_id=plan.org.books,
            headcount={ENG: 1},
            budget=1,
            reason="Too late",
            approver="cfo@x.io",
        ),
    )


def test_who_may_request_decide_dissent_and_commit(runtime: Runtime) -> None:
    plan = planning(runtime)
    retail = plan.org.retail
    runtime.teams.add_member(
        RITA,
        "t",
        retail,
        person="mel@x.io",
        function=Function.DESIGN,
        attachment=Attachment.REPORTS,
    )
    envelope(runtime, plan.op1, 10, 1000)

    def request_as(who: Any) -> int:
        return runtime.allocation.submit_request(
            who,
            "r",
            plan.op1,
            team_id=retail,
            headcount={ENG: 2},
            budget=100,
            rationale="Selection",
            goal_ids=[plan.goals[retail]],
        ).version

    for outsider in (MEL, BO, PLANNER):
        refused_and_nothing_recorded(runtime, Forbidden, lambda who=outsider: request_as(who))
    assert request_as(RITA) == 3
    leadership_only = [
        lambda who: envelope_as(runtime, who, plan.op1),
        lambda who: runtime.allocation.advance_phase(who, "p", plan.op1, to=CyclePhase.REVIEW),
        lambda who: runtime.allocation.decide(
            who, "d", plan.op1, team_id=retail, headcount={}, budget=0, rationale="r"
        ),
        lambda who: runtime.allocation.save_scenario(
            who, "s", plan.op1, name="Mine", allocations=[numbers(retail, 1, 1)]
        ),
        lambda who: runtime.allocation.adopt_scenario(who, "s", plan.op1, name="Mine"),
        lambda who: runtime.allocation.weigh_dissent(who, "w", plan.op1, uuid4(), response="r"),
        lambda who: runtime.allocation.amend(
            who,
            "a",
            plan.op1,
            team_id=retail,
            headcount={},
            budget=0,
            reason="r",
            approver="cfo@x.io",
        ),
    ]
    for command in leadership_only:
        for who in (RITA, PLANNER):
            refused_and_nothing_recorded(runtime, Forbidden, lambda c=command, w=who: c(w))
    dissent = runtime.allocation.record_dissent(
        PLANNER, "d", plan.op1, team_id=retail, argument="Retail is over-asking"
    )
    assert dissent.kind == DISSENT
    runtime.allocation.weigh_dissent(CEO, "w", plan.op1, dissent.id, response="Noted")
    advance(runtime, plan.op1, CyclePhase.REVIEW, CyclePhase.DECIDED)
    for anyone in (MEL, PLANNER, CEO):
        runtime.allocation.commit(anyone, "c", plan.op1)
    assert cycle_of(runtime, plan.op1).committed == ["mel@x.io", "planner@example.com", CEO.subject]


def envelope_as(runtime: Runtime, who: Any, cycle: UUID) -> int:
    return runtime.allocation.set_envelope(
        who, "e", cycle, headcount={ENG: 1}, budget=1, reason="Mine"
    ).position


def test_refusals_of_the_allocation_record_nothing(runtime: Runtime) -> None:
    plan = planning(runtime)
    retail, books, finance = plan.org.retail, plan.org.books, plan.org.finance
    envelope(runtime, plan.op1, 10, 1000)
    request(runtime, plan, retail, 6, 600)
    request(runtime, plan, books, 6, 600)

    def ask(team: UUID, goal: UUID) -> int:
        return runtime.allocation.submit_request(
            CEO,
            "r",
            plan.op1,
            team_id=team,
            headcount={ENG: 1},
            budget=1,
            rationale="Why",
            goal_ids=[goal],
        ).position

    refused_and_nothing_recorded(
        runtime, GoalOfAnotherTeam, lambda: ask(finance, plan.goals[retail])
    )
    refused_and_nothing_recorded(runtime, NotFound, lambda: ask(finance, uuid4()))
    runtime.goals.close_goal(
        CEO, "g", plan.goals[finance], outcome=GoalOutcome.DROPPED, note="Not needed"
    )
    refused_and_nothing_recorded(runtime, GoalClosed, lambda: ask(finance, plan.goals[finance]))
    refused_and_nothing_recorded(runtime, NotFound, lambda: ask(uuid4(), plan.goals[retail]))
    refused_and_nothing_recorded(
        runtime,
        NotFound,
        lambda: runtime.allocation.commit(CEO, "c", uuid4()),
    )
    refused_and_nothing_recorded(
        runtime,
        InvalidValue,
        lambda: runtime.allocation.set_envelope(
            CEO, "e", plan.op1, headcount={ENG: -1}, budget=1, reason="r"
        ),
    )
    refused_and_nothing_recorded(
        runtime,
        VersionMismatch,
        lambda: runtime.allocation.set_envelope(
            CEO, "e", plan.op1, headcount={ENG: 1}, budget=1, reason="r", expected_version=1
        ),
    )
    dissent = runtime.allocation.record_dissent(
        CEO, "d", plan.op1, team_id=None, argument="Envelope too small"
    )
    advance(runtime, plan.op1, CyclePhase.REVIEW)
    refused_and_nothing_recorded(
        runtime, RequestsClosed, lambda: request(runtime, plan, retail, 1, 1)
    )
    refused_and_nothing_recorded(
        runtime, FundedBeyondRequest, lambda: decide(runtime, plan.op1, retail, 7, 600)
    )
    decide(runtime, plan.op1, retail, 6, 600)
    refusal = refused_and_nothing_recorded(
        runtime, EnvelopeExceeded, lambda: decide(runtime, plan.op1, books, 5, 100)
    )
    assert "ENGINEERING 11 > 10" in str(refusal)
    refusal = refused_and_nothing_recorded(
        runtime, DissentNotWeighed, lambda: advance(runtime, plan.op1, CyclePhase.DECIDED)
    )
    assert str(dissent.id) in str(refusal)
    refused_and_nothing_recorded(
        runtime,
        NotFound,
        lambda: runtime.allocation.weigh_dissent(CEO, "w", plan.op1, uuid4(), response="?"),
    )
    refused_and_nothing_recorded(
        runtime,
        NotFound,
        lambda: runtime.allocation.adopt_scenario(CEO, "a", plan.op1, name="Nobody saved it"),
    )
    refused_and_nothing_recorded(
        runtime,
        InvalidValue,
        lambda: runtime.allocation.save_scenario(
            CEO, "s", plan.op1, name="Twice", allocations=[numbers(retail, 1, 1)] * 2
        ),
    )


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
                CEO, "d", plan.op1, team_id=plan.org.retail, argument="Fund Books instead"
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
            CEO,
            "a",
            plan.op1,
            team_id=plan.org.books,
            headcount={ENG: 4},
            budget=400,
            reason="Launch moved up",
            approver="cfo@x.io",
        )

    wins, losses = race([amend, lambda: open_cycle(runtime, YEAR, CycleKind.OP2)])
    assert len(wins) + len(losses) == 2 and any(isinstance(win, UUID) for win in wins)
    assert all(isinstance(loss, CycleCarriedForward) for loss in losses), losses
    op1 = cycle_of(runtime, plan.op1)
    assert op1.carried_into is not None
    op2 = cycle_of(runtime, op1.carried_into)
    assert op2.funding == op1.funding
