"""Where the views stand, as every process sees it: the position they reached and,
when the runner stopped at an event it could not apply, that event and why.

The runner may work in another process (``flywheel project``) than the API
servers that answer ``/readyz`` and ``/metrics``, so the stall is kept where all
of them read: in the views' tracking row. Views swapped in by a replay come with
a tracking row of their own, without a stall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from projections.views import LIVE_SCHEMA, TRACKING_NAME

REASON_CHARS = 500


@dataclass(frozen=True)
class Stall:
    """The event the runner stopped at: the views stand just before it."""

    position: int
    event_type: str
    reason: str
    since: datetime | None = None

    @property
    def description(self) -> str:
        return (
            f"the views stopped before position {self.position} ({self.event_type}): {self.reason}"
        )


@dataclass(frozen=True)
class ViewsStatus:
    position: int
    stall: Stall | None


def stall_of(row: asyncpg.Record) -> Stall | None:
    """The stall recorded in a tracking row, if any. ``get`` because views of an
    older release, still live while a new release rebuilds them, lack the columns."""
    position = row.get("stalled_position")
    if position is None:
        return None
    return Stall(position, row["stalled_type"], row["stalled_reason"], row["stalled_since"])


async def read_status(conn: asyncpg.Connection, schema: str = LIVE_SCHEMA) -> ViewsStatus | None:
    """The views' status; None while they do not exist yet."""
    if not await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'"{schema}".tracking'):
        return None
    row = await conn.fetchrow(f'SELECT * FROM "{schema}".tracking WHERE name = $1', TRACKING_NAME)
    if row is None:
        return None
    return ViewsStatus(row["position"], stall_of(row))
