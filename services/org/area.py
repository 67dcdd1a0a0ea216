"""The org area: teams, their leaders and members, and the org chart."""

from domain.claims import Claim
from domain.org.chart import OrgChart
from domain.org.team import Team
from projections.org.projector import org
from services.area import Area
from services.org import graphql
from services.org.commands import OrgCommands
from services.org.loaders import OrgLoaders
from services.org.rest import TeamController

AREA = Area(
    name="org",
    aggregates=(Team, OrgChart, Claim),
    commands=OrgCommands,
    controllers=(TeamController,),
    projector=org,
    loaders=OrgLoaders,
    queries=(graphql.OrgQuery,),
    node_types=(graphql.Team, graphql.Person),
)
