"""``GET /api/v1/roadmap.svg``: the roadmap timeline as a picture."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import QueryParameter

from projections.org import queries as org_queries
from projections.roadmap import queries
from services.api.guards import reading_views
from services.api.parameters import IncludeSubteams
from services.api.problems import problem_responses

if TYPE_CHECKING:  # the runtime assembles the areas; services/api/app.py resolves it
    from services.runtime import Runtime

SVG = "image/svg+xml"
NO_ROLE = (
    "Reading the roadmap needs a role (member, planner, auditor or leadership) or leading a team"
)


class RoadmapTimelineController(Controller):
    path = "/api/v1"
    tags = ["Roadmaps"]

    @get(
        "/roadmap.svg",
        summary="The roadmap timeline, as SVG",
        description="The items of a team (and its subteams with `includeSubteams`; every "
        "team without `teamId`) on a time axis, a row each, grouped by team: bars to the "
        "target date, slips hatched with their days, milestones as diamonds (filled when "
        "done), arrows from each item depended on (red when it is due after the item that "
        "needs it). Anyone who may read the views.",
        media_type=SVG,
        responses=problem_responses(400, 401, 403, 404, 429, 503),
    )
    async def timeline(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        team_id: Annotated[
            UUID | None, QueryParameter(name="teamId", description="Only this team's items.")
        ] = None,
        include_subteams: IncludeSubteams = False,
    ) -> Response[bytes]:
        from services.roadmap.timeline import (
            draw_timeline,
            timeline_items,
        )  # matplotlib (about 50 MB) loads with the first picture, not at start

        async with reading_views(runtime, request.scope.get("user"), NO_ROLE) as db:
            scope = None
            if team_id is not None:
                scope = await org_queries.team_scope(
                    db, team_id, None, include_subteams=include_subteams
                )
                if not scope:
                    raise NotFoundException(f"No team with id {team_id}")
            rows = await queries.items(db, None, queries.ItemFilter(team_ids=scope))
            ids = [row["id"] for row in rows]
            named = {row["team_id"] for row in rows} | ({team_id} if team_id else set())
            teams = await org_queries.teams_by_id(db, sorted(named), None)
            items = timeline_items(
                rows,
                {key: team["name"] for key, team in teams.items()},
                await queries.slips_of(db, ids, None),
                await queries.milestones_of(db, ids, None),
                await queries.dependencies_of(db, ids, None),
            )
        heading = "Roadmap" if team_id is None else f"Roadmap of {teams[team_id]['name']}"
        if include_subteams and team_id is not None:
            heading += " and the teams under it"
        svg = await asyncio.to_thread(draw_timeline, items, heading)
        return Response(svg, media_type=SVG)
