"""``GET /api/v1/metrics/{id}/wbr.svg`` and ``.png``: a metric's 6-12 chart."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter, QueryParameter

from projections.wbr.deck import MetricView
from projections.wbr.six_twelve import MonthsMode
from services.api.guards import reading_views
from services.api.problems import problem_responses
from services.plotting import PNG, SVG
from services.wbr.reading import NO_ROLE, metric_view

if TYPE_CHECKING:
    from services.runtime import Runtime

WeekEnding = Annotated[
    date,
    QueryParameter(name="weekEnding", description="The last day of the review's week (ISO date)."),
]
Months = Annotated[
    MonthsMode,
    QueryParameter(name="months", description="`TRAILING` (default) or `FISCAL_YEAR` months."),
]
DESCRIPTION = (
    "The metric's 6-12 chart for the week: six weeks on the left, the months on the right, "
    "the prior year dashed, targets as diamonds, variance notes as triangles. SVG groups "
    "`wbr-weeks`, `wbr-months` (and `-prior-year`), `wbr-targets`, `wbr-notes`. Anyone "
    "who may read the views."
)


async def chart_view(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    metric_id: Annotated[UUID, Parameter(description="The metric's id (a UUID).")],
    week_ending: WeekEnding,
    months: Months = MonthsMode.TRAILING,
) -> MetricView:
    """The ``view`` both charts draw: the metric's 6-12 view, for a reader of the views."""
    async with reading_views(runtime, request.scope.get("user"), NO_ROLE) as db:
        return await metric_view(db, runtime, metric_id, week_ending, months)


class WbrChartController(Controller):
    path = "/api/v1/metrics"
    tags = ["Weekly business review"]
    dependencies = {"view": Provide(chart_view)}

    @get(
        "/{metric_id:uuid}/wbr.svg",
        summary="A metric's 6-12 chart, as SVG",
        description=DESCRIPTION,
        media_type=SVG,
        responses=problem_responses(400, 401, 403, 404, 429, 503),
    )
    async def svg(self, view: NamedDependency[MetricView]) -> Response[bytes]:
        return await _chart(view, SVG)

    @get(
        "/{metric_id:uuid}/wbr.png",
        summary="A metric's 6-12 chart, as PNG",
        description=DESCRIPTION,
        media_type=PNG,
        responses=problem_responses(400, 401, 403, 404, 429, 503),
    )
    async def png(self, view: NamedDependency[MetricView]) -> Response[bytes]:
        return await _chart(view, PNG)


async def _chart(view: MetricView, media_type: str) -> Response[bytes]:
    """The view's chart, as SVG or PNG (``media_type``), drawn in a worker thread."""
    # matplotlib (about 50 MB) loads with the first picture, not at start
    from services.wbr.chart import chart_png, chart_svg

    draw = chart_svg if media_type == SVG else chart_png
    return Response(await asyncio.to_thread(draw, view, view.metric["name"]), media_type=media_type)
