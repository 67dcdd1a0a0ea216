"""The event log as a view: one row per event with its provenance and data.

Auditors page through it, every node's ``history`` reads it, and ``asOf``
queries use it to turn a time into a log position. ``at`` is the log time: the
event's timestamp, but never earlier than the previous event's, so that time and
position order agree even when writers' clocks differ slightly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from projections.storable import storable_json
from projections.tables import AppendOnlyTable, columns

EVENT_LOG = AppendOnlyTable(
    name="event_log",
    columns=columns(
        ("position", "bigint NOT NULL"),
        ("at", "timestamptz NOT NULL"),
        ("recorded_at", "timestamptz NOT NULL"),
        ("aggregate_id", "uuid NOT NULL"),
        ("aggregate_version", "integer NOT NULL"),
        ("type", "text NOT NULL"),
        ("actor", "text"),
        ("correlation_id", "text"),
        ("reason", "text"),
        ("data", "jsonb NOT NULL"),
    ),
    primary_key=("position",),
    indexes=(("aggregate_id", "position"), ("at",), ("actor", "position"), ("type", "position")),
)

PROVENANCE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "actor",
        "correlation_id",
        "originator_topic",
    }
)

_encoder = msgspec.json.Encoder()


def event_type_name(event: object) -> str:
    return type(event).__qualname__


def event_data(event: object) -> dict[str, Any]:
    return {name: value for name, value in vars(event).items() if name not in PROVENANCE_FIELDS}


def log_row(event: Any, position: int, at: datetime) -> tuple[Any, ...]:
    data = event_data(event)
    reason = data.get("reason")
    return (
        position,
        at,
        event.timestamp,
        event.originator_id,
        event.originator_version,
        event_type_name(event),
        getattr(event, "actor", None),
        getattr(event, "correlation_id", None),
        reason if isinstance(reason, str) and reason else None,
        storable_json(data, _encoder.encode),
    )
