"""Goals, their targets and check-ins: the area's DataLoaders. Paged lists are keyed
(parent id, options)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.goals import queries
from projections.paging import Page
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, empty_page, none, per_parent


class GoalsLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.goal: ViewLoader[UUID, Any] = ViewLoader(session, queries.goals_by_id, none)
        self.team_goals: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.goals_of_teams), empty_page
        )
        self.target_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.target_history, list
        )
        self.check_ins: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.check_ins), empty_page
        )
