"""The weekly business review in GraphQL: ``weeklyBusinessReview`` (the deck) and the 6-12
view of one metric (``Metric.sixTwelve``), as of any position."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry

from domain.metrics import Aggregation
from projections.metrics import queries as metrics_queries
from projections.org import queries as org_queries
from projections.wbr import deck as decks
from projections.wbr import queries as wbr_queries
from projections.wbr.six_twelve import ChangeUnit, MonthsMode, SixTwelve
from services.graphql.common import (
    FlywheelInfo,
    context,
    time_travel,
    uuid_of,
)
from services.graphql.enums import graphql_enum
from services.graphql.errors import client_error
from services.graphql.people import LazyPerson
from services.graphql.relations import metric_field, team_field
from services.graphql.rows import FromRow

graphql_enum(
    Aggregation,
    description="How a metric's values combine over a period: `SUM`, `MEAN`, `LAST` (the "
    "last value in the period), `MIN` or `MAX` (wbr-app's `aggf`).",
    SUM="The values added up (counts, revenue).",
    MEAN="The average of the values (rates, percentages).",
    LAST="The period's last value (balances, headcount).",
    MIN="The smallest value.",
    MAX="The largest value.",
)
graphql_enum(
    MonthsMode,
    name="WbrMonths",
    description="Which months the 6-12 view shows: `TRAILING`, the twelve full months "
    "before the week (and the month under way, to date); `FISCAL_YEAR`, the months of the "
    "current fiscal year.",
    TRAILING="The twelve full months before the week, and the month under way to date.",
    FISCAL_YEAR="The months of the current fiscal year (FLYWHEEL_FISCAL_YEAR_END_MONTH).",
)
graphql_enum(
    ChangeUnit,
    name="WbrChangeUnit",
    description="How changes are told: `PERCENT`, or `BASIS_POINTS` for a metric whose unit "
    "is a percentage (a change of 0.25 percentage points is 25 basis points).",
    PERCENT="Changes in percent of the earlier value.",
    BASIS_POINTS="Changes in basis points (hundredths of a percentage point).",
)

WeekEnding = Annotated[
    date,
    strawberry.argument(description="The last day of the review's week; weeks end on its weekday."),
]
Months = Annotated[
    MonthsMode,
    strawberry.argument(description="The trailing twelve months, or the fiscal year's."),
]


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(description="One week or month of the 6-12 view.")
class WbrPeriod(FromRow):
    start: date = strawberry.field(description="The period's first day.")
    end: date = strawberry.field(
        description="The period's last day (the week-ending date for a month to date)."
    )
    value: float | None = strawberry.field(
        description="The values dated within the period, combined by the metric's aggregation; "
        "null when there are none."
    )
    prior_year_start: date = strawberry.field(description="The prior-year period's first day.")
    prior_year_end: date = strawberry.field(
        description="The prior-year period's last day: 364 days earlier for a week, the same "
        "month a year earlier for a month."
    )
    prior_year_value: float | None = strawberry.field(description="The prior-year value.")
    change: float | None = strawberry.field(
        description="Against the period before: week over week or month over month, in "
        "`changeUnit`; null without both values (or a zero base in percent)."
    )
    year_over_year: float | None = strawberry.field(
        description="Against the prior-year period, in `changeUnit`."
    )
    target: float | None = strawberry.field(
        description="The target of the metric's goal for the plan year the period ends in."
    )
    to_date: bool = strawberry.field(
        description="A month under way, counted to the week-ending date."
    )


@strawberry.type(description="Month, quarter or year to date, against the same span a year before.")
class WbrTotal(FromRow):
    start: date = strawberry.field(
        description="The first day: of the month, the fiscal quarter or the fiscal year."
    )
    end: date = strawberry.field(description="The week-ending date.")
    value: float | None = strawberry.field(
        description="The values from `start` to `end`, combined by the metric's aggregation."
    )
    prior_year_start: date = strawberry.field(description="`start`'s prior-year counterpart.")
    prior_year_end: date = strawberry.field(
        description="The week-ending date a calendar year earlier (29 February gives 28)."
    )
    prior_year_value: float | None = strawberry.field(description="The prior-year value.")
    year_over_year: float | None = strawberry.field(
        description="Against the prior year, in `changeUnit`."
    )


@strawberry.type(description="A variance note: an owner's explanation of a metric on a date.")
class WbrNote(FromRow):
    id: UUID = strawberry.field(description="The note's id, as the REST API uses it.")
    day: date = strawberry.field(description="The date the note is about.")
    text: str = strawberry.field(description="The note as it reads (after any correction).")
    written_by: LazyPerson = strawberry.field(description="Who wrote it.")
    written_at: datetime = strawberry.field(description="When it was written.")
    corrections: int = strawberry.field(description="How many times it was corrected.")
    correction_reason: str | None = strawberry.field(
        description="Why it was last corrected; null if never."
    )


@strawberry.type(description="A goal set on the metric, with its latest status.")
class WbrGoal(FromRow):
    id: UUID = strawberry.field(description="The goal's id, as the REST API uses it.")
    plan_year: int = strawberry.field(description="The plan year it is set for.")
    target: float = strawberry.field(description="The target value.")
    due_date: date = strawberry.field(description="When the target is due.")
    description: str = strawberry.field(description="What the goal says.")
    status: str | None = strawberry.field(
        description="The latest check-in's status (GREEN, YELLOW, RED); null before any."
    )


@strawberry.type(
    description="The 6-12 view of a metric for a week: six weeks and twelve months with the "
    "prior year beside them, the changes, month/quarter/year to date, notes and goals. "
    "Definitions: docs/WBR.md (wbr-app's)."
)
class SixTwelveView:
    week_ending: date = strawberry.field(description="The review's week-ending date.")
    aggregation: Aggregation = strawberry.field(description="How the metric's values combine.")
    change_unit: ChangeUnit = strawberry.field(description="The unit of every change below.")
    fiscal_year_end_month: int = strawberry.field(
        description="The month (1-12) the fiscal year ends with (`FLYWHEEL_FISCAL_YEAR_END_MONTH`)."
    )
    weeks: list[WbrPeriod] = strawberry.field(description="The six weeks, oldest first.")
    months: list[WbrPeriod] = strawberry.field(description="The months, oldest first.")
    last_week: float | None = strawberry.field(description="The last week's value.")
    week_over_week: float | None = strawberry.field(
        description="The last week against the one before."
    )
    year_over_year: float | None = strawberry.field(
        description="The last week against its prior-year week (364 days earlier)."
    )
    month_to_date: WbrTotal = strawberry.field(description="Month to date.")
    quarter_to_date: WbrTotal = strawberry.field(description="Fiscal quarter to date.")
    year_to_date: WbrTotal = strawberry.field(description="Fiscal year to date.")
    notes: list[WbrNote] = strawberry.field(
        description="The variance notes dated within the weeks and months shown, by date."
    )
    goals: list[WbrGoal] = strawberry.field(
        description="The goals on the metric for the plan year the week falls in."
    )

    @staticmethod
    def of(view: decks.MetricView, at: int | None) -> SixTwelveView:
        computed: SixTwelve = view.view
        return SixTwelveView(
            week_ending=computed.week_ending,
            aggregation=Aggregation(view.metric["aggregation"]),
            change_unit=computed.change_unit,
            fiscal_year_end_month=view.fiscal_year_end_month,
            weeks=[WbrPeriod.from_fields(period) for period in computed.weeks],
            months=[WbrPeriod.from_fields(period) for period in computed.months],
            last_week=number(computed.last_week),
            week_over_week=number(computed.week_over_week),
            year_over_year=number(computed.year_over_year),
            month_to_date=WbrTotal.from_fields(computed.month_to_date),
            quarter_to_date=WbrTotal.from_fields(computed.quarter_to_date),
            year_to_date=WbrTotal.from_fields(computed.year_to_date),
            notes=WbrNote.from_rows(view.notes, at),
            goals=WbrGoal.from_rows(view.current_goals, at),
        )


@strawberry.type(description="A metric in the deck, with its 6-12 view.")
class WbrMetric:
    metric_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]
    six_twelve: SixTwelveView = strawberry.field(description="The metric's 6-12 view.")

    metric = metric_field("The metric.")


@strawberry.type(description="One team's part of the deck: its metrics, inputs first.")
class WbrSection:
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]
    team_name: str = strawberry.field(description="The team's name as of the deck's position.")
    metrics: list[WbrMetric] = strawberry.field(
        description="Input metrics, then the output metrics, then financial ones; by name."
    )

    team = team_field("The team.", nullable=False)


@strawberry.type(description="The weekly business review: the deck for a week.")
class WeeklyBusinessReview:
    week_ending: date = strawberry.field(description="The review's week-ending date.")
    sections: list[WbrSection] = strawberry.field(
        description="A section per team, in the order asked for (the team named, then the "
        "teams under it by name; every team by name when none is named)."
    )


def fiscal_month(info: FlywheelInfo) -> int:
    return int(context(info).runtime.settings.fiscal_year_end_month)


def check_week(week_ending: date) -> None:
    if not 1900 <= week_ending.year <= 2199:
        raise client_error("`weekEnding` must be in the years 1900-2199")


async def six_twelve_of(
    info: FlywheelInfo, metric_id: UUID, week_ending: date, months: MonthsMode, at: int | None
) -> SixTwelveView:
    """``Metric.sixTwelve``: one metric's view, read as of the metric's position."""
    check_week(week_ending)
    rows = await metrics_queries.metrics_by_id(context(info).views, [metric_id], at)
    [view] = await decks.metric_views(
        context(info).views,
        [rows[metric_id]],
        week_ending,
        at,
        fiscal_year_end_month=fiscal_month(info),
        months=months,
    )
    return SixTwelveView.of(view, at)


async def build_review(
    info: FlywheelInfo,
    week_ending: date,
    team_id: strawberry.ID | None,
    include_subteams: bool,
    months: MonthsMode,
    at: int | None,
) -> WeeklyBusinessReview:
    check_week(week_ending)
    db = context(info).views
    team_ids: list[UUID] | None = None
    team: UUID | None = None
    if team_id is not None:
        team = uuid_of(team_id, "Team", "teamId")
        scope = await org_queries.team_scope(db, team, at, include_subteams=include_subteams)
        if not scope:
            raise client_error(f"No team with id {team}")
        team_ids = scope
    if team_ids is None:
        owners = {row["owner_team_id"] for row in await wbr_queries.deck_metrics(db, None, at)}
        teams = await org_queries.teams_by_id(db, sorted(owners), at)
    else:
        teams = await org_queries.teams_by_id(db, team_ids, at)
    names = {key: row["name"] for key, row in teams.items()}
    if team_ids is not None and team is not None:
        first = team
        rest = sorted(
            (other for other in team_ids if other != first),
            key=lambda other: (names.get(other, "").casefold(), str(other)),
        )
        team_ids = [first, *rest]
    sections = await decks.deck(
        db,
        week_ending,
        team_ids,
        names,
        at,
        fiscal_year_end_month=fiscal_month(info),
        months=months,
    )
    return WeeklyBusinessReview(
        week_ending=week_ending,
        sections=[
            WbrSection(
                team_id=section.team_id,
                at=at,
                team_name=section.team_name,
                metrics=[
                    WbrMetric(
                        metric_id=view.metric["id"], at=at, six_twelve=SixTwelveView.of(view, at)
                    )
                    for view in section.metrics
                ],
            )
            for section in sections
        ],
    )


@strawberry.type
class WbrQuery:
    @strawberry.field(
        description="The weekly business review for the week ending `weekEnding`: the deck, "
        "grouped by team, inputs before the outputs and financial metrics they drive, each "
        "metric with its 6-12 view. With `asOf`/`atPosition`, the deck exactly as it was "
        "shown then (values, corrections and notes as recorded by that point)."
    )
    @time_travel
    async def weekly_business_review(
        self,
        info: FlywheelInfo,
        week_ending: WeekEnding,
        team_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only this team's metrics (UUID or global id)."),
        ] = None,
        include_subteams: Annotated[
            bool, strawberry.argument(description="With `teamId`: also the teams under it.")
        ] = False,
        months: Months = MonthsMode.TRAILING,
        *,
        at: int | None,
    ) -> WeeklyBusinessReview:
        return await build_review(info, week_ending, team_id, include_subteams, months, at)
