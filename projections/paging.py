"""Reading view rows by key: grouped lists, and keyset pages, one per parent key.

A GraphQL list such as ``Team.goals`` is asked for on many teams at once; a
DataLoader hands all their ids to :func:`pages`, which answers every team's page
with one query (``row_number()`` over a partition by the parent key) plus one
count per parent. Without a parent key it answers the single page of a root list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from projections.reading import ReadSession


def at_param(at: int | None, args: list[Any]) -> tuple[int | None, list[Any]]:
    """Append ``at`` to the arguments when reading as of a position; its ``$n`` or None."""
    if at is None:
        return None, args
    return len(args) + 1, [*args, at]


def grouped(rows: Sequence[asyncpg.Record], column: str) -> dict[Any, list[asyncpg.Record]]:
    """Rows in lists by the value of ``column``, each list in the order given."""
    groups: dict[Any, list[asyncpg.Record]] = defaultdict(list)
    for row in rows:
        groups[row[column]].append(row)
    return groups


@dataclass(frozen=True)
class Slice:
    """A page request: up to ``first`` rows after the ``after`` cursor values."""

    first: int
    after: tuple[Any, ...] | None = None


@dataclass(frozen=True)
class Page:
    rows: list[asyncpg.Record]
    total: int
    has_next: bool


@dataclass(frozen=True)
class Rows:
    """Where rows come from: ``SELECT {columns} {source} WHERE {conditions}``.

    ``order`` names output columns that order the rows uniquely; cursors are
    their values. ``args`` are the parameters the conditions use, ``$1`` on.
    """

    columns: str
    source: str
    conditions: Sequence[str]
    args: Sequence[Any]
    order: tuple[str, ...]


async def pages(
    db: ReadSession, rows: Rows, page: Slice, partition: str | None = None
) -> dict[Any, Page]:
    """The page of each parent (keyed by the ``partition`` column), or ``{None: page}``."""
    selected = f"SELECT {rows.columns} {rows.source} WHERE {' AND '.join(rows.conditions)}"
    args = list(rows.args)
    ordered = ", ".join(f"s.{name}" for name in rows.order)
    after = ""
    if page.after is not None:
        params = []
        for value in page.after:
            args.append(value)
            params.append(f"${len(args)}")
        after = f"WHERE ({ordered}) > ({', '.join(params)})"
    args.append(page.first + 1)
    over = f"PARTITION BY s.{partition} ORDER BY {ordered}" if partition else f"ORDER BY {ordered}"
    found = await db.fetch(
        f"SELECT * FROM (SELECT s.*, row_number() OVER ({over}) AS page_row "
        f"FROM ({selected}) s {after}) p WHERE p.page_row <= ${len(args)} "
        f"ORDER BY {'p.' + partition + ', ' if partition else ''}"
        f"{', '.join(f'p.{name}' for name in rows.order)}",
        *args,
    )
    if partition:
        counted = await db.fetch(
            f"SELECT s.{partition} AS key, count(*) AS total FROM ({selected}) s GROUP BY 1",
            *rows.args,
        )
        totals = {row["key"]: int(row["total"]) for row in counted}
    else:
        totals = {None: int(await db.fetchval(f"SELECT count(*) FROM ({selected}) s", *rows.args))}
    grouped: dict[Any, list[asyncpg.Record]] = {}
    for row in found:
        grouped.setdefault(row[partition] if partition else None, []).append(row)
    answered: dict[Any, Page] = {}
    for key, total in totals.items():
        listed = grouped.get(key, [])
        answered[key] = Page(
            rows=listed[: page.first], total=total, has_next=len(listed) > page.first
        )
    return answered


EMPTY_PAGE = Page(rows=[], total=0, has_next=False)
