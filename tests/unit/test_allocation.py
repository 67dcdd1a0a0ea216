"""The rules of the yearly allocation and of disagree and commit, on the aggregate alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase
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
)
from domain.allocation.resources import Resources
from domain.decisions import AlreadyCommitted, DissentAlreadyWeighed, DissentNotWeighed
from domain.errors import DomainError, InvalidValue, NotFound
from domain.goals import Goal, GoalClosed, GoalOutcome
from domain.metrics import Direction, Metric, MetricKind
from domain.org.team import Team, TeamDisbanded
from domain.people.values import Function, PersonId

ENG, PRODUCT = Function.ENGINEERING, Function.PRODUCT
ANN, BEN = PersonId("ann@x.io"), PersonId("ben@x.io")


def team(name: str = "Retail") -> Team:
    chartered = Team.charter(name=name, mission="Sell", leader=PersonId(f"{name.lower()}@x.io"))
    chartered.collect_events()
    return chartered


def goal_of(owner: Team) -> Goal:
    metric = Metric.define(
        name=f"{owner.name} selection",
        kind=MetricKind.INPUT,
        financial=False,
        unit="count",
        direction=Direction.INCREASE,
        definition="Detail pages",
        owner=owner,
    )
    goal = Goal.set(
        team=owner,
        metric=metric,
        plan_year=2027,
        baseline=Decimal(1),
        target=Decimal(2),
        due_date=date(2027, 12, 31),
        description=f"{owner.name} grows selection",
    )
    goal.collect_events()
    return goal


def r(engineers: int = 0, budget: int = 0, product: int = 0) -> Resources:
    return Resources.of({ENG: engineers, PRODUCT: product}, budget)


def names(cycle: AllocationCycle) -> list[str]:
    return [type(event).__name__ for event in cycle.collect_events()]


def op1(envelope: Resources | None = None) -> AllocationCycle:
    cycle = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP1)
    if envelope is not None:
        cycle.set_envelope(envelope, "Board-approved plan")
    cycle.collect_events()
    return cycle


def refused(error: type[DomainError], cycle: AllocationCycle, command: Callable[[], None]) -> str:
    """The command is refused and triggers no event."""
    before = (cycle.version, len(cycle.pending_events))
    with pytest.raises(error) as refusal:
        command()
    assert (cycle.version, len(cycle.pending_events)) == before
    return refusal.value.detail


def in_review(
    envelope: Resources, asks: dict[str, Resources]
) -> tuple[AllocationCycle, dict[str, Team]]:
    cycle = op1(envelope)
    teams = {name: team(name) for name in asks}
    for name, ask in asks.items():
        cycle.submit_request(teams[name], ask, f"{name} needs it", [goal_of(teams[name])])
    cycle.advance_to(CyclePhase.REVIEW)
    cycle.collect_events()
    return cycle, teams


def test_a_cycle_opens_for_requests_and_moves_forward_one_phase_at_a_time() -> None:
    cycle = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP1)
    assert (cycle.phase, cycle.label, cycle.envelope) == (CyclePhase.OPEN, "OP1 2027", None)
    for wrong in (CyclePhase.OPEN, CyclePhase.DECIDED, CyclePhase.LOCKED):
        assert "the next is REVIEW" in refused(
            PhaseOutOfOrder, cycle, lambda to=wrong: cycle.advance_to(to)
        )
    for phase in (CyclePhase.REVIEW, CyclePhase.DECIDED, CyclePhase.LOCKED):
        cycle.advance_to(phase)
    assert cycle.phase is CyclePhase.LOCKED
    assert names(cycle) == ["Opened", "PhaseAdvanced", "PhaseAdvanced", "PhaseAdvanced"]
    assert "last phase" in refused(
        PhaseOutOfOrder, cycle, lambda: cycle.advance_to(CyclePhase.REVIEW)
    )


def test_a_fiscal_year_is_checked() -> None:
    with pytest.raises(InvalidValue):
        AllocationCycle.open(fiscal_year=1999, kind=CycleKind.OP1)


def test_the_envelope_changes_with_a_reason_until_decided() -> None:
    cycle = op1()
    cycle.set_envelope(r(10, 1000), "First draft")
    cycle.advance_to(CyclePhase.REVIEW)
    cycle.set_envelope(r(12, 1200), "Board added two heads")
    assert cycle.envelope_resources == r(12, 1200)
    [*_, revised] = cycle.collect_events()
    assert isinstance(revised, AllocationCycle.EnvelopeSet)
    assert (revised.headcount, revised.budget, revised.reason) == (
        {"ENGINEERING": 12},
        1200,
        "Board added two heads",
    )
    refused(InvalidValue, cycle, lambda: cycle.set_envelope(r(1), "  "))
    cycle.advance_to(CyclePhase.DECIDED)
    refused(CycleDecided, cycle, lambda: cycle.set_envelope(r(20), "Too late"))
    cycle.advance_to(CyclePhase.LOCKED)
    refused(CycleLocked, cycle, lambda: cycle.set_envelope(r(20), "Too late"))


def test_requests_are_revised_while_open_and_every_version_is_numbered() -> None:
    cycle = op1()
    retail = team()
    goal = goal_of(retail)
    cycle.submit_request(retail, r(3, 100), "Grow selection", [goal])
    cycle.submit_request(retail, r(4, 150), "Grow selection faster", [goal])
    first, second = cycle.collect_events()
    assert isinstance(second, AllocationCycle.RequestSubmitted)
    assert (second.version, second.headcount, second.goal_ids) == (2, {"ENGINEERING": 4}, [goal.id])
    assert isinstance(first, AllocationCycle.RequestSubmitted) and first.version == 1
    assert cycle.request_of(retail.id) == r(4, 150)
    cycle.advance_to(CyclePhase.REVIEW)
    assert "while it is OPEN" in refused(
        RequestsClosed, cycle, lambda: cycle.submit_request(retail, r(5), "More", [goal])
    )


def test_a_request_funds_open_goals_of_its_own_team() -> None:
    cycle = op1()
    retail, books = team("Retail"), team("Books")
    own, theirs = goal_of(retail), goal_of(books)
    refused(InvalidValue, cycle, lambda: cycle.submit_request(retail, r(1), "Why", []))
    refused(InvalidValue, cycle, lambda: cycle.submit_request(retail, r(1), "Why", [own, own]))
    assert "belongs to another team" in refused(
        GoalOfAnotherTeam, cycle, lambda: cycle.submit_request(retail, r(1), "Why", [theirs])
    )
    own.close(GoalOutcome.DROPPED, "Not this year")
    refused(GoalClosed, cycle, lambda: cycle.submit_request(retail, r(1), "Why", [own]))
    books.disband("Folded into Retail")
    refused(TeamDisbanded, cycle, lambda: cycle.submit_request(books, r(1), "Why", [theirs]))


def test_decisions_come_in_review_within_the_request_and_the_envelope() -> None:
    cycle = op1(r(10, 1000, product=1))
    retail, books = team("Retail"), team("Books")
    cycle.submit_request(retail, r(6, 600, product=1), "Selection", [goal_of(retail)])
    cycle.submit_request(books, r(6, 600), "Speed", [goal_of(books)])
    assert "only in REVIEW" in refused(
        ReviewNotStarted, cycle, lambda: cycle.decide(retail, r(1), "Early")
    )
    cycle.advance_to(CyclePhase.REVIEW)
    detail = refused(FundedBeyondRequest, cycle, lambda: cycle.decide(retail, r(7), "More"))
    assert "ENGINEERING 7 > 6" in detail and "Retail" in detail
    refused(FundedBeyondRequest, cycle, lambda: cycle.decide(retail, r(1, 601), "Cash"))
    refused(FundedBeyondRequest, cycle, lambda: cycle.decide(team("Ghost"), r(1), "No ask"))
    cycle.decide(retail, r(6, 600, product=1), "Fund it all")
    detail = refused(EnvelopeExceeded, cycle, lambda: cycle.decide(books, r(5), "Too much"))
    assert "ENGINEERING 11 > 10" in detail
    cycle.decide(books, r(4, 400), "What is left")
    cycle.decide(retail, r(5, 500, product=1), "Revised down")
    cycle.decide(books, r(5, 500), "Revised up")
    assert cycle.funding_of(books.id) == r(5, 500)
    assert names(cycle)[-4:] == ["DecisionRecorded"] * 4
    refused(InvalidValue, cycle, lambda: cycle.decide(books, r(1), ""))


def test_an_envelope_never_drops_below_what_teams_are_funded() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(8, 800)})
    cycle.decide(teams["Retail"], r(8, 800), "All of it")
    detail = refused(EnvelopeExceeded, cycle, lambda: cycle.set_envelope(r(7, 1000), "Cut"))
    assert "ENGINEERING 8 > 7" in detail
    cycle.set_envelope(r(8, 800), "Exactly what is funded")


def test_a_disbanded_team_is_not_funded() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(8, 800)})
    teams["Retail"].disband("Folded")
    refused(TeamDisbanded, cycle, lambda: cycle.decide(teams["Retail"], r(1), "Still?"))
    cycle.decide(teams["Retail"], r(), "Nothing for a disbanded team")


def test_deciding_needs_every_dissent_weighed_and_the_refusal_names_them() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(8, 800)})
    first, second = uuid4(), uuid4()
    cycle.record_dissent(first, ANN, teams["Retail"], "Retail should get more")
    cycle.record_dissent(second, BEN, None, "The envelope is too small")
    cycle.weigh_dissent(first, "Heard; the envelope is fixed")
    detail = refused(DissentNotWeighed, cycle, lambda: cycle.advance_to(CyclePhase.DECIDED))
    assert str(second) in detail and str(first) not in detail
    refused(NotFound, cycle, lambda: cycle.weigh_dissent(uuid4(), "Who?"))
    refused(DissentAlreadyWeighed, cycle, lambda: cycle.weigh_dissent(first, "Again"))
    refused(InvalidValue, cycle, lambda: cycle.weigh_dissent(second, " "))
    cycle.weigh_dissent(second, "Heard; next year")
    cycle.advance_to(CyclePhase.DECIDED)
    recorded = [e for e in cycle.collect_events() if isinstance(e, AllocationCycle.DissentRecorded)]
    assert [(e.person, e.team_id) for e in recorded] == [
        (ANN, teams["Retail"].id),
        (BEN, None),
    ]
    refused(CycleDecided, cycle, lambda: cycle.record_dissent(uuid4(), ANN, None, "Late"))


def test_people_commit_once_after_the_decision_and_before_the_lock() -> None:
    cycle = op1()
    refused(CycleNotDecided, cycle, lambda: cycle.commit(ANN))
    cycle.advance_to(CyclePhase.REVIEW)
    refused(CycleNotDecided, cycle, lambda: cycle.commit(ANN))
    cycle.advance_to(CyclePhase.DECIDED)
    cycle.commit(ANN)
    refused(AlreadyCommitted, cycle, lambda: cycle.commit(ANN))
    cycle.advance_to(CyclePhase.LOCKED)
    refused(CycleLocked, cycle, lambda: cycle.commit(BEN))
    assert cycle.committed == [ANN]


def locked(asks: dict[str, Resources]) -> tuple[AllocationCycle, dict[str, Team]]:
    cycle, teams = in_review(r(10, 1000), asks)
    for name, ask in asks.items():
        cycle.decide(teams[name], ask, "Funded as asked")
    for phase in (CyclePhase.DECIDED, CyclePhase.LOCKED):
        cycle.advance_to(phase)
    cycle.collect_events()
    return cycle, teams


def test_after_the_lock_only_amendments_change_funding_within_the_envelope() -> None:
    cycle, teams = locked({"Retail": r(6, 600), "Books": r(2, 200)})
    retail = teams["Retail"]
    refused(CycleLocked, cycle, lambda: cycle.decide(retail, r(1), "Late"))
    refused(CycleLocked, cycle, lambda: cycle.submit_request(retail, r(1), "Late", []))
    refused(CycleLocked, cycle, lambda: cycle.save_scenario("Late", {retail.id: r(1)}))
    refused(CycleLocked, cycle, lambda: cycle.record_dissent(uuid4(), ANN, None, "Late"))
    detail = refused(
        EnvelopeExceeded, cycle, lambda: cycle.amend(retail, r(9, 600), "Hiring spree", BEN)
    )
    assert "ENGINEERING 11 > 10" in detail
    cycle.amend(retail, r(8, 800), "A key launch moved up", PersonId("cfo@x.io"))
    cycle.amend(retail, r(7, 800), "One hire fell through", PersonId("cfo@x.io"))
    assert (cycle.amendments, cycle.funding_of(retail.id)) == (2, r(7, 800))
    [first, second] = cycle.collect_events()
    assert isinstance(first, AllocationCycle.AmendmentRecorded)
    assert (first.number, first.approver, first.reason) == (1, "cfo@x.io", "A key launch moved up")
    assert isinstance(second, AllocationCycle.AmendmentRecorded) and second.number == 2
    refused(InvalidValue, cycle, lambda: cycle.amend(retail, r(1), "", BEN))


def test_amendments_wait_for_the_lock() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(6, 600)})
    refused(CycleNotLocked, cycle, lambda: cycle.amend(teams["Retail"], r(1), "Early", BEN))


def test_op2_opens_from_a_locked_op1_and_carries_its_envelope_and_funding() -> None:
    first = op1(r(10, 1000))
    with pytest.raises(Op1NotLocked):
        AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=None)
    with pytest.raises(Op1NotLocked, match="OPEN"):
        AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=first)
    first, teams = locked({"Retail": r(6, 600), "Books": r(2, 200)})
    first.amend(teams["Books"], r(3, 200), "Carrier strike", BEN)
    second = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=first)
    first.carry_forward(second)
    assert (second.kind, second.carried_from, first.carried_into) == (
        CycleKind.OP2,
        first.id,
        second.id,
    )
    assert second.envelope_resources == r(10, 1000)
    assert second.funding_of(teams["Books"].id) == r(3, 200), "OP1 as amended"
    [opened] = second.collect_events()
    assert isinstance(opened, AllocationCycle.Opened) and opened.carried_from == first.id
    with pytest.raises(AllocationCycleExists):
        AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=first)
    first.collect_events()
    refused(CycleCarriedForward, first, lambda: first.amend(teams["Books"], r(1), "Late", BEN))


def test_in_op2_a_team_without_a_new_request_keeps_op1_funding_as_its_ceiling() -> None:
    first, teams = locked({"Retail": r(6, 600), "Books": r(2, 200)})
    second = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP2, op1=first)
    retail, books = teams["Retail"], teams["Books"]
    second.submit_request(books, r(4, 300), "Demand doubled", [goal_of(books)])
    second.advance_to(CyclePhase.REVIEW)
    refused(FundedBeyondRequest, second, lambda: second.decide(retail, r(7, 600), "More"))
    second.decide(retail, r(4, 400), "Less than OP1")
    second.decide(books, r(4, 300), "As asked in OP2")
    assert second.funding_of(retail.id) == r(4, 400)


def test_scenarios_are_drafts_that_may_break_the_rules_until_adopted() -> None:
    cycle = op1(r(10, 1000))
    retail, books = team("Retail"), team("Books")
    cycle.submit_request(retail, r(6, 600), "Selection", [goal_of(retail)])
    cycle.submit_request(books, r(6, 600), "Speed", [goal_of(books)])
    cycle.save_scenario("Generous", {retail.id: r(6, 600), books.id: r(6, 600)})
    cycle.save_scenario(" Lean ", {retail.id: r(5, 500), books.id: r(5, 500)})
    refused(InvalidValue, cycle, lambda: cycle.save_scenario("Empty", {}))
    refused(InvalidValue, cycle, lambda: cycle.save_scenario(" ", {retail.id: r(1)}))
    assert sorted(cycle.scenarios) == ["Generous", "Lean"]
    refused(ReviewNotStarted, cycle, lambda: cycle.adopt_scenario("Lean", {}))
    cycle.advance_to(CyclePhase.REVIEW)
    cycle.decide(retail, r(1, 100), "A first guess")
    teams = {retail.id: retail, books.id: books}
    detail = refused(EnvelopeExceeded, cycle, lambda: cycle.adopt_scenario("Generous", teams))
    assert "Scenario 'Generous'" in detail and "ENGINEERING 12 > 10" in detail
    refused(NotFound, cycle, lambda: cycle.adopt_scenario("Missing", teams))
    cycle.collect_events()
    cycle.adopt_scenario("Lean", teams)
    [adopted] = cycle.collect_events()
    assert isinstance(adopted, AllocationCycle.ScenarioAdopted)
    assert adopted.decisions[str(books.id)] == {"headcount": {"ENGINEERING": 5}, "budget": 500}
    assert adopted.withdrawn == []
    assert cycle.funding_of(retail.id) == r(5, 500)


def test_adopting_a_scenario_ends_the_decisions_of_teams_it_leaves_out() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(6, 600), "Books": r(4, 400)})
    retail, books = teams["Retail"], teams["Books"]
    cycle.decide(books, r(4, 400), "Books first")
    cycle.save_scenario("Retail only", {retail.id: r(6, 600)})
    cycle.adopt_scenario("Retail only", {retail.id: retail})
    [*_, adopted] = cycle.collect_events()
    assert isinstance(adopted, AllocationCycle.ScenarioAdopted)
    assert adopted.withdrawn == [books.id]
    assert cycle.funding_of(books.id).is_zero


def test_a_scenario_beyond_a_request_is_refused_on_adoption_naming_the_team() -> None:
    cycle, teams = in_review(r(10, 1000), {"Retail": r(3, 300)})
    retail = teams["Retail"]
    cycle.save_scenario("Stretch", {retail.id: r(4, 300)})
    detail = refused(
        FundedBeyondRequest, cycle, lambda: cycle.adopt_scenario("Stretch", {retail.id: retail})
    )
    assert "Scenario 'Stretch' funds ENGINEERING 4 > 3" in detail


def test_dissent_is_recorded_before_the_decision_with_an_argument() -> None:
    cycle = op1()
    refused(InvalidValue, cycle, lambda: cycle.record_dissent(uuid4(), ANN, None, ""))
    dissent = uuid4()
    cycle.record_dissent(dissent, ANN, None, "Too little for platform work")
    assert cycle.unweighed_dissents == [dissent]
    with pytest.raises(ValueError, match="already recorded"):
        cycle.record_dissent(dissent, ANN, None, "Twice")


def test_every_event_is_attributed() -> None:
    cycle = op1(r(1, 1))
    cycle.record_dissent(uuid4(), ANN, None, "No")
    for event in cycle.collect_events():
        assert (event.actor, event.correlation_id) == ("ceo@example.com", "test-correlation")


def test_ids_of_teams_in_state_are_strings_so_snapshots_stay_json() -> None:
    cycle, teams = locked({"Retail": r(6, 600)})
    assert list(cycle.funding) == [str(teams["Retail"].id)]
    assert all(isinstance(UUID(key), UUID) for key in cycle.requests)
