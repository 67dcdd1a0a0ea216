"""Relay global ids: ``base64("Type:id")``, the same for REST answers and GraphQL."""

from __future__ import annotations

from strawberry import relay


def global_id(type_name: str, node_id: str) -> str:
    return str(relay.GlobalID(type_name, node_id))


def parse_global_id(value: str) -> tuple[str, str] | None:
    """The (type, id) a global id names, or None if it is not one."""
    try:
        parsed = relay.GlobalID.from_id(value)
    except Exception:
        return None
    return parsed.type_name, parsed.node_id
