"""Leadership's roadmap settings in GraphQL, and the report they call for: the items that
did not come from a PR/FAQ, those above the threshold flagged."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar

import msgspec
import strawberry

from projections.roadmap import queries as roadmap_queries
from services.graphql.common import FlywheelInfo, context, time_travel
from services.graphql.people import LazyPerson
from services.graphql.relations import team_ids_of
from services.graphql.rows import FromRow
from services.roadmap.graphql import RoadmapItem, Subteams, TeamArgument

_headcount = msgspec.json.Decoder(dict[str, int])


@strawberry.type(description="One change of leadership's roadmap settings.")
class RoadmapSettingsChange(FromRow):
    COLUMNS: ClassVar = {"by": "actor"}

    prfaq_required_above: int | None = strawberry.field(
        description="The PR/FAQ threshold set: a total headcount, or null for no such rule."
    )
    previous: int | None = strawberry.field(description="The threshold before the change.")
    reason: str | None = strawberry.field(description="Why leadership changed it, if said.")
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who changed it.")


@strawberry.type(description="Leadership's settings for every roadmap, with their history.")
class RoadmapSettings:
    prfaq_required_above: int | None = strawberry.field(
        description="Items needing more people than this in total (all functions) must come "
        "from a PR/FAQ (`roadmap-item-needs-prfaq`); null for no such rule (the default)."
    )
    history: list[RoadmapSettingsChange] = strawberry.field(
        description="Every change, oldest first; empty while the defaults hold."
    )


async def settings_of(info: FlywheelInfo, at: int | None) -> RoadmapSettings:
    rows = await roadmap_queries.settings_history(context(info).views, at)
    history = RoadmapSettingsChange.from_rows(rows, at)
    return RoadmapSettings(
        prfaq_required_above=history[-1].prfaq_required_above if history else None,
        history=history,
    )


@strawberry.type(description="A roadmap item that did not come from a PR/FAQ.")
class RoadmapItemWithoutPrfaq:
    item: RoadmapItem = strawberry.field(description="The item.")
    total_headcount: int = strawberry.field(
        description="The people it needs, all functions together."
    )
    above_threshold: bool = strawberry.field(
        description="Whether it needs more people than `prfaqRequiredAbove`: an item that "
        "could not be proposed, or given its headcount, today without a PR/FAQ."
    )


@strawberry.type(
    description="The roadmap items without a PR/FAQ, with those above leadership's threshold "
    "flagged."
)
class RoadmapItemsWithoutPrfaq:
    prfaq_required_above: int | None = strawberry.field(
        description="The threshold as of the read; null when no threshold is set."
    )
    items: list[RoadmapItemWithoutPrfaq] = strawberry.field(
        description="Every such item, by target date (undated last), then title."
    )

    @strawberry.field(description="Only the items above the threshold.")
    def above_threshold(self) -> list[RoadmapItemWithoutPrfaq]:
        return [entry for entry in self.items if entry.above_threshold]


@strawberry.type
class RoadmapSettingsQuery:
    @strawberry.field(description="Leadership's roadmap settings and their history.")
    @time_travel
    async def roadmap_settings(self, info: FlywheelInfo, at: int | None) -> RoadmapSettings:
        return await settings_of(info, at)

    @strawberry.field(
        description="The items (of a team, and its subteams if asked; every team's when no "
        "`teamId`) that did not come from a PR/FAQ, each flagged when it needs more people "
        "than leadership's `prfaqRequiredAbove`."
    )
    @time_travel
    async def roadmap_items_without_prfaq(
        self,
        info: FlywheelInfo,
        team_id: TeamArgument = None,
        include_subteams: Subteams = False,
        include_closed: Annotated[
            bool,
            strawberry.argument(
                description="Also the delivered and dropped items (open items only by default)."
            ),
        ] = False,
        *,
        at: int | None,
    ) -> RoadmapItemsWithoutPrfaq:
        settings = await settings_of(info, at)
        threshold = settings.prfaq_required_above
        where = roadmap_queries.ItemFilter(
            team_ids=await team_ids_of(info, team_id, include_subteams, at),
            without_prfaq=True,
            open_only=not include_closed,
        )
        rows = await roadmap_queries.items(context(info).views, at, where)
        entries = []
        for row in rows:
            total = sum(_headcount.decode(row["headcount"]).values())
            entries.append(
                RoadmapItemWithoutPrfaq(
                    item=RoadmapItem.from_row(row, at),
                    total_headcount=total,
                    above_threshold=threshold is not None and total > threshold,
                )
            )
        return RoadmapItemsWithoutPrfaq(prfaq_required_above=threshold, items=entries)
