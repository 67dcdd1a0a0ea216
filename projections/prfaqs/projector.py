"""PR/FAQs as views: the documents (their current text kept for those who may read
it), every revision's hash and reason, the review rounds and their feedback, and
each PR/FAQ's stay in each ring (the funnel). And the decisions whose outcomes are
expected, approved PR/FAQs and allocation cycles alike: who decided, how much
dissent it met, and what it expects."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.allocation.cycle import AllocationCycle, CyclePhase
from domain.decisions import DecisionKind
from domain.prfaqs import PrFaq, PrFaqState, Recommendation, Ring
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.storable import storable_json
from projections.tables import TemporalTable, columns

PRFAQS = TemporalTable(
    name="prfaqs",
    key=columns(("id", "uuid")),
    columns=columns(
        ("title", "text"),
        ("state", "text"),
        ("ring", "text"),
        ("team_id", "uuid"),
        ("author", "text"),
        ("content", "jsonb"),
        ("content_hash", "text"),
        ("revision", "integer"),
        ("reviewers", "text[]"),
        ("drafted_at", "timestamptz"),
        ("revised_at", "timestamptz"),
        ("version", "integer"),
    ),
    indexes=(("team_id",), ("author",), ("state",)),
)

PRFAQ_REVISIONS = TemporalTable(
    name="prfaq_revisions",
    key=columns(("prfaq_id", "uuid"), ("revision", "integer")),
    columns=columns(
        ("content_hash", "text"), ("reason", "text"), ("at", "timestamptz"), ("actor", "text")
    ),
)

PRFAQ_ROUNDS = TemporalTable(
    name="prfaq_rounds",
    key=columns(("prfaq_id", "uuid"), ("number", "integer")),
    columns=columns(
        ("ring", "text"),
        ("revision", "integer"),
        ("content_hash", "text"),
        ("reviewers", "text[]"),
        ("opened_at", "timestamptz"),
        ("opened_by", "text"),
        ("outcome", "text"),
        ("note", "text"),
        ("closed_at", "timestamptz"),
        ("closed_by", "text"),
    ),
)

PRFAQ_FEEDBACK = TemporalTable(
    name="prfaq_feedback",
    key=columns(("prfaq_id", "uuid"), ("number", "integer"), ("reviewer", "text")),
    columns=columns(("recommendation", "text"), ("comments", "text"), ("at", "timestamptz")),
)

# A PR/FAQ's stay in a ring: entered when review starts (TEAM) or when a round
# advances it, left with ADVANCED, STOPPED, APPROVED or WITHDRAWN.
PRFAQ_RING_STAYS = TemporalTable(
    name="prfaq_ring_stays",
    key=columns(("prfaq_id", "uuid"), ("ring", "text")),
    columns=columns(("entered_at", "timestamptz"), ("left_at", "timestamptz"), ("exit", "text")),
    indexes=(("ring", "entered_at"),),
)

PRFAQ_DISSENTS = TemporalTable(
    name="prfaq_dissents",
    key=columns(("id", "uuid")),
    columns=columns(
        ("prfaq_id", "uuid"),
        ("person", "text"),
        ("argument", "text"),
        ("recorded_at", "timestamptz"),
        ("weighed", "boolean"),
        ("response", "text"),
        ("weighed_at", "timestamptz"),
        ("weighed_by", "text"),
    ),
    indexes=(("prfaq_id",),),
)

PRFAQ_COMMITMENTS = TemporalTable(
    name="prfaq_commitments",
    key=columns(("prfaq_id", "uuid"), ("person", "text")),
    columns=columns(
        ("at", "timestamptz"),
    ),
)

# A decision: an allocation cycle from its opening, a PR/FAQ from its draft; decided
# (decider, decided_at) when the cycle is DECIDED or the PR/FAQ APPROVED.
DECISIONS = TemporalTable(
    name="decisions",
    key=columns(("id", "uuid")),
    columns=columns(
        ("kind", "text"),
        ("title", "text"),
        ("decider", "text"),
        ("decided_at", "timestamptz"),
        ("dissents", "integer"),
    ),
    indexes=(("decider",),),
)

EXPECTED_OUTCOMES = TemporalTable(
    name="expected_outcomes",
    key=columns(("decision_id", "uuid"), ("number", "integer")),
    columns=columns(
        ("metric_id", "uuid"),
        ("target", "numeric"),
        ("by", "date"),
        ("note", "text"),
        ("stated_at", "timestamptz"),
        ("stated_by", "text"),
    ),
    indexes=(("by",),),
)

prfaqs = Projector(
    "prfaqs",
    tables=[
        PRFAQS,
        PRFAQ_REVISIONS,
        PRFAQ_ROUNDS,
        PRFAQ_FEEDBACK,
        PRFAQ_RING_STAYS,
        PRFAQ_DISSENTS,
        PRFAQ_COMMITMENTS,
        DECISIONS,
        EXPECTED_OUTCOMES,
    ],
)

_encoder = msgspec.json.Encoder()


def as_json(value: Any) -> str:
    return storable_json(value, _encoder.encode)


def _revision(views: ViewBatch, event: PrFaq.Drafted | PrFaq.Revised, revision: int) -> None:
    views.put(
        PRFAQ_REVISIONS,
        {
            "prfaq_id": event.originator_id,
            "revision": revision,
            "content_hash": event.content_hash,
            "reason": getattr(event, "reason", None),
            "at": views.now,
            "actor": event.actor,
        },
    )


@prfaqs.on(PrFaq.Drafted)
async def drafted(event: PrFaq.Drafted, views: ViewBatch) -> None:
    views.put(
        PRFAQS,
        {
            "id": event.originator_id,
            "title": event.content["title"],
            "state": PrFaqState.DRAFT.value,
            "ring": Ring.TEAM.value,
            "team_id": event.team_id,
            "author": event.author,
            "content": as_json(event.content),
            "content_hash": event.content_hash,
            "revision": 1,
            "reviewers": [],
            "drafted_at": views.now,
            "revised_at": views.now,
            "version": event.originator_version,
        },
    )
    _revision(views, event, 1)
    _decision(views, event.originator_id, DecisionKind.PRFAQ, event.content["title"])


def _decision(views: ViewBatch, decision_id: Any, kind: DecisionKind, title: str) -> None:
    views.put(
        DECISIONS,
        {
            "id": decision_id,
            "kind": kind.value,
            "title": title,
            "decider": None,
            "decided_at": None,
            "dissents": 0,
        },
    )


async def _dissented(views: ViewBatch, decision_id: Any) -> None:
    row = await views.require(DECISIONS, (decision_id,))
    await views.update(DECISIONS, (decision_id,), dissents=row["dissents"] + 1)


def _outcome(
    views: ViewBatch, event: PrFaq.OutcomeExpected | AllocationCycle.OutcomeExpected
) -> None:
    views.put(
        EXPECTED_OUTCOMES,
        {
            "decision_id": event.originator_id,
            "number": event.originator_version,
            "metric_id": event.metric_id,
            "target": event.target,
            "by": event.by,
            "note": event.note,
            "stated_at": views.now,
            "stated_by": event.actor,
        },
    )


@prfaqs.on(PrFaq.Revised)
async def revised(event: PrFaq.Revised, views: ViewBatch) -> None:
    await views.update(
        PRFAQS,
        (event.originator_id,),
        title=event.content["title"],
        team_id=event.team_id,
        content=as_json(event.content),
        content_hash=event.content_hash,
        revision=event.revision,
        revised_at=views.now,
        version=event.originator_version,
    )
    _revision(views, event, event.revision)


@prfaqs.on(PrFaq.RoundOpened)
async def round_opened(event: PrFaq.RoundOpened, views: ViewBatch) -> None:
    row = await views.require(PRFAQS, (event.originator_id,))
    reviewers = list(dict.fromkeys([*row["reviewers"], *event.reviewers]))
    await views.update(
        PRFAQS,
        (event.originator_id,),
        state=PrFaqState.IN_REVIEW.value,
        reviewers=reviewers,
        version=event.originator_version,
    )
    views.put(
        PRFAQ_ROUNDS,
        {
            "prfaq_id": event.originator_id,
            "number": event.number,
            "ring": event.ring.value,
            "revision": event.revision,
            "content_hash": event.content_hash,
            "reviewers": list(event.reviewers),
            "opened_at": views.now,
            "opened_by": event.actor,
            "outcome": None,
            "note": None,
            "closed_at": None,
            "closed_by": None,
        },
    )
    if await views.get(PRFAQ_RING_STAYS, (event.originator_id, event.ring.value)) is None:
        _enter(views, event, event.ring)


def _enter(views: ViewBatch, event: PrFaq.Event, ring: Ring) -> None:
    views.put(
        PRFAQ_RING_STAYS,
        {
            "prfaq_id": event.originator_id,
            "ring": ring.value,
            "entered_at": views.now,
            "left_at": None,
            "exit": None,
        },
    )


async def _leave(views: ViewBatch, event: PrFaq.Event, ring: str, exit: str) -> None:
    key = (event.originator_id, ring)
    if await views.get(PRFAQ_RING_STAYS, key) is not None:
        await views.update(PRFAQ_RING_STAYS, key, left_at=views.now, exit=exit)


@prfaqs.on(PrFaq.FeedbackGiven)
async def feedback_given(event: PrFaq.FeedbackGiven, views: ViewBatch) -> None:
    views.put(
        PRFAQ_FEEDBACK,
        {
            "prfaq_id": event.originator_id,
            "number": event.number,
            "reviewer": event.reviewer,
            "recommendation": event.recommendation.value,
            "comments": event.comments,
            "at": views.now,
        },
    )
    await views.update(PRFAQS, (event.originator_id,), version=event.originator_version)


@prfaqs.on(PrFaq.RoundClosed)
async def round_closed(event: PrFaq.RoundClosed, views: ViewBatch) -> None:
    await views.update(
        PRFAQ_ROUNDS,
        (event.originator_id, event.number),
        outcome=event.outcome.value,
        note=event.note or None,
        closed_at=views.now,
        closed_by=event.actor,
    )
    await views.update(
        PRFAQS,
        (event.originator_id,),
        state=event.state.value,
        ring=event.next_ring.value,
        version=event.originator_version,
    )
    if event.outcome is Recommendation.STOP:
        await _leave(views, event, event.ring.value, "STOPPED")
    elif event.state is PrFaqState.APPROVED:
        await _leave(views, event, event.ring.value, "APPROVED")
        title = (await views.require(PRFAQS, (event.originator_id,)))["title"]
        await views.update(
            DECISIONS,
            (event.originator_id,),
            title=title,
            decider=event.actor,
            decided_at=views.now,
        )
    elif event.outcome is Recommendation.ADVANCE:
        await _leave(views, event, event.ring.value, "ADVANCED")
        _enter(views, event, event.next_ring)


@prfaqs.on(PrFaq.Withdrawn)
async def withdrawn(event: PrFaq.Withdrawn, views: ViewBatch) -> None:
    row = await views.require(PRFAQS, (event.originator_id,))
    await views.update(
        PRFAQS,
        (event.originator_id,),
        state=PrFaqState.WITHDRAWN.value,
        version=event.originator_version,
    )
    await _leave(views, event, row["ring"], "WITHDRAWN")


@prfaqs.on(PrFaq.DissentRecorded)
async def dissent_recorded(event: PrFaq.DissentRecorded, views: ViewBatch) -> None:
    views.put(
        PRFAQ_DISSENTS,
        {
            "id": event.dissent_id,
            "prfaq_id": event.originator_id,
            "person": event.person,
            "argument": event.argument,
            "recorded_at": views.now,
            "weighed": False,
            "response": None,
            "weighed_at": None,
            "weighed_by": None,
        },
    )
    await views.update(PRFAQS, (event.originator_id,), version=event.originator_version)
    await _dissented(views, event.originator_id)


@prfaqs.on(PrFaq.DissentWeighed)
async def dissent_weighed(event: PrFaq.DissentWeighed, views: ViewBatch) -> None:
    await views.update(
        PRFAQ_DISSENTS,
        (event.dissent_id,),
        weighed=True,
        response=event.response,
        weighed_at=views.now,
        weighed_by=event.actor,
    )
    await views.update(PRFAQS, (event.originator_id,), version=event.originator_version)


@prfaqs.on(PrFaq.Committed)
async def committed(event: PrFaq.Committed, views: ViewBatch) -> None:
    views.put(
        PRFAQ_COMMITMENTS,
        {"prfaq_id": event.originator_id, "person": event.person, "at": views.now},
    )
    await views.update(PRFAQS, (event.originator_id,), version=event.originator_version)


@prfaqs.on(PrFaq.OutcomeExpected)
async def prfaq_outcome_expected(event: PrFaq.OutcomeExpected, views: ViewBatch) -> None:
    _outcome(views, event)
    await views.update(PRFAQS, (event.originator_id,), version=event.originator_version)


@prfaqs.on(AllocationCycle.Opened)
async def cycle_opened(event: AllocationCycle.Opened, views: ViewBatch) -> None:
    title = f"{event.kind.value} {event.fiscal_year}"
    _decision(views, event.originator_id, DecisionKind.ALLOCATION, title)


@prfaqs.on(AllocationCycle.DissentRecorded)
async def cycle_dissent(event: AllocationCycle.DissentRecorded, views: ViewBatch) -> None:
    await _dissented(views, event.originator_id)


@prfaqs.on(AllocationCycle.PhaseAdvanced)
async def cycle_decided(event: AllocationCycle.PhaseAdvanced, views: ViewBatch) -> None:
    if event.phase is CyclePhase.DECIDED:
        await views.update(
            DECISIONS, (event.originator_id,), decider=event.actor, decided_at=views.now
        )


@prfaqs.on(AllocationCycle.OutcomeExpected)
async def cycle_outcome_expected(event: AllocationCycle.OutcomeExpected, views: ViewBatch) -> None:
    _outcome(views, event)
