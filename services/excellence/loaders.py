"""Functional excellence's DataLoaders for one request."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.excellence import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none


class ExcellenceLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.tenures: ViewLoader[str, list[Any]] = ViewLoader(session, queries.tenures_of, list)
        self.standard: ViewLoader[UUID, Any] = ViewLoader(session, queries.standards_by_id, none)
        self.revisions: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.revisions_of, list
        )
        self.exemptions: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.exemptions_of, list
        )
        self.second_job: ViewLoader[UUID, Any] = ViewLoader(
            session, queries.second_jobs_by_id, none
        )
