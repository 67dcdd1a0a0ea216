"""Roadmap items, their slips, check-ins, milestones and dependencies: the area's
DataLoaders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.reading import ReadSession
from projections.roadmap import queries
from services.graphql.view_loader import ViewLoader, none


class RoadmapLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.item: ViewLoader[UUID, Any] = ViewLoader(session, queries.items_by_id, none)
        self.team_items: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.items_of_teams, list
        )
        self.slips: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.slips_of, list)
        self.check_ins: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.check_ins_of, list
        )
        self.milestones: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.milestones_of, list
        )
        self.dependencies: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.dependencies_of, list
        )
        self.dependents: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.dependents_of, list
        )
