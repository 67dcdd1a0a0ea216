"""Services and APIs, their owners and dependencies. Keys of nested pages are
(parent id, page request[, status]): the area's DataLoaders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.boundaries import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none, page_loader


class BoundariesLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.service: ViewLoader[UUID, Any] = ViewLoader(session, queries.services_by_id, none)
        self.api: ViewLoader[UUID, Any] = ViewLoader(session, queries.apis_by_id, none)
        self.ownership_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.ownership_history, list
        )
        self.services_of_team = page_loader(session, queries.services_of_teams)
        self.apis_of_team = page_loader(session, queries.apis_of_teams)
        self.apis_of_service = page_loader(session, queries.apis_of_services)
        self.dependencies_of_service = page_loader(session, queries.dependencies_of_services)
        self.consumers_of_api = page_loader(session, queries.consumers_of_apis)
