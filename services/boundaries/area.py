"""The boundaries area: services, their APIs, and the dependencies between them."""

from domain.boundaries import Api, Service
from domain.claims import Claim
from projections.boundaries.projector import boundaries
from services.area import Area
from services.boundaries import graphql, graphql_reports
from services.boundaries.commands import BoundaryCommands
from services.boundaries.loaders import BoundariesLoaders
from services.boundaries.rest_apis import ApiController
from services.boundaries.rest_services import ServiceController

AREA = Area(
    name="boundaries",
    aggregates=(Service, Api, Claim),
    commands=BoundaryCommands,
    controllers=(ServiceController, ApiController),
    projector=boundaries,
    loaders=BoundariesLoaders,
    queries=(graphql.BoundariesQuery, graphql_reports.BoundaryReportsQuery),
    node_types=(graphql.Service, graphql.Api),
)
