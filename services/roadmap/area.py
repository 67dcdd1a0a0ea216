"""The roadmap area: team-owned items with dates, health and dependencies."""

from domain.roadmap import RoadmapItem
from services.area import Area
from services.roadmap.commands import RoadmapCommands

AREA = Area(
    name="roadmap",
    aggregates=(RoadmapItem,),
    commands=RoadmapCommands,
)
