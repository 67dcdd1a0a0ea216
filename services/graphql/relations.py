"""Fields naming other objects, read as of the object holding the field: a ``Team``, a
``Metric`` of another area, or the rows a DataLoader holds for the object
(:func:`related_list`).

``Team`` and ``Metric`` live in modules that import most areas' modules (for
``Team.goals``, ``Team.requisitions``, ``Metric.sixTwelve``...), so those modules
name them lazily (``LazyTeam``, ``LazyMetric``) and read them here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import strawberry

from projections.org import queries as org_queries
from services.graphql.common import FlywheelInfo, context, uuid_of

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader
    from services.metrics.graphql import Metric
    from services.org.graphql import Team

LazyTeam = Annotated["Team", strawberry.lazy("services.org.graphql")]
LazyMetric = Annotated["Metric", strawberry.lazy("services.metrics.graphql")]


async def team_at(info: FlywheelInfo, team_id: UUID, at: int | None) -> Team | None:
    """The team with ``team_id`` as of ``at``; ``None`` if there was none then."""
    from services.org.graphql import Team

    return await Team.find(info, str(team_id), at)


async def team_ids_of(
    info: FlywheelInfo, team_id: strawberry.ID | None, include_subteams: bool, at: int | None
) -> list[UUID] | None:
    """The teams a ``teamId`` argument names as of ``at``: the team, and with
    ``include_subteams`` the teams under it; ``None`` (every team) without one."""
    if team_id is None:
        return None
    team = uuid_of(team_id, "Team", "teamId")
    return await org_queries.team_scope(
        context(info).views, team, at, include_subteams=include_subteams
    )


def team_field(description: str, *, of: str = "team_id", nullable: bool = True) -> Any:
    """A field naming the team of the object's ``of`` (``team_id``), as of the object's
    ``at``: null where there is no id or no such team then, unless not ``nullable``
    (the object names a team that exists, as teams are never removed)."""
    if nullable:

        async def team(self: Any, info: FlywheelInfo) -> LazyTeam | None:
            return await team_at(info, getattr(self, of), self.at)

        return strawberry.field(resolver=team, description=description)

    async def known_team(self: Any, info: FlywheelInfo) -> LazyTeam:
        from services.org.graphql import Team

        return await Team.get(info, getattr(self, of), self.at)

    return strawberry.field(resolver=known_team, description=description)


def metric_field(description: str) -> Any:
    """The field ``metric``: the metric of the object's ``metric_id``, as of its ``at``."""

    async def metric(self: Any, info: FlywheelInfo) -> LazyMetric:
        from services.metrics.graphql import Metric

        return await Metric.get(info, self.metric_id, self.at)

    return strawberry.field(resolver=metric, description=description)


def _uuid_key(node: Any) -> UUID:
    return UUID(node.key)


def related_list(
    item: Any,
    loader: Callable[[Loaders], ViewLoader[Any, Any]],
    description: str,
    *,
    key: Callable[[Any], Any] = _uuid_key,
) -> Any:
    """A field listing, as ``item``s (a type, or its name where it is defined later), the
    rows ``loader`` holds for the object's ``key`` (its node's UUID unless given) as of
    the object's ``at``, each made by ``item.from_row(row, at)``::

        children = related_list("Team", lambda load: load.org.children, "...")
    """
    made: Any = None  # the item type, read from the field's type when first resolved

    async def resolve(self: Any, info: FlywheelInfo) -> list[Any]:
        nonlocal made
        if made is None:
            made = info.return_type.of_type  # type: ignore[union-attr]
        rows = await loader(context(info).load).load(key(self), self.at)
        return [made.from_row(row, self.at) for row in rows]

    return strawberry.field(resolver=resolve, description=description, graphql_type=list[item])
