"""The roadmap area: team-owned items with dates, health and dependencies."""

from domain.roadmap import RoadmapBaseline, RoadmapGraph, RoadmapItem, RoadmapSettings
from projections.roadmap.projector import roadmap
from services.area import Area
from services.roadmap import graphql, graphql_plans, graphql_settings
from services.roadmap.commands import RoadmapCommands
from services.roadmap.loaders import RoadmapLoaders
from services.roadmap.rest import (
    RoadmapBaselineController,
    RoadmapController,
    RoadmapSettingsController,
)
from services.roadmap.rest_timeline import RoadmapTimelineController

AREA = Area(
    name="roadmap",
    aggregates=(RoadmapItem, RoadmapBaseline, RoadmapGraph, RoadmapSettings),
    commands=RoadmapCommands,
    controllers=(
        RoadmapController,
        RoadmapBaselineController,
        RoadmapSettingsController,
        RoadmapTimelineController,
    ),
    projector=roadmap,
    loaders=RoadmapLoaders,
    queries=(
        graphql.RoadmapQuery,
        graphql_plans.RoadmapPlanQuery,
        graphql_settings.RoadmapSettingsQuery,
    ),
    node_types=(graphql.RoadmapItem,),
)
