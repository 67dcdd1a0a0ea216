"""All of Flywheel's views: one schema, tracked as one unit.

The views live in one PostgreSQL schema with one tracking row, so a reader in
one snapshot sees every view at the same log position. A rebuild fills a second
schema beside the live one and swaps the two by renaming (blue/green).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from projections.allocation.projector import allocation
from projections.audit.log import EVENT_LOG
from projections.boundaries.projector import boundaries
from projections.excellence.projector import excellence
from projections.goals.projector import goals
from projections.hiring.projector import hiring
from projections.metrics.projector import metrics
from projections.org.projector import org
from projections.prfaqs.projector import prfaqs
from projections.projector import Handler, Projector
from projections.roadmap.projector import roadmap
from projections.tables import Table, all_ddl, all_index_ddl, all_table_ddl
from projections.wbr.projector import wbr

LIVE_SCHEMA = "views"
VIEWS_CHANNEL = "flywheel_views"  # the runner notifies the position it reached
TRACKING_NAME = "views"

# Bump when a handler's meaning changes without a table changing: the views are
# then rebuilt from the log on the next start.
PROJECTION_REVISION = 2

PROJECTORS: Sequence[Projector] = (
    org,
    boundaries,
    metrics,
    goals,
    allocation,
    prfaqs,
    roadmap,
    excellence,
    hiring,
    wbr,
)


def view_tables() -> list[Table]:
    return [EVENT_LOG, *(table for projector in PROJECTORS for table in projector.tables)]


def handlers() -> dict[type, list[Handler]]:
    found: dict[type, list[Handler]] = {}
    for projector in PROJECTORS:
        for event_type, handler in projector.handlers.items():
            found.setdefault(event_type, []).append(handler)
    return found


def every_event_handlers() -> list[Handler]:
    return [handler for projector in PROJECTORS for handler in projector.every_event]


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


def schema_ddl(schema: str, *, indexes: bool = True) -> list[str]:
    """The schema, its tables and (unless a rebuild adds them later) their query indexes."""
    tables = view_tables()
    ddl = all_ddl(schema, tables) if indexes else all_table_ddl(schema, tables)
    return [f'CREATE SCHEMA "{schema}"', *tracking_ddl(schema), *ddl]


def index_ddl(schema: str) -> list[str]:
    """The query indexes that ``schema_ddl(schema, indexes=False)`` leaves out."""
    return all_index_ddl(schema, view_tables())


def fingerprint() -> str:
    """Changes whenever the shape of the views or the projection revision does."""
    ddl = [*tracking_ddl("s"), *all_ddl("s", view_tables())]
    text = "\n".join(ddl) + f"\nrevision {PROJECTION_REVISION}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
