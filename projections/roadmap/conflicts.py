"""Schedule conflicts of roadmap dependencies, worked out from the dependency edges.

An item's dependency conflicts when the item it needs is dropped, or is due after
the item itself (both dated, the needed one not yet delivered), and when the API it
needs is deprecated or retired.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from domain.roadmap import DependencyKind, ItemStatus


class Conflict(StrEnum):
    DUE_AFTER = "DUE_AFTER"
    DROPPED = "DROPPED"
    DEPRECATED_API = "DEPRECATED_API"
    RETIRED_API = "RETIRED_API"


def conflict_of(edge: Mapping[str, Any]) -> Conflict | None:
    """The conflict of one edge as :func:`~projections.roadmap.queries.dependency_edges`
    reads it, or ``None``."""
    if edge["kind"] == DependencyKind.API.value:
        if edge["api_status"] == "RETIRED":
            return Conflict.RETIRED_API
        return Conflict.DEPRECATED_API if edge["api_status"] == "DEPRECATED" else None
    if edge["target_status"] == ItemStatus.DROPPED.value:
        return Conflict.DROPPED
    needed_by, due = edge["target_date"], edge["target_target_date"]
    if (
        needed_by is not None
        and due is not None
        and due > needed_by
        and edge["target_status"] != ItemStatus.DELIVERED.value
    ):
        return Conflict.DUE_AFTER
    return None
