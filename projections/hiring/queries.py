"""Queries over the hiring views, batched by key for DataLoaders; the hiring plan, the
bar raisers' figures and the loops' health.

Every function takes ``at``: ``None`` for the current state, or the log position to
read as of.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.hiring import RequisitionStatus
from domain.people.values import Function
from projections.paging import at_args, grouped
from projections.reading import ReadSession, visible

_headcount = msgspec.json.Decoder(dict[str, int])
_interviewers = msgspec.json.Decoder(list[dict[str, Any]])
SECONDS_PER_DAY = 86400


async def _rows(
    db: ReadSession, table: str, where: str, args: list[Any], at: int | None, order: str
) -> list[asyncpg.Record]:
    param, all_args = at_args(at, args)
    condition = visible("x", param) + (f" AND {where}" if where else "")
    return list(
        await db.fetch(
            f"SELECT x.* FROM {{views}}.{table} x WHERE {condition} ORDER BY {order}", *all_args
        )
    )


async def requisitions_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    rows = await _rows(db, "requisitions", "x.id = ANY($1)", [list(ids)], at, "x.id")
    return {row["id"]: row for row in rows}


async def requisitions_of_teams(
    db: ReadSession, team_ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    rows = await _rows(
        db,
        "requisitions",
        "x.team_id = ANY($1)",
        [list(team_ids)],
        at,
        "x.team_id, x.fiscal_year, x.opened_at, x.id",
    )
    return grouped(rows, "team_id")


async def loops_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    rows = await _rows(db, "interview_loops", "x.id = ANY($1)", [list(ids)], at, "x.id")
    return {row["id"]: row for row in rows}


async def loops_of_requisitions(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    rows = await _rows(
        db,
        "interview_loops",
        "x.requisition_id = ANY($1)",
        [list(ids)],
        at,
        "x.requisition_id, x.scheduled_at, x.id",
    )
    return grouped(rows, "requisition_id")


async def candidacies(
    db: ReadSession, handles: Sequence[str], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """The interview loops in which each of ``handles`` is the candidate, with the
    loop's participants: who may read a candidate's name."""
    rows = await _rows(
        db, "interview_loops", "x.candidate = ANY($1)", [list(handles)], at, "x.candidate, x.id"
    )
    return grouped(rows, "candidate")


def participants(loop: asyncpg.Record) -> set[str]:
    """The hiring manager, the recruiter, the bar raiser and the interviewers of a loop."""
    raw = loop["interviewers"] or "[]"
    interviewers = _interviewers.decode(raw) if isinstance(raw, str | bytes) else raw
    return {loop["hiring_manager"], loop["recruiter"], loop["bar_raiser"]} | {
        interviewer["person"] for interviewer in interviewers
    }


async def feedback_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    rows = await _rows(
        db,
        "loop_feedback",
        "x.loop_id = ANY($1)",
        [list(ids)],
        at,
        "x.loop_id, x.submitted_position NULLS LAST, x.person",
    )
    return grouped(rows, "loop_id")


@dataclass(frozen=True)
class PlanLine:
    """One team's headcount in one function: funded, members, open requisitions."""

    team_id: UUID
    function: Function
    funded: int
    members: int
    open_requisitions: int

    @property
    def unfilled(self) -> int:
        return max(self.funded - self.members - self.open_requisitions, 0)


async def hiring_plan(
    db: ReadSession, at: int | None, fiscal_year: int, team_ids: Sequence[UUID] | None
) -> list[PlanLine]:
    """Per team and function: what the year's latest decided allocation funds (OP2 once
    decided, else OP1), the members of that function now and the open requisitions."""
    decided = [CyclePhase.DECIDED.value, CyclePhase.LOCKED.value]
    cycles = await _rows(
        db,
        "allocation_cycles",
        "x.fiscal_year = $1 AND x.phase = ANY($2)",
        [fiscal_year, decided],
        at,
        "x.kind DESC",
    )
    chosen = next((c for c in cycles if c["kind"] == CycleKind.OP2.value), None) or (
        cycles[0] if cycles else None
    )
    funded: dict[tuple[UUID, Function], int] = {}
    if chosen is not None:
        for row in await _rows(
            db, "allocation_funding", "x.cycle_id = $1", [chosen["id"]], at, "x.team_id"
        ):
            raw = row["headcount"]
            counts = _headcount.decode(raw) if isinstance(raw, (str, bytes)) else dict(raw)
            for name, count in counts.items():
                funded[(row["team_id"], Function(name))] = int(count)
    scope = "" if team_ids is None else "x.team_id = ANY($1)"
    scope_args: list[Any] = [] if team_ids is None else [list(team_ids)]
    members: dict[tuple[UUID, Function], int] = {}
    for row in await _rows(db, "team_members", scope, scope_args, at, "x.team_id"):
        key = (row["team_id"], Function(row["function"]))
        members[key] = members.get(key, 0) + 1
    open_: dict[tuple[UUID, Function], int] = {}
    n = len(scope_args)
    where = f"x.fiscal_year = ${n + 1} AND x.status = ${n + 2}" + (f" AND {scope}" if scope else "")
    for row in await _rows(
        db,
        "requisitions",
        where,
        [*scope_args, fiscal_year, RequisitionStatus.OPEN.value],
        at,
        "x.team_id",
    ):
        key = (row["team_id"], Function(row["function"]))
        open_[key] = open_.get(key, 0) + 1
    keys = set(funded) | set(open_) | set(members)
    if team_ids is not None:
        wanted = set(team_ids)
        keys = {k for k in keys if k[0] in wanted}
    order = list(Function)
    return [
        PlanLine(
            team_id=team,
            function=function,
            funded=funded.get((team, function), 0),
            members=members.get((team, function), 0),
            open_requisitions=open_.get((team, function), 0),
        )
        for team, function in sorted(keys, key=lambda k: (str(k[0]), order.index(k[1])))
    ]


@dataclass(frozen=True)
class BarRaiserFigures:
    bar_raiser: str
    loops: int
    vetoes: int
    decided: int
    hires: int

    @property
    def hire_rate(self) -> float | None:
        return None if not self.decided else self.hires / self.decided


async def bar_raiser_stats(
    db: ReadSession, at: int | None, start: datetime | None, end: datetime | None
) -> list[BarRaiserFigures]:
    """Per bar raiser, the loops scheduled in the period: how many, vetoed, decided and
    decided HIRE."""
    rows = await _loops_in(db, at, "scheduled_at", start, end)
    figures: dict[str, list[int]] = {}
    for row in rows:
        counts = figures.setdefault(row["bar_raiser"], [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += 1 if row["vetoed"] else 0
        counts[2] += 0 if row["hire"] is None else 1
        counts[3] += 1 if row["hire"] else 0
    return [BarRaiserFigures(person, *counts) for person, counts in sorted(figures.items())]


async def _loops_in(
    db: ReadSession, at: int | None, column: str, start: datetime | None, end: datetime | None
) -> list[asyncpg.Record]:
    conditions, args = [], []
    if start is not None:
        args.append(start)
        conditions.append(f"x.{column} >= ${len(args)}")
    if end is not None:
        args.append(end)
        conditions.append(f"x.{column} < ${len(args)}")
    return await _rows(db, "interview_loops", " AND ".join(conditions), args, at, "x.id")


@dataclass(frozen=True)
class LoopHealth:
    debriefs: int
    median_days_to_debrief: float | None
    final_votes: int
    changed_votes: int

    @property
    def changed_share(self) -> float | None:
        return None if not self.final_votes else self.changed_votes / self.final_votes


async def loop_health(
    db: ReadSession, at: int | None, start: datetime | None, end: datetime | None
) -> LoopHealth:
    """Over the loops whose debrief opened in the period: the median days from the last
    feedback to the debrief, and the share of final votes that differ from the initial."""
    loops = [
        row
        for row in await _loops_in(db, at, "debrief_at", start, end)
        if row["debrief_at"] is not None
    ]
    days = [
        (row["debrief_at"] - row["last_feedback_at"]).total_seconds() / SECONDS_PER_DAY
        for row in loops
        if row["last_feedback_at"] is not None
    ]
    votes = await feedback_of(db, [row["id"] for row in loops], at)
    finals = [
        row
        for rows in votes.values()
        for row in rows
        if row["final_vote"] is not None and row["vote"] is not None
    ]
    return LoopHealth(
        debriefs=len(loops),
        median_days_to_debrief=statistics.median(days) if days else None,
        final_votes=len(finals),
        changed_votes=sum(1 for row in finals if row["final_vote"] != row["vote"]),
    )
