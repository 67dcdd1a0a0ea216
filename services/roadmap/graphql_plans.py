"""The roadmap as a plan of record in GraphQL: baselines, what changed since one (or a
position, or a time), commitment reliability, and capacity against the allocation."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import strawberry

from domain.allocation.cycle import CycleKind
from domain.people.values import Function
from projections.excellence import queries as excellence_queries
from projections.roadmap import queries as roadmap_queries
from projections.roadmap.capacity import TeamLoad, team_loads
from projections.roadmap.changes import changes_between, reliability
from services.graphql.common import (
    AsOf,
    AtPosition,
    FlywheelInfo,
    context,
    optional_field,
    resolve_at,
    time_travel,
    uuid_of,
)
from services.graphql.errors import NOT_FOUND, client_error
from services.graphql.people import LazyPerson
from services.graphql.relations import team_field, team_ids_of
from services.graphql.rows import FromRow
from services.roadmap.graphql import RoadmapItem, Slip, Subteams, TeamArgument

if TYPE_CHECKING:
    from services.allocation.graphql import AllocationCycle

LazyCycle = Annotated["AllocationCycle", strawberry.lazy("services.allocation.graphql")]


@strawberry.type(description="A plan of record: every roadmap as of one point of the log.")
class RoadmapBaseline(FromRow):
    COLUMNS: ClassVar = {"uuid": "id", "by": "actor"}
    POSITION_FIELD: ClassVar = "read_at"

    uuid: UUID = strawberry.field(
        description="The baseline's id: the locked cycle's, or the one recorded by name."
    )
    name: str = strawberry.field(description="`FY2027 OP1` for a lock, or the name given.")
    position: int = strawberry.field(description="The log position it fixes.")
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who locked the cycle or named the baseline.")
    cycle_id: strawberry.Private[UUID | None]
    read_at: strawberry.Private[int | None]

    @strawberry.field(description="The allocation cycle whose lock recorded it, if any.")
    async def cycle(self, info: FlywheelInfo) -> LazyCycle | None:
        if self.cycle_id is None:
            return None
        from services.allocation.graphql import AllocationCycle

        return await AllocationCycle.find(info, str(self.cycle_id), self.read_at)


@strawberry.input(
    description="A point of the log: a baseline, a position or a time; give exactly one.",
    one_of=True,
)
class RoadmapPoint:
    baseline: strawberry.ID | None = optional_field("A baseline's id (`RoadmapBaseline.uuid`).")
    position: int | None = optional_field("A log position.")
    time: datetime | None = optional_field("A time: the last position recorded by then.")


async def _position_of(info: FlywheelInfo, point: RoadmapPoint, argument: str) -> int:
    views = context(info).views
    if point.baseline not in (None, strawberry.UNSET):
        baseline_id = uuid_of(str(point.baseline), "RoadmapBaseline", f"{argument}.baseline")
        row = await roadmap_queries.baseline_by_id(views, baseline_id, None)
        if row is None:
            raise client_error(f"No baseline with id {point.baseline}", NOT_FOUND)
        return int(row["position"])
    if point.position not in (None, strawberry.UNSET):
        assert isinstance(point.position, int)
        if point.position < 0:
            raise client_error(f"`{argument}.position` must not be negative")
        return point.position
    assert isinstance(point.time, datetime)
    moment = point.time if point.time.tzinfo else point.time.replace(tzinfo=UTC)
    return await views.position_at(moment)


@strawberry.type(description="An item whose target date moved in the window.")
class RoadmapMove:
    item: RoadmapItem = strawberry.field(description="The item, as of the window's end.")
    days: int = strawberry.field(
        description="The net days moved: positive later, negative earlier."
    )
    slips: list[Slip] = strawberry.field(description="Each move in the window, oldest first.")


@strawberry.type(description="An item still open after the date it was due at the start.")
class RoadmapOverdue:
    item: RoadmapItem = strawberry.field(description="The item, as of the window's end.")
    baselined_date: date = strawberry.field(description="Its target date at the start.")


@strawberry.type(description="What changed on the roadmaps between two points of the log.")
class RoadmapChanges:
    since_position: int = strawberry.field(description="The start's log position.")
    until_position: int | None = strawberry.field(
        description="The end's log position; null for now."
    )
    added: list[RoadmapItem] = strawberry.field(description="Items proposed in the window.")
    dropped: list[RoadmapItem] = strawberry.field(description="Items dropped in the window.")
    delivered: list[RoadmapItem] = strawberry.field(description="Items delivered in the window.")
    slipped: list[RoadmapMove] = strawberry.field(
        description="Items whose target date moved later in the window."
    )
    pulled_in: list[RoadmapMove] = strawberry.field(
        description="Items whose target date moved earlier in the window."
    )
    open_past_baselined_date: list[RoadmapOverdue] = strawberry.field(
        description="Items that had a target date at the start, before the end's date, and "
        "are still open at the end."
    )


@strawberry.type(
    description="One item committed at a baseline, and whether it was delivered by its "
    "baselined date."
)
class RoadmapCommitment:
    item: RoadmapItem = strawberry.field(description="The item, as of the read.")
    baselined_date: date = strawberry.field(description="Its target date at the baseline.")
    delivered_on: date | None = strawberry.field(
        description="The day it was delivered; null if it has not been."
    )
    on_time: bool = strawberry.field(description="Delivered by the baselined date.")


@strawberry.type(description="How reliably teams delivered what they committed at a baseline.")
class CommitmentReliability:
    baseline: RoadmapBaseline = strawberry.field(description="The baseline.")
    committed: int = strawberry.field(
        description="Items committed (committed, in progress or paused) at the baseline."
    )
    delivered_on_time: int = strawberry.field(
        description="Of those, the items delivered by their baselined date."
    )
    reliability: float | None = strawberry.field(
        description="`deliveredOnTime` over `committed`; null when nothing was committed."
    )
    commitments: list[RoadmapCommitment] = strawberry.field(
        description="Each item committed at the baseline, by target date."
    )


@strawberry.type(description="One function's capacity: what the items need against the funding.")
class FunctionCapacity(FromRow):
    function: Function = strawberry.field(description="The function.")
    needed: int = strawberry.field(
        description="People the team's committed and in-progress items of the year need."
    )
    funded: int = strawberry.field(description="People the latest decided allocation funds.")
    second_jobs: float = strawberry.field(
        description="The shares of their time the function's members give to second jobs "
        "(bar raiser, promotion panel...), taken from the capacity."
    )
    capacity: float = strawberry.field(description="The funding less the second jobs' shares.")
    over: int = strawberry.field(
        description="Whole people needed beyond the capacity; 0 if it fits."
    )


@strawberry.type(description="A team's capacity in a fiscal year, by function.")
class TeamCapacity(FromRow):
    funded_by: CycleKind | None = strawberry.field(
        description="The cycle whose decision funds the team (OP2 over OP1); null if none."
    )
    functions: list[FunctionCapacity] = strawberry.field(
        description="Each function with a need or a funding, in the functions' order."
    )
    over_committed: list[FunctionCapacity] = strawberry.field(
        description="The functions whose need exceeds the funding."
    )
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    team = team_field("The team.")

    @classmethod
    def of(cls, load: TeamLoad, at: int | None) -> TeamCapacity:
        return cls.from_fields(
            load,
            at,
            functions=[FunctionCapacity.from_fields(f) for f in load.functions],
            over_committed=[FunctionCapacity.from_fields(f) for f in load.over_committed],
        )


@strawberry.type
class RoadmapPlanQuery:
    @strawberry.field(description="Every roadmap baseline, oldest first.")
    @time_travel
    async def roadmap_baselines(
        self, info: FlywheelInfo, at: int | None
    ) -> list[RoadmapBaseline] | None:
        rows = await roadmap_queries.baselines(context(info).views, at)
        return RoadmapBaseline.from_rows(rows, at)

    @strawberry.field(
        description="What changed on the roadmaps (of a team, and its subteams if asked) "
        "since a baseline, a position or a time, up to another point (now if not given)."
    )
    async def roadmap_changes(
        self,
        info: FlywheelInfo,
        since: Annotated[
            RoadmapPoint, strawberry.argument(description="The start of the window (inclusive).")
        ],
        until: Annotated[
            RoadmapPoint | None,
            strawberry.argument(description="The end of the window (exclusive); now if left out."),
        ] = None,
        team_id: TeamArgument = None,
        include_subteams: Subteams = False,
    ) -> RoadmapChanges | None:
        views = context(info).views
        start = await _position_of(info, since, "since")
        end = None if until is None else await _position_of(info, until, "until")
        if end is not None and end < start:
            raise client_error("`until` is before `since`")
        scope = await team_ids_of(info, team_id, include_subteams, end)
        before = await roadmap_queries.items(views, start, roadmap_queries.ItemFilter())
        after = await roadmap_queries.items(views, end, roadmap_queries.ItemFilter(team_ids=scope))
        slips = await roadmap_queries.slips_between(views, start, end)
        moment = datetime.now(UTC) if end is None else await roadmap_queries.time_of(views, end)
        today = (moment or datetime.now(UTC)).date()
        found = changes_between(before, after, slips, today)
        items = {row["id"]: RoadmapItem.from_row(row, end) for row in after}

        def moves(moved: list[Any]) -> list[RoadmapMove]:
            return [
                RoadmapMove(
                    item=items[move.item_id],
                    days=move.days,
                    slips=[Slip.from_row(slip, end) for slip in move.slips],
                )
                for move in moved
            ]

        return RoadmapChanges(
            since_position=start,
            until_position=end,
            added=[items[item] for item in found.added],
            dropped=[items[item] for item in found.dropped],
            delivered=[items[item] for item in found.delivered],
            slipped=moves(found.slipped),
            pulled_in=moves(found.pulled_in),
            open_past_baselined_date=[
                RoadmapOverdue(item=items[o.item_id], baselined_date=o.baselined_date)
                for o in found.open_past_baselined_date
            ],
        )

    @strawberry.field(
        description="Commitment reliability for a baseline: of the items a team (and its "
        "subteams if asked; every team when no `teamId`) had committed at the baseline, the "
        "share delivered by their baselined date."
    )
    @time_travel
    async def commitment_reliability(
        self,
        info: FlywheelInfo,
        baseline: Annotated[
            strawberry.ID,
            strawberry.argument(description="The baseline's id (a UUID or RoadmapBaseline id)."),
        ],
        team_id: TeamArgument = None,
        include_subteams: Subteams = False,
        *,
        at: int | None,
    ) -> CommitmentReliability | None:
        views = context(info).views
        baseline_id = uuid_of(baseline, "RoadmapBaseline", "baseline")
        row = await roadmap_queries.baseline_by_id(views, baseline_id, at)
        if row is None:
            raise client_error(f"No baseline with id {baseline}", NOT_FOUND)
        position = int(row["position"])
        scope = await team_ids_of(info, team_id, include_subteams, position)
        then = await roadmap_queries.items(
            views, position, roadmap_queries.ItemFilter(team_ids=scope)
        )
        now = await roadmap_queries.items_by_id(views, [item["id"] for item in then], at)
        figures = reliability(then, now.values())
        return CommitmentReliability(
            baseline=RoadmapBaseline.from_row(row, at),
            committed=figures.committed,
            delivered_on_time=figures.delivered_on_time,
            reliability=figures.share,
            commitments=[
                RoadmapCommitment(
                    item=RoadmapItem.from_row(now[c.item_id], at),
                    baselined_date=c.baselined_date,
                    delivered_on=c.delivered_on,
                    on_time=c.on_time,
                )
                for c in figures.commitments
            ],
        )

    @strawberry.field(
        description="Capacity in a fiscal year: per team (and its subteams if asked; every "
        "team when no `teamId`), the headcount its committed and in-progress items due that "
        "year need by function, against what the year's latest decided allocation funds "
        "(OP2 over OP1, amendments included); over-commitment per function."
    )
    async def capacity(
        self,
        info: FlywheelInfo,
        fiscal_year: Annotated[int, strawberry.argument(description="The fiscal year, e.g. 2027.")],
        team_id: TeamArgument = None,
        include_subteams: Subteams = False,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[TeamCapacity] | None:
        if not 1900 <= fiscal_year <= 2199:
            raise client_error("`fiscalYear` must be between 1900 and 2199")
        at = await resolve_at(info, as_of, at_position)
        views = context(info).views
        scope = await team_ids_of(info, team_id, include_subteams, at)
        start, end = date(fiscal_year, 1, 1), date(fiscal_year, 12, 31)
        items = await roadmap_queries.items(
            views, at, roadmap_queries.ItemFilter(team_ids=scope, start=start, end=end)
        )
        funding = await roadmap_queries.decided_funding(views, fiscal_year, at)
        if scope is not None:
            funding = [row for row in funding if row["team_id"] in scope]
        teams = {row["team_id"] for row in (*items, *funding)}
        shares = await excellence_queries.active_shares_of_teams(views, sorted(teams, key=str), at)
        jobs = [job for rows in shares.values() for job in rows]
        return [TeamCapacity.of(load, at) for load in team_loads(items, funding, fiscal_year, jobs)]
