"""Goals, their targets and check-ins: the area's DataLoaders. Paged lists are keyed
(parent id, options)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.goals import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none, page_loader


class GoalsLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.goal: ViewLoader[UUID, Any] = ViewLoader(session, queries.goals_by_id, none)
        self.team_goals = page_loader(session, queries.goals_of_teams)
        self.target_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.target_history, list
        )
        self.check_ins = page_loader(session, queries.check_ins)
