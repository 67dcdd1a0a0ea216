"""The feeds area: the log followed by its position, as GraphQL subscriptions
(``events``, ``viewsAdvanced``) and as signed webhooks (endpoints are aggregates,
their view is ``projections/feeds``; the delivery worker is
``services/feeds/delivery.py``)."""

from domain.webhooks import WebhookEndpoint
from projections.feeds.projector import feeds
from services.area import Area
from services.feeds.commands import FeedsCommands
from services.feeds.rest import WebhookController
from services.feeds.subscriptions import FeedSubscription

AREA = Area(
    name="feeds",
    aggregates=(WebhookEndpoint,),
    commands=FeedsCommands,
    controllers=(WebhookController,),
    projector=feeds,
    subscriptions=(FeedSubscription,),
)
