"""Teams, their members and leaders, and people: the area's DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from projections.hiring import queries as hiring_queries
from projections.org import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, false, none
from services.personal_data import keys_of


class OrgLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.team: ViewLoader[UUID, Any] = ViewLoader(session, queries.teams_by_id, none)
        self.children: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.children_of, list)
        self.leader_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.leader_history, list
        )
        self.members: ViewLoader[UUID, list[Any]] = ViewLoader(session, queries.members_of, list)
        self.memberships: ViewLoader[str, list[Any]] = ViewLoader(
            session, queries.memberships_of, list
        )
        self.team_led_by: ViewLoader[str, Any] = ViewLoader(session, queries.teams_led_by, none)
        self.person_known: ViewLoader[str, bool] = ViewLoader(session, _known_people, false)
        self.person: ViewLoader[str, Any] = ViewLoader(session, queries.people_by_handle, none)
        self.person_key: ViewLoader[str, bytes | None] = ViewLoader(session, keys_of, none)
        self.ancestors: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.ancestors_of, list
        )
        # A candidate's name is for their loops' participants (``Person.displayName``).
        self.candidacies: ViewLoader[str, list[Any]] = ViewLoader(
            session, hiring_queries.candidacies, list
        )


async def _known_people(
    session: ReadSession, people: Sequence[str], at: int | None
) -> dict[str, bool]:
    return dict.fromkeys(await queries.known_people(session, people, at), True)
