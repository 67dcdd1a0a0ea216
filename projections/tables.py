"""Temporal view tables: declared once, created from their declaration."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str


@dataclass(frozen=True)
class TemporalTable:
    """A table of versions of entities identified by ``key``.

    ``indexes`` lists column groups that queries look up by; each gets an index
    over the current versions and one over all versions (for as-of reads).
    """

    name: str
    key: tuple[Column, ...]
    columns: tuple[Column, ...]
    indexes: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.key)

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @property
    def stored_names(self) -> tuple[str, ...]:
        """Every column in storage order: key, values, then the validity range."""
        return (*self.key_names, *self.value_names, "valid_from", "valid_to")

    def ddl(self, schema: str) -> list[str]:
        table = f'"{schema}"."{self.name}"'
        keys = ", ".join(self.key_names)
        definitions = [f"{c.name} {c.sql_type} NOT NULL" for c in self.key]
        definitions += [f"{c.name} {c.sql_type}" for c in self.columns]
        definitions += ["valid_from bigint NOT NULL", "valid_to bigint"]
        statements = [
            f"CREATE TABLE {table} ({', '.join(definitions)}, PRIMARY KEY ({keys}, valid_from))",
            f"CREATE UNIQUE INDEX ON {table} ({keys}) WHERE valid_to IS NULL",
        ]
        for columns in self.indexes:
            listed = ", ".join(columns)
            statements.append(f"CREATE INDEX ON {table} ({listed}) WHERE valid_to IS NULL")
            statements.append(f"CREATE INDEX ON {table} ({listed}, valid_from)")
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

    def ddl(self, schema: str) -> list[str]:
        table = f'"{schema}"."{self.name}"'
        definitions = [f"{c.name} {c.sql_type}" for c in self.columns]
        statements = [
            f"CREATE TABLE {table} ({', '.join(definitions)}, "
            f"PRIMARY KEY ({', '.join(self.primary_key)}))"
        ]
        statements += [f"CREATE INDEX ON {table} ({', '.join(cols)})" for cols in self.indexes]
        return statements


def columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    return tuple(Column(name, sql_type) for name, sql_type in pairs)


Table = TemporalTable | AppendOnlyTable


def all_ddl(schema: str, tables: Sequence[Table]) -> list[str]:
    return [statement for table in tables for statement in table.ddl(schema)]
