"""Roadmaps in GraphQL: the item (its slips, check-ins, milestones, dependencies and
dependents), a team's roadmap, the timeline, and the dependency graph with its
conflicts."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self
from uuid import UUID

import msgspec
import strawberry

from domain.people.values import Function
from projections.roadmap import queries as roadmap_queries
from projections.roadmap.conflicts import conflict_of
from services.allocation.graphql_figures import FunctionCount
from services.audit.graphql import Recorded
from services.graphql.common import (
    FlywheelInfo,
    context,
    time_travel,
)
from services.graphql.nodes import AggregateNode, node_by_id
from services.graphql.people import LazyPerson
from services.graphql.relations import LazyTeam, related_list, team_ids_of
from services.graphql.rows import FromRow
from services.roadmap.graphql_enums import (
    Conflict,
    DependencyKind,
    Health,
    Horizon,
    ItemStatus,
)

if TYPE_CHECKING:
    from services.boundaries.graphql import Api
    from services.goals.graphql import Goal
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader
    from services.org.graphql import Team
    from services.prfaqs.graphql import PrFaq

LazyPrFaq = Annotated["PrFaq", strawberry.lazy("services.prfaqs.graphql")]
LazyGoal = Annotated["Goal", strawberry.lazy("services.goals.graphql")]
LazyApi = Annotated["Api", strawberry.lazy("services.boundaries.graphql")]
_headcount = msgspec.json.Decoder(dict[str, int])


@strawberry.type(description="A change of a committed item's target date, with why.")
class Slip(FromRow):
    COLUMNS: ClassVar = {"by": "actor"}

    previous: date = strawberry.field(description="The target date before.")
    target_date: date = strawberry.field(description="The target date after.")
    days: int = strawberry.field(
        description="Days moved: positive for a slip (later), negative for a pull-in."
    )
    reason: str = strawberry.field(description="Why it moved.")
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who recorded it.")


@strawberry.type(description="A dated health check-in on an item.")
class RoadmapCheckIn(FromRow):
    COLUMNS: ClassVar = {"by": "actor"}

    health: Health = strawberry.field(description="The health reported.")
    note: str = strawberry.field(description="What the team says.")
    path_back: str | None = strawberry.field(
        description="How it gets back on track (AT_RISK and OFF_TRACK)."
    )
    blindside: bool = strawberry.field(
        description="Whether it went straight from ON_TRACK to OFF_TRACK."
    )
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who checked in.")


@strawberry.type(description="A named, dated milestone of an item.")
class Milestone(FromRow):
    id: UUID = strawberry.field(description="The milestone's id, as the REST API uses it.")
    name: str = strawberry.field(description="What is reached.")
    date: date = strawberry.field(description="When it is due.")
    done: bool = strawberry.field(description="Whether it is done.")
    done_at: datetime | None = strawberry.field(description="When it was marked done.")


@strawberry.type(description="One dependency: the item that needs, and the item or API needed.")
class RoadmapDependency(FromRow):
    kind: DependencyKind = strawberry.field(description="An item or an API.")
    added_at: datetime = strawberry.field(description="When the dependency was added.")
    conflict: Conflict | None = strawberry.field(
        description="Why it is a schedule risk, if it is; null otherwise."
    )
    cross_team: bool = strawberry.field(
        description="Whether the needed item belongs to another team (false for an API)."
    )
    item_id: strawberry.Private[UUID]
    target_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @strawberry.field(description="The item that depends.")
    async def dependent(self, info: FlywheelInfo) -> RoadmapItem | None:
        return await RoadmapItem.find(info, str(self.item_id), self.at)

    @strawberry.field(description="The item depended on; null for an API.")
    async def item(self, info: FlywheelInfo) -> RoadmapItem | None:
        if self.kind is not DependencyKind.ITEM:
            return None
        return await RoadmapItem.find(info, str(self.target_id), self.at)

    @strawberry.field(description="The API depended on; null for an item.")
    async def api(self, info: FlywheelInfo) -> LazyApi | None:
        if self.kind is not DependencyKind.API:
            return None
        from services.boundaries.graphql import Api

        return await Api.find(info, str(self.target_id), self.at)


def _edge(row: Any, at: int | None) -> RoadmapDependency:
    return RoadmapDependency.from_row(
        row,
        at,
        conflict=conflict_of(row),
        cross_team=row["target_team_id"] is not None and row["target_team_id"] != row["team_id"],
    )


@strawberry.type(
    description="What a team commits to deliver for customers: one owning team, the customer "
    "outcome, dates, health and dependencies."
)
class RoadmapItem(AggregateNode, Recorded):
    COLUMNS: ClassVar = {"raw_headcount": "headcount"}

    title: str = strawberry.field(description="The item's title.")
    outcome: str = strawberry.field(description="The customer outcome it delivers.")
    horizon: Horizon = strawberry.field(description="NOW, NEXT or LATER.")
    status: ItemStatus = strawberry.field(description="Where it stands in its lifecycle.")
    target_date: date | None = strawberry.field(
        description="The committed delivery date (after any slips); null until committed."
    )
    health: Health | None = strawberry.field(description="The last check-in's health.")
    proposed_at: datetime = strawberry.field(description="When it was proposed.")
    closed_at: datetime | None = strawberry.field(description="When it was delivered or dropped.")
    close_note: str | None = strawberry.field(
        description="The delivery note, or the reason it was dropped."
    )
    version: int = strawberry.field(
        description="The item's version; send it as `If-Match` to guard a command."
    )
    team_id: strawberry.Private[UUID]
    prfaq_id: strawberry.Private[UUID | None]
    goal_ids: strawberry.Private[list[UUID]]
    raw_headcount: strawberry.Private[str]
    # The owning team as of ``at``, read with the item's row (see ``from_rows``).
    owning_team: strawberry.Private[Any] = dataclasses.field(default=None, init=False)

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.roadmap.item

    @classmethod
    def from_row(cls, row: Any, at: int | None) -> Self:
        """The item of ``row``, with its owning team from the same row."""
        return cls.from_rows((row,), at)[0]

    @classmethod
    def from_rows(cls, rows: Iterable[Any], at: int | None) -> list[Self]:
        """The items of ``rows`` with their owning teams, which the item queries join as
        of the same position; each team made once, however many items it owns."""
        from services.org.graphql import Team

        teams: dict[Any, Team | None] = {}
        items = []
        for row in rows:
            item = super().from_row(row, at)
            team_id = row["team_id"]
            if team_id not in teams:
                owner = roadmap_queries.owner_of(row)
                teams[team_id] = None if owner is None else Team.from_row(owner, at)
            item.owning_team = teams[team_id]
            items.append(item)
        return items

    @strawberry.field(description="The owning team.")
    def team(self) -> LazyTeam | None:
        # A plain method (no loader, no await), so the executor completes a list of
        # items with their teams as one planned selection.
        return self.owning_team  # type: ignore[no-any-return]

    @strawberry.field(description="The approved PR/FAQ it came from, if any.")
    async def prfaq(self, info: FlywheelInfo) -> LazyPrFaq | None:
        if self.prfaq_id is None:
            return None
        from services.prfaqs.graphql import PrFaq

        return await PrFaq.find(info, str(self.prfaq_id), self.at)

    @strawberry.field(description="The team's goals whose metrics it should move.")
    async def goals(self, info: FlywheelInfo) -> list[LazyGoal]:
        from services.goals.graphql import Goal

        found = [await Goal.find(info, str(goal_id), self.at) for goal_id in self.goal_ids]
        return [goal for goal in found if goal is not None]

    @strawberry.field(
        description="The headcount it needs, by function (in the functions' order, zeros left out)."
    )
    def headcount(self) -> list[FunctionCount]:
        counts = _headcount.decode(self.raw_headcount)
        return [
            FunctionCount(function=function, count=counts[function.value])
            for function in Function
            if counts.get(function.value)
        ]

    slips = related_list(
        Slip,
        lambda load: load.roadmap.slips,
        "Every slip and pull-in of its target date, oldest first.",
    )

    check_ins = related_list(
        RoadmapCheckIn, lambda load: load.roadmap.check_ins, "Every health check-in, oldest first."
    )

    milestones = related_list(
        Milestone, lambda load: load.roadmap.milestones, "Its milestones, by date."
    )

    @strawberry.field(description="What it depends on, oldest first, with any conflict.")
    async def dependencies(self, info: FlywheelInfo) -> list[RoadmapDependency]:
        rows = await context(info).load.roadmap.dependencies.load(UUID(self.key), self.at)
        return [_edge(row, self.at) for row in rows]

    @strawberry.field(description="The items that depend on it, oldest first.")
    async def dependents(self, info: FlywheelInfo) -> list[RoadmapItem]:
        rows = await context(info).load.roadmap.dependents.load(UUID(self.key), self.at)
        found = [await RoadmapItem.find(info, str(row["item_id"]), self.at) for row in rows]
        return [item for item in found if item is not None]


@strawberry.type(description="The dependencies of a set of teams' items, and their conflicts.")
class RoadmapDependencyGraph:
    edges: list[RoadmapDependency] = strawberry.field(
        description="Every dependency of the teams' items, by the dependent item's title."
    )

    @strawberry.field(description="The dependencies that are schedule risks.")
    def conflicts(self) -> list[RoadmapDependency]:
        return [edge for edge in self.edges if edge.conflict is not None]

    @strawberry.field(description="The dependencies on items of other teams.")
    def cross_team(self) -> list[RoadmapDependency]:
        return [edge for edge in self.edges if edge.cross_team]


async def roadmap_of_team(
    info: FlywheelInfo,
    team_id: UUID,
    at: int | None,
    horizon: Horizon | None,
    status: ItemStatus | None,
) -> list[RoadmapItem]:
    """A team's items, by target date (undated last), in a horizon and status if given."""
    rows = await context(info).load.roadmap.team_items.load(team_id, at)
    return RoadmapItem.from_rows(
        (
            row
            for row in rows
            if (horizon is None or row["horizon"] == horizon.value)
            and (status is None or row["status"] == status.value)
        ),
        at,
    )


TeamArgument = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Only this team's items (UUID or global id)."),
]
Subteams = Annotated[
    bool, strawberry.argument(description="With `teamId`: also the teams under it.")
]


@strawberry.type
class RoadmapQuery:
    roadmap_item = node_by_id(RoadmapItem, "A roadmap item by its id (UUID or global id).", "item")

    @strawberry.field(
        description="The roadmap as a timeline: items by target date (undated last). With "
        "`from` or `to`, only the items whose target date falls within them."
    )
    @time_travel
    async def roadmap(
        self,
        info: FlywheelInfo,
        team_id: TeamArgument = None,
        include_subteams: Subteams = False,
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description="The first target date to include."),
        ] = None,
        to: Annotated[
            date | None, strawberry.argument(description="The last target date to include.")
        ] = None,
        *,
        at: int | None,
    ) -> list[RoadmapItem] | None:
        where = roadmap_queries.ItemFilter(
            team_ids=await team_ids_of(info, team_id, include_subteams, at), start=from_, end=to
        )
        rows = await roadmap_queries.items(context(info).views, at, where)
        return RoadmapItem.from_rows(rows, at)

    @strawberry.field(
        description="The dependencies of the teams' items (every team's when no `teamId`): "
        "the cross-team graph and the schedule conflicts."
    )
    @time_travel
    async def roadmap_dependencies(
        self,
        info: FlywheelInfo,
        team_id: TeamArgument = None,
        include_subteams: Subteams = False,
        *,
        at: int | None,
    ) -> RoadmapDependencyGraph | None:
        team_ids = await team_ids_of(info, team_id, include_subteams, at)
        rows = await roadmap_queries.dependency_edges(context(info).views, at, team_ids)
        return RoadmapDependencyGraph(edges=[_edge(row, at) for row in rows])
