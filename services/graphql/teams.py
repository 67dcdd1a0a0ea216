"""A field naming a team answers a ``Team``, read as of the object holding the field.

``Team`` lives in ``services.org.graphql``, which imports most areas' modules (for
``Team.goals``, ``Team.requisitions``...), so those modules name it lazily
(``LazyTeam``) and read it here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from services.graphql.common import FlywheelInfo

if TYPE_CHECKING:
    from services.org.graphql import Team

LazyTeam = Annotated["Team", strawberry.lazy("services.org.graphql")]


async def team_at(info: FlywheelInfo, team_id: UUID, at: int | None) -> Team | None:
    """The team with ``team_id`` as of ``at``; ``None`` if there was none then."""
    from services.org.graphql import Team

    return await Team.find(info, str(team_id), at)


def team_field(description: str) -> Any:
    """The field ``team``: the team of the object's ``team_id``, as of the object's ``at``."""

    async def team(root: Any, info: FlywheelInfo) -> LazyTeam | None:
        return await team_at(info, root.team_id, root.at)

    return strawberry.field(resolver=team, description=description)
