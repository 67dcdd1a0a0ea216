"""Comparing two copies of the views as of one log position.

A live view and one rebuilt from the log up to position ``p`` must agree on
every row visible at ``p``. Temporal rows make that exact even while the live
views keep moving: a live version closed after ``p`` was still open at ``p``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from projections.tables import AppendOnlyTable, Table, TemporalTable
from projections.views import Views

SAMPLE_ROWS = 10


@dataclass
class TableDifference:
    table: str
    only_in_live: list[tuple[Any, ...]] = field(default_factory=list)
    only_in_rebuilt: list[tuple[Any, ...]] = field(default_factory=list)


def _as_of(schema: str, table: Table) -> str:
    """The rows of ``table`` visible at position $1, with validity as seen then."""
    name = f'"{schema}"."{table.name}"'
    if isinstance(table, AppendOnlyTable):
        columns = ", ".join(table.stored_names)
        return f"SELECT {columns} FROM {name} WHERE position <= $1"
    assert isinstance(table, TemporalTable)
    columns = ", ".join((*table.key_names, *table.value_names, "valid_from"))
    return (
        f"SELECT {columns}, CASE WHEN valid_to > $1 THEN NULL ELSE valid_to END AS valid_to "
        f"FROM {name} WHERE valid_from <= $1"
    )


async def compare_views(
    conn: asyncpg.Connection, live: str, rebuilt: str, position: int, *, views: Views
) -> list[TableDifference]:
    """The tables of ``views`` whose rows at ``position`` differ, with a sample of each side."""
    differences = []
    for table in views.tables():
        live_rows = _as_of(live, table)
        rebuilt_rows = _as_of(rebuilt, table)
        only_live = await conn.fetch(
            f"({live_rows}) EXCEPT ALL ({rebuilt_rows}) LIMIT {SAMPLE_ROWS}", position
        )
        only_rebuilt = await conn.fetch(
            f"({rebuilt_rows}) EXCEPT ALL ({live_rows}) LIMIT {SAMPLE_ROWS}", position
        )
        if only_live or only_rebuilt:
            differences.append(
                TableDifference(
                    table.name,
                    [tuple(row) for row in only_live],
                    [tuple(row) for row in only_rebuilt],
                )
            )
    return differences
