"""``flywheel export``: the log as NDJSON that an auditor checks without Flywheel.

Each line holds an event's stored columns, its hash-chain link and the position
of the link before it, and the event's readable fields (``type``,
``recordedAt``, ``actor``, ``correlationId``, ``reason``, ``data``) decoded from
the stored bytes alone, exactly as ``docs/verify_export.py`` decodes them: so
the script can check that each readable field says what the hash covers.
Readable fields show the event as it was stored (before any upcasting).

The last line is a digest of the head of the chain, signed with the audit key:
an export cut short no longer ends with a digest of its last event.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.audit.chain import FETCH_SIZE, sign_digest
from services.recorder import CHAIN_TABLE, EVENTS_TABLE, GENESIS

# Keys of the stored state that are provenance, not the event's own data.
NOT_DATA = frozenset({"timestamp", "actor", "correlation_id", "originator_topic", "class_version"})


def _plain(value: Any) -> Any:
    """A stored value as the export shows it: tagged values (``{"_type_", "_data_"}``)
    by their stored text, UUIDs in their usual hyphenated form."""
    if isinstance(value, dict):
        if value.keys() == {"_type_", "_data_"}:
            if value["_type_"] == "uuid_hex":
                return str(UUID(value["_data_"]))
            return _plain(value["_data_"])
        return {name: _plain(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def readable_fields(topic: str, state: bytes) -> dict[str, Any]:
    """What the export shows of an event, decoded from its stored bytes only."""
    stored = json.loads(state)
    data = {name: _plain(value) for name, value in stored.items() if name not in NOT_DATA}
    reason = data.get("reason")
    return {
        "type": topic.partition(":")[2],
        "recordedAt": _plain(stored.get("timestamp")),
        "actor": stored.get("actor"),
        "correlationId": stored.get("correlation_id"),
        "reason": reason if isinstance(reason, str) and reason else None,
        "data": data,
    }


def export_line(
    position: int,
    previous: int | None,
    originator: Any,
    version: int,
    topic: str,
    state: bytes,
    stored: bytes | None,
    link: bytes | None,
) -> dict[str, Any]:
    try:
        readable = readable_fields(topic, state)
    except ValueError:  # not JSON: only a tampered row; the script names it by its hash
        readable = dict.fromkeys(("type", "recordedAt", "actor", "correlationId", "reason", "data"))
    return {
        "position": position,
        "previousPosition": previous,
        "originatorId": str(originator),
        "originatorVersion": version,
        "topic": topic,
        "state": base64.b64encode(state).decode(),
        "eventHash": stored.hex() if stored is not None else None,
        "chainHash": link.hex() if link is not None else None,
        **readable,
    }


def export_log(
    url: str,
    key: Ed25519PrivateKey,
    out: Path,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write the log as NDJSON ending with a signed digest; returns the number of events."""
    lines = 0
    with psycopg.connect(url) as conn, out.open("w", encoding="utf-8") as file:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        with conn.cursor(name="flywheel_export") as cursor:
            cursor.itersize = FETCH_SIZE
            cursor.execute(
                "SELECT e.notification_id, c.previous, e.originator_id, e.originator_version, "
                f"e.topic, e.state, c.event_hash, c.chain_hash FROM {EVENTS_TABLE} e "
                "LEFT JOIN (SELECT position, event_hash, chain_hash, "
                "lag(position, 1, 0::bigint) OVER (ORDER BY position) AS previous "
                f"FROM {CHAIN_TABLE}) c ON c.position = e.notification_id "
                "ORDER BY e.notification_id"
            )
            for position, previous, originator, version, topic, state, stored, link in cursor:
                line = export_line(
                    position,
                    previous,
                    originator,
                    version,
                    topic,
                    bytes(state),
                    None if stored is None else bytes(stored),
                    None if link is None else bytes(link),
                )
                file.write(json.dumps(line, ensure_ascii=False))
                file.write("\n")
                lines += 1
                if on_row is not None:
                    on_row(position)
        head = conn.execute(
            f"SELECT position, chain_hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"
        ).fetchone()
        position, link = (0, GENESIS) if head is None else (int(head[0]), bytes(head[1]))
        file.write(json.dumps(sign_digest(key, position, link).as_json()))
        file.write("\n")
    return lines
