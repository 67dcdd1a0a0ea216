"""Every refusal of the yearly allocation, compared whole (rule, text, payload), at its edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.allocation.cycle import (
    MAX_GOALS_PER_REQUEST,
    MAX_ITEMS_PER_REQUEST,
    MAX_RATIONALE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_SCENARIO_NAME_LENGTH,
    MAX_SCENARIO_TEAMS,
    AllocationCycle,
    CycleKind,
    CyclePhase,
)
from domain.allocation.refusals import (
    AllocationCycleExists,
    CycleCarriedForward,
    CycleDecided,
    CycleLocked,
    CycleNotDecided,
    CycleNotLocked,
    EnvelopeExceeded,
    FundedBeyondRequest,
    GoalOfAnotherTeam,
    Op1NotLocked,
    PhaseOutOfOrder,
    RequestsClosed,
    ReviewNotStarted,
    RoadmapItemClosedForFunding,
    RoadmapItemOfAnotherTeam,
)
from domain.decisions import (
    MAX_ARGUMENT_LENGTH,
    MAX_RESPONSE_LENGTH,
    AlreadyCommitted,
    DissentAlreadyWeighed,
    DissentNotWeighed,
    ExpectedOutcome,
)
from domain.errors import NotFound
from domain.goals import GoalClosed, GoalOutcome
from domain.org.team import TeamDisbanded
from domain.people.values import PersonId
from tests.unit.refusals import blank, invalid, refusal, too_long
from tests.unit.test_allocation import ANN, goal_of, in_review, locked, op1, r, team


def events(cycle: AllocationCycle) -> list[object]:
    return list(cycle.collect_events())


def decided(cycle: AllocationCycle) -> AllocationCycle:
    cycle.advance_to(CyclePhase.DECIDED)
    cycle.collect_events()
    return cycle


@pytest.mark.parametrize("year", [2000, 2100])
def test_fiscal_years_from_2000_to_2100_are_accepted(year: int) -> None:
    cycle = AllocationCycle.open(fiscal_year=year, kind=CycleKind.OP1)
    assert (cycle.fiscal_year, cycle.kind, cycle.phase) == (year, CycleKind.OP1, CyclePhase.OPEN)


@pytest.mark.parametrize("year", [1999, 2101])
def test_fiscal_years_beyond_the_bounds_are_refused(year: int) -> None:
    assert refusal(lambda: AllocationCycle.open(fiscal_year=year, kind=CycleKind.OP1)) == invalid(
        "fiscalYear", "`fiscalYear` must be between 2000 and 2100"
    )


def test_op2_waits_for_op1_and_says_what_is_missing() -> None:
    assert refusal(lambda: AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2)) == (
        Op1NotLocked,
        "Fiscal year 2027 has no OP1; OP2 opens once OP1 is LOCKED",
        {"fiscal_year": 2027},
    )
    open_op1 = op1()
    assert refusal(
        lambda: AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=open_op1)
    ) == (
        Op1NotLocked,
        "Fiscal year 2027 has its OP1 in OPEN; OP2 opens once OP1 is LOCKED",
        {"fiscal_year": 2027},
    )


def test_op2_opens_only_from_the_op1_of_its_own_year() -> None:
    cycle, _ = locked({"Retail": r(2, 100)})
    with pytest.raises(ValueError, match=r"^OP1 2027 is not the OP1 of fiscal year 2028$"):
        AllocationCycle.open(fiscal_year=2028, kind=CycleKind.OP2, op1=cycle)
    op2 = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=cycle)
    assert (op2.fiscal_year, op2.kind, op2.carried_from) == (2027, CycleKind.OP2, cycle.id)
    cycle.carry_forward(op2)
    not_an_op1 = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP1)
    not_an_op1.kind = CycleKind.OP2
    not_an_op1.phase = CyclePhase.LOCKED
    with pytest.raises(ValueError, match="is not the OP1 of fiscal year 2027"):
        AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=not_an_op1)


def test_a_year_has_one_op2_and_the_refusal_names_it() -> None:
    cycle, _ = locked({"Retail": r(2, 100)})
    op2 = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=cycle)
    cycle.carry_forward(op2)
    cycle.collect_events()
    exists = (
        AllocationCycleExists,
        "Fiscal year 2027 already has an OP2",
        {"cycle_id": str(op2.id)},
    )
    assert (
        refusal(
            lambda: AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=cycle), cycle
        )
        == exists
    )
    assert refusal(lambda: cycle.carry_forward(op2), cycle) == exists


def test_the_envelope_refusals() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(4, 400)})
    cycle.decide(teams["Retail"], r(4, 400), "Funded")
    cycle.collect_events()
    assert refusal(lambda: cycle.set_envelope(r(3, 1000), " \t "), cycle) == blank("reason")
    assert refusal(lambda: cycle.set_envelope(r(3, 1000), "x" * (MAX_REASON_LENGTH + 1))) == (
        too_long("reason", MAX_REASON_LENGTH)
    )
    assert refusal(lambda: cycle.set_envelope(r(3, 300), "Cut"), cycle) == (
        EnvelopeExceeded,
        "Teams in OP1 2027 are already funded beyond that envelope (ENGINEERING 4 > 3, "
        "budget 400 > 300); lower the decisions first",
        {"cycle_id": str(cycle.id), "exceeded": ["ENGINEERING", "budget"]},
    )
    cycle.set_envelope(r(4, 400), "x" * MAX_REASON_LENGTH)
    [envelope_set] = events(cycle)
    assert isinstance(envelope_set, AllocationCycle.EnvelopeSet)
    assert (envelope_set.headcount, envelope_set.budget) == ({"ENGINEERING": 4}, 400)
    decided(cycle)
    assert refusal(lambda: cycle.set_envelope(r(9, 900), "Raise"), cycle) == (
        CycleDecided,
        "OP1 2027 is DECIDED; the envelope changes only before the decision",
        {"cycle_id": str(cycle.id)},
    )


def test_the_request_refusals() -> None:
    cycle = op1(r(10, 1000))
    retail, books = team("Retail"), team("Books")
    goal = goal_of(retail)
    assert refusal(lambda: cycle.submit_request(retail, r(1), "  ", [goal]), cycle) == blank(
        "rationale"
    )
    long_rationale = "x" * (MAX_RATIONALE_LENGTH + 1)
    assert refusal(lambda: cycle.submit_request(retail, r(1), long_rationale, [goal])) == (
        too_long("rationale", MAX_RATIONALE_LENGTH)
    )
    assert refusal(lambda: cycle.submit_request(retail, r(1), "Why", []), cycle) == invalid(
        "goalIds", "A request names at least one goal it funds"
    )
    assert refusal(lambda: cycle.submit_request(retail, r(1), "Why", [goal, goal])) == invalid(
        "goalIds", "`goalIds` names a goal more than once"
    )
    books_goal = goal_of(books)
    assert refusal(lambda: cycle.submit_request(retail, r(1), "Why", [books_goal]), cycle) == (
        GoalOfAnotherTeam,
        f"Goal {books_goal.id} ('Books grows selection') belongs to another team; "
        "team 'Retail' requests for its own goals",
        {"goal_id": str(books_goal.id), "team_id": str(books.id)},
    )
    closed = goal_of(retail)
    closed.close(GoalOutcome.DROPPED, "Deprioritised")
    assert refusal(lambda: cycle.submit_request(retail, r(1), "Why", [closed]), cycle) == (
        GoalClosed,
        f"Goal {closed.id} ('Retail grows selection') was closed as DROPPED; "
        "a request funds open goals",
        {"goal_id": str(closed.id)},
    )
    cycle.submit_request(retail, r(1), "  Needs it  ", [goal])
    [submitted] = events(cycle)
    assert isinstance(submitted, AllocationCycle.RequestSubmitted)
    assert (submitted.rationale, submitted.version, submitted.goal_ids) == (
        "Needs it",
        1,
        [goal.id],
    )
    disbanded = team("Gone")
    disbanded.disband("Closed")
    assert refusal(
        lambda: cycle.submit_request(disbanded, r(1), "Why", [goal_of(team("Gone"))]), cycle
    ) == (
        TeamDisbanded,
        "Team 'Gone' is disbanded and cannot request resources",
        {"team_id": str(disbanded.id)},
    )
    cycle.advance_to(CyclePhase.REVIEW)
    assert refusal(lambda: cycle.submit_request(retail, r(1), "Late", [goal])) == (
        RequestsClosed,
        "OP1 2027 is in REVIEW; requests are submitted while it is OPEN",
        {"cycle_id": str(cycle.id)},
    )


def test_a_request_funds_at_most_a_hundred_goals() -> None:
    retail = team("Retail")
    goals = [goal_of(retail) for _ in range(MAX_GOALS_PER_REQUEST + 1)]
    cycle = op1()
    assert refusal(lambda: cycle.submit_request(retail, r(1), "Why", goals), cycle) == invalid(
        "goalIds", f"A request funds at most {MAX_GOALS_PER_REQUEST} goals"
    )
    cycle.submit_request(retail, r(1), "Why", goals[:MAX_GOALS_PER_REQUEST])
    [submitted] = events(cycle)
    assert len(submitted.goal_ids) == MAX_GOALS_PER_REQUEST  # type: ignore[attr-defined]


def test_phases_refuse_a_skip_naming_the_phase_and_record_the_previous_one() -> None:
    cycle = op1()
    assert refusal(lambda: cycle.advance_to(CyclePhase.DECIDED), cycle) == (
        PhaseOutOfOrder,
        "OP1 2027 is in OPEN; the next is REVIEW, so it cannot move to DECIDED",
        {"cycle_id": str(cycle.id), "phase": "OPEN"},
    )
    cycle.advance_to(CyclePhase.REVIEW)
    [advanced] = events(cycle)
    assert isinstance(advanced, AllocationCycle.PhaseAdvanced)
    assert (advanced.phase, advanced.previous_phase) == (CyclePhase.REVIEW, CyclePhase.OPEN)
    for phase in (CyclePhase.DECIDED, CyclePhase.LOCKED):
        cycle.advance_to(phase)
    assert refusal(lambda: cycle.advance_to(CyclePhase.LOCKED)) == (
        PhaseOutOfOrder,
        "OP1 2027 is in LOCKED; it is the last phase, so it cannot move to LOCKED",
        {"cycle_id": str(cycle.id), "phase": "LOCKED"},
    )


def test_deciding_names_the_unweighed_dissents() -> None:
    cycle, _ = in_review(r(10, 1000), {"Retail": r(2, 100)})
    first, second, third = uuid4(), uuid4(), uuid4()
    cycle.record_dissent(first, ANN, None, "Too little")
    cycle.record_dissent(second, ANN, None, "Too much")
    cycle.record_dissent(third, ANN, None, "Too late")
    cycle.weigh_dissent(first, "Heard")
    cycle.collect_events()
    assert refusal(lambda: cycle.advance_to(CyclePhase.DECIDED), cycle) == (
        DissentNotWeighed,
        f"OP1 2027 has 2 dissent(s) nobody weighed yet: {second}, {third}; respond to each "
        "before deciding",
        {"cycle_id": str(cycle.id), "dissent_ids": [str(second), str(third)]},
    )


def test_decisions_are_made_in_review_only_and_say_which_rule_stops_them() -> None:
    cycle = op1(r(10, 1000))
    retail = team("Retail")
    cycle.submit_request(retail, r(2, 100), "Why", [goal_of(retail)])
    assert refusal(lambda: cycle.decide(retail, r(2, 100), "Go"), cycle) == (
        ReviewNotStarted,
        "OP1 2027 is OPEN; decisions are recorded only in REVIEW",
        {"cycle_id": str(cycle.id)},
    )
    cycle.advance_to(CyclePhase.REVIEW)
    assert refusal(lambda: cycle.decide(retail, r(2, 100), " "), cycle) == blank("rationale")
    assert refusal(lambda: cycle.decide(retail, r(2, 100), "x" * (MAX_RATIONALE_LENGTH + 1))) == (
        too_long("rationale", MAX_RATIONALE_LENGTH)
    )
    cycle.collect_events()
    cycle.decide(retail, r(2, 100), "  Funded as asked ")
    [decision] = events(cycle)
    assert isinstance(decision, AllocationCycle.DecisionRecorded)
    assert (decision.team_id, decision.rationale) == (retail.id, "Funded as asked")
    decided(cycle)
    assert refusal(lambda: cycle.decide(retail, r(1, 100), "Go"), cycle) == (
        CycleDecided,
        "OP1 2027 is DECIDED; decisions are recorded only in REVIEW",
        {"cycle_id": str(cycle.id)},
    )
    cycle.advance_to(CyclePhase.LOCKED)
    cycle.collect_events()
    assert refusal(lambda: cycle.decide(retail, r(1, 100), "Go"), cycle) == (
        CycleLocked,
        "OP1 2027 is LOCKED; nothing changes except an amendment",
        {"cycle_id": str(cycle.id)},
    )


def test_funding_beyond_the_request_or_the_envelope_says_by_how_much() -> None:
    cycle, teams = in_review(r(3, 300), {"Retail": r(2, 200)})
    retail, books = teams["Retail"], team("Books")
    assert refusal(lambda: cycle.decide(retail, r(3, 100), "More"), cycle) == (
        FundedBeyondRequest,
        "Team 'Retail' asked for 2 ENGINEERING, budget 200 in OP1 2027; Funding ENGINEERING "
        "3 > 2, beyond its request",
        {"team_id": str(retail.id), "exceeded": ["ENGINEERING"]},
    )
    assert refusal(lambda: cycle.decide(books, r(0, 1), "Unasked"), cycle) == (
        FundedBeyondRequest,
        "Team 'Books' asked for nothing in OP1 2027; Funding budget 1 > 0, beyond its request",
        {"team_id": str(books.id), "exceeded": ["budget"]},
    )
    unset, unset_teams = in_review(r(0), {"Retail": r(1, 1)})
    unset.envelope = None
    assert refusal(lambda: unset.decide(unset_teams["Retail"], r(1, 1), "Go"), unset) == (
        EnvelopeExceeded,
        "Teams would be funded ENGINEERING 1 > 0, budget 1 > 0 in OP1 2027, beyond the "
        "envelope (no envelope is set yet)",
        {"cycle_id": str(unset.id), "exceeded": ["ENGINEERING", "budget"]},
    )
    small, small_teams = in_review(r(1, 1000), {"Retail": r(2, 200)})
    assert refusal(lambda: small.decide(small_teams["Retail"], r(2, 200), "Go"), small) == (
        EnvelopeExceeded,
        "Teams would be funded ENGINEERING 2 > 1 in OP1 2027, beyond the envelope",
        {"cycle_id": str(small.id), "exceeded": ["ENGINEERING"]},
    )


def test_the_dissent_refusals_and_what_is_recorded() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(2, 100)})
    dissent = uuid4()
    assert refusal(lambda: cycle.record_dissent(dissent, ANN, None, "\n"), cycle) == blank(
        "argument"
    )
    long_argument = "x" * (MAX_ARGUMENT_LENGTH + 1)
    assert refusal(lambda: cycle.record_dissent(dissent, ANN, None, long_argument)) == too_long(
        "argument", MAX_ARGUMENT_LENGTH
    )
    cycle.record_dissent(dissent, ANN, teams["Retail"], " Fund Books ")
    [recorded] = events(cycle)
    assert isinstance(recorded, AllocationCycle.DissentRecorded)
    assert (recorded.person, recorded.team_id, recorded.argument) == (
        ANN,
        teams["Retail"].id,
        "Fund Books",
    )
    unknown = uuid4()
    assert refusal(lambda: cycle.weigh_dissent(unknown, "Heard"), cycle) == (
        NotFound,
        f"No dissent with id {unknown}",
        {"kind": "dissent", "key": str(unknown)},
    )
    assert refusal(lambda: cycle.weigh_dissent(dissent, " "), cycle) == blank("response")
    long_response = "x" * (MAX_RESPONSE_LENGTH + 1)
    assert refusal(lambda: cycle.weigh_dissent(dissent, long_response)) == too_long(
        "response", MAX_RESPONSE_LENGTH
    )
    cycle.weigh_dissent(dissent, " Heard ")
    [weighed] = events(cycle)
    assert isinstance(weighed, AllocationCycle.DissentWeighed)
    assert (weighed.dissent_id, weighed.response) == (dissent, "Heard")
    assert refusal(lambda: cycle.weigh_dissent(dissent, "Again"), cycle) == (
        DissentAlreadyWeighed,
        f"Dissent {dissent} was already weighed",
        {"dissent_id": str(dissent)},
    )
    decided(cycle)
    assert refusal(lambda: cycle.record_dissent(uuid4(), ANN, None, "Late"), cycle) == (
        CycleDecided,
        "OP1 2027 is DECIDED; dissent is recorded only before the decision",
        {"cycle_id": str(cycle.id)},
    )
    assert refusal(lambda: cycle.weigh_dissent(dissent, "Late"), cycle) == (
        CycleDecided,
        "OP1 2027 is DECIDED; dissent is weighed only before the decision",
        {"cycle_id": str(cycle.id)},
    )


def test_the_commitment_refusals() -> None:
    cycle, _ = in_review(r(10, 1000), {"Retail": r(2, 100)})
    assert refusal(lambda: cycle.commit(ANN), cycle) == (
        CycleNotDecided,
        "OP1 2027 is in REVIEW; commitment follows the decision, once the cycle is DECIDED",
        {"cycle_id": str(cycle.id)},
    )
    decided(cycle)
    cycle.commit(ANN)
    cycle.collect_events()
    assert refusal(lambda: cycle.commit(PersonId("ann@x.io")), cycle) == (
        AlreadyCommitted,
        "ann@x.io already committed to OP1 2027",
        {"cycle_id": str(cycle.id)},
    )


def test_the_amendment_refusals() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(2, 100)})
    retail = teams["Retail"]
    assert refusal(lambda: cycle.amend(retail, r(1), "Why", ANN), cycle) == (
        CycleNotLocked,
        "OP1 2027 is in REVIEW; amendments are exceptions to a locked plan, so revise the "
        "decision instead",
        {"cycle_id": str(cycle.id)},
    )
    cycle, teams = locked({"Retail": r(2, 100)})
    retail = teams["Retail"]
    assert refusal(lambda: cycle.amend(retail, r(1), "  ", ANN), cycle) == blank("reason")
    assert refusal(lambda: cycle.amend(retail, r(1), "x" * (MAX_REASON_LENGTH + 1), ANN)) == (
        too_long("reason", MAX_REASON_LENGTH)
    )
    retail.disband("Closed")
    assert refusal(lambda: cycle.amend(retail, r(1), "Keep one", ANN), cycle) == (
        TeamDisbanded,
        "Team 'Retail' is disbanded and cannot be funded",
        {"team_id": str(retail.id)},
    )
    cycle.amend(retail, r(0), " Wound down ", ANN)
    [amended] = events(cycle)
    assert isinstance(amended, AllocationCycle.AmendmentRecorded)
    assert (amended.number, amended.reason, amended.approver) == (1, "Wound down", ANN)
    assert cycle.funding_of(retail.id).is_zero
    op2 = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=cycle)
    cycle.carry_forward(op2)
    cycle.collect_events()
    assert refusal(lambda: cycle.amend(team("Books"), r(1), "Why", ANN), cycle) == (
        CycleCarriedForward,
        f"OP1 2027 was carried into the year's OP2 ({op2.id}); amend OP2 instead",
        {"cycle_id": str(cycle.id), "op2_id": str(op2.id)},
    )


def test_the_scenario_refusals_at_their_edges() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(2, 100)})
    retail = teams["Retail"]
    plan = {retail.id: r(1, 50)}
    assert refusal(lambda: cycle.save_scenario(" ", plan), cycle) == blank("name")
    long_name = "x" * (MAX_SCENARIO_NAME_LENGTH + 1)
    assert refusal(lambda: cycle.save_scenario(long_name, plan)) == too_long(
        "name", MAX_SCENARIO_NAME_LENGTH
    )
    assert refusal(lambda: cycle.save_scenario("Lean", {}), cycle) == invalid(
        "allocations", "A scenario allocates to at least one team"
    )
    many = {uuid4(): r(1) for _ in range(MAX_SCENARIO_TEAMS + 1)}
    assert refusal(lambda: cycle.save_scenario("Wide", many), cycle) == invalid(
        "allocations", f"A scenario allocates to at most {MAX_SCENARIO_TEAMS} teams"
    )
    widest = dict(list(many.items())[:MAX_SCENARIO_TEAMS])
    cycle.save_scenario("Widest", widest)
    assert len(cycle.scenario("Widest")) == MAX_SCENARIO_TEAMS
    assert refusal(lambda: cycle.scenario("Missing")) == (
        NotFound,
        "No scenario with id Missing",
        {"kind": "scenario", "key": "Missing"},
    )
    cycle.save_scenario(" Lean ", {retail.id: r(3, 50)})
    cycle.collect_events()
    assert refusal(lambda: cycle.adopt_scenario("Lean", teams_by_id(teams)), cycle) == (
        FundedBeyondRequest,
        "Team 'Retail' asked for 2 ENGINEERING, budget 100 in OP1 2027; Scenario 'Lean' funds "
        "ENGINEERING 3 > 2, beyond its request",
        {"team_id": str(retail.id), "exceeded": ["ENGINEERING"]},
    )
    decided(cycle)
    assert refusal(lambda: cycle.save_scenario("Late", plan), cycle) == (
        CycleDecided,
        "OP1 2027 is DECIDED; scenarios are saved only before the decision",
        {"cycle_id": str(cycle.id)},
    )
    assert refusal(lambda: cycle.adopt_scenario("Lean", teams_by_id(teams)), cycle) == (
        CycleDecided,
        "OP1 2027 is DECIDED; a scenario is adopted only in REVIEW",
        {"cycle_id": str(cycle.id)},
    )


def teams_by_id(teams: dict[str, object]) -> dict[UUID, object]:
    return {chosen.id: chosen for chosen in teams.values()}  # type: ignore[attr-defined]


def test_an_adopted_scenario_replaces_every_decision_so_only_its_own_total_must_fit() -> None:
    """Retail holds 6 of 10 engineers; a scenario giving Books 6 fits, as Retail's ends."""
    cycle, teams = in_review(r(10, 1000), {"Retail": r(6, 100), "Books": r(6, 100)})
    retail, books = teams["Retail"], teams["Books"]
    cycle.decide(retail, r(6, 100), "First")
    cycle.save_scenario("Books first", {books.id: r(6, 100)})
    cycle.collect_events()
    cycle.adopt_scenario(" Books first ", {books.id: books})
    [adopted] = events(cycle)
    assert isinstance(adopted, AllocationCycle.ScenarioAdopted)
    assert (adopted.name, adopted.withdrawn) == ("Books first", [retail.id])
    assert cycle.funding_of(books.id) == r(6, 100) and cycle.funding_of(retail.id).is_zero
    cycle.save_scenario("Too big", {books.id: r(6, 100), retail.id: r(6, 100)})
    cycle.collect_events()
    assert refusal(lambda: cycle.adopt_scenario("Too big", teams_by_id(teams)), cycle) == (
        EnvelopeExceeded,
        "Scenario 'Too big' would fund ENGINEERING 12 > 10 in OP1 2027, beyond the envelope",
        {"cycle_id": str(cycle.id), "exceeded": ["ENGINEERING"]},
    )


def test_adoption_waits_for_review() -> None:
    cycle = op1(r(10, 1000))
    retail = team("Retail")
    cycle.save_scenario("Plan", {retail.id: r(1)})
    cycle.collect_events()
    assert refusal(lambda: cycle.adopt_scenario("Plan", {retail.id: retail}), cycle) == (
        ReviewNotStarted,
        "OP1 2027 is OPEN; a scenario is adopted only in REVIEW",
        {"cycle_id": str(cycle.id)},
    )


def test_an_expected_outcome_waits_for_the_decision_and_is_recorded_whole() -> None:
    outcome = ExpectedOutcome(uuid4(), Decimal("12.5"), date(2027, 12, 31), "Selection grows")
    for phase in (CyclePhase.OPEN, CyclePhase.REVIEW):
        cycle = op1(r(10, 1000))
        if phase is CyclePhase.REVIEW:
            cycle.advance_to(phase)
            cycle.collect_events()
        assert refusal(lambda cycle=cycle: cycle.expect(outcome), cycle) == (
            CycleNotDecided,
            f"OP1 2027 is in {phase.value}; an expected outcome belongs to the decision, once "
            "the cycle is DECIDED",
            {"cycle_id": str(cycle.id)},
        )
    cycle = decided(in_review(r(10, 1000), {"Retail": r(2, 100)})[0])
    cycle.expect(outcome)
    cycle.advance_to(CyclePhase.LOCKED)
    cycle.expect(outcome)
    first, _, last = events(cycle)
    assert isinstance(first, AllocationCycle.OutcomeExpected)
    assert isinstance(last, AllocationCycle.OutcomeExpected)
    assert (last.metric_id, last.target, last.by, last.note) == (
        outcome.metric_id,
        Decimal("12.5"),
        date(2027, 12, 31),
        "Selection grows",
    )


def test_an_amendments_reason_may_run_over_lines() -> None:
    cycle, teams = locked({"Retail": r(2, 100)})
    cycle.amend(teams["Retail"], r(1), " A hire fell through;\nthe role is closed ", ANN)
    [amended] = events(cycle)
    assert isinstance(amended, AllocationCycle.AmendmentRecorded)
    assert (amended.team_id, amended.headcount, amended.budget, amended.reason) == (
        teams["Retail"].id,
        {"ENGINEERING": 1},
        0,
        "A hire fell through;\nthe role is closed",
    )


@dataclass(frozen=True)
class Item:
    """A roadmap item as a request names it."""

    team_id: UUID
    is_open: bool = True
    id: UUID = field(default_factory=uuid4)


def test_a_request_funds_up_to_its_limit_of_the_teams_own_open_items_each_once() -> None:
    cycle = op1()
    retail = team("Retail")
    goals = [goal_of(retail)]

    def submit(items: list[Item]) -> None:
        cycle.submit_request(retail, r(1), "Why", goals, items)

    most = [Item(retail.id) for _ in range(MAX_ITEMS_PER_REQUEST)]
    assert refusal(lambda: submit([*most, Item(retail.id)]), cycle) == invalid(
        "itemIds", f"A request funds at most {MAX_ITEMS_PER_REQUEST} items"
    )
    assert refusal(lambda: submit([most[0], most[1], most[0]]), cycle) == invalid(
        "itemIds", "`itemIds` names an item more than once"
    )
    elsewhere = Item(uuid4())
    assert refusal(lambda: submit([most[0], elsewhere]), cycle) == (
        RoadmapItemOfAnotherTeam,
        f"Roadmap item {elsewhere.id} belongs to another team; team 'Retail' requests for its "
        "own items (a subteam requests for its own)",
        {"item_id": str(elsewhere.id), "team_id": str(elsewhere.team_id)},
    )
    closed = Item(retail.id, is_open=False)
    assert refusal(lambda: submit([most[0], closed]), cycle) == (
        RoadmapItemClosedForFunding,
        f"Roadmap item {closed.id} is delivered or dropped; a request funds open items",
        {"item_id": str(closed.id)},
    )
    submit(most)
    submit([])
    first, second = events(cycle)
    assert isinstance(first, AllocationCycle.RequestSubmitted)
    assert isinstance(second, AllocationCycle.RequestSubmitted)
    assert (first.version, first.item_ids, first.goal_ids) == (
        1,
        [item.id for item in most],
        [goals[0].id],
    )
    assert (second.version, second.item_ids) == (2, [])


def test_a_rationale_may_run_over_lines() -> None:
    cycle = op1(r(10, 1000))
    retail = team("Retail")
    cycle.submit_request(retail, r(2), " Two launches;\nboth need people ", [goal_of(retail)])
    cycle.advance_to(CyclePhase.REVIEW)
    cycle.decide(retail, r(1), " One launch\nfirst ")
    submitted, _, decision = events(cycle)
    assert isinstance(submitted, AllocationCycle.RequestSubmitted)
    assert isinstance(decision, AllocationCycle.DecisionRecorded)
    assert (submitted.rationale, decision.rationale) == (
        "Two launches;\nboth need people",
        "One launch\nfirst",
    )
