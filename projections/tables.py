"""Temporal view tables: declared once, created from their declaration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str

    @property
    def holds_text(self) -> bool:
        """Whether its values are (or hold) strings: ``text``, ``jsonb``, or arrays of them."""
        return self.sql_type.split()[0].removesuffix("[]") in {"text", "jsonb"}


@dataclass(frozen=True)
class TemporalTable:
    """A table of versions of entities identified by ``key``.

    ``indexes`` lists column groups that queries look up by; each gets an index
    over the current versions and one over all versions (for as-of reads).
    ``searched`` lists text columns searched by substring (``ILIKE '%text%'``): each
    gets a trigram index (pg_trgm, see :data:`EXTENSIONS`) over the current versions.
    """

    name: str
    key: tuple[Column, ...]
    columns: tuple[Column, ...]
    indexes: tuple[tuple[str, ...], ...] = field(default=())
    searched: tuple[str, ...] = field(default=())

    # Names are read for every row a projection writes, so each is computed once.
    @cached_property
    def key_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.key)

    @cached_property
    def value_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @cached_property
    def names(self) -> tuple[str, ...]:
        """The key's names, then the values'."""
        return self.key_names + self.value_names

    @cached_property
    def stored_names(self) -> tuple[str, ...]:
        """Every column in storage order: key, values, then the validity range."""
        return (*self.key_names, *self.value_names, "valid_from", "valid_to")

    @cached_property
    def text_positions(self) -> tuple[int, ...]:
        """Where in :attr:`names` (and a stored record) the columns that hold text are."""
        return tuple(i for i, column in enumerate((*self.key, *self.columns)) if column.holds_text)

    @cached_property
    def key_holds_text(self) -> bool:
        return any(column.holds_text for column in self.key)

    def ddl(self, schema: str) -> list[str]:
        return self.table_ddl(schema) + self.index_ddl(schema)

    def table_ddl(self, schema: str, *, keys: bool = True) -> list[str]:
        """The table with its keys: what writing rows needs (closing versions looks up
        the current version by key). Without ``keys``, the bare table: a rebuild that
        writes every version once, already closed, adds them after (:meth:`key_ddl`)."""
        table = f'"{schema}"."{self.name}"'
        definitions = [f"{c.name} {c.sql_type} NOT NULL" for c in self.key]
        definitions += [f"{c.name} {c.sql_type}" for c in self.columns]
        definitions += ["valid_from bigint NOT NULL", "valid_to bigint"]
        if not keys:
            return [f"CREATE TABLE {table} ({', '.join(definitions)})"]
        primary = f"PRIMARY KEY ({', '.join(self.key_names)}, valid_from)"
        return [
            f"CREATE TABLE {table} ({', '.join(definitions)}, {primary})",
            self._current_key_ddl(table),
        ]

    def key_ddl(self, schema: str) -> list[str]:
        """The keys that ``table_ddl(schema, keys=False)`` leaves out, named as it names
        them (``<table>_pkey`` and the index's default name)."""
        table = f'"{schema}"."{self.name}"'
        return [
            f"ALTER TABLE {table} ADD PRIMARY KEY ({', '.join(self.key_names)}, valid_from)",
            self._current_key_ddl(table),
        ]

    def _current_key_ddl(self, table: str) -> str:
        keys = ", ".join(self.key_names)
        return f"CREATE UNIQUE INDEX ON {table} ({keys}) WHERE valid_to IS NULL"

    def index_ddl(self, schema: str) -> list[str]:
        """The indexes queries use, which a rebuild creates once its rows are written."""
        table = f'"{schema}"."{self.name}"'
        statements = []
        for columns in self.indexes:
            listed = ", ".join(columns)
            statements.append(f"CREATE INDEX ON {table} ({listed}) WHERE valid_to IS NULL")
            # As of a position p a version is valid_from <= p < valid_to: the first index
            # bounds a read far back, the second one a read of the recent past (a year
            # back, where most versions began before p but ended before it too).
            statements.append(f"CREATE INDEX ON {table} ({listed}, valid_from)")
            statements.append(f"CREATE INDEX ON {table} ({listed}, valid_to)")
        for column in self.searched:
            # Only where pg_trgm could be installed (see EXTENSIONS); elsewhere the
            # length limit on search strings bounds the scan.
            index = (
                f"CREATE INDEX ON {table} USING gin ({column} gin_trgm_ops) WHERE valid_to IS NULL"
            )
            statements.append(
                "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') "
                f"THEN EXECUTE '{index}'; END IF; END $$"
            )
        return statements


@dataclass(frozen=True)
class AppendOnlyTable:
    """A table of facts that never change once written (e.g. the event log view)."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    indexes: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def stored_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @cached_property
    def text_positions(self) -> tuple[int, ...]:
        """Where in a row the columns that hold text are."""
        return tuple(i for i, column in enumerate(self.columns) if column.holds_text)

    def ddl(self, schema: str) -> list[str]:
        return self.table_ddl(schema) + self.index_ddl(schema)

    def table_ddl(self, schema: str, *, keys: bool = True) -> list[str]:
        """The table; its primary key whatever ``keys`` says: it is what stops a row
        written twice at the event that writes it (an append-only table's rows are not
        held back like versions)."""
        table = f'"{schema}"."{self.name}"'
        definitions = [f"{c.name} {c.sql_type}" for c in self.columns]
        return [
            f"CREATE TABLE {table} ({', '.join(definitions)}, "
            f"PRIMARY KEY ({', '.join(self.primary_key)}))"
        ]

    def index_ddl(self, schema: str) -> list[str]:
        table = f'"{schema}"."{self.name}"'
        return [f"CREATE INDEX ON {table} ({', '.join(cols)})" for cols in self.indexes]


# What the indexes need: pg_trgm's operator classes for the ``searched`` columns (a
# trusted extension since PostgreSQL 13: a database owner may create it). A server
# without it (an embedded one without contrib) keeps working, with no trigram indexes.
EXTENSIONS = [
    "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
    "EXCEPTION WHEN feature_not_supported OR undefined_file OR insufficient_privilege THEN "
    "RAISE NOTICE 'pg_trgm is not available: name searches scan'; END $$"
]


def columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, sql_type) for name, sql_type in pairs)


Table = TemporalTable | AppendOnlyTable


def all_ddl(schema: str, tables: Sequence[Table]) -> list[str]:
    return [statement for table in tables for statement in table.ddl(schema)]


def all_table_ddl(schema: str, tables: Sequence[Table], *, keys: bool = True) -> list[str]:
    return [statement for table in tables for statement in table.table_ddl(schema, keys=keys)]
