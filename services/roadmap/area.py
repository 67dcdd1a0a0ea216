"""The roadmap area: team-owned items with dates, health and dependencies."""

from domain.roadmap import RoadmapItem
from projections.roadmap.projector import roadmap
from services.area import Area
from services.roadmap import graphql
from services.roadmap.commands import RoadmapCommands
from services.roadmap.loaders import RoadmapLoaders
from services.roadmap.rest import RoadmapController

AREA = Area(
    name="roadmap",
    aggregates=(RoadmapItem,),
    commands=RoadmapCommands,
    controllers=(RoadmapController,),
    projector=roadmap,
    loaders=RoadmapLoaders,
    queries=(graphql.RoadmapQuery,),
    node_types=(graphql.RoadmapItem,),
)
