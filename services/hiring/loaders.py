"""Hiring's DataLoaders for one request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.hiring import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none


class HiringLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.requisition: ViewLoader[UUID, Any] = ViewLoader(
            session, queries.requisitions_by_id, none
        )
        self.requisitions_of_team: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.requisitions_of_teams, list
        )
        self.loop: ViewLoader[UUID, Any] = ViewLoader(session, queries.loops_by_id, none)
        self.loops: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.loops_of_requisitions, list
        )
        self.feedback: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.feedback_of, list)
