"""Every area of Flywheel, once: adding an area is its modules and one line here.

The order is the order of the root ``Query``'s fields and of the REST paths.
"""

from __future__ import annotations

from services.allocation.area import AREA as ALLOCATION
from services.area import Area
from services.audit.area import AREA as AUDIT
from services.backstage.area import AREA as BACKSTAGE
from services.boundaries.area import AREA as BOUNDARIES
from services.excellence.area import AREA as EXCELLENCE
from services.goals.area import AREA as GOALS
from services.hiring.area import AREA as HIRING
from services.metrics.area import AREA as METRICS
from services.org.area import AREA as ORG
from services.people.area import AREA as PEOPLE
from services.prfaqs.area import AREA as PRFAQS
from services.roadmap.area import AREA as ROADMAP
from services.wbr.area import AREA as WBR

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
    EXCELLENCE,
    HIRING,
    WBR,
    BACKSTAGE,
)
