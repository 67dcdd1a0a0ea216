"""The yearly allocation as views: cycles and their phases, envelopes, requests (the
current one per team and every version), decisions, funding, dissent, commitments,
amendments and scenarios.

``allocation_decisions`` holds what leadership decided (carried from OP1, recorded,
or adopted from a scenario); ``allocation_funding`` what each team is funded with
now: its decision, replaced by its latest amendment once the cycle is locked.
Headcounts are JSON objects of function -> whole number, budgets whole numbers.
"""

from __future__ import annotations

from enum import Enum
from typing import Any
from uuid import UUID

import msgspec

from domain.allocation.cycle import AllocationCycle, CyclePhase
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.storable import storable_json
from projections.tables import TemporalTable, columns

CARRIED_REASON = "Carried from OP1"


class DecisionSource(Enum):
    """Where a decision came from: ``CARRIED`` from OP1 into OP2, ``DECIDED`` by
    leadership, or adopted from a ``SCENARIO``."""

    CARRIED = "CARRIED"
    DECIDED = "DECIDED"
    SCENARIO = "SCENARIO"


ALLOCATION_CYCLES = TemporalTable(
    name="allocation_cycles",
    key=columns(("id", "uuid")),
    columns=columns(
        ("fiscal_year", "integer"),
        ("kind", "text"),
        ("phase", "text"),
        ("carried_from", "uuid"),
        ("carried_into", "uuid"),
        ("envelope_headcount", "jsonb"),
        ("envelope_budget", "bigint"),
        ("amendments", "integer"),
        ("opened_at", "timestamptz"),
        ("version", "integer"),
    ),
    indexes=(("fiscal_year", "kind"),),
)

ALLOCATION_PHASES = TemporalTable(
    name="allocation_phases",
    key=columns(("cycle_id", "uuid"), ("position", "bigint")),
    columns=columns(("phase", "text"), ("at", "timestamptz"), ("actor", "text")),
)

ALLOCATION_ENVELOPES = TemporalTable(
    name="allocation_envelopes",
    key=columns(("cycle_id", "uuid"), ("position", "bigint")),
    columns=columns(
        ("headcount", "jsonb"),
        ("budget", "bigint"),
        ("reason", "text"),
        ("at", "timestamptz"),
        ("actor", "text"),
    ),
)

_REQUEST_COLUMNS = (
    ("headcount", "jsonb"),
    ("budget", "bigint"),
    ("rationale", "text"),
    ("goal_ids", "uuid[]"),
    ("item_ids", "uuid[]"),
    ("submitted_at", "timestamptz"),
    ("actor", "text"),
)

ALLOCATION_REQUESTS = TemporalTable(
    name="allocation_requests",
    key=columns(("cycle_id", "uuid"), ("team_id", "uuid")),
    columns=columns(("version", "integer"), *_REQUEST_COLUMNS),
    indexes=(("team_id",),),
)

ALLOCATION_REQUEST_VERSIONS = TemporalTable(
    name="allocation_request_versions",
    key=columns(("cycle_id", "uuid"), ("team_id", "uuid"), ("version", "integer")),
    columns=columns(*_REQUEST_COLUMNS),
)

ALLOCATION_DECISIONS = TemporalTable(
    name="allocation_decisions",
    key=columns(("cycle_id", "uuid"), ("team_id", "uuid")),
    columns=columns(
        ("headcount", "jsonb"),
        ("budget", "bigint"),
        ("rationale", "text"),
        ("source", "text"),
        ("scenario", "text"),
        ("decided_at", "timestamptz"),
        ("actor", "text"),
    ),
    indexes=(("team_id",),),
)

ALLOCATION_FUNDING = TemporalTable(
    name="allocation_funding",
    key=columns(("cycle_id", "uuid"), ("team_id", "uuid")),
    columns=columns(("headcount", "jsonb"), ("budget", "bigint"), ("amended", "boolean")),
    indexes=(("team_id",),),
)

ALLOCATION_AMENDMENTS = TemporalTable(
    name="allocation_amendments",
    key=columns(("cycle_id", "uuid"), ("number", "integer")),
    columns=columns(
        ("team_id", "uuid"),
        ("headcount", "jsonb"),
        ("budget", "bigint"),
        ("reason", "text"),
        ("approver", "text"),
        ("at", "timestamptz"),
        ("actor", "text"),
    ),
    indexes=(("team_id",),),
)

ALLOCATION_DISSENTS = TemporalTable(
    name="allocation_dissents",
    key=columns(("id", "uuid")),
    columns=columns(
        ("cycle_id", "uuid"),
        ("person", "text"),
        ("team_id", "uuid"),
        ("argument", "text"),
        ("recorded_at", "timestamptz"),
        ("position", "bigint"),
        ("response", "text"),
        ("weighed_at", "timestamptz"),
        ("weighed_by", "text"),
    ),
    indexes=(("cycle_id",),),
)

ALLOCATION_COMMITMENTS = TemporalTable(
    name="allocation_commitments",
    key=columns(("cycle_id", "uuid"), ("person", "text")),
    columns=columns(("committed_at", "timestamptz"), ("position", "bigint")),
)

ALLOCATION_SCENARIOS = TemporalTable(
    name="allocation_scenarios",
    key=columns(("cycle_id", "uuid"), ("name", "text")),
    columns=columns(
        ("allocations", "jsonb"),
        ("saved_at", "timestamptz"),
        ("saved_by", "text"),
        ("adopted_at", "timestamptz"),
    ),
)

allocation = Projector(
    "allocation",
    tables=[
        ALLOCATION_CYCLES,
        ALLOCATION_PHASES,
        ALLOCATION_ENVELOPES,
        ALLOCATION_REQUESTS,
        ALLOCATION_REQUEST_VERSIONS,
        ALLOCATION_DECISIONS,
        ALLOCATION_FUNDING,
        ALLOCATION_AMENDMENTS,
        ALLOCATION_DISSENTS,
        ALLOCATION_COMMITMENTS,
        ALLOCATION_SCENARIOS,
    ],
)

_encoder = msgspec.json.Encoder()


def as_json(value: Any) -> str:
    return storable_json(value, _encoder.encode)


async def _touch(views: ViewBatch, event: AllocationCycle.Event, **changes: Any) -> None:
    await views.update(
        ALLOCATION_CYCLES, (event.originator_id,), version=event.originator_version, **changes
    )


def _phase(views: ViewBatch, cycle_id: UUID, phase: CyclePhase, actor: str) -> None:
    views.put(
        ALLOCATION_PHASES,
        {
            "cycle_id": cycle_id,
            "position": views.position,
            "phase": phase.value,
            "at": views.now,
            "actor": actor,
        },
    )


def _envelope(
    views: ViewBatch,
    cycle_id: UUID,
    headcount: dict[str, int],
    budget: int,
    reason: str,
    actor: str,
) -> None:
    views.put(
        ALLOCATION_ENVELOPES,
        {
            "cycle_id": cycle_id,
            "position": views.position,
            "headcount": as_json(headcount),
            "budget": budget,
            "reason": reason,
            "at": views.now,
            "actor": actor,
        },
    )


def _decision(
    views: ViewBatch,
    cycle_id: UUID,
    team_id: UUID,
    resources: dict[str, Any],
    *,
    rationale: str | None,
    source: DecisionSource,
    actor: str,
    scenario: str | None = None,
) -> None:
    headcount, budget = as_json(resources["headcount"]), resources["budget"]
    views.put(
        ALLOCATION_DECISIONS,
        {
            "cycle_id": cycle_id,
            "team_id": team_id,
            "headcount": headcount,
            "budget": budget,
            "rationale": rationale,
            "source": source.value,
            "scenario": scenario,
            "decided_at": views.now,
            "actor": actor,
        },
    )
    _fund(views, cycle_id, team_id, resources, amended=False)


def _fund(
    views: ViewBatch, cycle_id: UUID, team_id: UUID, resources: dict[str, Any], *, amended: bool
) -> None:
    views.put(
        ALLOCATION_FUNDING,
        {
            "cycle_id": cycle_id,
            "team_id": team_id,
            "headcount": as_json(resources["headcount"]),
            "budget": resources["budget"],
            "amended": amended,
        },
    )


@allocation.on(AllocationCycle.Opened)
async def cycle_opened(event: AllocationCycle.Opened, views: ViewBatch) -> None:
    cycle_id = event.originator_id
    envelope = event.carried_envelope
    views.put(
        ALLOCATION_CYCLES,
        {
            "id": cycle_id,
            "fiscal_year": event.fiscal_year,
            "kind": event.kind.value,
            "phase": CyclePhase.OPEN.value,
            "carried_from": event.carried_from,
            "carried_into": None,
            "envelope_headcount": None if envelope is None else as_json(envelope["headcount"]),
            "envelope_budget": None if envelope is None else envelope["budget"],
            "amendments": 0,
            "opened_at": views.now,
            "version": event.originator_version,
        },
    )
    _phase(views, cycle_id, CyclePhase.OPEN, event.actor)
    if envelope is not None:
        _envelope(
            views, cycle_id, envelope["headcount"], envelope["budget"], CARRIED_REASON, event.actor
        )
    for team, funded in event.carried_funding.items():
        _decision(
            views,
            cycle_id,
            UUID(team),
            funded,
            rationale=CARRIED_REASON,
            source=DecisionSource.CARRIED,
            actor=event.actor,
        )


@allocation.on(AllocationCycle.CarriedForward)
async def carried_forward(event: AllocationCycle.CarriedForward, views: ViewBatch) -> None:
    await _touch(views, event, carried_into=event.op2_id)


@allocation.on(AllocationCycle.EnvelopeSet)
async def envelope_set(event: AllocationCycle.EnvelopeSet, views: ViewBatch) -> None:
    _envelope(views, event.originator_id, event.headcount, event.budget, event.reason, event.actor)
    await _touch(
        views,
        event,
        envelope_headcount=as_json(event.headcount),
        envelope_budget=event.budget,
    )


@allocation.on(AllocationCycle.RequestSubmitted)
async def request_submitted(event: AllocationCycle.RequestSubmitted, views: ViewBatch) -> None:
    values = {
        "cycle_id": event.originator_id,
        "team_id": event.team_id,
        "version": event.version,
        "headcount": as_json(event.headcount),
        "budget": event.budget,
        "rationale": event.rationale,
        "goal_ids": list(event.goal_ids),
        "item_ids": list(event.item_ids),
        "submitted_at": views.now,
        "actor": event.actor,
    }
    views.put(ALLOCATION_REQUESTS, values)
    views.put(ALLOCATION_REQUEST_VERSIONS, values)
    await _touch(views, event)


@allocation.on(AllocationCycle.PhaseAdvanced)
async def phase_advanced(event: AllocationCycle.PhaseAdvanced, views: ViewBatch) -> None:
    _phase(views, event.originator_id, event.phase, event.actor)
    await _touch(views, event, phase=event.phase.value)


@allocation.on(AllocationCycle.DecisionRecorded)
async def decision_recorded(event: AllocationCycle.DecisionRecorded, views: ViewBatch) -> None:
    _decision(
        views,
        event.originator_id,
        event.team_id,
        {"headcount": event.headcount, "budget": event.budget},
        rationale=event.rationale,
        source=DecisionSource.DECIDED,
        actor=event.actor,
    )
    await _touch(views, event)


@allocation.on(AllocationCycle.DissentRecorded)
async def dissent_recorded(event: AllocationCycle.DissentRecorded, views: ViewBatch) -> None:
    views.put(
        ALLOCATION_DISSENTS,
        {
            "id": event.dissent_id,
            "cycle_id": event.originator_id,
            "person": event.person,
            "team_id": event.team_id,
            "argument": event.argument,
            "recorded_at": views.now,
            "position": views.position,
            "response": None,
            "weighed_at": None,
            "weighed_by": None,
        },
    )
    await _touch(views, event)


@allocation.on(AllocationCycle.DissentWeighed)
async def dissent_weighed(event: AllocationCycle.DissentWeighed, views: ViewBatch) -> None:
    await views.update(
        ALLOCATION_DISSENTS,
        (event.dissent_id,),
        response=event.response,
        weighed_at=views.now,
        weighed_by=event.actor,
    )
    await _touch(views, event)


@allocation.on(AllocationCycle.Committed)
async def committed(event: AllocationCycle.Committed, views: ViewBatch) -> None:
    views.put(
        ALLOCATION_COMMITMENTS,
        {
            "cycle_id": event.originator_id,
            "person": event.person,
            "committed_at": views.now,
            "position": views.position,
        },
    )
    await _touch(views, event)


@allocation.on(AllocationCycle.OutcomeExpected)
async def outcome_expected(event: AllocationCycle.OutcomeExpected, views: ViewBatch) -> None:
    """The outcome itself is a decision's view (projections/prfaqs/projector.py)."""
    await _touch(views, event)


@allocation.on(AllocationCycle.AmendmentRecorded)
async def amendment_recorded(event: AllocationCycle.AmendmentRecorded, views: ViewBatch) -> None:
    views.put(
        ALLOCATION_AMENDMENTS,
        {
            "cycle_id": event.originator_id,
            "number": event.number,
            "team_id": event.team_id,
            "headcount": as_json(event.headcount),
            "budget": event.budget,
            "reason": event.reason,
            "approver": event.approver,
            "at": views.now,
            "actor": event.actor,
        },
    )
    resources = {"headcount": event.headcount, "budget": event.budget}
    _fund(views, event.originator_id, event.team_id, resources, amended=True)
    await _touch(views, event, amendments=event.number)


@allocation.on(AllocationCycle.ScenarioSaved)
async def scenario_saved(event: AllocationCycle.ScenarioSaved, views: ViewBatch) -> None:
    views.put(
        ALLOCATION_SCENARIOS,
        {
            "cycle_id": event.originator_id,
            "name": event.name,
            "allocations": as_json(event.allocations),
            "saved_at": views.now,
            "saved_by": event.actor,
            "adopted_at": None,
        },
    )
    await _touch(views, event)


@allocation.on(AllocationCycle.ScenarioAdopted)
async def scenario_adopted(event: AllocationCycle.ScenarioAdopted, views: ViewBatch) -> None:
    cycle_id = event.originator_id
    await views.update(ALLOCATION_SCENARIOS, (cycle_id, event.name), adopted_at=views.now)
    for team, funded in event.decisions.items():
        _decision(
            views,
            cycle_id,
            UUID(team),
            funded,
            rationale=f"Adopted scenario '{event.name}'",
            source=DecisionSource.SCENARIO,
            scenario=event.name,
            actor=event.actor,
        )
    for team_id in event.withdrawn:
        views.end(ALLOCATION_DECISIONS, (cycle_id, team_id))
        views.end(ALLOCATION_FUNDING, (cycle_id, team_id))
    await _touch(views, event)
