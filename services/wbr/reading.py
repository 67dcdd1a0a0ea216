"""What the REST reads of the weekly business review share: the deck's parameters, the
refusal of a caller who may not read (``services/api/guards.py`` checks), and one
metric's view or a whole deck, from one read snapshot."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import QueryParameter

from projections.metrics import queries as metrics_queries
from projections.org import queries as org_queries
from projections.reading import ReadSession
from projections.wbr import deck as decks
from projections.wbr import queries as wbr_queries
from projections.wbr.six_twelve import MonthsMode

if TYPE_CHECKING:
    from services.runtime import Runtime

# What the deck's page and its export are asked for.
DeckWeekEnding = Annotated[
    date, QueryParameter(name="weekEnding", description="The review's week-ending date.")
]
DeckTeamId = Annotated[
    UUID | None, QueryParameter(name="teamId", description="Only this team's metrics.")
]
NO_ROLE = (
    "Reading the weekly business review needs a role (member, planner, auditor or "
    "leadership) or leading a team"
)


def check_week(week_ending: date) -> None:
    if not 1900 <= week_ending.year <= 2199:
        raise ValidationException("`weekEnding` must be in the years 1900-2199")


async def metric_view(
    db: ReadSession, runtime: Runtime, metric_id: UUID, week_ending: date, months: MonthsMode
) -> decks.MetricView:
    check_week(week_ending)
    rows = await metrics_queries.metrics_by_id(db, [metric_id], None)
    if metric_id not in rows:
        raise NotFoundException(f"No metric with id {metric_id}")
    [view] = await decks.metric_views(
        db,
        [rows[metric_id]],
        week_ending,
        None,
        fiscal_year_end_month=runtime.settings.fiscal_year_end_month,
        months=months,
    )
    return view


async def deck_teams(
    db: ReadSession, team_id: UUID | None, include_subteams: bool, at: int | None
) -> tuple[list[UUID] | None, dict[UUID, str]] | None:
    """The deck's teams in order (with ``team_id``, that team first, then those under it by
    name; without, None: every team that owns a metric) and the names of the teams; None
    when there is no team ``team_id``."""
    if team_id is None:
        owners = {row["owner_team_id"] for row in await wbr_queries.deck_metrics(db, None, at)}
        teams = await org_queries.teams_by_id(db, sorted(owners), at)
        return None, {key: row["name"] for key, row in teams.items()}
    scope = await org_queries.team_scope(db, team_id, at, include_subteams=include_subteams)
    if not scope:
        return None
    teams = await org_queries.teams_by_id(db, scope, at)
    names = {key: row["name"] for key, row in teams.items()}
    rest = sorted(
        (other for other in scope if other != team_id),
        key=lambda other: (names.get(other, "").casefold(), str(other)),
    )
    return [team_id, *rest], names


async def deck_of(
    db: ReadSession,
    runtime: Runtime,
    week_ending: date,
    team_id: UUID | None,
    include_subteams: bool,
    at: int | None = None,
    months: MonthsMode = MonthsMode.TRAILING,
) -> list[decks.Section]:
    """The deck's sections (the team first, then those under it by name)."""
    check_week(week_ending)
    found = await deck_teams(db, team_id, include_subteams, at)
    if found is None:
        raise NotFoundException(f"No team with id {team_id}")
    team_ids, names = found
    return await decks.deck(
        db,
        week_ending,
        team_ids,
        names,
        at,
        fiscal_year_end_month=runtime.settings.fiscal_year_end_month,
        months=months,
    )
