"""Reports over goals: the goal mix and attainment, for a team, its subtree or the
whole company, as of any position.

A *scope* is one team, a team and every team below it in the org tree as of the
position read (a recursive walk of ``parent_id``), or the whole company. Every
goal set for the plan year counts, whatever became of it; a disbanded team's
goals still count for the year they were set in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from domain.org.team import TeamStatus
from projections.org.queries import TEAM_COLUMNS
from projections.paging import at_args
from projections.reading import ReadSession, visible

# A year is "too easy" when at least this share of its closed goals was achieved,
# counted only once enough goals were closed for the share to mean something.
# About 75% achieved is expected (DOMAIN.md); nearly all means the bar was low.
TOO_EASY_SHARE = 0.9
TOO_EASY_MIN_CLOSED = 5


def share(part: int, whole: int) -> float:
    """``part / whole``, or 0 when there is nothing to share."""
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class MixFigures:
    """Goal counts by the kind of their metric; financial goals are output goals too."""

    total: int = 0
    input: int = 0
    output: int = 0
    financial: int = 0

    @property
    def input_share(self) -> float:
        return share(self.input, self.total)

    @property
    def financial_share(self) -> float:
        return share(self.financial, self.total)

    def __add__(self, other: MixFigures) -> MixFigures:
        return MixFigures(
            self.total + other.total,
            self.input + other.input,
            self.output + other.output,
            self.financial + other.financial,
        )


@dataclass(frozen=True)
class TeamMix:
    team: asyncpg.Record
    figures: MixFigures
    top_level: MixFigures


@dataclass(frozen=True)
class GoalMix:
    figures: MixFigures
    top_level: MixFigures
    by_team: list[TeamMix] = field(default_factory=list)


@dataclass(frozen=True)
class Scope:
    """One team, a team with its subtree, or (``team_id`` None) the whole company."""

    team_id: UUID | None = None
    include_subteams: bool = False


def _scope_cte(scope: Scope, args: list[Any], param: int | None) -> str:
    """A ``scope(id)`` CTE of the teams in scope, visible at the position read."""
    if scope.team_id is None:
        return f"scope(id) AS (SELECT t.id FROM {{views}}.teams t WHERE {visible('t', param)})"
    args.append(scope.team_id)
    team = f"${len(args)}"
    root = f"SELECT t.id FROM {{views}}.teams t WHERE t.id = {team} AND {visible('t', param)}"
    if not scope.include_subteams:
        return f"scope(id) AS ({root})"
    return (
        f"scope(id) AS ({root} UNION SELECT c.id FROM {{views}}.teams c "
        f"JOIN scope ON c.parent_id = scope.id WHERE {visible('c', param)})"
    )


Counts = list[tuple[str, str]]  # (column, condition on a goal ``g`` and its metric ``m``)


def _counts(prefix: str, condition: str) -> Counts:
    kinds = {
        "total": "TRUE",
        "input": "m.kind = 'INPUT'",
        "output": "m.kind = 'OUTPUT'",
        "financial": "m.financial",
    }
    return [(f"{prefix}{name}", f"{condition} AND {test}") for name, test in kinds.items()]


async def _per_team(
    db: ReadSession, at: int | None, plan_year: int, scope: Scope, counts: Counts
) -> list[asyncpg.Record]:
    """Every team in the scope with its counts of the plan year's goals.

    The goals are counted per team first, then joined to the teams. A goal's metric
    is read in its current version: its kind and financial flag are set when it is
    defined and never change, and it existed whenever a goal set on it did, so any
    version answers the same. Reading it as of a position instead would walk every
    version an observation ever made, which as-of reads of a busy metric cannot afford.
    """
    param, args = at_args(at, [plan_year])
    cte = _scope_cte(scope, args, param)
    counted = ", ".join(f"count(*) FILTER (WHERE {test}) AS {name}" for name, test in counts)
    totals = ", ".join(f"coalesce(c.{name}, 0) AS {name}" for name, _ in counts)
    return await db.fetch(
        f"WITH RECURSIVE {cte}, "
        f"counted AS (SELECT g.team_id, {counted} FROM {{views}}.goals g "
        "JOIN {views}.metrics m ON m.id = g.metric_id AND m.valid_to IS NULL "
        f"WHERE g.plan_year = $1 AND {visible('g', param)} "
        "AND g.team_id IN (SELECT id FROM scope) GROUP BY g.team_id) "
        f"SELECT {TEAM_COLUMNS}, {totals} "
        f"FROM scope JOIN {{views}}.teams t ON t.id = scope.id AND {visible('t', param)} "
        "LEFT JOIN counted c ON c.team_id = t.id ORDER BY t.name, t.id",
        *args,
    )


async def team_exists(db: ReadSession, team_id: UUID, at: int | None) -> bool:
    param, args = at_args(at, [team_id])
    found = await db.fetchval(
        f"SELECT count(*) FROM {{views}}.teams t WHERE t.id = $1 AND {visible('t', param)}",
        *args,
    )
    return bool(found)


def _figures(row: asyncpg.Record, prefix: str) -> MixFigures:
    return MixFigures(
        total=row[f"{prefix}total"],
        input=row[f"{prefix}input"],
        output=row[f"{prefix}output"],
        financial=row[f"{prefix}financial"],
    )


async def goal_mix(db: ReadSession, at: int | None, plan_year: int, scope: Scope) -> GoalMix:
    """The plan year's goal mix in the scope, and per team: every active team in the
    scope, and any other team (e.g. disbanded since) that had goals that year."""
    counts = [*_counts("", "TRUE"), *_counts("top_", "g.top_level")]
    rows = await _per_team(db, at, plan_year, scope, counts)
    by_team = [
        TeamMix(team=row, figures=_figures(row, ""), top_level=_figures(row, "top_"))
        for row in rows
        if TeamStatus(row["status"]) is TeamStatus.ACTIVE or row["total"] > 0
    ]
    return GoalMix(
        figures=sum((team.figures for team in by_team), MixFigures()),
        top_level=sum((team.top_level for team in by_team), MixFigures()),
        by_team=by_team,
    )


@dataclass(frozen=True)
class Attainment:
    """How the plan year's closed goals ended. ``achieved_share`` is achieved / closed
    (dropped goals count as not achieved)."""

    achieved: int = 0
    missed: int = 0
    dropped: int = 0
    open: int = 0

    @property
    def closed(self) -> int:
        return self.achieved + self.missed + self.dropped

    @property
    def achieved_share(self) -> float:
        return share(self.achieved, self.closed)

    @property
    def too_easy(self) -> bool:
        """Nearly everything achieved: the bar was probably set too low."""
        return self.closed >= TOO_EASY_MIN_CLOSED and self.achieved_share >= TOO_EASY_SHARE


async def attainment(db: ReadSession, at: int | None, plan_year: int, scope: Scope) -> Attainment:
    counts = [
        ("achieved", "g.outcome = 'ACHIEVED'"),
        ("missed", "g.outcome = 'MISSED'"),
        ("dropped", "g.outcome = 'DROPPED'"),
        ("open", "g.outcome IS NULL"),
    ]
    rows = await _per_team(db, at, plan_year, scope, counts)
    return Attainment(
        achieved=sum(row["achieved"] for row in rows),
        missed=sum(row["missed"] for row in rows),
        dropped=sum(row["dropped"] for row in rows),
        open=sum(row["open"] for row in rows),
    )


async def log_time(db: ReadSession, position: int) -> datetime | None:
    """The log time of the event at (or last before) ``position``."""
    value: datetime | None = await db.fetchval(
        "SELECT at FROM {views}.event_log WHERE position <= $1 ORDER BY position DESC LIMIT 1",
        position,
    )
    return value
