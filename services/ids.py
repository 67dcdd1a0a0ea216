"""Relay global ids: ``base64("Type:id")``, the same for REST answers and GraphQL.

An object read at a past log position has an id of its own: its key followed by
`` at <position>`` (keys hold no spaces: UUIDs and handles), so
``base64("Team:<uuid> at 1234")`` names the team as it was right after event 1234
and ``base64("Team:<uuid>")`` the current team.
"""

from __future__ import annotations

from strawberry import relay

AT = " at "


def global_id(type_name: str, node_id: str) -> str:
    return str(relay.GlobalID(type_name, node_id))


def snapshot_key(key: str, at: int | None) -> str:
    """The node id of ``key`` read at position ``at`` (``None``: now)."""
    return key if at is None else f"{key}{AT}{at}"


def split_snapshot_key(node_id: str) -> tuple[str, int | None]:
    """The key and position a node id names; ``ValueError`` for a malformed position."""
    key, mark, position = node_id.partition(AT)
    if not mark:
        return node_id, None
    if not position.isdigit() or not position.isascii():
        raise ValueError(f"not a log position: {position!r}")
    return key, int(position)


def parse_global_id(value: str) -> tuple[str, str] | None:
    """The (type, id) a global id names, or None if it is not one."""
    try:
        parsed = relay.GlobalID.from_id(value)
    except Exception:
        return None
    return parsed.type_name, parsed.node_id
