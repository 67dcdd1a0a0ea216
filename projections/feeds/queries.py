"""Reading the log for the feeds (GraphQL subscriptions, webhooks): events after a
position, up to the position the views reached, filtered by type and team.

An event *concerns* a team when the event is the team's own (its aggregate is the
team), when the event names the team in one of its team fields (``team_id``,
``owner_team_id``, ``to_team_id``, ``from_team_id``), or when the aggregate's first
event named it (a roadmap item, a goal, a service created for that team: every later
event of that aggregate concerns the team it was created for).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

import asyncpg

from projections.chain import CHAIN_TABLE
from projections.views import LIVE_SCHEMA, TRACKING_NAME

TEAM_FIELDS = ("team_id", "owner_team_id", "to_team_id", "from_team_id")
LOG = f'"{LIVE_SCHEMA}".event_log'
EVENT_COLUMNS = (
    "l.position, l.type, l.aggregate_id, l.aggregate_version, l.at, l.recorded_at, "
    "l.actor, l.correlation_id, l.reason, l.data::text AS data"
)


@dataclass(frozen=True)
class FeedFilter:
    """Which events a feed follows: all of them, or those of some types, or those
    concerning some teams (both: events of those types concerning those teams)."""

    types: tuple[str, ...] | None = None
    teams: tuple[UUID, ...] | None = None


def _names_team(alias: str, param: str) -> str:
    fields = " OR ".join(
        f"{alias}.data ->> '{field}' = ANY({param}::text[])" for field in TEAM_FIELDS
    )
    return f"({fields})"


def selection(feed: FeedFilter) -> str:
    """The query: ``$1`` the position after which, ``$2`` the last position to read
    (the views' position), ``$3`` the most rows, then the filter's arguments."""
    conditions = ["l.position > $1", "l.position <= $2"]
    if feed.types is not None:
        conditions.append("l.type = ANY($4::text[])")
    if feed.teams is not None:
        teams = "$5" if feed.types is not None else "$4"
        conditions.append(
            f"(l.aggregate_id::text = ANY({teams}::text[]) OR {_names_team('l', teams)} OR EXISTS ("
            f"SELECT 1 FROM {LOG} f WHERE f.aggregate_id = l.aggregate_id "
            f"AND f.aggregate_version = 1 AND {_names_team('f', teams)}))"
        )
    return (
        f"SELECT {EVENT_COLUMNS}, encode(c.chain_hash, 'hex') AS chain_hash FROM {LOG} l "
        f"LEFT JOIN {CHAIN_TABLE} c ON c.position = l.position WHERE {' AND '.join(conditions)} "
        "ORDER BY l.position LIMIT $3"
    )


def arguments(feed: FeedFilter) -> list[object]:
    args: list[object] = []
    if feed.types is not None:
        args.append(list(feed.types))
    if feed.teams is not None:
        args.append([str(team) for team in feed.teams])
    return args


async def views_position(conn: asyncpg.Connection) -> int:
    """The position the views (and so the event log view) have reached."""
    value = await conn.fetchval(
        f'SELECT position FROM "{LIVE_SCHEMA}".tracking WHERE name = $1', TRACKING_NAME
    )
    return int(value or 0)


async def events_after(
    conn: asyncpg.Connection,
    feed: FeedFilter,
    *,
    after: int,
    limit: int,
    upto: int | None = None,
) -> tuple[list[asyncpg.Record], int]:
    """Up to ``limit`` events the feed follows after ``after``, in log order, and the
    position scanned to: the last event's if the page is full, else the views'
    position (``upto``, or read in the same snapshot), so that a feed filtering out
    most events still moves on. Run it in a REPEATABLE READ transaction, or pass
    ``upto``, so that the views' position and the rows agree."""
    reached = await views_position(conn) if upto is None else upto
    if reached <= after:
        return [], after
    rows = await conn.fetch(selection(feed), after, reached, limit, *arguments(feed))
    scanned = rows[-1]["position"] if len(rows) >= limit else reached
    return list(rows), scanned


async def team_scope(
    conn: asyncpg.Connection, team_ids: Sequence[UUID], *, include_subteams: bool
) -> list[UUID]:
    """The teams (those that exist now) and, if asked, every team under them now."""
    if not include_subteams:
        rows = await conn.fetch(
            f'SELECT id FROM "{LIVE_SCHEMA}".teams WHERE id = ANY($1) AND valid_to IS NULL',
            list(team_ids),
        )
        return [row["id"] for row in rows]
    rows = await conn.fetch(
        "WITH RECURSIVE subtree(id) AS ("
        f'SELECT t.id FROM "{LIVE_SCHEMA}".teams t WHERE t.id = ANY($1) AND t.valid_to IS NULL '
        "UNION "
        f'SELECT c.id FROM "{LIVE_SCHEMA}".teams c JOIN subtree ON c.parent_id = subtree.id '
        "WHERE c.valid_to IS NULL) SELECT id FROM subtree",
        list(team_ids),
    )
    return [row["id"] for row in rows]
