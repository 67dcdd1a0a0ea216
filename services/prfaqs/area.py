"""The PR/FAQ area: working backwards, review in rings, the funnel; and the expected
outcomes of decisions (PR/FAQs and allocation cycles) with the track record."""

from domain.prfaqs import PrFaq
from projections.prfaqs.projector import prfaqs
from services.area import Area
from services.prfaqs import graphql, graphql_outcomes
from services.prfaqs.commands import PrFaqCommands
from services.prfaqs.loaders import PrFaqsLoaders
from services.prfaqs.rest import PrFaqController

AREA = Area(
    name="prfaqs",
    aggregates=(PrFaq,),
    commands=PrFaqCommands,
    controllers=(PrFaqController,),
    projector=prfaqs,
    loaders=PrFaqsLoaders,
    queries=(graphql.PrFaqQuery, graphql_outcomes.OutcomeQuery),
    node_types=(graphql.PrFaq, graphql.PrFaqDissent),
)
