"""Cursor pages over view rows: one list, or one page per parent in a single query;
and rows grouped by a key, for DataLoaders.

A nested connection (the services of each team in a list of teams) is read for
all the parents at once: the rows are numbered within each parent, and each
parent gets its first ``first + 1`` rows after the cursor. So a DataLoader turns
any number of nested pages into two queries (the totals and the rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from projections.reading import ReadSession


@dataclass(frozen=True)
class Page:
    rows: list[asyncpg.Record]
    total: int
    has_next: bool


@dataclass(frozen=True)
class PageRequest:
    """Up to ``first`` rows after the row whose ordering values are ``after``."""

    first: int
    after: tuple[Any, ...] | None = None


EMPTY_PAGE = Page(rows=[], total=0, has_next=False)


def at_args(at: int | None, args: list[Any]) -> tuple[int | None, list[Any]]:
    """Append ``at`` to the arguments when reading as of a position; its parameter number."""
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
class Listing:
    """Rows of ``SELECT {columns} FROM {source} WHERE {conditions}``, in ``order``.

    ``order`` names output columns of ``columns`` and ends with a unique one, so that
    the ordering is total and a cursor (the last row's ``order`` values) is exact.
    """

    columns: str
    source: str
    conditions: Sequence[str]
    args: Sequence[Any]
    order: Sequence[str]

    def base(self, extra: str = "") -> str:
        where = " AND ".join(self.conditions) or "TRUE"
        return f"SELECT {self.columns}{extra} FROM {self.source} WHERE {where}"

    def after_condition(self, first_param: int) -> str:
        keys = ", ".join(f"b.{name}" for name in self.order)
        params = ", ".join(f"${first_param + i}" for i in range(len(self.order)))
        return f"({keys}) > ({params})"


async def page(db: ReadSession, listing: Listing, request: PageRequest) -> Page:
    """One page of the listing, with the listing's total."""
    args = list(listing.args)
    total = await db.fetchval(f"SELECT count(*) FROM ({listing.base()}) b", *args)
    condition = "TRUE"
    if request.after is not None:
        condition = listing.after_condition(len(args) + 1)
        args += list(request.after)
    args.append(request.first + 1)
    ordering = ", ".join(f"b.{name}" for name in listing.order)
    rows = await db.fetch(
        f"SELECT b.* FROM ({listing.base()}) b WHERE {condition} "
        f"ORDER BY {ordering} LIMIT ${len(args)}",
        *args,
    )
    return Page(rows=rows[: request.first], total=int(total), has_next=len(rows) > request.first)


async def pages_by_group(
    db: ReadSession,
    listing: Listing,
    group: str,
    keys: Sequence[Any],
    request: PageRequest,
) -> dict[Any, Page]:
    """One page per key of ``group`` (an SQL expression over the listing's source).

    One query answers every page and its total: each row carries its group's total,
    its place in the group, and its place among the group's rows after the cursor.
    The rows of each page come back, and the first row of every group (which may
    come before the cursor) so that a group with nothing after the cursor still has
    its total.
    """
    args = [*listing.args, list(keys)]
    grouped = Listing(
        columns=listing.columns,
        source=listing.source,
        conditions=[*listing.conditions, f"{group} = ANY(${len(args)})"],
        args=args,
        order=listing.order,
    )
    base = grouped.base(f", {group} AS group_key")
    after = "TRUE"
    if request.after is not None:
        after = grouped.after_condition(len(args) + 1)
        args += list(request.after)
    args.append(request.first + 1)
    ordering = ", ".join(f"b.{name}" for name in listing.order)
    in_order = f"PARTITION BY b.group_key ORDER BY {ordering} ROWS UNBOUNDED PRECEDING"
    rows = await db.fetch(
        "SELECT * FROM (SELECT b.*, "
        "count(*) OVER (PARTITION BY b.group_key) AS group_total, "
        f"row_number() OVER ({in_order}) AS group_row, "
        f"count(*) FILTER (WHERE {after}) OVER ({in_order}) AS row_in_group, "
        f"({after}) AS after_cursor "
        f"FROM ({base}) b) numbered "
        f"WHERE (numbered.after_cursor AND numbered.row_in_group <= ${len(args)}) "
        "OR numbered.group_row = 1 "
        "ORDER BY numbered.group_key, numbered.group_row",
        *args,
    )
    by_key: dict[Any, list[asyncpg.Record]] = defaultdict(list)
    totals: dict[Any, int] = {}
    for row in rows:
        key = row["group_key"]
        totals[key] = row["group_total"]
        if row["after_cursor"]:
            by_key[key].append(row)
    pages: dict[Any, Page] = {}
    for key, total in totals.items():
        found = by_key.get(key, [])
        pages[key] = Page(
            rows=found[: request.first],
            total=int(total),
            has_next=len(found) > request.first,
        )
    return pages
