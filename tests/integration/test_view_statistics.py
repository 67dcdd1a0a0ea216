"""The runner analyses a live view table once it has grown past its statistics."""

from __future__ import annotations

import asyncpg

from projections.batch import Writes
from projections.org.projector import TEAMS
from projections.statistics import ANALYSE_AFTER_ROWS, Statistics
from projections.views import LIVE_SCHEMA
from services.runtime import Runtime


async def analyses(conn: asyncpg.Connection) -> int:
    """Manual ANALYZEs of the live teams table (autovacuum's are counted apart)."""
    value = await conn.fetchval(
        "SELECT analyze_count FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = $2",
        LIVE_SCHEMA,
        TEAMS.name,
    )
    return int(value)


def inserted(rows: int) -> Writes:
    return Writes(closes=[], inserts=[(TEAMS, [()] * rows)])


async def test_a_table_is_analysed_once_its_writes_pass_its_statistics(
    serving: Runtime,
) -> None:
    conn = await asyncpg.connect(serving.database.url)
    try:
        statistics = Statistics()
        before = await analyses(conn)
        await statistics.keep_current(conn, LIVE_SCHEMA, inserted(ANALYSE_AFTER_ROWS - 1))
        assert await analyses(conn) == before
        await statistics.keep_current(conn, LIVE_SCHEMA, inserted(1))
        assert await analyses(conn) == before + 1
        await statistics.keep_current(conn, LIVE_SCHEMA, inserted(ANALYSE_AFTER_ROWS - 1))
        assert await analyses(conn) == before + 1
    finally:
        await conn.close()
