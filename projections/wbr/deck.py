"""The deck: metrics grouped by team and ordered as the review reads them, each with its
6-12 view, notes and goals, read as of one position.

Within a team, input metrics come first (the controllable actions), then the output
metrics they drive, then financial outputs; each group by name. Teams follow the
order asked for: the team named first, then the teams under it by name (every team
by name when none is named).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg

from domain.metrics import Aggregation, is_percentage
from projections.reading import ReadSession
from projections.wbr import queries
from projections.wbr.six_twelve import (
    MonthsMode,
    Observations,
    SixTwelve,
    add_months,
    fiscal_year_of,
    six_twelve,
)

HISTORY_MONTHS = 27  # the prior year of the earliest month shown, and the month before it


@dataclass(frozen=True)
class MetricView:
    metric: asyncpg.Record
    view: SixTwelve
    notes: list[asyncpg.Record]
    goals: list[asyncpg.Record]
    fiscal_year_end_month: int

    @property
    def current_goals(self) -> list[asyncpg.Record]:
        """The goals of the plan year the week falls in."""
        year = fiscal_year_of(self.view.week_ending, self.fiscal_year_end_month)
        return [goal for goal in self.goals if goal["plan_year"] == year]


@dataclass(frozen=True)
class Section:
    team_id: UUID
    team_name: str
    metrics: list[MetricView]


def reading_order(metric: Any) -> tuple[int, str, str]:
    rank = 0 if metric["kind"] == "INPUT" else 2 if metric["financial"] else 1
    return rank, metric["name"].casefold(), str(metric["id"])


def history_start(week_ending: date) -> date:
    return add_months(week_ending.replace(day=1), -HISTORY_MONTHS)


async def metric_views(
    db: ReadSession,
    metrics: Sequence[asyncpg.Record],
    week_ending: date,
    at: int | None,
    *,
    fiscal_year_end_month: int = 12,
    months: MonthsMode = MonthsMode.TRAILING,
) -> list[MetricView]:
    """Each metric's 6-12 view, in the order given: three queries for all of them."""
    ids = [metric["id"] for metric in metrics]
    start = history_start(week_ending)
    values = await queries.observed_values(db, ids, start, week_ending, at)
    goals = await queries.goals_on(db, ids, at)
    views = []
    for metric in metrics:
        targets: dict[int, Decimal] = {}
        for goal in goals.get(metric["id"], []):
            targets[goal["plan_year"]] = goal["target"]  # the latest set wins
        rows = values.get(metric["id"], [])
        view = six_twelve(
            Observations([row["period_end"] for row in rows], [row["value"] for row in rows]),
            Aggregation(metric["aggregation"]),
            week_ending,
            percentage=is_percentage(metric["unit"]),
            fiscal_year_end_month=fiscal_year_end_month,
            months=months,
            targets=targets,
        )
        views.append((metric, view))
    first_shown = min(
        (min(view.weeks[0].start, view.months[0].start) for _, view in views),
        default=week_ending - timedelta(days=41),
    )
    notes = await queries.notes_of(db, ids, first_shown, week_ending, at)
    return [
        MetricView(
            metric=metric,
            view=view,
            notes=[
                note
                for note in notes.get(metric["id"], [])
                if note["day"] >= min(view.weeks[0].start, view.months[0].start)
            ],
            goals=goals.get(metric["id"], []),
            fiscal_year_end_month=fiscal_year_end_month,
        )
        for metric, view in views
    ]


async def deck(
    db: ReadSession,
    week_ending: date,
    team_ids: Sequence[UUID] | None,
    team_names: dict[UUID, str],
    at: int | None,
    *,
    fiscal_year_end_month: int = 12,
    months: MonthsMode = MonthsMode.TRAILING,
) -> list[Section]:
    """The deck's sections: ``team_ids`` in order (every team owning a metric when None)."""
    metrics = sorted(await queries.deck_metrics(db, team_ids, at), key=reading_order)
    views = await metric_views(
        db,
        metrics,
        week_ending,
        at,
        fiscal_year_end_month=fiscal_year_end_month,
        months=months,
    )
    by_team: dict[UUID, list[MetricView]] = {}
    for view in views:
        by_team.setdefault(view.metric["owner_team_id"], []).append(view)
    order = (
        list(team_ids)
        if team_ids is not None
        else sorted(by_team, key=lambda team: (team_names.get(team, "").casefold(), str(team)))
    )
    return [
        Section(team_id=team, team_name=team_names.get(team, ""), metrics=by_team[team])
        for team in order
        if team in by_team
    ]
