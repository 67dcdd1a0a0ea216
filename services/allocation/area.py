"""The allocation area: the yearly OP1/OP2 cycles, and disagree and commit."""

from domain.allocation.cycle import AllocationCycle
from domain.claims import Claim
from projections.allocation.projector import allocation
from services.allocation import graphql
from services.allocation.commands import AllocationCommands
from services.allocation.loaders import AllocationLoaders
from services.allocation.rest import AllocationCycleController
from services.area import Area

AREA = Area(
    name="allocation",
    aggregates=(AllocationCycle, Claim),
    commands=AllocationCommands,
    controllers=(AllocationCycleController,),
    projector=allocation,
    loaders=AllocationLoaders,
    queries=(graphql.AllocationQuery,),
    node_types=(graphql.AllocationCycle, graphql.Dissent),
)
