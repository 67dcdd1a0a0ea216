"""The audit area: the event log over REST for auditors, and the hash chain.

It records nothing of its own. Its view, the event log (``projections/audit``),
is kept for every event by the runner itself, and every node's ``history`` field
(``services/audit/graphql.py``) reads it."""

from services.area import Area
from services.audit.rest import AuditController

AREA = Area(name="audit", controllers=(AuditController,))
