"""The hiring area: requisitions within funded headcount, interview loops with the bar
raiser, sealed feedback, the debrief and the decision, accepted offers."""

from domain.hiring import HeadcountLedger, InterviewLoop, Requisition
from projections.hiring.projector import hiring
from services.area import Area
from services.hiring import graphql
from services.hiring.commands import HiringCommands
from services.hiring.loaders import HiringLoaders
from services.hiring.rest import LoopController, RequisitionController

AREA = Area(
    name="hiring",
    aggregates=(HeadcountLedger, Requisition, InterviewLoop),
    commands=HiringCommands,
    controllers=(LoopController, RequisitionController),
    projector=hiring,
    loaders=HiringLoaders,
    queries=(graphql.HiringQuery,),
    node_types=(graphql.Requisition, graphql.InterviewLoop),
)
