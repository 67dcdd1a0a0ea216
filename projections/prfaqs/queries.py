"""Queries over the PR/FAQ views, batched by key for DataLoaders.

Every function takes ``at``: ``None`` for the current state, or the log position
to read as of.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from domain.decisions import DECIDING_WINDOW_DAYS
from projections.paging import Listing, Page, PageRequest, at_args, grouped, page
from projections.reading import ReadSession, visible

PRFAQ_COLUMNS = (
    "p.id, p.title, p.state, p.ring, p.team_id, p.author, p.content, p.content_hash, "
    "p.revision, p.reviewers, p.drafted_at, p.revised_at, p.version"
)


async def prfaqs_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {PRFAQ_COLUMNS} FROM {{views}}.prfaqs p "
        f"WHERE p.id = ANY($1) AND {visible('p', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


@dataclass(frozen=True)
class PrFaqFilter:
    state: str | None = None
    ring: str | None = None
    team_ids: Sequence[UUID] | None = None
    author: str | None = None


async def prfaq_page(
    db: ReadSession, at: int | None, where: PrFaqFilter, request: PageRequest
) -> Page:
    """PR/FAQs ordered by title."""
    param, args = at_args(at, [])
    conditions = [visible("p", param)]
    for column, value in (("state", where.state), ("ring", where.ring), ("author", where.author)):
        if value is not None:
            args.append(value)
            conditions.append(f"p.{column} = ${len(args)}")
    if where.team_ids is not None:
        args.append(list(where.team_ids))
        conditions.append(f"p.team_id = ANY(${len(args)})")
    listing = Listing(PRFAQ_COLUMNS, "{views}.prfaqs p", conditions, args, ("title", "id"))
    return await page(db, listing, request)


async def revisions_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT r.prfaq_id, r.revision, r.content_hash, r.reason, r.at, r.actor "
        "FROM {views}.prfaq_revisions r "
        f"WHERE r.prfaq_id = ANY($1) AND {visible('r', param)} ORDER BY r.prfaq_id, r.revision",
        *args,
    )
    return grouped(rows, "prfaq_id")


async def rounds_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT r.prfaq_id, r.number, r.ring, r.revision, r.content_hash, r.reviewers, "
        "r.opened_at, r.opened_by, r.outcome, r.note, r.closed_at, r.closed_by "
        "FROM {views}.prfaq_rounds r "
        f"WHERE r.prfaq_id = ANY($1) AND {visible('r', param)} ORDER BY r.prfaq_id, r.number",
        *args,
    )
    return grouped(rows, "prfaq_id")


async def feedback_of(
    db: ReadSession, keys: Sequence[tuple[UUID, int]], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each round's feedback, keyed ``(prfaq id, round number)``, by reviewer."""
    param, args = at_args(at, [[key[0] for key in keys], [key[1] for key in keys]])
    rows = await db.fetch(
        "SELECT f.prfaq_id, f.number, f.reviewer, f.recommendation, f.comments, f.at "
        "FROM {views}.prfaq_feedback f "
        "JOIN unnest($1::uuid[], $2::int[]) AS k(prfaq_id, number) "
        "ON f.prfaq_id = k.prfaq_id AND f.number = k.number "
        f"WHERE {visible('f', param)} ORDER BY f.reviewer",
        *args,
    )
    found: dict[Any, list[asyncpg.Record]] = {}
    for row in rows:
        found.setdefault((row["prfaq_id"], row["number"]), []).append(row)
    return found


@dataclass(frozen=True)
class FunnelScope:
    """Stays that entered their ring within ``[start, end)`` (either side open), of
    PR/FAQs owned by ``team_ids`` (any team when None)."""

    start: datetime | None = None
    end: datetime | None = None
    team_ids: Sequence[UUID] | None = None


async def ring_stays(db: ReadSession, at: int | None, scope: FunnelScope) -> list[asyncpg.Record]:
    param, args = at_args(at, [])
    conditions = [visible("s", param), visible("p", param)]
    if scope.start is not None:
        args.append(scope.start)
        conditions.append(f"s.entered_at >= ${len(args)}")
    if scope.end is not None:
        args.append(scope.end)
        conditions.append(f"s.entered_at < ${len(args)}")
    if scope.team_ids is not None:
        args.append(list(scope.team_ids))
        conditions.append(f"p.team_id = ANY(${len(args)})")
    return await db.fetch(
        "SELECT s.prfaq_id, s.ring, s.entered_at, s.left_at, s.exit "
        "FROM {views}.prfaq_ring_stays s JOIN {views}.prfaqs p ON p.id = s.prfaq_id "
        f"WHERE {' AND '.join(conditions)}",
        *args,
    )


async def stale_drafts(
    db: ReadSession, at: int | None, revised_before: datetime, team_ids: Sequence[UUID] | None
) -> list[asyncpg.Record]:
    """Drafts (no round open, not closed) whose last revision is older than ``revised_before``,
    the stalest first."""
    param, args = at_args(at, [revised_before])
    conditions = [visible("p", param), "p.state = 'DRAFT'", "p.revised_at < $1"]
    if team_ids is not None:
        args.append(list(team_ids))
        conditions.append(f"p.team_id = ANY(${len(args)})")
    return await db.fetch(
        f"SELECT {PRFAQ_COLUMNS} FROM {{views}}.prfaqs p WHERE {' AND '.join(conditions)} "
        "ORDER BY p.revised_at, p.id",
        *args,
    )


DISSENT_COLUMNS = (
    "d.id, d.prfaq_id, d.person, d.argument, d.recorded_at, d.weighed, d.response, "
    "d.weighed_at, d.weighed_by"
)


async def dissents_by_id(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[UUID, asyncpg.Record]:
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {DISSENT_COLUMNS} FROM {{views}}.prfaq_dissents d "
        f"WHERE d.id = ANY($1) AND {visible('d', param)}",
        *args,
    )
    return {row["id"]: row for row in rows}


async def dissents_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each PR/FAQ's dissent, oldest first."""
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        f"SELECT {DISSENT_COLUMNS} FROM {{views}}.prfaq_dissents d "
        f"WHERE d.prfaq_id = ANY($1) AND {visible('d', param)} "
        "ORDER BY d.prfaq_id, d.recorded_at, d.id",
        *args,
    )
    return grouped(rows, "prfaq_id")


async def committed_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Who committed to each PR/FAQ, in order."""
    param, args = at_args(at, [list(ids)])
    rows = await db.fetch(
        "SELECT c.prfaq_id, c.person, c.at FROM {views}.prfaq_commitments c "
        f"WHERE c.prfaq_id = ANY($1) AND {visible('c', param)} ORDER BY c.prfaq_id, c.at",
        *args,
    )
    return grouped(rows, "prfaq_id")


@dataclass(frozen=True)
class OutcomeScope:
    """Expected outcomes of decided decisions: due by ``by``, of ``decision_ids``, decided
    by ``decider`` (each when given)."""

    by: date | None = None
    decision_ids: Sequence[UUID] | None = None
    decider: str | None = None


async def expected_outcomes(
    db: ReadSession, at: int | None, scope: OutcomeScope
) -> list[asyncpg.Record]:
    """Each outcome with its decision, its metric's direction and the deciding value: the
    latest observation in the month up to ``by``, by period end."""
    param, args = at_args(at, [DECIDING_WINDOW_DAYS])
    conditions = [visible("e", param), "d.decider IS NOT NULL"]
    if scope.by is not None:
        args.append(scope.by)
        conditions.append(f"e.by <= ${len(args)}")
    if scope.decision_ids is not None:
        args.append(list(scope.decision_ids))
        conditions.append(f"e.decision_id = ANY(${len(args)})")
    if scope.decider is not None:
        args.append(scope.decider)
        conditions.append(f"d.decider = ${len(args)}")
    return await db.fetch(
        "SELECT e.decision_id, e.number, e.metric_id, e.target, e.by, e.note, e.stated_at, "
        "e.stated_by, d.kind, d.title, d.decider, d.decided_at, d.dissents, m.direction, "
        "obs.value AS observed, obs.period_end AS observed_period_end "
        "FROM {views}.expected_outcomes e "
        f"JOIN {{views}}.decisions d ON d.id = e.decision_id AND {visible('d', param)} "
        f"JOIN {{views}}.metrics m ON m.id = e.metric_id AND {visible('m', param)} "
        "LEFT JOIN LATERAL (SELECT o.value, o.period_end FROM {views}.metric_observations o "
        "WHERE o.metric_id = e.metric_id AND o.period_end <= e.by "
        f"AND o.period_end > e.by - $1::int AND {visible('o', param)} "
        "ORDER BY o.period_end DESC LIMIT 1) obs ON true "
        f"WHERE {' AND '.join(conditions)} ORDER BY e.by, e.decision_id, e.number",
        *args,
    )


async def outcomes_of(
    db: ReadSession, ids: Sequence[UUID], at: int | None
) -> dict[Any, list[asyncpg.Record]]:
    """Each decision's expected outcomes (DataLoader shape)."""
    rows = await expected_outcomes(db, at, OutcomeScope(decision_ids=ids))
    return grouped(rows, "decision_id")
