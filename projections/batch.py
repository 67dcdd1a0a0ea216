"""One batch of events applied to the views, written in one transaction.

Handlers read and change rows through :class:`ViewBatch`; nothing reaches the
database until :meth:`ViewBatch.flush`, which closes replaced versions with one
``UPDATE ... FROM unnest(...)`` per table and writes new versions with ``COPY``.
That keeps a rebuild at tens of thousands of events per second instead of one
round trip per event. A rebuild's fast path closes nothing in the database: its
cache holds current versions back and each version is written once, closed
(:attr:`RowCache.hold_open`).

Rows read once stay in a :class:`RowCache` across batches: the runner is the
only writer of the views (it holds an advisory lock), so the cache cannot go
stale while it runs. After a failed batch the runner drops the cache.

Every text a row holds is written storable (:mod:`projections.storable`): a string
PostgreSQL cannot hold is stored with U+FFFD in place of what it cannot hold, so
no value the log holds can stop the views. Keys are made storable as they enter,
so the cache, the closes and the rows agree on them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import asyncpg

from projections.storable import storable, storable_record
from projections.tables import AppendOnlyTable, TemporalTable

Row = dict[str, Any]
Key = tuple[Any, ...]

DEFAULT_CACHE_ROWS = 50_000
# Up to this many rows a batch is flushed in two statements; above it, per table
# with COPY (a rebuild's batches of thousands of events).
SMALL_BATCH_ROWS = 500


class _Slot:
    """What the projection knows of one entity's current version."""

    __slots__ = ("closable", "open_record", "row")

    def __init__(self, row: Row | None, *, closable: bool) -> None:
        self.row = row
        self.open_record: list[Any] | None = None  # the open version, if new in this batch
        self.closable = closable  # the database may hold an open version to close


class RowCache:
    """Current rows by table and key, bounded, least recently used evicted.

    While ``complete`` (a rebuild that started from empty tables and has not
    evicted anything yet), a miss means the row does not exist, so no query.

    While ``hold_open`` (a rebuild's fast path, see ``ProjectionRunner.build_shadow``),
    each entity's current version stays here instead of being written: a version is
    written once, when a later event closes it (so with its ``valid_to``), and the
    versions still open are written by :meth:`release`. Nothing is updated and
    nothing is evicted meanwhile (:attr:`full` says when the bound is passed).
    """

    def __init__(
        self, max_rows: int = DEFAULT_CACHE_ROWS, *, complete: bool = False, hold_open: bool = False
    ) -> None:
        self.max_rows = max_rows
        self.complete = complete
        self.hold_open = hold_open
        self._slots: OrderedDict[tuple[str, Key], _Slot] = OrderedDict()
        self._held_tables: dict[str, TemporalTable] = {}

    def __len__(self) -> int:
        return len(self._slots)

    def get(self, table: str, key: Key) -> _Slot | None:
        entry = (table, key)
        slot = self._slots.get(entry)
        if slot is not None and not self.hold_open:  # holding, nothing is evicted
            self._slots.move_to_end(entry)
        return slot

    def put(self, table: str, key: Key, slot: _Slot) -> None:
        entry = (table, key)
        self._slots[entry] = slot
        self._slots.move_to_end(entry)

    @property
    def full(self) -> bool:
        return len(self._slots) > self.max_rows

    def hold(self, table: TemporalTable) -> None:
        """``table`` has versions held here (so :meth:`release` knows its columns)."""
        self._held_tables[table.name] = table

    def release(self) -> list[tuple[TemporalTable, Sequence[Sequence[Any]]]]:
        """Stop holding versions: the open versions held, by table, to be written now
        (after which the database holds every current row)."""
        held: dict[str, list[list[Any]]] = {}
        for (name, _), slot in self._slots.items():
            record = slot.open_record
            if record is not None:
                held.setdefault(name, []).append(record)
                slot.open_record = None
            slot.closable = slot.row is not None
        self.hold_open = False
        return [(self._held_tables[name], records) for name, records in held.items()]

    def trim(self) -> None:
        """Evict the least recently used rows beyond the bound (between batches only;
        never while versions are held)."""
        if self.hold_open:
            return
        while len(self._slots) > self.max_rows:
            self._slots.popitem(last=False)
            self.complete = False

    def clear(self) -> None:
        self._slots.clear()
        self.complete = False
        self.hold_open = False


@dataclass(frozen=True)
class Writes:
    """A batch's closes and inserts, sealed for writing."""

    closes: list[tuple[TemporalTable, dict[Key, int]]]
    inserts: list[tuple[TemporalTable | AppendOnlyTable, Sequence[Sequence[Any]]]]

    @property
    def rows(self) -> int:
        closed = sum(len(closed) for _, closed in self.closes)
        return closed + sum(len(rows) for _, rows in self.inserts)


class ViewBatch:
    def __init__(self, conn: asyncpg.Connection, schema: str, cache: RowCache) -> None:
        self._conn = conn
        self._schema = schema
        self._cache = cache
        self._inserts: dict[str, tuple[TemporalTable, list[list[Any]]]] = {}
        self._closes: dict[str, tuple[TemporalTable, dict[Key, int]]] = {}
        self._appends: dict[str, tuple[AppendOnlyTable, list[tuple[Any, ...]]]] = {}
        self._touched: list[_Slot] = []  # slots this batch read or wrote (repeats allowed)
        self.position = 0
        self.at: datetime | None = None

    def begin_event(self, position: int, at: datetime) -> None:
        self.position = position
        self.at = at

    @property
    def now(self) -> datetime:
        assert self.at is not None
        return self.at

    async def get(self, table: TemporalTable, key: Key) -> Row | None:
        """The entity's current values (key columns included), or None."""
        key = _storable_key(table, key)
        slot = self._cache.get(table.name, key)
        if slot is None:
            slot = await self._slot(table, key)
        return slot.row

    async def require(self, table: TemporalTable, key: Key) -> Row:
        row = await self.get(table, key)
        if row is None:
            raise LookupError(f"{table.name} has no current row for {key}")
        return row

    def put(self, table: TemporalTable, row: Row) -> None:
        """Make ``row`` the entity's current version from this event on."""
        key = _storable_key(table, tuple([row[name] for name in table.key_names]))
        self._write(table, key, self._known_slot(table, key), dict(row))

    async def update(self, table: TemporalTable, key: Key, **changes: Any) -> Row:
        key = _storable_key(table, key)
        slot = self._cache.get(table.name, key)
        if slot is None:
            slot = await self._slot(table, key)
        if slot.row is None:
            raise LookupError(f"{table.name} has no current row for {key}")
        row = {**slot.row, **changes}
        self._touched.append(slot)
        self._write(table, key, slot, row)
        return dict(row)

    def _write(self, table: TemporalTable, key: Key, slot: _Slot, row: Row) -> None:
        """``row`` (the batch's own copy) becomes the current version in ``slot``."""
        values = list(map(row.get, table.names))
        checked = storable_record(values, table.text_positions)
        if checked is not values:
            values = list(checked)
        record = slot.open_record
        if record is not None and record[-2] == self.position:
            record[: len(values)] = values
        else:
            self._close(table, key, slot)
            values += (self.position, None)
            if self._cache.hold_open:
                self._cache.hold(table)
            else:
                self._insert(table, values)
            slot.open_record = values
        slot.row = row

    def _insert(self, table: TemporalTable, record: list[Any]) -> None:
        inserts = self._inserts.get(table.name)
        if inserts is None:
            inserts = self._inserts[table.name] = (table, [])
        inserts[1].append(record)

    def end(self, table: TemporalTable, key: Key) -> None:
        """The entity has no current version from this event on."""
        key = _storable_key(table, key)
        slot = self._known_slot(table, key)
        self._close(table, key, slot)
        slot.row = None

    def append(self, table: AppendOnlyTable, values: tuple[Any, ...]) -> None:
        record = tuple(storable_record(values, table.text_positions))
        self._appends.setdefault(table.name, (table, []))[1].append(record)

    async def flush(self) -> int:
        """Write everything to the database; returns the number of rows written."""
        return await self.write(self.seal())

    def seal(self) -> Writes:
        """What the batch writes, taken out of it: from here on the cache holds the
        batch's rows as written, so the next batch may be handled while this one is
        written (a rebuild: ``ProjectionRunner.build_shadow``). A write that then fails
        leaves the cache ahead of the database: the runner clears it."""
        closes = [(table, closed) for table, closed in self._closes.values() if closed]
        inserts: list[tuple[TemporalTable | AppendOnlyTable, Sequence[Sequence[Any]]]] = [
            (table, records) for table, records in self._inserts.values() if records
        ]
        inserts += [(table, rows) for table, rows in self._appends.values() if rows]
        self._settle()
        return Writes(closes, inserts)

    async def write(self, writes: Writes) -> int:
        """Write a sealed batch; returns the number of rows written."""
        if writes.rows <= SMALL_BATCH_ROWS and all(
            _unnestable(table) for table, _ in writes.inserts
        ):
            await self._flush_small(writes.closes, writes.inserts)
        else:
            await self._flush_large(writes.closes, writes.inserts)
        return writes.rows

    async def _flush_small(
        self,
        closes: list[tuple[TemporalTable, dict[Key, int]]],
        inserts: list[tuple[TemporalTable | AppendOnlyTable, Sequence[Sequence[Any]]]],
    ) -> None:
        """Two statements whatever the tables: one closes, one inserts (a typed array
        per column). A live batch is a command's few rows, where round trips, not
        rows, are the cost."""
        if closes:
            statement, args = _closes_statement(self._schema, closes)
            await self._conn.execute(statement, *args)
        if inserts:
            statement, args = _inserts_statement(self._schema, inserts)
            await self._conn.execute(statement, *args)

    async def _flush_large(
        self,
        closes: list[tuple[TemporalTable, dict[Key, int]]],
        inserts: list[tuple[TemporalTable | AppendOnlyTable, Sequence[Sequence[Any]]]],
    ) -> None:
        """One ``UPDATE ... unnest`` per table, then ``COPY``: the fastest for many rows."""
        for temporal, closed in closes:
            await self._conn.execute(
                _close_statement(self._schema, temporal), *_close_args(temporal, closed)
            )
        for table, rows in inserts:
            await self._conn.copy_records_to_table(
                table.name, schema_name=self._schema, columns=table.stored_names, records=rows
            )

    def _settle(self) -> None:
        if not self._cache.hold_open:
            for slot in self._touched:
                slot.open_record = None
                slot.closable = slot.row is not None
        self._cache.trim()
        self._touched.clear()

    async def _slot(self, table: TemporalTable, key: Key) -> _Slot:
        slot = self._cache.get(table.name, key)
        if slot is None:
            row = None if self._cache.complete else await self._fetch_current(table, key)
            slot = _Slot(row, closable=row is not None)
            self._remember(table, key, slot)
        return slot

    def _known_slot(self, table: TemporalTable, key: Key) -> _Slot:
        slot = self._cache.get(table.name, key)
        if slot is None:
            # Written without being read first: close whatever the database holds.
            slot = _Slot(None, closable=not self._cache.complete)
            self._cache.put(table.name, key, slot)
        self._touched.append(slot)
        return slot

    def _remember(self, table: TemporalTable, key: Key, slot: _Slot) -> None:
        self._cache.put(table.name, key, slot)
        self._touched.append(slot)

    def _close(self, table: TemporalTable, key: Key, slot: _Slot) -> None:
        record = slot.open_record
        if record is not None:
            record[-1] = self.position
            slot.open_record = None
            if self._cache.hold_open:
                self._insert(table, record)  # held until now: written closed
        elif slot.closable:
            self._closes.setdefault(table.name, (table, {}))[1][key] = self.position
            slot.closable = False

    async def _fetch_current(self, table: TemporalTable, key: Key) -> Row | None:
        conditions = " AND ".join(f"{name} = ${i}" for i, name in enumerate(table.key_names, 1))
        names = ", ".join(table.names)
        record = await self._conn.fetchrow(
            f'SELECT {names} FROM "{self._schema}"."{table.name}" '
            f"WHERE {conditions} AND valid_to IS NULL",
            *key,
        )
        return None if record is None else dict(record)


def _storable_key(table: TemporalTable, key: Key) -> Key:
    """``key`` made storable, checked at the speed of the usual case (ASCII text)."""
    if table.key_holds_text:
        for value in key:
            if type(value) is str and value.isascii() and "\x00" not in value:
                continue
            if type(value) is not str and not isinstance(value, list | tuple | dict):
                continue
            return cast(Key, storable(key))
    return key


def _close_statement(schema: str, table: TemporalTable, first: int = 1) -> str:
    """Close the open versions of the keys in ``$first...`` (one array per key column,
    then the closing positions)."""
    arrays = ", ".join(f"${i}::{c.sql_type}[]" for i, c in enumerate(table.key, first))
    position = first + len(table.key)
    names = ", ".join(table.key_names)
    matches = " AND ".join(f"t.{name} = v.{name}" for name in table.key_names)
    return (
        f'UPDATE "{schema}"."{table.name}" AS t SET valid_to = v.closed_at '
        f"FROM unnest({arrays}, ${position}::bigint[]) AS v({names}, closed_at) "
        f"WHERE {matches} AND t.valid_to IS NULL"
    )


def _closes_statement(
    schema: str, closes: list[tuple[TemporalTable, dict[Key, int]]]
) -> tuple[str, list[list[Any]]]:
    """Every table's closes in one statement (each table is updated once, so the
    order in which PostgreSQL runs the parts does not matter)."""
    parts: list[str] = []
    args: list[list[Any]] = []
    for index, (table, closed) in enumerate(closes):
        parts.append(f"c{index} AS ({_close_statement(schema, table, len(args) + 1)})")
        args.extend(_close_args(table, closed))
    return f"WITH {', '.join(parts)} SELECT 1", args


def _element_types(table: TemporalTable | AppendOnlyTable) -> list[str]:
    """Each stored column's type, as an array element (without its constraint)."""
    declared = [*table.key, *table.columns] if isinstance(table, TemporalTable) else table.columns
    types = [column.sql_type.removesuffix(" NOT NULL") for column in declared]
    return types + (["bigint", "bigint"] if isinstance(table, TemporalTable) else [])


def _unnestable(table: TemporalTable | AppendOnlyTable) -> bool:
    """``unnest`` flattens arrays of arrays, so a table with an array column is copied."""
    return not any(sql_type.endswith("[]") for sql_type in _element_types(table))


def _inserts_statement(
    schema: str, inserts: list[tuple[TemporalTable | AppendOnlyTable, Sequence[Sequence[Any]]]]
) -> tuple[str, list[list[Any]]]:
    """Insert into every table in one statement, from one typed array per column."""
    statements: list[str] = []
    args: list[list[Any]] = []
    for table, rows in inserts:
        arrays = ", ".join(
            f"${len(args) + i}::{sql_type}[]" for i, sql_type in enumerate(_element_types(table), 1)
        )
        statements.append(
            f'INSERT INTO "{schema}"."{table.name}" ({", ".join(table.stored_names)}) '
            f"SELECT * FROM unnest({arrays})"
        )
        args.extend([list(column) for column in zip(*rows, strict=True)])
    *first, last = statements
    parts = ", ".join(f"i{index} AS ({insert})" for index, insert in enumerate(first))
    return (f"WITH {parts} {last}" if first else last), args


def _close_args(table: TemporalTable, closes: dict[Key, int]) -> Sequence[list[Any]]:
    keys = list(closes)
    columns = [[key[i] for key in keys] for i in range(len(table.key))]
    return [*columns, [closes[key] for key in keys]]
