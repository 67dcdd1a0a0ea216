"""Every area of Flywheel, once: adding an area is its modules and one line here.

The order is the order of the root ``Query``'s fields and of the REST paths.
"""

from __future__ import annotations

from services.allocation.area import AREA as ALLOCATION
from services.area import Area
from services.audit.area import AREA as AUDIT
from services.boundaries.area import AREA as BOUNDARIES
from services.feeds.area import AREA as FEEDS
from services.goals.area import AREA as GOALS
from services.metrics.area import AREA as METRICS
from services.org.area import AREA as ORG
from services.people.area import AREA as PEOPLE
from services.prfaqs.area import AREA as PRFAQS
from services.roadmap.area import AREA as ROADMAP

AREAS: tuple[Area, ...] = (
    ORG,
    AUDIT,
    BOUNDARIES,
    METRICS,
    GOALS,
    ALLOCATION,
    PEOPLE,
    PRFAQS,
    ROADMAP,
    FEEDS,
)
