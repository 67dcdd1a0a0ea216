"""REST commands of hiring: ``/api/v1/requisitions`` and ``/api/v1/loops``."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from msgspec import Meta

from domain.allocation.cycle import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from domain.excellence import MAX_PRINCIPLE_NAME_LENGTH, MAX_PRINCIPLES
from domain.hiring import MAX_INTERVIEWERS, MAX_NOTES_LENGTH, MAX_REASON_LENGTH, Vote
from domain.org.team import Attachment
from domain.people.person import MAX_DISPLAY_NAME_LENGTH
from domain.people.values import MAX_PERSON_ID_LENGTH, Function
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import HANDLE, LINE
from services.dates import YEARS, checked_date
from services.hiring.commands import HiringCommands

Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]
Person = Annotated[str, Meta(min_length=1, max_length=MAX_PERSON_ID_LENGTH), HANDLE]
PrincipleNames = Annotated[
    list[Annotated[str, Meta(min_length=1, max_length=MAX_PRINCIPLE_NAME_LENGTH), LINE]],
    Meta(max_length=MAX_PRINCIPLES),
]


class OpenRequisition(CommandBody):
    team_id: UUID
    function: Function
    fiscal_year: Annotated[int, Meta(ge=MIN_FISCAL_YEAR, le=MAX_FISCAL_YEAR)]


class CancelRequisition(CommandBody):
    reason: Reason


class Candidate(CommandBody):
    handle: Person
    name: Annotated[str, Meta(min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH), LINE]


class Interviewer(CommandBody):
    person: Person
    principles: Annotated[PrincipleNames, Meta(min_length=1)]


class ScheduleLoop(CommandBody, kw_only=True):
    candidate: Candidate
    hiring_manager: Person | None = None
    recruiter: Person
    bar_raiser: Person
    interviewers: Annotated[list[Interviewer], Meta(max_length=MAX_INTERVIEWERS)]


class SubmitFeedback(CommandBody):
    vote: Vote
    notes: Annotated[str, Meta(min_length=1, max_length=MAX_NOTES_LENGTH)]
    principles: PrincipleNames = []


class RecordAbsence(CommandBody):
    person: Person
    reason: Reason


class OpenDebrief(CommandBody):
    pass


class FinalVote(CommandBody):
    vote: Vote


class Veto(CommandBody):
    reason: Reason


class Decide(CommandBody):
    hire: bool
    reason: Reason


class OfferAccepted(CommandBody):
    attachment: Attachment
    start_date: Annotated[date, Meta(description=f"The first day; years {YEARS}.")]

    def __post_init__(self) -> None:
        checked_date(self.start_date, "startDate")


RequisitionId = Annotated[UUID, Parameter(description="The requisition's id (a UUID).")]
LoopId = Annotated[UUID, Parameter(description="The interview loop's id (a UUID).")]


class RequisitionController(Controller):
    path = "/api/v1/requisitions"
    tags = ["Hiring"]

    open_requisition = command(
        "/",
        status_code=201,
        summary="Open a requisition",
        description="A team's leader (or leadership) opens a requisition for a function and "
        "a fiscal year. The team's open requisitions plus its members of that function never "
        "exceed what its latest decided allocation of the year (OP2 once decided, else OP1, "
        "amendments included) funds for the function (`requisition-beyond-funding`).",
        runs=HiringCommands.open_requisition,
        body=OpenRequisition,
    )

    cancel = command(
        "/{requisition_id:uuid}/cancel",
        summary="Cancel a requisition",
        description="The team's leader (or leadership) cancels an open requisition with a "
        "reason (`requisition-not-open` once filled or cancelled); its slot is free again.",
        runs=HiringCommands.cancel_requisition,
        ids=[RequisitionId],
        body=CancelRequisition,
    )

    schedule_loop = command(
        "/{requisition_id:uuid}/loops",
        status_code=201,
        summary="Schedule an interview loop",
        description="The team's leader, the loop's recruiter or leadership schedules a loop "
        "for a candidate (their handle and name: personal data, erasable through "
        "`/api/v1/people/{handle}/erasure`), the hiring manager (the team's leader by "
        "default), a recruiter, a bar raiser and two or more interviewers "
        "(`too-few-interviewers`), each covering leadership principles (`unknown-principle`). "
        "The bar raiser holds an active `BAR_RAISER` second job (`bar-raiser-not-assigned`), "
        "is not the hiring manager (`bar-raiser-is-hiring-manager`), does not report to them "
        "(`bar-raiser-reports-to-hiring-manager`), is not the recruiter "
        "(`bar-raiser-is-recruiter`) and is not in recruiting (`bar-raiser-in-recruiting`).",
        runs=HiringCommands.schedule_loop,
        ids=[RequisitionId],
        body=ScheduleLoop,
    )


class LoopController(Controller):
    path = "/api/v1/loops"
    tags = ["Hiring"]

    feedback = command(
        "/{loop_id:uuid}/feedback",
        summary="Submit interview feedback",
        description="An interviewer (or the bar raiser) submits written feedback and a vote "
        "(`STRONG_NO`, `NO`, `YES`, `STRONG_YES`) once (`feedback-once`), before the debrief "
        "(`debrief-already-open`), naming the principles assessed. The notes are personal "
        "data about the candidate, sealed under their key; a participant reads others' "
        "feedback only after submitting their own.",
        runs=HiringCommands.submit_feedback,
        ids=[LoopId],
        body=SubmitFeedback,
    )

    absence = command(
        "/{loop_id:uuid}/absences",
        summary="Record an interviewer's absence",
        description="The bar raiser, the recruiter or the hiring manager records that an "
        "interviewer who has not submitted feedback will not (`absence-after-feedback`).",
        runs=HiringCommands.record_absence,
        ids=[LoopId],
        body=RecordAbsence,
    )

    @command(
        "/{loop_id:uuid}/debrief",
        summary="Open the debrief",
        description="Only the bar raiser opens the debrief, once every interviewer has "
        "submitted feedback or is recorded absent (`feedback-missing`). From then on every "
        "participant reads all feedback.",
    )
    def debrief(
        self,
        loop_id: LoopId,
        data: JSONBody[OpenDebrief],
        context: NamedDependency[CommandContext],
        hiring: NamedDependency[HiringCommands],
    ) -> CommandAccepted:
        return accepted(hiring.open_debrief(context, loop_id))

    final_vote = command(
        "/{loop_id:uuid}/final-votes",
        summary="Record a final vote",
        description="In the debrief (`debrief-not-open`), an interviewer or the bar raiser "
        "records a final vote once (`final-vote-once`); the initial vote is kept beside it.",
        runs=HiringCommands.record_final_vote,
        ids=[LoopId],
        body=FinalVote,
    )

    veto = command(
        "/{loop_id:uuid}/veto",
        summary="Veto the candidate",
        description="The bar raiser vetoes in the debrief, with a reason (`already-vetoed`); "
        "a hire over a veto is then refused.",
        runs=HiringCommands.veto,
        ids=[LoopId],
        body=Veto,
    )

    decision = command(
        "/{loop_id:uuid}/decision",
        summary="Decide hire or no hire",
        description="The hiring manager decides in the debrief, with a reason "
        "(`loop-decided` once decided); a hire over the bar raiser's veto is refused "
        "(`bar-raiser-veto`).",
        runs=HiringCommands.decide,
        ids=[LoopId],
        body=Decide,
    )

    offer_accepted = command(
        "/{loop_id:uuid}/offer-accepted",
        summary="Record an accepted offer",
        description="The hiring manager, the recruiter or leadership records that the "
        "candidate accepted (after a HIRE decision: `no-hire-decided`): in one atomic write "
        "the candidate becomes a member of the team (the requisition's function, the "
        "`attachment` given) and the requisition is filled.",
        runs=HiringCommands.accept_offer,
        ids=[LoopId],
        body=OfferAccepted,
    )
