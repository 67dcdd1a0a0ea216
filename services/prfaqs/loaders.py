"""PR/FAQs, their revisions, rounds and feedback: the area's DataLoaders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.prfaqs import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none


class PrFaqsLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.prfaq: ViewLoader[UUID, Any] = ViewLoader(session, queries.prfaqs_by_id, none)
        self.revisions: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.revisions_of, list
        )
        self.rounds: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.rounds_of, list)
        self.dissent: ViewLoader[UUID, Any] = ViewLoader(session, queries.dissents_by_id, none)
        self.dissents: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.dissents_of, list)
        self.committed: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.committed_of, list
        )
        self.outcomes: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.outcomes_of, list)
        self.feedback: ViewLoader[tuple[UUID, int], list[Any]] = ViewLoader(
            session, queries.feedback_of, list
        )
