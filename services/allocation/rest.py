"""REST commands of the yearly allocation, under ``/api/v1/cycles``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from msgspec import Meta

from domain.allocation.cycle import (
    MAX_FISCAL_YEAR,
    MAX_GOALS_PER_REQUEST,
    MAX_ITEMS_PER_REQUEST,
    MAX_RATIONALE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_SCENARIO_NAME_LENGTH,
    MAX_SCENARIO_TEAMS,
    MIN_FISCAL_YEAR,
    CycleKind,
    CyclePhase,
)
from domain.allocation.resources import MAX_BUDGET, MAX_HEADCOUNT
from domain.decisions import MAX_ARGUMENT_LENGTH, MAX_RESPONSE_LENGTH
from domain.people.values import MAX_PERSON_ID_LENGTH, Function
from services.allocation.commands import AllocationCommands
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import HANDLE, LINE
from services.decisions import ExpectOutcome

Headcount = Annotated[
    dict[Function, Annotated[int, Meta(ge=0, le=MAX_HEADCOUNT)]],
    Meta(
        description="People per function, whole numbers; a function left out counts zero.",
        examples=[{"ENGINEERING": 6, "PRODUCT": 1}],
    ),
]
Budget = Annotated[
    int,
    Meta(
        ge=0,
        le=MAX_BUDGET,
        description="A whole number of currency units.",
        examples=[1_500_000],
    ),
]
Rationale = Annotated[str, Meta(min_length=1, max_length=MAX_RATIONALE_LENGTH)]
Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]
ScenarioName = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=MAX_SCENARIO_NAME_LENGTH,
        pattern=r"^[^/]+$",
        description="A short label without `/` (it appears in the adopt path).",
        examples=["Lean"],
    ),
    LINE,
]


class OpenCycle(CommandBody):
    fiscal_year: Annotated[int, Meta(ge=MIN_FISCAL_YEAR, le=MAX_FISCAL_YEAR, examples=[2027])]
    kind: CycleKind


class SetEnvelope(CommandBody):
    headcount: Headcount
    budget: Budget
    reason: Reason


class SubmitRequest(CommandBody):
    team_id: UUID
    headcount: Headcount
    budget: Budget
    rationale: Rationale
    goal_ids: Annotated[
        list[UUID],
        Meta(
            min_length=1,
            max_length=MAX_GOALS_PER_REQUEST,
            description="The team's own open goals the request funds.",
        ),
    ]
    item_ids: Annotated[
        list[UUID],
        Meta(
            max_length=MAX_ITEMS_PER_REQUEST,
            description="The team's own open roadmap items the request funds (none by "
            "default): each exists (404), is the requesting team's, not a subteam's "
            "(`allocation-item-of-another-team`), and is not delivered or dropped "
            "(`allocation-item-closed`).",
        ),
    ] = []


class AdvancePhase(CommandBody):
    to: Annotated[CyclePhase, Meta(description="The next phase: REVIEW, DECIDED or LOCKED.")]


class RecordDecision(CommandBody):
    team_id: UUID
    headcount: Headcount
    budget: Budget
    rationale: Rationale


class RecordDissent(CommandBody):
    argument: Annotated[str, Meta(min_length=1, max_length=MAX_ARGUMENT_LENGTH)]
    team_id: Annotated[
        UUID | None, Meta(description="The team whose decision the dissent is about, if one.")
    ] = None


class WeighDissent(CommandBody):
    response: Annotated[str, Meta(min_length=1, max_length=MAX_RESPONSE_LENGTH)]


class Commit(CommandBody):
    """Empty: the caller is who commits."""


class RecordAmendment(CommandBody):
    team_id: UUID
    headcount: Headcount
    budget: Budget
    reason: Reason
    approver: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=MAX_PERSON_ID_LENGTH,
            description="Who approved the exception (a person's handle).",
            examples=["cfo@example.com"],
        ),
        HANDLE,
    ]


class ScenarioLine(CommandBody):
    team_id: UUID
    headcount: Headcount
    budget: Budget


class SaveScenario(CommandBody):
    name: ScenarioName
    allocations: Annotated[list[ScenarioLine], Meta(min_length=1, max_length=MAX_SCENARIO_TEAMS)]


CycleId = Annotated[UUID, Parameter(description="The allocation cycle's id (a UUID).")]
DissentId = Annotated[UUID, Parameter(description="The dissent's id (a UUID).")]


class AllocationCycleController(Controller):
    path = "/api/v1/cycles"
    tags = ["Allocation"]

    open_cycle = command(
        "/",
        status_code=201,
        summary="Open an allocation cycle",
        description="Leadership opens the fiscal year's `OP1` or `OP2`, at most one of each a "
        "year. OP2 opens once the year's OP1 is LOCKED and starts from OP1's envelope and "
        "funding. A cycle opens in phase OPEN, for requests.",
        runs=AllocationCommands.open_cycle,
        body=OpenCycle,
    )

    set_envelope = command(
        "/{cycle_id:uuid}/envelope",
        method="PUT",
        summary="Set the envelope",
        description="Leadership sets the headcount by function and the budget that the "
        "decisions share, with a reason; it changes until the cycle is DECIDED, and never "
        "below what teams are already funded.",
        runs=AllocationCommands.set_envelope,
        ids=[CycleId],
        body=SetEnvelope,
    )

    submit_request = command(
        "/{cycle_id:uuid}/requests",
        summary="Submit a team's request",
        description="While the cycle is OPEN, the team's leader or leadership submits what the "
        "team needs (headcount by function, budget), why, the team's open goals it funds and, "
        "optionally, the team's own open roadmap items it funds (`itemIds`). A new submission "
        "revises the previous one; every version is kept.",
        runs=AllocationCommands.submit_request,
        ids=[CycleId],
        body=SubmitRequest,
    )

    advance_phase = command(
        "/{cycle_id:uuid}/phase",
        summary="Advance the cycle's phase",
        description="Leadership moves the cycle one phase forward: OPEN -> REVIEW -> DECIDED -> "
        "LOCKED, never back. DECIDED needs every dissent weighed.",
        runs=AllocationCommands.advance_phase,
        ids=[CycleId],
        body=AdvancePhase,
    )

    decide = command(
        "/{cycle_id:uuid}/decisions",
        summary="Record a decision",
        description="In REVIEW, leadership funds a team, with a rationale: never beyond the "
        "team's request in any function or budget, and never so that the decisions together "
        "exceed the envelope. A decision can be revised until the cycle is DECIDED.",
        runs=AllocationCommands.decide,
        ids=[CycleId],
        body=RecordDecision,
    )

    record_dissent = command(
        "/{cycle_id:uuid}/dissents",
        status_code=201,
        summary="Record dissent",
        description="Anyone signed in disagrees, with an argument, on the cycle or on one team's "
        "decision (`teamId`), until the cycle is DECIDED. The answer's `id` and `nodeId` are the "
        "dissent's; `version` is the cycle's.",
        runs=AllocationCommands.record_dissent,
        ids=[CycleId],
        body=RecordDissent,
    )

    weigh_dissent = command(
        "/{cycle_id:uuid}/dissents/{dissent_id:uuid}/weigh",
        summary="Weigh a dissent",
        description="Leadership records that it heard and weighed the dissent, with a short "
        "response. Every dissent is weighed before the cycle can be DECIDED.",
        runs=AllocationCommands.weigh_dissent,
        ids=[CycleId, DissentId],
        body=WeighDissent,
    )

    @command(
        "/{cycle_id:uuid}/commitments",
        summary="Commit to the decision",
        description="Once the cycle is DECIDED, the caller commits to it (`{}`), whether or not "
        "they agreed. Dissenters who have not committed are reported.",
    )
    def commit(
        self,
        cycle_id: CycleId,
        data: JSONBody[Commit],
        context: NamedDependency[CommandContext],
        allocation: NamedDependency[AllocationCommands],
    ) -> CommandAccepted:
        return accepted(allocation.commit(context, cycle_id))

    amend = command(
        "/{cycle_id:uuid}/amendments",
        summary="Amend a locked allocation",
        description="After the lock, leadership records an exception: the team's funding "
        "becomes the given headcount and budget, with a reason and who approved it, still "
        "within the envelope. The count of amendments is reported per cycle.",
        runs=AllocationCommands.amend,
        ids=[CycleId],
        body=RecordAmendment,
    )

    save_scenario = command(
        "/{cycle_id:uuid}/scenarios",
        summary="Save a what-if scenario",
        description="Before the decision, leadership saves a named draft allocation: a full set "
        "of per-team numbers. Saving under the same name replaces the draft. Drafts may exceed "
        "requests or the envelope; GraphQL compares them.",
        runs=AllocationCommands.save_scenario,
        ids=[CycleId],
        body=SaveScenario,
    )

    @command(
        "/{cycle_id:uuid}/scenarios/{name:str}/adopt",
        summary="Adopt a scenario as the decisions",
        description="In REVIEW, leadership makes a scenario's numbers the decisions in one "
        "command: every team it names is funded as it says, every other team's decision ends. "
        "The rules of decisions apply to every line.",
    )
    def adopt_scenario(
        self,
        cycle_id: CycleId,
        name: Annotated[
            str,
            Parameter(description="The scenario's name.", max_length=MAX_SCENARIO_NAME_LENGTH),
            LINE,
        ],
        context: NamedDependency[CommandContext],
        allocation: NamedDependency[AllocationCommands],
    ) -> CommandAccepted:
        return accepted(allocation.adopt_scenario(context, cycle_id, name=name))

    expect_outcome = command(
        "/{cycle_id:uuid}/expected-outcomes",
        status_code=201,
        summary="State the decision's expected outcome",
        description="Leadership states what the cycle's decision should achieve: the metric "
        "reaching `target` by `by`. Once `by` has passed, the metric's latest value in the "
        "month up to it decides `MET` or `MISSED` (in the metric's direction), or `UNKNOWN` "
        "without one. Only once the cycle is DECIDED (`cycle-not-decided`).",
        runs=AllocationCommands.expect_outcome,
        ids=[CycleId],
        body=ExpectOutcome,
    )
