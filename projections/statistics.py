"""The live views' planner statistics, kept current by the runner that writes them.

A freshly migrated database's view tables were analysed while empty, and PostgreSQL
plans the live batch's statements by those statistics until something analyses the
tables again: autovacuum, on a server that runs it. Planned for empty tables, the
statement that closes versions joins against every open version of its table, so a
command's projection cost grew with every command before it (docs/PERFORMANCE.md,
"The runner's PostgreSQL CPU grows"). The runner therefore analyses a table it writes
once the rows written since it last looked pass what the statistics said (and at
least ``ANALYSE_AFTER_ROWS``): rarely, since each analysis raises the next threshold
to the table's size.
"""

from __future__ import annotations

import logging

import asyncpg

from projections.batch import Writes

log = logging.getLogger(__name__)

ANALYSE_AFTER_ROWS = 500


class Statistics:
    """Rows written into each live view table since PostgreSQL's statistics were read."""

    def __init__(self) -> None:
        self._estimated: dict[str, float] = {}
        self._written: dict[str, int] = {}

    async def keep_current(self, conn: asyncpg.Connection, schema: str, writes: Writes) -> None:
        """After a batch committed: analyse the tables it grew past their statistics."""
        for table, rows in writes.inserts:
            name = f'"{schema}"."{table.name}"'
            if name not in self._estimated:
                self._estimated[name] = await _estimated_rows(conn, name)
            written = self._written.get(name, 0) + len(rows)
            if written < max(ANALYSE_AFTER_ROWS, self._estimated[name]):
                self._written[name] = written
                continue
            try:
                await conn.execute(f"ANALYZE {name}")
            except asyncpg.PostgresError as error:  # swapped out under us: the next batch says so
                log.debug("could not analyse %s: %r", name, error)
            self._estimated[name] = await _estimated_rows(conn, name)
            self._written[name] = 0


async def _estimated_rows(conn: asyncpg.Connection, name: str) -> float:
    """What the statistics say a table holds (-1: never analysed; 0 if it is gone)."""
    value = await conn.fetchval("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)", name)
    return float(value) if value is not None else 0.0
