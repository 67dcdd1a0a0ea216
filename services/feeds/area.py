"""The feeds area: the log followed by its position, as GraphQL subscriptions
(``events``, ``viewsAdvanced``) and as signed webhooks."""

from services.area import Area
from services.feeds.subscriptions import FeedSubscription

AREA = Area(name="feeds", subscriptions=(FeedSubscription,))
