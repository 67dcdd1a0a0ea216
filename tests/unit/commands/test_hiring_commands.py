"""Hiring and functional excellence through the application on in-memory storage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.excellence import (
    AlreadyFunctionalLeader,
    SecondJob,
    SecondJobEnded,
    SecondJobKind,
    StandardArea,
    StandardRetired,
)
from domain.hiring import (
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
    InterviewLoop,
    NoHireDecided,
    Requisition,
    RequisitionBeyondFunding,
    RequisitionNotOpen,
    RequisitionStatus,
    TooFewInterviewers,
    UnknownPrinciple,
    Vote,
)
from domain.org.team import Attachment, Team
from domain.people.values import Function
from services.api.commands import CommandContext
from services.commands import Forbidden, Outcome
from services.excellence.rest import (
    AppointFunctionalLeader,
    AssignSecondJob,
    EndSecondJob,
    GrantExemption,
    Principle,
    PublishStandard,
    RetireStandard,
    ReviseStandard,
    SetPrinciples,
)
from services.excellence.staffing import team_functions
from services.hiring.rest import (
    CancelRequisition,
    Candidate,
    Decide,
    FinalVote,
    Interviewer,
    OfferAccepted,
    OpenRequisition,
    RecordAbsence,
    ScheduleLoop,
    SubmitFeedback,
    Veto,
)
from services.principal import Principal
from tests.commands import Commands, event_count, refused_and_nothing_recorded
from tests.hiring_fixtures import (
    BEA,
    CTO,
    ENG,
    IAN,
    IVY,
    OUT,
    RAE,
    RITA,
    Hiring,
    hiring,
    loop,
    requisition,
)
from tests.people import CEO, PLANNER


@pytest.fixture
def company(flywheel: Commands) -> Hiring:
    return hiring(flywheel)


def test_requisitions_stay_within_the_latest_decided_funding(
    flywheel: Commands, company: Hiring
) -> None:
    first = requisition(flywheel, company.retail)
    refusal = refused_and_nothing_recorded(
        flywheel, RequisitionBeyondFunding, lambda: requisition(flywheel, company.retail)
    )
    assert refusal.context["funded"] == 1
    refused_and_nothing_recorded(
        flywheel,
        RequisitionBeyondFunding,
        lambda: requisition(flywheel, company.retail, Function.PRODUCT),
    )
    # Books has one engineer already (Bea) and funding for one: nothing to open.
    refused_and_nothing_recorded(
        flywheel, RequisitionBeyondFunding, lambda: requisition(flywheel, company.books)
    )
    # Cancelling gives the slot back.
    flywheel.hiring.cancel_requisition(
        CommandContext(RITA, "c"), first, CancelRequisition(reason="Plan changed")
    )
    refused_and_nothing_recorded(
        flywheel,
        RequisitionNotOpen,
        lambda: flywheel.hiring.cancel_requisition(
            CommandContext(RITA, "c"), first, CancelRequisition(reason="Again")
        ),
    )
    assert requisition(flywheel, company.retail)


def test_only_the_teams_leader_or_leadership_opens_a_requisition(
    flywheel: Commands, company: Hiring
) -> None:
    for caller in (BEA, PLANNER):
        refused_and_nothing_recorded(
            flywheel,
            Forbidden,
            lambda c=caller: flywheel.hiring.open_requisition(  # type: ignore[misc]
                CommandContext(c, "c"),
                OpenRequisition(team_id=company.retail, function=ENG, fiscal_year=2027),
            ),
        )
    assert (
        flywheel.hiring.open_requisition(
            CommandContext(RITA, "c"),
            OpenRequisition(team_id=company.retail, function=ENG, fiscal_year=2027),
        ).kind
        == "Requisition"
    )


@pytest.mark.parametrize(
    ("bar_raiser", "recruiter", "error"),
    [
        ("ian@x.io", "rae@x.io", BarRaiserNotAssigned),
        ("rita@x.io", "rae@x.io", BarRaiserIsHiringManager),
        ("rex@x.io", "rae@x.io", BarRaiserReportsToHiringManager),
        ("bea@x.io", "bea@x.io", BarRaiserIsRecruiter),
        ("rae@x.io", "out@x.io", BarRaiserInRecruiting),
    ],
)
def test_each_bar_raiser_rule_refuses_the_loop(
    flywheel: Commands, company: Hiring, bar_raiser: str, recruiter: str, error: type[Exception]
) -> None:
    opened = requisition(flywheel, company.retail)
    refused_and_nothing_recorded(
        flywheel, error, lambda: loop(flywheel, opened, bar_raiser=bar_raiser, recruiter=recruiter)
    )


def test_an_ended_bar_raiser_job_no_longer_qualifies(flywheel: Commands, company: Hiring) -> None:
    opened = requisition(flywheel, company.retail)
    flywheel.excellence.end_second_job(
        CommandContext(CTO, "c"), company.bea_job, EndSecondJob(reason="Rotated out")
    )
    refused_and_nothing_recorded(flywheel, BarRaiserNotAssigned, lambda: loop(flywheel, opened))


def test_a_loop_needs_two_interviewers_covering_known_principles(
    flywheel: Commands, company: Hiring
) -> None:
    opened = requisition(flywheel, company.retail)

    def schedule(interviewers: list[tuple[str, list[str]]]) -> object:
        return flywheel.hiring.schedule_loop(
            CommandContext(CEO, "c"),
            opened,
            ScheduleLoop(
                candidate=Candidate(handle="c@o.org", name="C"),
                recruiter="rae@x.io",
                bar_raiser="bea@x.io",
                interviewers=[
                    Interviewer(person=person, principles=covered)
                    for person, covered in interviewers
                ],
            ),
        )

    refused_and_nothing_recorded(
        flywheel, TooFewInterviewers, lambda: schedule([("ian@x.io", ["Ownership"])])
    )
    refused_and_nothing_recorded(
        flywheel,
        UnknownPrinciple,
        lambda: schedule([("ian@x.io", ["Ownership"]), ("ivy@x.io", ["Being Nice"])]),
    )


def _full_feedback(flywheel: Commands, loop_id: object) -> None:
    flywheel.hiring.submit_feedback(
        CommandContext(IAN, "c"),
        loop_id,  # type: ignore[arg-type]
        SubmitFeedback(vote=Vote.YES, notes="Strong", principles=["Customer Obsession"]),
    )
    flywheel.hiring.submit_feedback(
        CommandContext(IVY, "c"),
        loop_id,  # type: ignore[arg-type]
        SubmitFeedback(vote=Vote.NO, notes="Shallow", principles=[]),
    )


def test_a_loop_through_debrief_decision_and_offer_adds_the_member(
    flywheel: Commands, company: Hiring
) -> None:
    opened = requisition(flywheel, company.retail)
    loop_id = loop(flywheel, opened)
    refused_and_nothing_recorded(
        flywheel,
        FeedbackMissing,
        lambda: flywheel.hiring.open_debrief(CommandContext(BEA, "c"), loop_id),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.hiring.submit_feedback(
            CommandContext(OUT, "c"), loop_id, SubmitFeedback(vote=Vote.YES, notes="x")
        ),
    )
    _full_feedback(flywheel, loop_id)
    refused_and_nothing_recorded(
        flywheel,
        FeedbackOnce,
        lambda: flywheel.hiring.submit_feedback(
            CommandContext(IAN, "c"), loop_id, SubmitFeedback(vote=Vote.NO, notes="again")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        DebriefNotOpen,
        lambda: flywheel.hiring.decide(
            CommandContext(RITA, "c"), loop_id, Decide(hire=True, reason="Yes")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.hiring.open_debrief(CommandContext(RITA, "c"), loop_id),
    )
    flywheel.hiring.open_debrief(CommandContext(BEA, "c"), loop_id)
    refused_and_nothing_recorded(
        flywheel,
        DebriefAlreadyOpen,
        lambda: flywheel.hiring.submit_feedback(
            CommandContext(BEA, "c"), loop_id, SubmitFeedback(vote=Vote.YES, notes="late")
        ),
    )
    flywheel.hiring.record_final_vote(CommandContext(IVY, "c"), loop_id, FinalVote(vote=Vote.YES))
    refused_and_nothing_recorded(
        flywheel,
        NoHireDecided,
        lambda: flywheel.hiring.accept_offer(
            CommandContext(RAE, "c"),
            loop_id,
            OfferAccepted(attachment=Attachment.REPORTS, start_date=date(2027, 3, 1)),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.hiring.decide(
            CommandContext(BEA, "c"), loop_id, Decide(hire=True, reason="x")
        ),
    )
    flywheel.hiring.decide(
        CommandContext(RITA, "c"), loop_id, Decide(hire=True, reason="Raises the bar")
    )
    before = event_count(flywheel)
    flywheel.hiring.accept_offer(
        CommandContext(RAE, "c"),
        loop_id,
        OfferAccepted(attachment=Attachment.REPORTS, start_date=date(2027, 3, 1)),
    )
    assert event_count(flywheel) == before + 4, "loop, requisition, ledger and team in one write"
    team = flywheel.app.repository.get(company.retail)
    assert isinstance(team, Team) and team.attachment_of("cand@example.org") is Attachment.REPORTS  # type: ignore[arg-type]
    assert team_functions(flywheel.app, company.retail)["cand@example.org"] is ENG  # type: ignore[index]
    filled = flywheel.app.repository.get(opened)
    assert isinstance(filled, Requisition) and filled.status is RequisitionStatus.FILLED
    looped = flywheel.app.repository.get(loop_id)
    assert isinstance(looped, InterviewLoop)
    assert looped.votes["ivy@x.io"] == "NO" and looped.final_votes["ivy@x.io"] == "YES"
    # The slot is taken by the new member: no second engineer.
    refused_and_nothing_recorded(
        flywheel, RequisitionBeyondFunding, lambda: requisition(flywheel, company.retail)
    )


def test_a_hire_over_a_veto_is_refused(flywheel: Commands, company: Hiring) -> None:
    loop_id = loop(flywheel, requisition(flywheel, company.retail))
    flywheel.hiring.submit_feedback(
        CommandContext(IAN, "c"), loop_id, SubmitFeedback(vote=Vote.YES, notes="ok")
    )
    flywheel.hiring.record_absence(
        CommandContext(BEA, "c"), loop_id, RecordAbsence(person="ivy@x.io", reason="Ill")
    )
    flywheel.hiring.open_debrief(CommandContext(BEA, "c"), loop_id)
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.hiring.veto(CommandContext(RITA, "c"), loop_id, Veto(reason="No")),
    )
    flywheel.hiring.veto(
        CommandContext(BEA, "c"), loop_id, Veto(reason="Below the bar on Dive Deep")
    )
    refused_and_nothing_recorded(
        flywheel,
        BarRaiserVeto,
        lambda: flywheel.hiring.decide(
            CommandContext(RITA, "c"), loop_id, Decide(hire=True, reason="Need the seat")
        ),
    )
    assert flywheel.hiring.decide(
        CommandContext(RITA, "c"), loop_id, Decide(hire=False, reason="Vetoed")
    ).version


def test_the_feedback_notes_are_sealed_under_the_candidates_key(
    flywheel: Commands, company: Hiring
) -> None:
    loop_id = loop(flywheel, requisition(flywheel, company.retail))
    flywheel.hiring.submit_feedback(
        CommandContext(IAN, "c"), loop_id, SubmitFeedback(vote=Vote.YES, notes="Secret words")
    )
    stored = flywheel.app.recorder.select_notifications(None, 10_000)
    assert not any(b"Secret words" in n.state for n in stored)
    assert any(b"Casey Candidate" not in n.state for n in stored)
    assert not any(b"Casey Candidate" in n.state for n in stored)


def test_functional_leaders_standards_and_exemptions(flywheel: Commands, company: Hiring) -> None:
    refused_and_nothing_recorded(
        flywheel,
        AlreadyFunctionalLeader,
        lambda: flywheel.excellence.appoint_functional_leader(
            CommandContext(CEO, "c"),
            ENG,
            AppointFunctionalLeader(person="cto@x.io", reason="Again"),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.excellence.appoint_functional_leader(
            CommandContext(CTO, "c"), ENG, AppointFunctionalLeader(person="bea@x.io", reason="Mine")
        ),
    )

    def publish(caller: Principal) -> Outcome:
        return flywheel.excellence.publish_standard(
            CommandContext(caller, "c"),
            PublishStandard(
                function=ENG,
                area=StandardArea.CODE_REVIEW,
                title="Two reviewers",
                body="Every change has two reviewers.",
            ),
        )

    refused_and_nothing_recorded(flywheel, Forbidden, lambda: publish(CEO))
    standard = publish(CTO).id
    assert (
        flywheel.excellence.revise_standard(
            CommandContext(CTO, "c"),
            standard,
            ReviseStandard(body="One reviewer for docs.", reason="Docs are cheap"),
        ).version
        == 2
    )
    exemption = flywheel.excellence.grant_exemption(
        CommandContext(CEO, "c"),
        standard,
        GrantExemption(team_id=company.books, reason="Pilot", expires=date(2099, 1, 1)),
    )
    assert exemption.kind == "StandardExemption"
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: flywheel.excellence.grant_exemption(
            CommandContext(CTO, "c"),
            standard,
            GrantExemption(team_id=company.books, reason="Past", expires=date(2000, 1, 1)),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.excellence.grant_exemption(
            CommandContext(BEA, "c"),
            standard,
            GrantExemption(team_id=company.books, reason="Me", expires=date(2099, 1, 1)),
        ),
    )
    flywheel.excellence.retire_standard(
        CommandContext(CTO, "c"), standard, RetireStandard(reason="Superseded")
    )
    refused_and_nothing_recorded(
        flywheel,
        StandardRetired,
        lambda: flywheel.excellence.revise_standard(
            CommandContext(CTO, "c"), standard, ReviseStandard(body="x", reason="y")
        ),
    )


def test_second_jobs_shares_and_who_assigns_them(flywheel: Commands, company: Hiring) -> None:
    for share in (0, "0.51", "-1", "abc", True):
        refused_and_nothing_recorded(
            flywheel,
            InvalidValue,
            lambda s=share: flywheel.excellence.assign_second_job(  # type: ignore[misc]
                CommandContext(CEO, "c"),
                AssignSecondJob(person="bea@x.io", kind=SecondJobKind.CODE_REVIEW, share=s),
            ),
        )
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: flywheel.excellence.assign_second_job(
            CommandContext(CEO, "c"),
            AssignSecondJob(person="bea@x.io", kind=SecondJobKind.OTHER, share=Decimal("0.1")),
        ),
    )
    # The CTO leads engineering, not quality (Rex's function).
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.excellence.assign_second_job(
            CommandContext(CTO, "c"),
            AssignSecondJob(
                person="rex@x.io", kind=SecondJobKind.CODE_REVIEW, share=Decimal("0.2")
            ),
        ),
    )
    job = flywheel.excellence.assign_second_job(
        CommandContext(CTO, "c"),
        AssignSecondJob(
            person="bea@x.io",
            kind=SecondJobKind.OTHER,
            description="Oncall lead",
            share=0.5,  # type: ignore[arg-type]
        ),
    ).id
    stored = flywheel.app.repository.get(job)
    assert isinstance(stored, SecondJob) and stored.share == "0.5"
    flywheel.excellence.end_second_job(CommandContext(CEO, "c"), job, EndSecondJob(reason="Done"))
    refused_and_nothing_recorded(
        flywheel,
        SecondJobEnded,
        lambda: flywheel.excellence.end_second_job(
            CommandContext(CEO, "c"), job, EndSecondJob(reason="Again")
        ),
    )


def test_leadership_maintains_the_principles(flywheel: Commands, company: Hiring) -> None:
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.excellence.set_principles(
            CommandContext(CTO, "c"),
            SetPrinciples(principles=[Principle(name="A", description="a")]),
        ),
    )
    flywheel.excellence.set_principles(
        CommandContext(CEO, "c"),
        SetPrinciples(principles=[Principle(name="Frugality", description="Less is more")]),
    )
    opened = requisition(flywheel, company.retail)
    refused_and_nothing_recorded(flywheel, UnknownPrinciple, lambda: loop(flywheel, opened))
