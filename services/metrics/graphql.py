"""Metrics in GraphQL: kinds, versioned definitions, the metric tree, observations.

Every object remembers ``at``, the log position it was read as of (``None`` for
the current state), and reads its relations as of the same position.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from domain.metrics import Aggregation, Direction, MetricKind
from projections.metrics import queries as metrics_queries
from projections.paging import Page
from services.audit.graphql import Recorded
from services.graphql.common import (
    FlywheelInfo,
    context,
    decode_cursor,
    enum_value,
    given,
    optional_field,
    search_text,
    time_travel,
    uuid_or_none,
)
from services.graphql.connections import (
    KEY,
    MOMENT,
    TEXT,
    Connection,
    Paging,
    Sort,
    connection,
    order_fields,
    order_input,
    paged,
    sort_of,
)
from services.graphql.enums import graphql_enum
from services.graphql.errors import client_error
from services.graphql.lists import ListFilter, ListOrder, list_field
from services.graphql.nodes import AggregateNode, node_by_id
from services.graphql.relations import LazyTeam, related_list, team_field
from services.graphql.rows import FromRow

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader
    from services.org.graphql import Team
    from services.wbr.graphql import SixTwelveView

from projections.wbr.six_twelve import MonthsMode as WbrMonths
from services.wbr.graphql import Months

graphql_enum(
    MetricKind,
    description="`INPUT`: a controllable action that drives outputs. "
    "`OUTPUT`: a lagging result (revenue, active customers) that cannot be moved directly.",
    INPUT="A controllable action that drives outputs.",
    OUTPUT="A lagging result (revenue, active customers) that cannot be moved directly.",
)
graphql_enum(
    Direction,
    description="Which way the metric should move.",
    INCREASE="Higher is better.",
    DECREASE="Lower is better.",
)


def team_from_row(row: Any, at: int | None) -> Team:
    # services.org.graphql imports this module for Team.metrics; import at use.
    from services.org.graphql import Team

    return Team.from_row(row, at)


@strawberry.type(description="One version of a metric's definition.")
class MetricDefinition(FromRow):
    version: int = strawberry.field(description="The definition's version, from 1.")
    text: str = strawberry.field(description="The definition: what is counted, and how.")
    reason: str | None = strawberry.field(description="Why it was redefined; null for the first.")
    since: datetime = strawberry.field(description="When this version took effect.")


@strawberry.type(description="An input metric believed to drive an output metric, and why.")
class MetricDriver(FromRow):
    hypothesis: str = strawberry.field(description="Why the input is believed to move the output.")
    since: datetime = strawberry.field(description="When the link was recorded.")
    input_id: strawberry.Private[UUID]
    output_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @strawberry.field(description="The input metric (the controllable action).")
    async def input(self, info: FlywheelInfo) -> Metric:
        return await Metric.get(info, self.input_id, self.at)

    @strawberry.field(description="The output metric it is believed to drive.")
    async def output(self, info: FlywheelInfo) -> Metric:
        return await Metric.get(info, self.output_id, self.at)


@strawberry.type(description="A metric's value for the period ending on `periodEnd`.")
class Observation(FromRow):
    period_end: date = strawberry.field(
        description="The last day of the period the value describes."
    )
    value: float = strawberry.field(description="The observed value, in the metric's unit.")
    recorded_at: datetime = strawberry.field(description="When this value was recorded.")
    corrections: int = strawberry.field(description="How often the value was corrected.")
    correction_reason: str | None = strawberry.field(
        description="Why the value was last corrected; null if never."
    )


@strawberry.type(description="A page of observations, by period end.")
class ObservationConnection(Connection[Observation]):
    pass


@strawberry.type(
    description="A metric: an `INPUT` (a controllable action) or an `OUTPUT` (a lagging "
    "result; financial ones are flagged), with a versioned definition."
)
class Metric(AggregateNode, Recorded):
    name: str = strawberry.field(description="The metric's name, unique among metrics.")
    kind: MetricKind = strawberry.field(description="Whether the metric is an input or an output.")
    financial: bool = strawberry.field(description="An output measured in money (revenue, cost).")
    unit: str = strawberry.field(
        description="The unit values are given in, e.g. `%` or `orders/day`."
    )
    direction: Direction = strawberry.field(description="Which way is better.")
    aggregation: Aggregation = strawberry.field(
        description="How the metric's values combine over a week, month or year (the 6-12 view)."
    )
    definition: str = strawberry.field(description="The definition in force.")
    definition_version: int = strawberry.field(description="The version of `definition`.")
    defined_at: datetime = strawberry.field(description="When the metric was defined.")
    version: int = strawberry.field(
        description="The metric's version; send it as `If-Match` to guard a command."
    )
    owner_team_id: strawberry.Private[UUID]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.metrics.metric

    owner = team_field(
        "The team that owns the metric (as `Service.owner`).", of="owner_team_id", nullable=False
    )

    @strawberry.field(
        description="The team that owns the metric.",
        deprecation_reason="Use `owner`, the name every type uses for its owning team.",
    )
    async def owner_team(self, info: FlywheelInfo) -> LazyTeam:
        return await self.owner(info)

    definition_history = related_list(
        MetricDefinition,
        lambda load: load.metrics.metric_definitions,
        "Every version of the definition, oldest first.",
    )

    drives = related_list(
        MetricDriver,
        lambda load: load.metrics.metric_drives,
        "The output metrics this input metric is believed to drive.",
    )

    driven_by = related_list(
        MetricDriver,
        lambda load: load.metrics.metric_driven_by,
        "The input metrics believed to drive this output metric.",
    )

    @strawberry.field(
        description="The 6-12 view for the week ending `weekEnding`, read as of the metric "
        "(see `weeklyBusinessReview`)."
    )
    async def six_twelve(
        self,
        info: FlywheelInfo,
        week_ending: Annotated[
            date, strawberry.argument(description="The last day of the review's week.")
        ],
        months: Months = WbrMonths.TRAILING,
    ) -> Annotated[SixTwelveView, strawberry.lazy("services.wbr.graphql")]:
        from services.wbr.graphql import six_twelve_of

        return await six_twelve_of(info, UUID(self.key), week_ending, months, self.at)

    @strawberry.field(description="Values by period end, within `from` and `to` if given.")
    @paged
    async def observations(
        self,
        info: FlywheelInfo,
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description="The earliest period end to include."),
        ] = None,
        to: Annotated[
            date | None, strawberry.argument(description="The latest period end to include.")
        ] = None,
        *,
        paging: Paging,
    ) -> ObservationConnection | None:
        request = paging.request(period_cursor)
        options = (metrics_queries.Period(from_, to), request)
        page: Page = await context(info).load.metrics.observations.load(
            (UUID(self.key), *options), self.at
        )
        at = self.at
        return connection(
            ObservationConnection, page, lambda row: Observation.from_row(row, at), ("period_end",)
        )


def period_cursor(cursor: str, argument: str) -> tuple[date]:
    [period_end] = decode_cursor(cursor, 1, argument)
    try:
        return (date.fromisoformat(period_end),)
    except ValueError:
        raise client_error(f"`{argument}` is not a cursor from this API") from None


@strawberry.type(description="A page of metrics, by name unless `orderBy` says otherwise.")
class MetricConnection(Connection[Metric]):
    pass


MetricOrderField, METRIC_SORTS = order_fields(
    "MetricOrderField",
    "What a list of metrics can be sorted by.",
    NAME=("The metric's name.", (("name", TEXT), ("id", KEY))),
    KIND=(
        "The metric's kind (inputs before outputs), then its name.",
        (("kind", TEXT), ("name", TEXT), ("id", KEY)),
    ),
    DEFINED_AT=(
        "When the metric's definition in force was given.",
        (("defined_at", MOMENT), ("id", KEY)),
    ),
)
METRICS_BY_NAME = sort_of(None, METRIC_SORTS, MetricOrderField.NAME)


MetricOrder = order_input(
    "MetricOrder",
    MetricOrderField,
    "How to sort a list of metrics; ties are broken by the metric's id.",
)


def metric_connection(page: Page, at: int | None, sort: Sort) -> MetricConnection:
    """Metrics read as of ``at``, a page in ``sort``'s order."""
    return connection(MetricConnection, page, lambda row: Metric.from_row(row, at), sort)


async def metrics_of_team(
    info: FlywheelInfo, team_id: UUID, at: int | None, paging: Paging
) -> MetricConnection:
    """``Team.metrics``: the metrics a team owns, by name."""
    options = (paging.request(METRICS_BY_NAME.read),)
    page: Page = await context(info).load.metrics.team_metrics.load((team_id, *options), at)
    return metric_connection(page, at, METRICS_BY_NAME)


@strawberry.input(description="Narrow a list of metrics; every given field must match.")
class MetricFilter:
    team_id: strawberry.ID | None = optional_field("The owner team.")
    kind: MetricKind | None = optional_field("Only metrics of this kind.")
    financial: bool | None = optional_field(
        "Only financial (true) or non-financial (false) metrics."
    )
    name_contains: str | None = optional_field(
        "Only metrics named with this text (any case; up to 100 characters)."
    )


@strawberry.type(
    description="The metric tree (the flywheel): every metric and every "
    "input -> output driver with its hypothesis, whole, for drawing."
)
class MetricTree:
    metrics: list[Metric] = strawberry.field(description="Every metric, by name.")
    edges: list[MetricDriver] = strawberry.field(
        description="Every input -> output driver, oldest first."
    )


def metric_filter(chosen: MetricFilter | None) -> metrics_queries.MetricFilter:
    if chosen is None:
        return metrics_queries.MetricFilter()
    return metrics_queries.MetricFilter(
        owner_team_id=uuid_or_none(chosen.team_id, "Team", "filter.teamId"),
        kind=enum_value(chosen.kind),
        financial=given(chosen.financial),
        name_contains=search_text(given(chosen.name_contains)),
    )


@strawberry.type
class MetricQuery:
    metric = node_by_id(Metric, "A metric by its id (UUID or global id).", "metric")

    metrics = list_field(
        MetricConnection,
        Metric.from_row,
        metrics_queries.metric_page,
        description="Metrics by name (or as `orderBy` says), a page at a time.",
        filter=ListFilter(MetricFilter, "Only the metrics that match.", metric_filter),
        order=ListOrder(
            MetricOrder, METRIC_SORTS, MetricOrderField.NAME, "How to sort; by name if not given."
        ),
    )

    @strawberry.field(
        description="Every metric and every input -> output driver with its hypothesis: the "
        "flywheel, whole, for drawing (not paged: a drawing needs all of it)."
    )
    @time_travel
    async def metric_tree(self, info: FlywheelInfo, at: int | None) -> MetricTree | None:
        views = context(info).views
        metrics = await metrics_queries.all_metrics(views, at)
        by_input = await metrics_queries.drivers(views, None, at)
        edges = sorted((row for rows in by_input.values() for row in rows), key=_declared)
        return MetricTree(
            metrics=[Metric.from_row(row, at) for row in metrics],
            edges=[MetricDriver.from_row(row, at) for row in edges],
        )


def _declared(row: Any) -> int:
    position: int = row["valid_from"]
    return position
