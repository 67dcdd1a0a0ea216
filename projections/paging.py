"""Cursor pages over view rows: one list, or one page per parent in a single query;
and rows grouped by a key, for DataLoaders.

A nested connection (the services of each team in a list of teams) is read for
all the parents at once: the rows are numbered within each parent, and each
parent gets its first ``size + 1`` rows after the cursor. So a DataLoader turns
any number of nested pages into two queries (the totals and the rows).

Pages go both ways: a backward page (``last``/``before`` in GraphQL) is read with
the ordering reversed, keyset-bounded by its cursor, and its rows put back in order.
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
    """A page of rows in the order asked for, the listing's total, and whether rows
    follow (``has_next``) and precede (``has_previous``) the page.

    The direction paged in is answered exactly; the other one, as the Relay cursor
    spec allows, from whether a cursor bounds the page on that side.
    """

    rows: list[asyncpg.Record]
    total: int
    has_next: bool
    has_previous: bool = False


@dataclass(frozen=True)
class Order:
    """Output columns to sort by, ending with a unique one (so that the ordering is
    total and a cursor exact), all ascending or all descending."""

    columns: tuple[str, ...]
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    """Up to ``size`` rows strictly between the cursors ``after`` and ``before`` (a
    row's values of the ordering columns): the first of them, or with ``from_end``
    the last of them. ``order`` replaces the listing's own ordering."""

    size: int
    after: tuple[Any, ...] | None = None
    before: tuple[Any, ...] | None = None
    from_end: bool = False
    order: Order | None = None


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

    def ordered_by(self, request: PageRequest) -> Order:
        return request.order or Order(tuple(self.order))


def _bounds(order: Order, request: PageRequest, args: list[Any]) -> str:
    """The condition that a row lies strictly between the request's cursors, in the
    order's direction; appends the cursors' values to ``args``."""
    keys = ", ".join(f"b.{name}" for name in order.columns)
    conditions = []
    for cursor, later in ((request.after, True), (request.before, False)):
        if cursor is None:
            continue
        params = ", ".join(f"${len(args) + 1 + i}" for i in range(len(cursor)))
        args += list(cursor)
        operator = ">" if later != order.descending else "<"
        conditions.append(f"({keys}) {operator} ({params})")
    return " AND ".join(conditions) or "TRUE"


def _ordering(order: Order, request: PageRequest) -> str:
    """ORDER BY from the page's start: from the end of the list when paging backwards."""
    direction = " DESC" if order.descending != request.from_end else ""
    return ", ".join(f"b.{name}{direction}" for name in order.columns)


def _page_of(rows: list[asyncpg.Record], total: int, request: PageRequest) -> Page:
    """The page from up to ``size + 1`` rows read from its start: the extra row tells
    that more lie beyond it; rows read from the end are put back in order."""
    more = len(rows) > request.size
    found = list(rows[: request.size])
    if request.from_end:
        found.reverse()
        return Page(found, total, has_next=request.before is not None, has_previous=more)
    return Page(found, total, has_next=more, has_previous=request.after is not None)


# The column each row of a page carries its listing's total in (see ``page``).
PAGE_TOTAL = "page_total"


async def page(db: ReadSession, listing: Listing, request: PageRequest) -> Page:
    """One page of the listing, with the listing's total.

    One round trip: each row carries the total (an uncorrelated subquery, counted once),
    so only a page with no rows asks for the total again."""
    args = list(listing.args)
    count = f"SELECT count(*) FROM ({listing.base()}) b"
    order = listing.ordered_by(request)
    condition = _bounds(order, request, args)
    args.append(request.size + 1)
    rows = await db.fetch(
        f"SELECT b.*, ({count}) AS {PAGE_TOTAL} FROM ({listing.base()}) b WHERE {condition} "
        f"ORDER BY {_ordering(order, request)} LIMIT ${len(args)}",
        *args,
    )
    total = rows[0][PAGE_TOTAL] if rows else await db.fetchval(count, *listing.args)
    return _page_of(rows, int(total), request)


async def pages_by_group(
    db: ReadSession,
    listing: Listing,
    group: str,
    keys: Sequence[Any],
    request: PageRequest,
) -> dict[Any, Page]:
    """One page per key of ``group`` (an SQL expression over the listing's source).

    One query answers every page and its total: each row carries its group's total,
    its place in the group, and its place among the group's rows between the cursors,
    counted from the page's start (the list's end when paging backwards). The rows of
    each page come back, and the first row of every group (which may lie outside the
    cursors) so that a group with nothing between them still has its total.
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
    between = _bounds(listing.ordered_by(request), request, args)
    args.append(request.size + 1)
    ordering = _ordering(listing.ordered_by(request), request)
    in_order = f"PARTITION BY b.group_key ORDER BY {ordering} ROWS UNBOUNDED PRECEDING"
    rows = await db.fetch(
        "SELECT * FROM (SELECT b.*, "
        "count(*) OVER (PARTITION BY b.group_key) AS group_total, "
        f"row_number() OVER ({in_order}) AS group_row, "
        f"count(*) FILTER (WHERE {between}) OVER ({in_order}) AS row_in_group, "
        f"({between}) AS in_page "
        f"FROM ({base}) b) numbered "
        f"WHERE (numbered.in_page AND numbered.row_in_group <= ${len(args)}) "
        "OR numbered.group_row = 1 "
        "ORDER BY numbered.group_key, numbered.group_row",
        *args,
    )
    by_key: dict[Any, list[asyncpg.Record]] = defaultdict(list)
    totals: dict[Any, int] = {}
    for row in rows:
        key = row["group_key"]
        totals[key] = row["group_total"]
        if row["in_page"]:
            by_key[key].append(row)
    return {
        key: _page_of(by_key.get(key, []), int(total), request) for key, total in totals.items()
    }
