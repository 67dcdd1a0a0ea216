"""REST commands on roadmap items, under ``/api/v1/roadmap-items``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from msgspec import Meta

from domain.allocation.resources import MAX_HEADCOUNT
from domain.errors import InvalidValue
from domain.people.values import Function
from domain.roadmap import (
    MAX_BASELINE_NAME_LENGTH,
    MAX_GOALS,
    MAX_MILESTONE_NAME_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_OUTCOME_LENGTH,
    MAX_PRFAQ_THRESHOLD,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
    Health,
    Horizon,
)
from services.api.bodies import CommandBody, given
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import LINE, TEXT
from services.dates import YEARS, checked_date
from services.roadmap.commands import RoadmapCommands

Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]
Note = Annotated[str, Meta(max_length=MAX_NOTE_LENGTH)]
Day = Annotated[date, Meta(description=f"Years {YEARS}.")]
Headcount = Annotated[
    dict[Function, Annotated[int, Meta(ge=0, le=MAX_HEADCOUNT)]],
    Meta(
        description="People per function the item needs; a function left out counts zero.",
        examples=[{"ENGINEERING": 4, "DESIGN": 1}],
    ),
]


class ProposeItem(CommandBody, kw_only=True):
    """An item of a team's roadmap. With `prfaqId` (an APPROVED PR/FAQ) the PR/FAQ's
    team owns it and `teamId` may be left out."""

    schema_rules: ClassVar[dict[str, Any]] = {"anyOf": [given("teamId"), given("prfaqId")]}

    team_id: UUID | None = None
    title: Annotated[
        str, Meta(min_length=1, max_length=MAX_TITLE_LENGTH, examples=["Same-day delivery"]), LINE
    ]
    outcome: Annotated[str, Meta(min_length=1, max_length=MAX_OUTCOME_LENGTH)]
    horizon: Horizon
    goal_ids: Annotated[list[UUID], Meta(max_length=MAX_GOALS)] = []
    headcount: Headcount = {}
    prfaq_id: UUID | None = None


class ChangeHeadcount(CommandBody):
    headcount: Headcount
    reason: Reason


class CommitItem(CommandBody):
    target_date: Day

    def __post_init__(self) -> None:
        checked_date(self.target_date, "targetDate")


class PauseItem(CommandBody):
    reason: Reason


class DeliverItem(CommandBody):
    note: Note | None = None


class DropItem(CommandBody):
    reason: Reason


class MoveTargetDate(CommandBody):
    target_date: Day
    reason: Reason

    def __post_init__(self) -> None:
        checked_date(self.target_date, "targetDate")


class AddMilestone(CommandBody):
    name: Annotated[str, Meta(min_length=1, max_length=MAX_MILESTONE_NAME_LENGTH), LINE]
    date: Day

    def __post_init__(self) -> None:
        checked_date(self.date, "date")


class CheckIn(CommandBody):
    health: Health
    note: Note | None = None
    path_back: Note | None = None


class AddDependency(CommandBody):
    """Exactly one of `itemId` (another roadmap item) and `apiId` (a published API)."""

    schema_rules: ClassVar[dict[str, Any]] = {"oneOf": [given("itemId"), given("apiId")]}

    item_id: UUID | None = None
    api_id: UUID | None = None

    def __post_init__(self) -> None:
        if (self.item_id is None) == (self.api_id is None):
            raise InvalidValue("itemId", "Give exactly one of `itemId` and `apiId`")


class TransferItem(CommandBody):
    to_team_id: UUID
    reason: Reason


ItemId = Annotated[UUID, Parameter(description="The roadmap item's id (a UUID).")]
MilestoneId = Annotated[UUID, Parameter(description="The milestone's id (a UUID).")]


class RoadmapController(Controller):
    path = "/api/v1/roadmap-items"
    tags = ["Roadmaps"]

    propose = command(
        "/",
        status_code=201,
        summary="Propose a roadmap item",
        description="The team's leader or leadership proposes an item: the customer outcome, "
        "the horizon, the goals it should move and the headcount it needs. With `prfaqId` the "
        "PR/FAQ must be APPROVED (`roadmap-prfaq-not-approved`), is on at most one item "
        "(`roadmap-prfaq-taken`) and its team owns the item. Without `prfaqId`, an item "
        "needing more people in total than leadership's `prfaqRequiredAbove` "
        "(`PUT /api/v1/roadmap-settings`) is refused (`roadmap-item-needs-prfaq`).",
        runs=RoadmapCommands.propose,
        body=ProposeItem,
    )

    change_headcount = command(
        "/{item_id:uuid}/headcount",
        summary="Change a roadmap item's headcount",
        description="The people by function an open item needs, with the reason; the "
        "previous figure stays in the item's history. Held to leadership's "
        "`prfaqRequiredAbove` like a new item (`roadmap-item-needs-prfaq`).",
        runs=RoadmapCommands.change_headcount,
        ids=[ItemId],
        body=ChangeHeadcount,
    )

    commit = command(
        "/{item_id:uuid}/commit",
        summary="Commit to a roadmap item",
        description="A PROPOSED item becomes COMMITTED with its target date "
        "(`roadmap-transition-refused` from any other state).",
        runs=RoadmapCommands.commit,
        ids=[ItemId],
        body=CommitItem,
    )

    start = command(
        "/{item_id:uuid}/start",
        summary="Start a roadmap item",
        description="A COMMITTED item becomes IN_PROGRESS.",
        runs=RoadmapCommands.start,
        ids=[ItemId],
    )

    pause = command(
        "/{item_id:uuid}/pause",
        summary="Pause a roadmap item",
        description="A COMMITTED or IN_PROGRESS item is PAUSED, with the reason.",
        runs=RoadmapCommands.pause,
        ids=[ItemId],
        body=PauseItem,
    )

    resume = command(
        "/{item_id:uuid}/resume",
        summary="Resume a roadmap item",
        description="A PAUSED item returns to the state it was paused in.",
        runs=RoadmapCommands.resume,
        ids=[ItemId],
    )

    deliver = command(
        "/{item_id:uuid}/deliver",
        summary="Deliver a roadmap item",
        description="An IN_PROGRESS item is DELIVERED, with an optional note; it is closed "
        "afterwards (`roadmap-item-closed`).",
        runs=RoadmapCommands.deliver,
        ids=[ItemId],
        body=DeliverItem,
    )

    drop = command(
        "/{item_id:uuid}/drop",
        summary="Drop a roadmap item",
        description="Any open item is DROPPED, with the reason.",
        runs=RoadmapCommands.drop,
        ids=[ItemId],
        body=DropItem,
    )

    move_target_date = command(
        "/{item_id:uuid}/target-date",
        summary="Move a roadmap item's target date",
        description="A slip (later) or a pull-in (earlier), recorded with its reason and the "
        "days moved; only an item with a target date (`roadmap-not-committed`).",
        runs=RoadmapCommands.move_target_date,
        ids=[ItemId],
        body=MoveTargetDate,
    )

    add_milestone = command(
        "/{item_id:uuid}/milestones",
        status_code=201,
        summary="Add a milestone",
        description="A named, dated milestone; the answer's `id` names the milestone.",
        runs=RoadmapCommands.add_milestone,
        ids=[ItemId],
        body=AddMilestone,
    )

    complete_milestone = command(
        "/{item_id:uuid}/milestones/{milestone_id:uuid}/done",
        summary="Mark a milestone done",
        description="Once (`roadmap-milestone-done`).",
        runs=RoadmapCommands.complete_milestone,
        ids=[ItemId, MilestoneId],
    )

    check_in = command(
        "/{item_id:uuid}/check-ins",
        summary="Check in on a roadmap item's health",
        description="The team's members, its leader or leadership: ON_TRACK, AT_RISK or "
        "OFF_TRACK; the last two need a `pathBack` (`roadmap-path-back-required`). ON_TRACK "
        "straight to OFF_TRACK is recorded as a blindside.",
        runs=RoadmapCommands.check_in,
        ids=[ItemId],
        body=CheckIn,
    )

    add_dependency = command(
        "/{item_id:uuid}/dependencies",
        summary="Add a dependency",
        description="On another roadmap item (`itemId`, any team's; never closing a cycle: "
        "`roadmap-dependency-cycle`) or on an API (`apiId`; never a retired one: "
        "`roadmap-dependency-on-retired-api`). Each once (`roadmap-dependency-exists`).",
        runs=RoadmapCommands.add_dependency,
        ids=[ItemId],
        body=AddDependency,
    )

    @command(
        "/{item_id:uuid}/dependencies/{target_id:uuid}",
        method="DELETE",
        summary="Remove a dependency",
        description="The item no longer depends on the item or API, with the reason as "
        "`?reason=`; the dependency stays in the item's history.",
    )
    def remove_dependency(
        self,
        item_id: ItemId,
        target_id: Annotated[
            UUID, Parameter(description="The item's or API's id the dependency names.")
        ],
        context: NamedDependency[CommandContext],
        roadmap: NamedDependency[RoadmapCommands],
        reason: Annotated[
            str,
            QueryParameter(
                name="reason", description="Why the dependency ends.", max_length=MAX_REASON_LENGTH
            ),
            TEXT,
        ] = "",
    ) -> CommandAccepted:
        return accepted(roadmap.remove_dependency(context, item_id, target_id, reason))

    transfer = command(
        "/{item_id:uuid}/transfer",
        summary="Transfer a roadmap item to another team",
        description="The owning team's leader or leadership moves the item to another active "
        "team, with the reason (`roadmap-transfer-same-team` for its own team).",
        runs=RoadmapCommands.transfer,
        ids=[ItemId],
        body=TransferItem,
    )


class RecordBaseline(CommandBody):
    name: Annotated[
        str,
        Meta(min_length=1, max_length=MAX_BASELINE_NAME_LENGTH, examples=["Mid-year review"]),
        LINE,
    ]


class RoadmapBaselineController(Controller):
    path = "/api/v1/roadmap-baselines"
    tags = ["Roadmaps"]

    record = command(
        "/",
        status_code=201,
        summary="Record a roadmap baseline",
        description="Leadership names every roadmap as it stands now a plan of record; each "
        "name once (`roadmap-baseline-name-taken`). Locking an allocation cycle records one "
        "itself, named for the cycle (`FY2027 OP1`). Read them with `roadmapBaselines`, "
        "`roadmapChanges` and `commitmentReliability`.",
        runs=RoadmapCommands.record_baseline,
        body=RecordBaseline,
    )


class RoadmapSettingsBody(CommandBody):
    """Leadership's roadmap settings."""

    prfaq_required_above: Annotated[
        int | None,
        Meta(
            extra_json_schema={
                "description": "Items needing more people than this in total (all functions) "
                "must come from a PR/FAQ; null for no such rule (the default).",
                "examples": [10],
                "extra": {"minimum": 0, "maximum": MAX_PRFAQ_THRESHOLD},
            }
        ),
    ]
    reason: Note | None = None

    def __post_init__(self) -> None:
        above = self.prfaq_required_above
        if above is not None and not 0 <= above <= MAX_PRFAQ_THRESHOLD:
            raise InvalidValue(
                "prfaqRequiredAbove",
                f"`prfaqRequiredAbove` is a headcount from 0 to {MAX_PRFAQ_THRESHOLD}, or null",
            )


class RoadmapSettingsController(Controller):
    path = "/api/v1/roadmap-settings"
    tags = ["Roadmaps"]

    put_settings = command(
        "/",
        method="PUT",
        summary="Change the roadmap settings",
        description="Leadership sets `prfaqRequiredAbove`: from then on an item proposed, or "
        "given a new headcount, that needs more people in total without a PR/FAQ is refused "
        "(`roadmap-item-needs-prfaq`). Null lifts the rule. Every change is kept (GraphQL "
        "`roadmapSettings.history`); items already on the roadmap show in "
        "`roadmapItemsWithoutPrfaq`.",
        runs=RoadmapCommands.set_prfaq_threshold,
        body=RoadmapSettingsBody,
    )
