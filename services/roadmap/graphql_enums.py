"""The roadmap enums, registered as GraphQL enums once.

Import them from here rather than from :mod:`domain.roadmap`: importing this module is
what registers them (with their descriptions) before any type uses them (the Team
type's ``roadmap`` field among them).
"""

from __future__ import annotations

from domain.roadmap import DependencyKind, Health, Horizon, ItemStatus
from projections.roadmap.conflicts import Conflict
from services.graphql.enums import graphql_enum

__all__ = ["Conflict", "DependencyKind", "Health", "Horizon", "ItemStatus"]

graphql_enum(
    Horizon,
    name="RoadmapHorizon",
    description="When the team means to work on an item: `NOW`, `NEXT` or `LATER`.",
    NOW="Being worked on now.",
    NEXT="Next, once capacity frees up.",
    LATER="Later: intended, not yet scheduled.",
)
graphql_enum(
    ItemStatus,
    name="RoadmapItemStatus",
    description="`PROPOSED`; `COMMITTED` (with a target date); `IN_PROGRESS`; `PAUSED` (from "
    "committed or in progress, resumed to where it was); `DELIVERED`; `DROPPED` (with a "
    "reason).",
    PROPOSED="Proposed, not yet committed.",
    COMMITTED="Committed to, with a target date.",
    IN_PROGRESS="Being worked on.",
    PAUSED="Paused from committed or in progress; resumes to where it was.",
    DELIVERED="Delivered, with a note.",
    DROPPED="Dropped, with a reason.",
)
graphql_enum(
    Health,
    name="RoadmapHealth",
    description="A check-in's health: `ON_TRACK`; `AT_RISK` and `OFF_TRACK` (with a path back).",
    ON_TRACK="On track for the target date.",
    AT_RISK="At risk, with a path back.",
    OFF_TRACK="Off track, with a path back.",
)
graphql_enum(
    DependencyKind,
    name="RoadmapDependencyKind",
    description="What an item depends on: another roadmap `ITEM` or an `API`.",
    ITEM="Another roadmap item.",
    API="An API.",
)
graphql_enum(
    Conflict,
    name="RoadmapConflict",
    description="Why a dependency is a schedule risk: `DUE_AFTER` (the needed item is due "
    "after the item that needs it), `DROPPED` (the needed item was dropped), "
    "`DEPRECATED_API`, `RETIRED_API`.",
    DUE_AFTER="The needed item is due after the item that needs it.",
    DROPPED="The needed item was dropped.",
    DEPRECATED_API="The needed API is deprecated.",
    RETIRED_API="The needed API is retired.",
)
