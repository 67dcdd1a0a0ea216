"""The functional excellence area: functional leaders, standards and exemptions, second
jobs, the leadership principles."""

from domain.excellence import FunctionalLeadership, LeadershipPrinciples, SecondJob, Standard
from projections.excellence.projector import excellence
from services.area import Area
from services.excellence import graphql
from services.excellence.commands import ExcellenceCommands
from services.excellence.loaders import ExcellenceLoaders
from services.excellence.rest import (
    FunctionController,
    PrinciplesController,
    SecondJobController,
    StandardController,
)

AREA = Area(
    name="excellence",
    aggregates=(FunctionalLeadership, Standard, SecondJob, LeadershipPrinciples),
    commands=ExcellenceCommands,
    controllers=(FunctionController, PrinciplesController, SecondJobController, StandardController),
    projector=excellence,
    loaders=ExcellenceLoaders,
    queries=(graphql.ExcellenceQuery,),
    node_types=(graphql.Standard, graphql.SecondJob),
)
