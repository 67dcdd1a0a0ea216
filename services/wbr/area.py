"""The weekly business review area: bulk observations, variance notes, the 6-12 view."""

from domain.metrics import Metric, MetricYear
from domain.wbr import VarianceNote
from projections.wbr.projector import wbr
from services.area import Area
from services.wbr import graphql
from services.wbr.commands import WbrCommands
from services.wbr.html import WbrDeckController
from services.wbr.rest import ObservationsController, VarianceNoteController
from services.wbr.rest_charts import WbrChartController
from services.wbr.rest_export import WbrExportController

AREA = Area(
    name="wbr",
    aggregates=(Metric, MetricYear, VarianceNote),
    commands=WbrCommands,
    controllers=(
        ObservationsController,
        VarianceNoteController,
        WbrChartController,
        WbrExportController,
        WbrDeckController,
    ),
    projector=wbr,
    queries=(graphql.WbrQuery,),
)
