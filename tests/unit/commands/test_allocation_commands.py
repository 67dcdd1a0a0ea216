"""Allocation commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase
from domain.allocation.refusals import (
    AllocationCycleExists,
    CycleCarriedForward,
    EnvelopeExceeded,
    FundedBeyondRequest,
    GoalOfAnotherTeam,
    Op1NotLocked,
    RequestsClosed,
    RoadmapItemClosedForFunding,
    RoadmapItemOfAnotherTeam,
)
from domain.allocation.resources import Resources
from domain.decisions import DissentNotWeighed
from domain.errors import InvalidValue, NotFound
from domain.goals import GoalClosed, GoalOutcome
from domain.org.team import Attachment
from domain.people.values import Function
from domain.roadmap import Horizon
from services.allocation.commands import DISSENT
from services.allocation.rest import (
    AdvancePhase,
    OpenCycle,
    RecordAmendment,
    RecordDecision,
    RecordDissent,
    SaveScenario,
    SetEnvelope,
    SubmitRequest,
    WeighDissent,
)
from services.api.commands import CommandContext
from services.commands import Forbidden, VersionMismatch
from services.goals.rest import CloseGoal
from services.org.rest import AddMember
from services.principal import Role
from services.roadmap.rest import DropItem, ProposeItem
from tests.allocation_fixtures import (
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
from tests.commands import (
    Commands,
    event_count,
    refused_and_nothing_recorded,
)
from tests.people import CEO, PLANNER, principal

RITA = principal("rita@x.io", Role.MEMBER)  # leads Retail


BO = principal("bo@x.io", Role.MEMBER)  # leads Books


MEL = principal("mel@x.io", Role.MEMBER)  # a member of Retail, added below


def cycle_of(flywheel: Commands, cycle_id: UUID) -> AllocationCycle:
    cycle = flywheel.app.repository.get(cycle_id)
    assert isinstance(cycle, AllocationCycle)
    return cycle


def test_opening_a_cycle_saves_it_with_its_claim(flywheel: Commands) -> None:
    before = event_count(flywheel)
    outcome = flywheel.allocation.open_cycle(
        CommandContext(CEO, "c"), OpenCycle(fiscal_year=2030, kind=CycleKind.OP1)
    )
    assert (outcome.kind, outcome.version) == ("AllocationCycle", 1)
    assert event_count(flywheel) == before + 2, "the cycle and its allocation-cycle claim"
    cycle = cycle_of(flywheel, outcome.id)
    assert (cycle.fiscal_year, cycle.kind, cycle.phase) == (2030, CycleKind.OP1, CyclePhase.OPEN)


def test_a_fiscal_year_has_one_op1_and_op2_waits_for_its_lock(flywheel: Commands) -> None:
    plan = planning(flywheel)
    refusal = refused_and_nothing_recorded(
        flywheel, AllocationCycleExists, lambda: open_cycle(flywheel, YEAR, CycleKind.OP1)
    )
    assert "already has an OP1" in str(refusal)
    refused_and_nothing_recorded(
        flywheel, Op1NotLocked, lambda: open_cycle(flywheel, YEAR, CycleKind.OP2)
    )
    refused_and_nothing_recorded(
        flywheel, Op1NotLocked, lambda: open_cycle(flywheel, YEAR + 1, CycleKind.OP2)
    )
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: open_cycle(flywheel, 1999, CycleKind.OP1)
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.allocation.open_cycle(
            CommandContext(RITA, "c"), OpenCycle(fiscal_year=2031, kind=CycleKind.OP1)
        ),
    )
    assert open_cycle(flywheel, YEAR + 1, CycleKind.OP1) != plan.op1


def lock_op1(flywheel: Commands, plan: Planning) -> None:
    retail, books = plan.org.retail, plan.org.books
    envelope(flywheel, plan.op1, 10, 1000)
    request(flywheel, plan, retail, 6, 600)
    request(flywheel, plan, books, 4, 400)
    advance(flywheel, plan.op1, CyclePhase.REVIEW)
    decide(flywheel, plan.op1, retail, 6, 600)
    decide(flywheel, plan.op1, books, 3, 300)
    advance(flywheel, plan.op1, CyclePhase.DECIDED, CyclePhase.LOCKED)


def test_op2_starts_from_the_locked_op1_as_amended(flywheel: Commands) -> None:
    plan = planning(flywheel)
    lock_op1(flywheel, plan)
    flywheel.allocation.amend(
        CommandContext(CEO, "a"),
        plan.op1,
        RecordAmendment(
            team_id=plan.org.books,
            headcount={ENG: 4},
            budget=400,
            reason="Carrier strike",
            approver="CFO@x.io",
        ),
    )
    op2 = open_cycle(flywheel, YEAR, CycleKind.OP2)
    second = cycle_of(flywheel, op2)
    assert (second.kind, second.carried_from) == (CycleKind.OP2, plan.op1)
    assert second.envelope_resources == Resources.of({ENG: 10}, 1000)
    assert second.funding_of(plan.org.books) == Resources.of({ENG: 4}, 400)
    assert cycle_of(flywheel, plan.op1).carried_into == op2
    refused_and_nothing_recorded(
        flywheel, AllocationCycleExists, lambda: open_cycle(flywheel, YEAR, CycleKind.OP2)
    )
    refused_and_nothing_recorded(
        flywheel,
        CycleCarriedForward,
        lambda: flywheel.allocation.amend(
            CommandContext(CEO, "a"),
            plan.op1,
            RecordAmendment(
                team_id=plan.org.books,
                headcount={ENG: 1},
                budget=1,
                reason="Too late",
                approver="cfo@x.io",
            ),
        ),
    )


def test_who_may_request_decide_dissent_and_commit(flywheel: Commands) -> None:
    plan = planning(flywheel)
    retail = plan.org.retail
    flywheel.org.add_member(
        CommandContext(RITA, "t"),
        retail,
        AddMember(person="mel@x.io", function=Function.DESIGN, attachment=Attachment.REPORTS),
    )
    envelope(flywheel, plan.op1, 10, 1000)

    def request_as(who: Any) -> int:
        return flywheel.allocation.submit_request(
            CommandContext(who, "r"),
            plan.op1,
            SubmitRequest(
                team_id=retail,
                headcount={ENG: 2},
                budget=100,
                rationale="Selection",
                goal_ids=[plan.goals[retail]],
            ),
        ).version

    for outsider in (MEL, BO, PLANNER):
        refused_and_nothing_recorded(flywheel, Forbidden, lambda who=outsider: request_as(who))
    assert request_as(RITA) == 3
    leadership_only = [
        lambda who: envelope_as(flywheel, who, plan.op1),
        lambda who: flywheel.allocation.advance_phase(
            CommandContext(who, "p"), plan.op1, AdvancePhase(to=CyclePhase.REVIEW)
        ),
        lambda who: flywheel.allocation.decide(
            CommandContext(who, "d"),
            plan.op1,
            RecordDecision(team_id=retail, headcount={}, budget=0, rationale="r"),
        ),
        lambda who: flywheel.allocation.save_scenario(
            CommandContext(who, "s"),
            plan.op1,
            SaveScenario(name="Mine", allocations=[numbers(retail, 1, 1)]),
        ),
        lambda who: flywheel.allocation.adopt_scenario(
            CommandContext(who, "s"), plan.op1, name="Mine"
        ),
        lambda who: flywheel.allocation.weigh_dissent(
            CommandContext(who, "w"), plan.op1, uuid4(), WeighDissent(response="r")
        ),
        lambda who: flywheel.allocation.amend(
            CommandContext(who, "a"),
            plan.op1,
            RecordAmendment(
                team_id=retail, headcount={}, budget=0, reason="r", approver="cfo@x.io"
            ),
        ),
    ]
    for command in leadership_only:
        for who in (RITA, PLANNER):
            refused_and_nothing_recorded(flywheel, Forbidden, lambda c=command, w=who: c(w))
    dissent = flywheel.allocation.record_dissent(
        CommandContext(PLANNER, "d"),
        plan.op1,
        RecordDissent(team_id=retail, argument="Retail is over-asking"),
    )
    assert dissent.kind == DISSENT
    flywheel.allocation.weigh_dissent(
        CommandContext(CEO, "w"), plan.op1, dissent.id, WeighDissent(response="Noted")
    )
    advance(flywheel, plan.op1, CyclePhase.REVIEW, CyclePhase.DECIDED)
    for anyone in (MEL, PLANNER, CEO):
        flywheel.allocation.commit(CommandContext(anyone, "c"), plan.op1)
    assert cycle_of(flywheel, plan.op1).committed == [
        "mel@x.io",
        "planner@example.com",
        CEO.subject,
    ]


def envelope_as(flywheel: Commands, who: Any, cycle: UUID) -> int:
    return flywheel.allocation.set_envelope(
        CommandContext(who, "e"), cycle, SetEnvelope(headcount={ENG: 1}, budget=1, reason="Mine")
    ).position


def test_refusals_of_the_allocation_record_nothing(flywheel: Commands) -> None:
    plan = planning(flywheel)
    retail, books, finance = plan.org.retail, plan.org.books, plan.org.finance
    envelope(flywheel, plan.op1, 10, 1000)
    request(flywheel, plan, retail, 6, 600)
    request(flywheel, plan, books, 6, 600)

    def ask(team: UUID, goal: UUID) -> int:
        return flywheel.allocation.submit_request(
            CommandContext(CEO, "r"),
            plan.op1,
            SubmitRequest(
                team_id=team, headcount={ENG: 1}, budget=1, rationale="Why", goal_ids=[goal]
            ),
        ).position

    refused_and_nothing_recorded(
        flywheel, GoalOfAnotherTeam, lambda: ask(finance, plan.goals[retail])
    )
    refused_and_nothing_recorded(flywheel, NotFound, lambda: ask(finance, uuid4()))
    flywheel.goals.close_goal(
        CommandContext(CEO, "g"),
        plan.goals[finance],
        CloseGoal(outcome=GoalOutcome.DROPPED, note="Not needed"),
    )
    refused_and_nothing_recorded(flywheel, GoalClosed, lambda: ask(finance, plan.goals[finance]))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: ask(uuid4(), plan.goals[retail]))
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.allocation.commit(CommandContext(CEO, "c"), uuid4()),
    )
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: flywheel.allocation.set_envelope(
            CommandContext(CEO, "e"),
            plan.op1,
            SetEnvelope(headcount={ENG: -1}, budget=1, reason="r"),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        VersionMismatch,
        lambda: flywheel.allocation.set_envelope(
            CommandContext(CEO, "e").at_version(1),
            plan.op1,
            SetEnvelope(headcount={ENG: 1}, budget=1, reason="r"),
        ),
    )
    dissent = flywheel.allocation.record_dissent(
        CommandContext(CEO, "d"),
        plan.op1,
        RecordDissent(team_id=None, argument="Envelope too small"),
    )
    advance(flywheel, plan.op1, CyclePhase.REVIEW)
    refused_and_nothing_recorded(
        flywheel, RequestsClosed, lambda: request(flywheel, plan, retail, 1, 1)
    )
    refused_and_nothing_recorded(
        flywheel, FundedBeyondRequest, lambda: decide(flywheel, plan.op1, retail, 7, 600)
    )
    decide(flywheel, plan.op1, retail, 6, 600)
    refusal = refused_and_nothing_recorded(
        flywheel, EnvelopeExceeded, lambda: decide(flywheel, plan.op1, books, 5, 100)
    )
    assert "ENGINEERING 11 > 10" in str(refusal)
    refusal = refused_and_nothing_recorded(
        flywheel, DissentNotWeighed, lambda: advance(flywheel, plan.op1, CyclePhase.DECIDED)
    )
    assert str(dissent.id) in str(refusal)
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.allocation.weigh_dissent(
            CommandContext(CEO, "w"), plan.op1, uuid4(), WeighDissent(response="?")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.allocation.adopt_scenario(
            CommandContext(CEO, "a"), plan.op1, name="Nobody saved it"
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: flywheel.allocation.save_scenario(
            CommandContext(CEO, "s"),
            plan.op1,
            SaveScenario(name="Twice", allocations=[numbers(retail, 1, 1)] * 2),
        ),
    )


def test_a_request_names_the_teams_own_open_roadmap_items_it_funds(flywheel: Commands) -> None:
    """The items exist, are the requesting team's own (a parent does not fund a subteam's
    items: the subteam asks for them), and are open; a refusal records nothing."""
    plan = planning(flywheel)
    retail, books = plan.org.retail, plan.org.books

    def item(team: UUID, title: str) -> UUID:
        return flywheel.roadmap.propose(
            CommandContext(CEO, "i"),
            ProposeItem(
                team_id=team, title=title, outcome="o", horizon=Horizon.NOW, headcount={ENG: 2}
            ),
        ).id

    shelves, aisles, theirs, dropped = (
        item(retail, "Shelves"),
        item(retail, "Aisles"),
        item(books, "Theirs"),
        item(retail, "Dropped"),
    )
    flywheel.roadmap.drop(CommandContext(CEO, "d"), dropped, DropItem(reason="Not now"))

    def ask(item_ids: list[UUID]) -> int:
        return flywheel.allocation.submit_request(
            CommandContext(CEO, "r"),
            plan.op1,
            SubmitRequest(
                team_id=retail,
                headcount={ENG: 2},
                budget=100,
                rationale="Selection",
                goal_ids=[plan.goals[retail]],
                item_ids=item_ids,
            ),
        ).version

    other = refused_and_nothing_recorded(
        flywheel, RoadmapItemOfAnotherTeam, lambda: ask([shelves, theirs])
    )
    assert other.context == {"item_id": str(theirs), "team_id": str(books)}  # type: ignore[attr-defined]
    refused_and_nothing_recorded(flywheel, RoadmapItemClosedForFunding, lambda: ask([dropped]))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: ask([uuid4()]))
    refused_and_nothing_recorded(flywheel, InvalidValue, lambda: ask([shelves, shelves]))
    ask([shelves, aisles])
    ask([])
    submitted = [
        e
        for e in flywheel.app.events.get(plan.op1)
        if isinstance(e, AllocationCycle.RequestSubmitted)
    ]
    assert [e.item_ids for e in submitted] == [[shelves, aisles], []]
