"""The metrics area: metrics, their definitions, drivers and observations."""

from domain.claims import Claim
from domain.metrics import Metric, MetricYear
from projections.metrics.projector import metrics
from services.area import Area
from services.metrics import graphql
from services.metrics.commands import MetricCommands
from services.metrics.loaders import MetricsLoaders
from services.metrics.rest import MetricController

AREA = Area(
    name="metrics",
    aggregates=(Metric, MetricYear, Claim),
    commands=MetricCommands,
    controllers=(MetricController,),
    projector=metrics,
    loaders=MetricsLoaders,
    queries=(graphql.MetricQuery,),
    node_types=(graphql.Metric,),
)
