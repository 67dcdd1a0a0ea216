"""All of Flywheel's views: one schema, tracked as one unit.

The views live in one PostgreSQL schema with one tracking row, so a reader in
one snapshot sees every view at the same log position. A rebuild fills a second
schema beside the live one and swaps the two by renaming (blue/green).

Which projectors make the views is not listed here: each area declares its
projector in the services layer (``services/<area>/area.py``), and
``services/registry.py`` hands them, in the registry's order, to :class:`Views`
(the read side cannot import the services layer). The runner, the comparison of
two copies and the migrations are given that one :class:`Views`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from projections.audit.log import EVENT_LOG
from projections.projector import Handler, Projector
from projections.tables import (
    EXTENSIONS,
    Table,
    all_ddl,
    all_table_ddl,
)

LIVE_SCHEMA = "views"
VIEWS_CHANNEL = "flywheel_views"  # the runner notifies the position it reached
TRACKING_NAME = "views"

# Bump when a handler's meaning changes without a table changing: the views are
# then rebuilt from the log on the next start.
PROJECTION_REVISION = 2


def tracking_ddl(schema: str) -> list[str]:
    """Where the views stand: the position and log time reached, the chain link of the
    last event applied (the next event's link must follow from it), the views' shape,
    a generation that changes when views are swapped in, and, when the runner stopped
    at an event it could not apply, that event and why (``projections/status.py``)."""
    return [
        f'CREATE TABLE "{schema}".tracking ('
        "name text PRIMARY KEY, position bigint NOT NULL, at timestamptz, "
        "chain_hash bytea NOT NULL, "
        "fingerprint text NOT NULL, generation uuid NOT NULL DEFAULT gen_random_uuid(), "
        "stalled_position bigint, stalled_type text, stalled_reason text, "
        "stalled_since timestamptz)"
    ]


@dataclass(frozen=True)
class Views:
    """The views the given projectors make, in their order: the order of their tables in
    the schema (and so in the fingerprint) and of the handlers an event is applied by."""

    projectors: Sequence[Projector]

    def tables(self) -> list[Table]:
        return [EVENT_LOG, *(table for projector in self.projectors for table in projector.tables)]

    def handlers(self) -> dict[type, list[Handler]]:
        found: dict[type, list[Handler]] = {}
        for projector in self.projectors:
            for event_type, handler in projector.handlers.items():
                found.setdefault(event_type, []).append(handler)
        return found

    def every_event_handlers(self) -> list[Handler]:
        return [handler for projector in self.projectors for handler in projector.every_event]

    def schema_ddl(self, schema: str, *, indexes: bool = True, keys: bool = True) -> list[str]:
        """The schema, its tables and (unless a rebuild adds them later) their query indexes
        and the temporal tables' keys (without ``keys``, which implies no ``indexes``)."""
        tables = self.tables()
        if indexes and keys:
            ddl = all_ddl(schema, tables)
        else:
            ddl = all_table_ddl(schema, tables, keys=keys)
        return [*EXTENSIONS, f'CREATE SCHEMA "{schema}"', *tracking_ddl(schema), *ddl]

    def fingerprint(self) -> str:
        """Changes whenever the shape of the views or the projection revision does."""
        ddl = [*tracking_ddl("s"), *all_ddl("s", self.tables())]
        text = "\n".join(ddl) + f"\nrevision {PROJECTION_REVISION}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]
