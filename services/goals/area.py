"""The goals area: goals on metrics, their targets and check-ins, and the goal reports."""

from domain.goals import Goal
from projections.goals.projector import goals
from services.area import Area
from services.goals import graphql, graphql_reports
from services.goals.commands import GoalCommands
from services.goals.loaders import GoalsLoaders
from services.goals.rest import GoalController

AREA = Area(
    name="goals",
    aggregates=(Goal,),
    commands=GoalCommands,
    controllers=(GoalController,),
    projector=goals,
    loaders=GoalsLoaders,
    queries=(graphql.GoalQuery, graphql_reports.GoalReportQuery),
    node_types=(graphql.Goal,),
)
