"""Services and APIs, their owners and dependencies. Keys of nested pages are
(parent id, page request[, status]): the area's DataLoaders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.boundaries import queries
from projections.paging import Page
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, empty_page, none, per_parent


class BoundariesLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.service: ViewLoader[UUID, Any] = ViewLoader(session, queries.services_by_id, none)
        self.api: ViewLoader[UUID, Any] = ViewLoader(session, queries.apis_by_id, none)
        self.ownership_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.ownership_history, list
        )
        self.services_of_team: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.services_of_teams), empty_page
        )
        self.apis_of_team: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.apis_of_teams), empty_page
        )
        self.apis_of_service: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.apis_of_services), empty_page
        )
        self.dependencies_of_service: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.dependencies_of_services), empty_page
        )
        self.consumers_of_api: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.consumers_of_apis), empty_page
        )
