"""Goals in GraphQL: targets over time, check-ins, blindsides, stale goals.

Every object remembers ``at``, the log position it was read as of (``None`` for
the current state), and reads its relations as of the same position.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import strawberry

from domain.goals import CheckInStatus, GoalOutcome
from domain.metrics import MetricKind
from projections.goals import queries as goals_queries
from projections.goals import reports as goal_reports
from projections.paging import Page
from services.audit.graphql import Recorded, position_cursor
from services.graphql.common import (
    AsOf,
    AtPosition,
    FlywheelInfo,
    context,
    enum_value,
    given,
    member_of,
    optional_field,
    resolve_at,
    uuid_or_none,
)
from services.graphql.connections import (
    DAY,
    KEY,
    NUMBER,
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
from services.graphql.lists import ListFilter, ListOrder, list_field, nested_list_field
from services.graphql.nodes import AggregateNode, node_by_id
from services.graphql.people import LazyPerson
from services.graphql.relations import related_list, team_field
from services.graphql.rows import FromRow
from services.metrics.graphql import Metric, MetricDefinition

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader

graphql_enum(
    CheckInStatus,
    description="`GREEN`: on track. `YELLOW`: at risk. `RED`: off track. "
    "`YELLOW` and `RED` come with a path to green.",
    GREEN="On track.",
    YELLOW="At risk; comes with a path to green.",
    RED="Off track; comes with a path to green.",
)
graphql_enum(
    GoalOutcome,
    description="How a closed goal ended.",
    ACHIEVED="The goal's target was reached.",
    MISSED="The goal's target was not reached.",
    DROPPED="The goal was dropped before its due date.",
)
CHECK_IN_STATUS = member_of(CheckInStatus)
GOAL_OUTCOME = member_of(GoalOutcome)

MAX_STALE_WEEKS = 520
LOG_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@strawberry.type(description="A goal's target from `since`, and why it changed.")
class TargetChange(FromRow):
    target: float = strawberry.field(description="The target from then on.")
    reason: str | None = strawberry.field(
        description="Why; null for the target the goal was set with."
    )
    since: datetime = strawberry.field(description="When the target took effect.")


@strawberry.type(description="How a goal stood at one check-in.")
class CheckIn(FromRow):
    COLUMNS: ClassVar = {"by": "actor"}

    status: CheckInStatus = strawberry.field(description="The goal's status at the check-in.")
    note: str = strawberry.field(description="What the owner reported.")
    path_to_green: str | None = strawberry.field(
        description="How the goal gets back on track; given with YELLOW and RED."
    )
    at: datetime = strawberry.field(description="When the check-in was recorded.")
    by: LazyPerson = strawberry.field(description="Who checked in.")
    blindside: bool = strawberry.field(
        description="RED straight after GREEN, with no YELLOW warning between."
    )


@strawberry.type(description="A page of check-ins, oldest first.")
class CheckInConnection(Connection[CheckIn]):
    pass


@strawberry.type(
    description="A team's goal on one metric for one plan year, bound to the metric "
    "definition in force when it was set."
)
class Goal(AggregateNode, Recorded):
    plan_year: int = strawberry.field(description="The plan year the goal belongs to.")
    baseline: float = strawberry.field(description="The metric's value when the goal was set.")
    target: float = strawberry.field(description="The target in force.")
    due_date: date = strawberry.field(description="When the target should be reached.")
    description: str = strawberry.field(description="What the goal means to achieve, in words.")
    metric_definition_version: int = strawberry.field(
        description="The version of the metric's definition the goal was set against."
    )
    top_level: bool = strawberry.field(description="A top-level (S-team) goal.")
    status: CheckInStatus | None = strawberry.field(
        description="The latest check-in's status; null before the first check-in."
    )
    blindside: bool = strawberry.field(
        description="The goal once went from GREEN straight to RED, with no YELLOW between."
    )
    last_check_in_at: datetime | None = strawberry.field(
        description="When the latest check-in was recorded; null before the first."
    )
    outcome: GoalOutcome | None = strawberry.field(description="Null while the goal is open.")
    closing_note: str | None = strawberry.field(
        description="The note given when the goal was closed; null while open."
    )
    closed_at: datetime | None = strawberry.field(
        description="When the goal was closed; null while open."
    )
    set_at: datetime = strawberry.field(description="When the goal was set.")
    version: int = strawberry.field(
        description="The goal's version; send it as `If-Match` to guard a command."
    )
    team_id: strawberry.Private[UUID]
    metric_id: strawberry.Private[UUID]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.goals.goal

    team = team_field("The team that owns the goal.", nullable=False)

    @strawberry.field(description="The goal's metric (its definition as it is now read).")
    async def metric(self, info: FlywheelInfo) -> Metric:
        return await Metric.get(info, self.metric_id, self.at)

    @strawberry.field(description="The metric definition the goal was set against.")
    async def metric_definition(self, info: FlywheelInfo) -> MetricDefinition:
        rows = await context(info).load.metrics.metric_definitions.load(self.metric_id, self.at)
        [bound] = [row for row in rows if row["version"] == self.metric_definition_version]
        return MetricDefinition.from_row(bound, self.at)

    target_history = related_list(
        TargetChange,
        lambda load: load.goals.target_history,
        "Every target the goal had, oldest first, with reasons.",
    )

    check_ins = nested_list_field(
        CheckInConnection,
        CheckIn.from_row,
        lambda load: load.goals.check_ins,
        description="Check-ins, oldest first.",
        order=("position",),
        cursor=position_cursor,
    )


@strawberry.type(description="A page of goals.")
class GoalConnection(Connection[Goal]):
    pass


GoalOrderField, GOAL_SORTS = order_fields(
    "GoalOrderField",
    "What a list of goals can be sorted by.",
    SET_AT=("When the goal was set (the order goals were set in).", (("set_position", NUMBER),)),
    DUE_DATE=("When the goal's target should be reached.", (("due_date", DAY), ("id", KEY))),
    PLAN_YEAR=(
        "The goal's plan year, then when it was set.",
        (("plan_year", NUMBER), ("set_position", NUMBER)),
    ),
)
GOALS_AS_SET = sort_of(None, GOAL_SORTS, GoalOrderField.SET_AT)


GoalOrder = order_input(
    "GoalOrder",
    GoalOrderField,
    "How to sort a list of goals; ties are broken by the goal's id or the order goals were set in.",
)


def goal_connection(page: Page, at: int | None, order: Sequence[str] | Sort) -> GoalConnection:
    """Goals read as of ``at``, a page in ``order``."""
    return connection(GoalConnection, page, lambda row: Goal.from_row(row, at), order)


async def goals_of_team(
    info: FlywheelInfo,
    team_id: UUID,
    at: int | None,
    plan_year: int | None,
    paging: Paging,
) -> GoalConnection:
    """``Team.goals``: a team's goals as they were set, of one plan year if given."""
    options = (plan_year, paging.request(GOALS_AS_SET.read))
    page: Page = await context(info).load.goals.team_goals.load((team_id, *options), at)
    return goal_connection(page, at, GOALS_AS_SET)


@strawberry.input(description="Narrow a list of goals; every given field must match.")
class GoalFilter:
    team_id: strawberry.ID | None = optional_field(
        "Only this team's goals (a UUID or a Team global id)."
    )
    plan_year: int | None = optional_field("Only goals of this plan year.")
    metric_id: strawberry.ID | None = optional_field(
        "Only goals on this metric (a UUID or a Metric global id)."
    )
    kind: MetricKind | None = optional_field("The kind of the goal's metric.")
    status: CheckInStatus | None = optional_field("The latest check-in's status.")
    top_level: bool | None = optional_field("Only top-level (true) or other (false) goals.")


def goal_filter(chosen: GoalFilter | None) -> goals_queries.GoalFilter:
    if chosen is None:
        return goals_queries.GoalFilter()
    return goals_queries.GoalFilter(
        team_id=uuid_or_none(chosen.team_id, "Team", "filter.teamId"),
        plan_year=given(chosen.plan_year),
        metric_id=uuid_or_none(chosen.metric_id, "Metric", "filter.metricId"),
        kind=enum_value(chosen.kind),
        status=enum_value(chosen.status),
        top_level=given(chosen.top_level),
    )


async def moment_read(
    info: FlywheelInfo, as_of: datetime | None, at_position: int | None
) -> datetime:
    """The moment a read describes: ``asOf``, the log time of ``atPosition``, or now."""
    if as_of is not None:
        return as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=UTC)
    if at_position is not None:
        logged = await goal_reports.log_time(context(info).views, at_position)
        # Position 0 is before the first event: nothing is visible there, any moment will do.
        return logged or LOG_EPOCH
    return datetime.now(UTC)


@strawberry.type
class GoalQuery:
    goal = node_by_id(Goal, "A goal by its id (UUID or global id).", "goal")

    goals = list_field(
        GoalConnection,
        Goal.from_row,
        goals_queries.goal_page,
        description="Goals in the order they were set (or as `orderBy` says), a page at a time.",
        filter=ListFilter(GoalFilter, "Only the goals that match.", goal_filter),
        order=ListOrder(
            GoalOrder,
            GOAL_SORTS,
            GoalOrderField.SET_AT,
            "How to sort; in the order set if not given.",
        ),
    )

    @strawberry.field(
        description="Open goals without a check-in (or, never checked in, set) for at least "
        "`weeks` weeks before the moment read (`asOf`, the time of `atPosition`, or now), "
        "stalest first."
    )
    @paged
    async def stale_goals(
        self,
        info: FlywheelInfo,
        weeks: Annotated[int, strawberry.argument(description="1 to 520.")],
        team_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this team's goals (a UUID or a Team global id)."),
        ] = None,
        *,
        paging: Paging,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> GoalConnection | None:
        request = paging.request(position_cursor)
        if not 1 <= weeks <= MAX_STALE_WEEKS:
            raise client_error(f"`weeks` must be between 1 and {MAX_STALE_WEEKS}")
        at = await resolve_at(info, as_of, at_position)
        try:
            cutoff = await moment_read(info, as_of, at_position) - timedelta(weeks=weeks)
        except OverflowError:
            raise client_error("`asOf` is too early to look back that many weeks") from None
        page = await goals_queries.stale_goal_page(
            context(info).views,
            at,
            cutoff,
            uuid_or_none(team_id, "Team", "teamId"),
            request,
        )
        return goal_connection(page, at, ("fresh_position",))
