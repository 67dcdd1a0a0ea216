"""Hiring as views: requisitions, interview loops (their stage, veto, decision and
offer), and each participant's feedback with the initial and final vote.

The written feedback and the reasons of the veto and the decision are personal data
about the candidate: the views keep them as stored, sealed under the candidate's key
(``display_name_sealed`` in the people view is the model), and a read opens them for
whom the sealing rule allows; an erasure leaves them unreadable."""

from __future__ import annotations

import msgspec

from domain.hiring import InterviewLoop, LoopStage, Requisition, RequisitionStatus
from domain.personal_data import PersonalText, Sealed
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.storable import storable_json
from projections.tables import TemporalTable, columns

REQUISITIONS = TemporalTable(
    name="requisitions",
    key=columns(("id", "uuid")),
    columns=columns(
        ("team_id", "uuid"),
        ("function", "text"),
        ("fiscal_year", "integer"),
        ("status", "text"),
        ("opened_at", "timestamptz"),
        ("opened_by", "text"),
        ("closed_at", "timestamptz"),
        ("cancel_reason", "text"),
        ("filled_by_loop", "uuid"),
        ("hired", "text"),
        ("version", "integer"),
    ),
    indexes=(("team_id", "fiscal_year"), ("status",)),
)

INTERVIEW_LOOPS = TemporalTable(
    name="interview_loops",
    key=columns(("id", "uuid")),
    columns=columns(
        ("requisition_id", "uuid"),
        ("team_id", "uuid"),
        ("function", "text"),
        ("candidate", "text"),
        ("hiring_manager", "text"),
        ("recruiter", "text"),
        ("bar_raiser", "text"),
        ("interviewers", "jsonb"),
        ("stage", "text"),
        ("scheduled_at", "timestamptz"),
        ("last_feedback_at", "timestamptz"),
        ("debrief_at", "timestamptz"),
        ("vetoed", "boolean"),
        ("veto_reason_sealed", "bytea"),
        ("vetoed_at", "timestamptz"),
        ("hire", "boolean"),
        ("decision_reason_sealed", "bytea"),
        ("decided_at", "timestamptz"),
        ("accepted_at", "timestamptz"),
        ("attachment", "text"),
        ("start_date", "date"),
        ("version", "integer"),
    ),
    indexes=(("requisition_id",), ("bar_raiser",), ("candidate",)),
)

LOOP_FEEDBACK = TemporalTable(
    name="loop_feedback",
    key=columns(("loop_id", "uuid"), ("person", "text")),
    columns=columns(
        ("vote", "text"),
        ("notes_sealed", "bytea"),
        ("principles", "text[]"),
        ("submitted_at", "timestamptz"),
        ("submitted_position", "bigint"),
        ("absent", "boolean"),
        ("absence_reason", "text"),
        ("final_vote", "text"),
        ("final_at", "timestamptz"),
    ),
)

hiring = Projector("hiring", tables=[REQUISITIONS, INTERVIEW_LOOPS, LOOP_FEEDBACK])

_encoder = msgspec.json.Encoder()


def sealed_bytes(value: PersonalText) -> bytes | None:
    """The ciphertext as stored; plain text never reaches the views."""
    return value.ciphertext if isinstance(value, Sealed) else None


@hiring.on(Requisition.Opened)
async def requisition_opened(event: Requisition.Opened, views: ViewBatch) -> None:
    views.put(
        REQUISITIONS,
        {
            "id": event.originator_id,
            "team_id": event.team_id,
            "function": event.function.value,
            "fiscal_year": event.fiscal_year,
            "status": RequisitionStatus.OPEN.value,
            "opened_at": views.now,
            "opened_by": event.actor,
            "closed_at": None,
            "cancel_reason": None,
            "filled_by_loop": None,
            "hired": None,
            "version": event.originator_version,
        },
    )


@hiring.on(Requisition.Cancelled)
async def requisition_cancelled(event: Requisition.Cancelled, views: ViewBatch) -> None:
    await views.update(
        REQUISITIONS,
        (event.originator_id,),
        status=RequisitionStatus.CANCELLED.value,
        closed_at=views.now,
        cancel_reason=event.reason,
        version=event.originator_version,
    )


@hiring.on(Requisition.Filled)
async def requisition_filled(event: Requisition.Filled, views: ViewBatch) -> None:
    await views.update(
        REQUISITIONS,
        (event.originator_id,),
        status=RequisitionStatus.FILLED.value,
        closed_at=views.now,
        filled_by_loop=event.loop_id,
        hired=event.person,
        version=event.originator_version,
    )


@hiring.on(InterviewLoop.Scheduled)
async def loop_scheduled(event: InterviewLoop.Scheduled, views: ViewBatch) -> None:
    views.put(
        INTERVIEW_LOOPS,
        {
            "id": event.originator_id,
            "requisition_id": event.requisition_id,
            "team_id": event.team_id,
            "function": event.function.value,
            "candidate": event.candidate,
            "hiring_manager": event.hiring_manager,
            "recruiter": event.recruiter,
            "bar_raiser": event.bar_raiser,
            "interviewers": storable_json(event.interviewers, _encoder.encode),
            "stage": LoopStage.INTERVIEWING.value,
            "scheduled_at": views.now,
            "last_feedback_at": None,
            "debrief_at": None,
            "vetoed": False,
            "veto_reason_sealed": None,
            "vetoed_at": None,
            "hire": None,
            "decision_reason_sealed": None,
            "decided_at": None,
            "accepted_at": None,
            "attachment": None,
            "start_date": None,
            "version": event.originator_version,
        },
    )


def _feedback_row(loop_id: object, person: str) -> dict[str, object]:
    return {
        "loop_id": loop_id,
        "person": person,
        "vote": None,
        "notes_sealed": None,
        "principles": [],
        "submitted_at": None,
        "submitted_position": None,
        "absent": False,
        "absence_reason": None,
        "final_vote": None,
        "final_at": None,
    }


@hiring.on(InterviewLoop.FeedbackSubmitted)
async def feedback_submitted(event: InterviewLoop.FeedbackSubmitted, views: ViewBatch) -> None:
    await views.update(
        INTERVIEW_LOOPS,
        (event.originator_id,),
        last_feedback_at=views.now,
        version=event.originator_version,
    )
    views.put(
        LOOP_FEEDBACK,
        {
            **_feedback_row(event.originator_id, event.person),
            "vote": event.vote.value,
            "notes_sealed": sealed_bytes(event.notes),
            "principles": list(event.principles),
            "submitted_at": views.now,
            "submitted_position": views.position,
        },
    )


@hiring.on(InterviewLoop.AbsenceRecorded)
async def absence_recorded(event: InterviewLoop.AbsenceRecorded, views: ViewBatch) -> None:
    await views.update(INTERVIEW_LOOPS, (event.originator_id,), version=event.originator_version)
    views.put(
        LOOP_FEEDBACK,
        {
            **_feedback_row(event.originator_id, event.person),
            "absent": True,
            "absence_reason": event.reason,
        },
    )


@hiring.on(InterviewLoop.DebriefOpened)
async def debrief_opened(event: InterviewLoop.DebriefOpened, views: ViewBatch) -> None:
    await views.update(
        INTERVIEW_LOOPS,
        (event.originator_id,),
        stage=LoopStage.DEBRIEF.value,
        debrief_at=views.now,
        version=event.originator_version,
    )


@hiring.on(InterviewLoop.FinalVoteRecorded)
async def final_vote_recorded(event: InterviewLoop.FinalVoteRecorded, views: ViewBatch) -> None:
    await views.update(INTERVIEW_LOOPS, (event.originator_id,), version=event.originator_version)
    key = (event.originator_id, event.person)
    if await views.get(LOOP_FEEDBACK, key) is None:
        views.put(LOOP_FEEDBACK, _feedback_row(event.originator_id, event.person))
    await views.update(LOOP_FEEDBACK, key, final_vote=event.vote.value, final_at=views.now)


@hiring.on(InterviewLoop.Vetoed)
async def vetoed(event: InterviewLoop.Vetoed, views: ViewBatch) -> None:
    await views.update(
        INTERVIEW_LOOPS,
        (event.originator_id,),
        vetoed=True,
        veto_reason_sealed=sealed_bytes(event.reason),
        vetoed_at=views.now,
        version=event.originator_version,
    )


@hiring.on(InterviewLoop.Decided)
async def decided(event: InterviewLoop.Decided, views: ViewBatch) -> None:
    await views.update(
        INTERVIEW_LOOPS,
        (event.originator_id,),
        stage=(LoopStage.HIRE if event.hire else LoopStage.NO_HIRE).value,
        hire=event.hire,
        decision_reason_sealed=sealed_bytes(event.reason),
        decided_at=views.now,
        version=event.originator_version,
    )


@hiring.on(InterviewLoop.OfferAccepted)
async def offer_accepted(event: InterviewLoop.OfferAccepted, views: ViewBatch) -> None:
    await views.update(
        INTERVIEW_LOOPS,
        (event.originator_id,),
        stage=LoopStage.HIRED.value,
        accepted_at=views.now,
        attachment=event.attachment.value,
        start_date=event.start_date,
        version=event.originator_version,
    )
