"""The functional excellence area: functional leaders, standards and exemptions, second
jobs, the leadership principles."""

from domain.excellence import FunctionalLeadership, LeadershipPrinciples, SecondJob, Standard
from services.area import Area
from services.excellence.commands import ExcellenceCommands

AREA = Area(
    name="excellence",
    aggregates=(FunctionalLeadership, Standard, SecondJob, LeadershipPrinciples),
    commands=ExcellenceCommands,
)
