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

from projections.chain import ALTERED, BROKEN, NO_LINK
from projections.views import LIVE_SCHEMA, TRACKING_NAME

CHAIN_PROBLEMS = (NO_LINK, ALTERED, BROKEN)


@dataclass(frozen=True)
class Stall:
    """The event the runner stopped at: the views stand just before it."""

    position: int
    event_type: str
    reason: str
    since: datetime | None = None

    @property
    def cause(self) -> str:
        """``chain`` when its hash-chain link does not verify, ``error`` when applying
        it failed."""
        return "chain" if self.reason in CHAIN_PROBLEMS else "error"

    @property
    def description(self) -> str:
        return (
            f"the views stopped before position {self.position} ({self.event_type}): {self.reason}"
        )


@dataclass(frozen=True)
class ViewsStatus:
    head: int  # the last position in the event log
    position: int  # the position the views reached
    stall: Stall | None

    @property
    def lag(self) -> int:
        return max(self.head - self.position, 0)


def stall_of(row: asyncpg.Record) -> Stall | None:
    """The stall recorded in a tracking row, if any. ``get`` because views of an
    older release, still live while a new release rebuilds them, lack the columns."""
    position = row.get("stalled_position")
    if position is None:
        return None
    return Stall(position, row["stalled_type"], row["stalled_reason"], row["stalled_since"])


async def read_status(
    conn: asyncpg.Connection, events_table: str, schema: str = LIVE_SCHEMA
) -> ViewsStatus:
    """The head of the log and where the views stand (at 0 while they do not exist)."""
    head = int(await conn.fetchval(f"SELECT max(notification_id) FROM {events_table}") or 0)
    row = None
    if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f'"{schema}".tracking'):
        row = await conn.fetchrow(
            f'SELECT * FROM "{schema}".tracking WHERE name = $1', TRACKING_NAME
        )
    if row is None:
        return ViewsStatus(head, 0, None)
    return ViewsStatus(head, row["position"], stall_of(row))
