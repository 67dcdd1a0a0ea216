"""``GET /api/v1/wbr/export``: the deck as wbr-app's inputs, in a zip; shared with
``flywheel wbr export``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency

from projections.reading import ReadSession
from projections.wbr import queries as wbr_queries
from projections.wbr.deck import history_start
from services.api.guards import reading_views
from services.api.parameters import IncludeSubteams
from services.api.problems import problem_responses
from services.wbr.reading import NO_ROLE, DeckTeamId, DeckWeekEnding, deck_of
from services.wbr.wbr_app_export import export_files, zipped

if TYPE_CHECKING:
    from services.runtime import Runtime

ZIP = "application/zip"


async def export_of(
    db: ReadSession,
    runtime: Runtime,
    week_ending: date,
    team_id: UUID | None,
    include_subteams: bool,
) -> dict[str, bytes]:
    sections = await deck_of(db, runtime, week_ending, team_id, include_subteams)
    ids = [view.metric["id"] for section in sections for view in section.metrics]
    rows = await wbr_queries.observed_values(db, ids, history_start(week_ending), week_ending, None)
    observations = {
        key: [(row["period_end"], row["value"]) for row in found] for key, found in rows.items()
    }
    title = "Weekly Business Review"
    if team_id is not None and sections:
        title += f": {sections[0].team_name}"
    return export_files(
        sections, observations, week_ending, runtime.settings.fiscal_year_end_month, title
    )


class WbrExportController(Controller):
    path = "/api/v1/wbr"
    tags = ["Weekly business review"]

    @get(
        "/export",
        summary="The deck as wbr-app's inputs (a zip)",
        description="`data.csv` (a `Date` column, then each metric's values and a "
        "`<Metric>__Target` column), `config.yaml` (setup, metrics with their `aggf`, the deck: "
        "a section per team, a `6_12Graph` per metric with inputs first, `6_WeeksTable` and "
        "`12_MonthsTable` blocks) and `annotations.csv` (the variance notes). Run wbr-app on "
        "them as docs/WBR.md says. Anyone who may read the views.",
        media_type=ZIP,
        responses=problem_responses(400, 401, 403, 404, 429, 503),
    )
    async def export(
        self,
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        week_ending: DeckWeekEnding,
        team_id: DeckTeamId = None,
        include_subteams: IncludeSubteams = False,
    ) -> Response[bytes]:
        async with reading_views(runtime, request.scope.get("user"), NO_ROLE) as db:
            files = await export_of(db, runtime, week_ending, team_id, include_subteams)
        return Response(
            zipped(files),
            media_type=ZIP,
            headers={
                "Content-Disposition": f'attachment; filename="wbr-{week_ending.isoformat()}.zip"'
            },
        )
