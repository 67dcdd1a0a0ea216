"""The hiring rules on the aggregates alone: funding, the bar raiser, sealed feedback,
the debrief, the veto, the decision and the offer; every refusal compared whole."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4, uuid5

import pytest

from domain.hiring import (
    HIRING_NAMESPACE,
    MAX_INTERVIEWERS,
    MAX_NOTES_LENGTH,
    MAX_REASON_LENGTH,
    AlreadyVetoed,
    BarRaiserInRecruiting,
    BarRaiserIsHiringManager,
    BarRaiserIsRecruiter,
    BarRaiserNotAssigned,
    BarRaiserReportsToHiringManager,
    BarRaiserVeto,
    DebriefAlreadyOpen,
    DebriefNotOpen,
    FeedbackMissing,
    FeedbackOnce,
    FinalVoteOnce,
    HeadcountLedger,
    InterviewerRepeated,
    InterviewLoop,
    LoopDecided,
    LoopStage,
    NoHireDecided,
    NotAbsent,
    Requisition,
    RequisitionBeyondFunding,
    RequisitionNotOpen,
    RequisitionStatus,
    TooFewInterviewers,
    UnknownPrinciple,
    Vote,
    ledger_id,
)
from domain.org.team import Attachment
from domain.people.values import Function, PersonId
from tests.unit.refusals import blank, invalid, refusal, too_long

CANDIDATE = PersonId("cand@example.org")
MANAGER = PersonId("rita@x.io")
RECRUITER = PersonId("rae@x.io")
BAR_RAISER = PersonId("bea@x.io")
IAN = PersonId("ian@x.io")
IVY = PersonId("ivy@x.io")
PRINCIPLES = ["Customer Obsession", "Dive Deep", "Ownership"]
ENG = Function.ENGINEERING


def recorded(aggregate: HeadcountLedger | Requisition | InterviewLoop) -> list[Any]:
    return list(aggregate.collect_events())


def opened(team_id: UUID | None = None) -> Requisition:
    return Requisition.open(team_id=team_id or uuid4(), function=ENG, fiscal_year=2027, funded=2)


def schedule(
    requisition: Requisition | None = None,
    *,
    bar_raiser: PersonId = BAR_RAISER,
    recruiter: PersonId = RECRUITER,
    interviewers: list[tuple[PersonId, list[str]]] | None = None,
    assigned: bool = True,
    reports: bool = False,
    recruiting: bool = False,
) -> InterviewLoop:
    return InterviewLoop.schedule(
        requisition=requisition or opened(),
        candidate=CANDIDATE,
        hiring_manager=MANAGER,
        recruiter=recruiter,
        bar_raiser=bar_raiser,
        interviewers=(
            [(IAN, ["Customer Obsession"]), (IVY, ["Dive Deep"])]
            if interviewers is None
            else interviewers
        ),
        principles=PRINCIPLES,
        bar_raiser_assigned=assigned,
        bar_raiser_reports_to_hiring_manager=reports,
        bar_raiser_in_recruiting=recruiting,
    )


def in_debrief() -> InterviewLoop:
    loop = schedule()
    loop.submit_feedback(IAN, Vote.YES, "Strong", [])
    loop.submit_feedback(IVY, Vote.NO, "Shallow", [])
    loop.open_debrief()
    loop.collect_events()
    return loop


def decided(hire: bool) -> InterviewLoop:
    loop = in_debrief()
    loop.decide(hire, "Decided")
    loop.collect_events()
    return loop


# The headcount ledger


def test_a_teams_ledger_for_a_year_has_one_id() -> None:
    team = uuid4()
    assert ledger_id(team, 2027) == uuid5(HIRING_NAMESPACE, f"ledger:{team}:2027")
    assert HeadcountLedger.create_id(team, 2027) == ledger_id(team, 2027)
    ledger = HeadcountLedger.start(team, 2027)
    assert (ledger.id, ledger.team_id, ledger.fiscal_year, ledger.open) == (
        ledger_id(team, 2027),
        team,
        2027,
        {},
    )


def test_requisitions_fill_the_funding_left_by_the_members_and_no_more() -> None:
    team = uuid4()
    ledger = HeadcountLedger.start(team, 2027)
    first, second = uuid4(), uuid4()
    ledger.count(first, ENG, funded=3, members=1)
    ledger.count(second, "engineering", funded=3, members=1)  # type: ignore[arg-type]
    assert ledger.open == {str(first): "ENGINEERING", str(second): "ENGINEERING"}
    assert refusal(lambda: ledger.count(uuid4(), ENG, funded=3, members=1), ledger) == (
        RequisitionBeyondFunding,
        "The team's latest decided allocation for 2027 funds 3 ENGINEERING; "
        "it has 1 members and 2 open requisitions",
        {
            "team_id": str(team),
            "fiscal_year": 2027,
            "function": "ENGINEERING",
            "funded": 3,
            "members": 1,
            "open": 2,
        },
    )
    counted = recorded(ledger)[-1]
    assert isinstance(counted, HeadcountLedger.RequisitionCounted)
    assert (counted.requisition_id, counted.function) == (second, ENG)


def test_members_alone_can_use_up_the_funding() -> None:
    ledger = HeadcountLedger.start(uuid4(), 2027)
    assert refusal(lambda: ledger.count(uuid4(), ENG, funded=2, members=2), ledger)[2]["open"] == 0
    assert refusal(lambda: ledger.count(uuid4(), ENG, funded=0, members=0), ledger)[0] is (
        RequisitionBeyondFunding
    )
    ledger.count(uuid4(), ENG, funded=2, members=1)
    assert ledger.open_count(ENG) == 1


def test_each_function_is_funded_on_its_own() -> None:
    ledger = HeadcountLedger.start(uuid4(), 2027)
    ledger.count(uuid4(), ENG, funded=1, members=0)
    ledger.count(uuid4(), Function.PRODUCT, funded=1, members=0)
    assert (ledger.open_count(ENG), ledger.open_count(Function.PRODUCT)) == (1, 1)
    assert ledger.open_count(Function.DESIGN) == 0


def test_a_released_requisition_gives_its_slot_back_and_an_unknown_one_changes_nothing() -> None:
    ledger = HeadcountLedger.start(uuid4(), 2027)
    counted = uuid4()
    ledger.count(counted, ENG, funded=1, members=0)
    ledger.collect_events()
    ledger.release(uuid4())
    assert recorded(ledger) == [] and ledger.open_count(ENG) == 1
    ledger.release(counted)
    (released,) = recorded(ledger)
    assert isinstance(released, HeadcountLedger.RequisitionReleased)
    assert released.requisition_id == counted and ledger.open == {}
    ledger.count(uuid4(), ENG, funded=1, members=0)


# Requisitions


def test_a_requisition_opens_for_a_function_of_a_team_in_a_year() -> None:
    team = uuid4()
    requisition = Requisition.open(
        team_id=team,
        function="data_science",  # type: ignore[arg-type]
        fiscal_year=2027,
        funded=4,
    )
    assert (requisition.team_id, requisition.function, requisition.fiscal_year) == (
        team,
        Function.DATA_SCIENCE,
        2027,
    )
    assert requisition.status is RequisitionStatus.OPEN
    (event,) = recorded(requisition)
    assert isinstance(event, Requisition.Opened)
    assert (event.function, event.funded) == (Function.DATA_SCIENCE, 4)


def test_a_cancelled_requisition_is_closed() -> None:
    requisition = opened()
    requisition.collect_events()
    requisition.cancel(" " + "r" * MAX_REASON_LENGTH + " ")
    (cancelled,) = recorded(requisition)
    assert isinstance(cancelled, Requisition.Cancelled) and cancelled.reason == "r" * 2000
    assert requisition.status is RequisitionStatus.CANCELLED
    assert refusal(lambda: requisition.cancel("Again"), requisition) == (
        RequisitionNotOpen,
        "The requisition is CANCELLED",
        {"requisition_id": str(requisition.id), "status": "CANCELLED"},
    )
    assert refusal(lambda: requisition.fill(uuid4(), CANDIDATE), requisition)[0] is (
        RequisitionNotOpen
    )


def test_a_cancellation_gives_its_reason() -> None:
    requisition = opened()
    assert refusal(lambda: requisition.cancel(" \n "), requisition) == blank("reason")
    assert refusal(
        lambda: requisition.cancel("r" * (MAX_REASON_LENGTH + 1)), requisition
    ) == too_long("reason", MAX_REASON_LENGTH)
    requisition.cancel("Plan changed\r\nin the review")
    assert recorded(requisition)[-1].reason == "Plan changed\nin the review"


def test_a_filled_requisition_records_the_loop_and_the_hire() -> None:
    requisition = opened()
    requisition.collect_events()
    loop_id = uuid4()
    requisition.fill(loop_id, CANDIDATE)
    (filled,) = recorded(requisition)
    assert isinstance(filled, Requisition.Filled)
    assert (filled.loop_id, filled.person) == (loop_id, CANDIDATE)
    assert requisition.status is RequisitionStatus.FILLED
    assert refusal(lambda: requisition.fill(uuid4(), CANDIDATE), requisition) == (
        RequisitionNotOpen,
        "The requisition is FILLED",
        {"requisition_id": str(requisition.id), "status": "FILLED"},
    )
    assert refusal(lambda: schedule(requisition))[0] is RequisitionNotOpen


# Scheduling a loop: the bar raiser


def test_a_loop_keeps_who_plays_which_role() -> None:
    requisition = opened()
    loop = schedule(
        requisition,
        interviewers=[
            (IAN, [" customer  OBSESSION ", "Customer Obsession", "ownership"]),
            (IVY, ["Dive Deep"]),
        ],
    )
    assert (loop.requisition_id, loop.team_id, loop.function) == (
        requisition.id,
        requisition.team_id,
        ENG,
    )
    assert (loop.candidate, loop.hiring_manager, loop.recruiter, loop.bar_raiser) == (
        CANDIDATE,
        MANAGER,
        RECRUITER,
        BAR_RAISER,
    )
    assert loop.interviewers == [
        {"person": IAN, "principles": ["Customer Obsession", "Ownership"]},
        {"person": IVY, "principles": ["Dive Deep"]},
    ]
    assert loop.voters == [IAN, IVY, BAR_RAISER]
    assert loop.participants == [IAN, IVY, BAR_RAISER, MANAGER, RECRUITER]
    assert (loop.stage, loop.vetoed, loop.votes, loop.absent, loop.final_votes) == (
        LoopStage.INTERVIEWING,
        False,
        {},
        [],
        {},
    )


def test_the_bar_raiser_is_not_the_hiring_manager() -> None:
    assert refusal(lambda: schedule(bar_raiser=MANAGER)) == (
        BarRaiserIsHiringManager,
        f"{MANAGER} is the hiring manager and cannot be the bar raiser",
        {"person": MANAGER},
    )


def test_the_bar_raiser_does_not_report_to_the_hiring_manager() -> None:
    assert refusal(lambda: schedule(reports=True)) == (
        BarRaiserReportsToHiringManager,
        f"{BAR_RAISER} reports to the hiring manager {MANAGER}",
        {"person": BAR_RAISER, "hiring_manager": MANAGER},
    )


def test_the_bar_raiser_is_not_the_recruiter() -> None:
    assert refusal(lambda: schedule(recruiter=BAR_RAISER)) == (
        BarRaiserIsRecruiter,
        f"{BAR_RAISER} is the recruiter and cannot be the bar raiser",
        {"person": BAR_RAISER},
    )


def test_the_bar_raiser_is_not_from_recruiting() -> None:
    assert refusal(lambda: schedule(recruiting=True)) == (
        BarRaiserInRecruiting,
        f"{BAR_RAISER} works in RECRUITING and cannot be the bar raiser",
        {"person": BAR_RAISER},
    )


def test_the_bar_raiser_holds_the_second_job() -> None:
    assert refusal(lambda: schedule(assigned=False)) == (
        BarRaiserNotAssigned,
        f"{BAR_RAISER} holds no active BAR_RAISER second job",
        {"person": BAR_RAISER},
    )


# Scheduling a loop: the interviewers


def panel(size: int) -> list[tuple[PersonId, list[str]]]:
    return [(PersonId(f"i{n}@x.io"), ["Ownership"]) for n in range(size)]


def test_a_loop_has_from_two_to_twelve_interviewers() -> None:
    assert len(schedule(interviewers=panel(2)).interviewers) == 2
    assert len(schedule(interviewers=panel(MAX_INTERVIEWERS)).interviewers) == MAX_INTERVIEWERS
    assert refusal(lambda: schedule(interviewers=panel(1))) == (
        TooFewInterviewers,
        "A loop has at least 2 interviewers; 1 named",
        {"interviewers": 1},
    )
    assert refusal(lambda: schedule(interviewers=panel(MAX_INTERVIEWERS + 1))) == invalid(
        "interviewers", "`interviewers` names at most 12 people"
    )


@pytest.mark.parametrize("repeated", [CANDIDATE, MANAGER, RECRUITER, BAR_RAISER, IAN])
def test_an_interviewer_has_no_other_role_in_the_loop(repeated: PersonId) -> None:
    interviewers = [(IAN, ["Ownership"]), (IVY, ["Ownership"]), (repeated, ["Ownership"])]
    assert refusal(lambda: schedule(interviewers=interviewers)) == (
        InterviewerRepeated,
        f"{repeated} already has a role in this loop",
        {"person": repeated},
    )


def test_each_interviewer_covers_a_known_principle() -> None:
    assert refusal(lambda: schedule(interviewers=[(IAN, ["Ownership"]), (IVY, [])])) == invalid(
        "interviewers[1].principles", "each interviewer covers a principle"
    )
    assert refusal(
        lambda: schedule(interviewers=[(IAN, ["Ownership"]), (IVY, ["Dive Deep", "Being Nice"])])
    ) == (
        UnknownPrinciple,
        "'Being Nice' is not one of the company's leadership principles",
        {"principle": "Being Nice"},
    )


# Sealed feedback


def test_feedback_records_the_vote_the_notes_and_the_principles_assessed() -> None:
    loop = schedule(interviewers=[(IAN, ["Customer Obsession", "Ownership"]), (IVY, ["Dive Deep"])])
    loop.collect_events()
    notes = "n" * MAX_NOTES_LENGTH
    assessed = ["ownership ", "OWNERSHIP", " customer obsession"]
    loop.submit_feedback(IAN, "strong_yes", f" {notes} ", assessed)  # type: ignore[arg-type]
    (submitted,) = recorded(loop)
    assert isinstance(submitted, InterviewLoop.FeedbackSubmitted)
    assert (submitted.candidate, submitted.person, submitted.vote, submitted.notes) == (
        CANDIDATE,
        IAN,
        Vote.STRONG_YES,
        notes,
    )
    assert submitted.principles == ["Ownership", "Customer Obsession"]
    assert loop.votes == {IAN: "STRONG_YES"}


def test_an_interviewer_assesses_only_the_principles_they_cover() -> None:
    loop = schedule()
    assert refusal(lambda: loop.submit_feedback(IAN, Vote.YES, "ok", ["Dive Deep"]), loop) == (
        UnknownPrinciple,
        f"{IAN} does not cover 'Dive Deep' in this loop",
        {"principle": "Dive Deep"},
    )


def test_the_bar_raiser_assesses_any_principle_an_interviewer_covers() -> None:
    loop = schedule()
    loop.collect_events()
    loop.submit_feedback(BAR_RAISER, Vote.NO, "Weak", ["dive deep", "Customer Obsession"])
    assert recorded(loop)[0].principles == ["Dive Deep", "Customer Obsession"]
    assert refusal(lambda: loop.submit_feedback(IAN, Vote.YES, "ok", ["Ownership"]), loop) == (
        UnknownPrinciple,
        f"{IAN} does not cover 'Ownership' in this loop",
        {"principle": "Ownership"},
    )


def test_the_notes_are_required_and_bounded() -> None:
    loop = schedule()
    assert refusal(lambda: loop.submit_feedback(IAN, Vote.YES, " \n\t", []), loop) == blank("notes")
    long_notes = "n" * (MAX_NOTES_LENGTH + 1)
    assert refusal(lambda: loop.submit_feedback(IAN, Vote.YES, long_notes, []), loop) == too_long(
        "notes", MAX_NOTES_LENGTH
    )
    loop.submit_feedback(IAN, Vote.YES, "line one\r\nline two", [])
    assert recorded(loop)[-1].notes == "line one\nline two"


def test_each_interviewer_submits_feedback_once() -> None:
    loop = schedule()
    loop.submit_feedback(IAN, Vote.NO, "Shallow", [])
    assert refusal(lambda: loop.submit_feedback(IAN, Vote.YES, "Changed my mind", []), loop) == (
        FeedbackOnce,
        f"{IAN} already submitted feedback (NO)",
        {"loop_id": str(loop.id)},
    )


def test_no_feedback_or_absence_once_the_debrief_is_open() -> None:
    loop = in_debrief()
    expected = (
        DebriefAlreadyOpen,
        "The loop is in DEBRIEF",
        {"loop_id": str(loop.id), "stage": "DEBRIEF"},
    )
    assert refusal(lambda: loop.submit_feedback(BAR_RAISER, Vote.YES, "Late", []), loop) == (
        expected
    )
    assert refusal(lambda: loop.record_absence(IAN, "Ill"), loop) == expected
    assert refusal(lambda: loop.open_debrief(), loop) == expected
    loop.decide(False, "No")
    assert refusal(lambda: loop.open_debrief(), loop)[1:] == (
        "The loop is in NO_HIRE",
        {"loop_id": str(loop.id), "stage": "NO_HIRE"},
    )


# Absence and the debrief


def test_an_absent_interviewer_is_recorded_once_with_a_reason() -> None:
    loop = schedule()
    loop.collect_events()
    loop.record_absence(IVY, " " + "r" * MAX_REASON_LENGTH)
    (absence,) = recorded(loop)
    assert isinstance(absence, InterviewLoop.AbsenceRecorded)
    assert (absence.person, absence.reason, loop.absent) == (IVY, "r" * 2000, [IVY])
    assert refusal(lambda: loop.record_absence(IVY, "Still ill"), loop) == (
        NotAbsent,
        f"{IVY} already submitted feedback or was recorded absent",
        {"loop_id": str(loop.id)},
    )
    assert refusal(lambda: loop.record_absence(IAN, "\t"), loop) == blank("reason")
    long_reason = "r" * (MAX_REASON_LENGTH + 1)
    assert refusal(lambda: loop.record_absence(IAN, long_reason), loop) == too_long(
        "reason", MAX_REASON_LENGTH
    )


def test_only_an_interviewer_without_feedback_can_be_absent() -> None:
    loop = schedule()
    loop.submit_feedback(IAN, Vote.YES, "Strong", [])
    assert refusal(lambda: loop.record_absence(IAN, "Ill"), loop) == (
        NotAbsent,
        f"{IAN} already submitted feedback or was recorded absent",
        {"loop_id": str(loop.id)},
    )
    for outsider in (BAR_RAISER, MANAGER, CANDIDATE):
        assert refusal(lambda p=outsider: loop.record_absence(p, "Ill"), loop) == invalid(  # type: ignore[misc]
            "person", f"`person` {outsider} is not an interviewer of this loop"
        )


def test_the_debrief_waits_for_every_interviewer() -> None:
    loop = schedule(interviewers=panel(3))
    assert refusal(loop.open_debrief, loop) == (
        FeedbackMissing,
        "Waiting for feedback from i0@x.io, i1@x.io, i2@x.io",
        {"loop_id": str(loop.id), "missing": ["i0@x.io", "i1@x.io", "i2@x.io"]},
    )
    loop.submit_feedback(PersonId("i0@x.io"), Vote.YES, "Good", [])
    loop.record_absence(PersonId("i2@x.io"), "Ill")
    assert refusal(loop.open_debrief, loop)[2] == {"loop_id": str(loop.id), "missing": ["i1@x.io"]}
    loop.record_absence(PersonId("i1@x.io"), "Ill")
    loop.collect_events()
    loop.open_debrief()
    (opened_debrief,) = recorded(loop)
    assert isinstance(opened_debrief, InterviewLoop.DebriefOpened)
    assert loop.stage is LoopStage.DEBRIEF


def test_the_bar_raisers_own_feedback_is_not_awaited() -> None:
    loop = schedule()
    loop.submit_feedback(IAN, Vote.YES, "Strong", [])
    loop.submit_feedback(IVY, Vote.YES, "Strong", [])
    loop.open_debrief()
    assert loop.stage is LoopStage.DEBRIEF


# Final votes, the veto and the decision


def test_nothing_of_the_debrief_happens_before_it_opens() -> None:
    loop = schedule()
    expected = (
        DebriefNotOpen,
        "The bar raiser has not opened the debrief",
        {"loop_id": str(loop.id)},
    )
    assert refusal(lambda: loop.record_final_vote(IAN, Vote.YES), loop) == expected
    assert refusal(lambda: loop.veto("Below the bar"), loop) == expected
    assert refusal(lambda: loop.decide(False, "No"), loop) == expected


@pytest.mark.parametrize(("hire", "stage"), [(True, "HIRE"), (False, "NO_HIRE")])
def test_nothing_of_the_debrief_happens_after_the_decision(hire: bool, stage: str) -> None:
    loop = decided(hire)
    expected = (LoopDecided, f"The loop was decided {stage}", {"loop_id": str(loop.id)})
    assert refusal(lambda: loop.record_final_vote(IAN, Vote.YES), loop) == expected
    assert refusal(lambda: loop.veto("Below the bar"), loop) == expected
    assert refusal(lambda: loop.decide(not hire, "Changed"), loop) == expected


def test_a_final_vote_keeps_the_initial_one_beside_it() -> None:
    loop = in_debrief()
    loop.record_final_vote(IVY, "yes")  # type: ignore[arg-type]
    loop.record_final_vote(MANAGER, Vote.STRONG_YES)
    changed, managers = recorded(loop)
    assert isinstance(changed, InterviewLoop.FinalVoteRecorded)
    assert (changed.person, changed.vote, changed.initial_vote) == (IVY, Vote.YES, Vote.NO)
    assert (managers.person, managers.vote, managers.initial_vote) == (
        MANAGER,
        Vote.STRONG_YES,
        None,
    )
    assert loop.final_votes == {IVY: "YES", MANAGER: "STRONG_YES"}
    assert loop.votes == {IAN: "YES", IVY: "NO"}
    assert refusal(lambda: loop.record_final_vote(IVY, Vote.NO), loop) == (
        FinalVoteOnce,
        f"{IVY} already voted YES in the debrief",
        {"loop_id": str(loop.id)},
    )


def test_the_bar_raiser_vetoes_once_with_a_reason() -> None:
    loop = in_debrief()
    assert refusal(lambda: loop.veto(" "), loop) == blank("reason")
    assert refusal(lambda: loop.veto("r" * (MAX_REASON_LENGTH + 1)), loop) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    loop.veto("r" * MAX_REASON_LENGTH)
    (vetoed,) = recorded(loop)
    assert isinstance(vetoed, InterviewLoop.Vetoed)
    assert (vetoed.candidate, vetoed.reason, loop.vetoed) == (CANDIDATE, "r" * 2000, True)
    assert refusal(lambda: loop.veto("Again"), loop) == (
        AlreadyVetoed,
        "The bar raiser already vetoed",
        {"loop_id": str(loop.id)},
    )


def test_a_hire_over_a_veto_is_refused_and_no_hire_is_not() -> None:
    loop = in_debrief()
    loop.veto("Below the bar")
    loop.collect_events()
    assert refusal(lambda: loop.decide(True, "Need the seat"), loop) == (
        BarRaiserVeto,
        f"{BAR_RAISER} vetoed this candidate; a hire over a veto is refused",
        {"loop_id": str(loop.id), "bar_raiser": BAR_RAISER},
    )
    loop.decide(False, "Vetoed")
    (decision,) = recorded(loop)
    assert isinstance(decision, InterviewLoop.Decided)
    assert (decision.candidate, decision.hire, decision.reason) == (CANDIDATE, False, "Vetoed")
    assert loop.stage is LoopStage.NO_HIRE


def test_the_hiring_manager_decides_a_hire_with_a_reason() -> None:
    loop = in_debrief()
    assert refusal(lambda: loop.decide(True, "\n"), loop) == blank("reason")
    assert refusal(lambda: loop.decide(True, "r" * (MAX_REASON_LENGTH + 1)), loop) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    loop.decide(True, "r" * MAX_REASON_LENGTH)
    (decision,) = recorded(loop)
    assert (decision.hire, decision.reason) == (True, "r" * 2000)
    assert loop.stage is LoopStage.HIRE


# The offer


def test_an_accepted_offer_follows_a_hire_decision() -> None:
    loop = decided(hire=True)
    loop.accept_offer("dedicated", date(2027, 3, 1))  # type: ignore[arg-type]
    (accepted,) = recorded(loop)
    assert isinstance(accepted, InterviewLoop.OfferAccepted)
    assert (
        accepted.candidate,
        accepted.team_id,
        accepted.function,
        accepted.attachment,
        accepted.start_date,
    ) == (CANDIDATE, loop.team_id, ENG, Attachment.DEDICATED, date(2027, 3, 1))
    assert loop.stage is LoopStage.HIRED
    assert refusal(lambda: loop.accept_offer(Attachment.REPORTS, date(2027, 3, 1)), loop) == (
        NoHireDecided,
        "The loop is HIRED; an offer follows a HIRE decision",
        {"loop_id": str(loop.id), "stage": "HIRED"},
    )


@pytest.mark.parametrize("stage", ["INTERVIEWING", "DEBRIEF", "NO_HIRE"])
def test_no_offer_without_a_hire_decision(stage: str) -> None:
    loop = {"INTERVIEWING": schedule, "DEBRIEF": in_debrief, "NO_HIRE": lambda: decided(False)}[
        stage
    ]()
    assert refusal(lambda: loop.accept_offer(Attachment.REPORTS, date(2027, 3, 1)), loop) == (
        NoHireDecided,
        f"The loop is {stage}; an offer follows a HIRE decision",
        {"loop_id": str(loop.id), "stage": stage},
    )
