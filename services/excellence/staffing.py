"""Who works where, as the write side needs it: read from the org's events.

The team aggregate keeps each member's attachment but not their function, and no
aggregate lists a person's teams. The rules of functional excellence and hiring
need both (a second job is assigned by the leader of the person's function; the
bar raiser is not from recruiting; a requisition counts the team's members of its
function), so they are folded here from the org's events: a team's own stream for
its members' functions, and the log filtered by the membership events' topics for
one person's teams. Both are read by the command that checks the rule; they are
rare, human-paced commands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.org.team import Attachment, Team
from domain.people.values import Function, PersonId

if TYPE_CHECKING:  # the application is assembled from the areas, whose commands use this
    from services.application import Flywheel

PAGE = 1000
_TOPICS = tuple(get_topic(cls) for cls in (Team.MemberAdded, Team.MemberRemoved, Team.Disbanded))


def team_functions(app: Flywheel, team_id: UUID) -> dict[PersonId, Function]:
    """The team's current members, each with their function."""
    members: dict[PersonId, Function] = {}
    for domain_event in app.repository.event_store.get(team_id):
        if isinstance(domain_event, Team.MemberAdded):
            members[domain_event.person] = Function(domain_event.function)
        elif isinstance(domain_event, Team.MemberRemoved):
            members.pop(domain_event.person, None)
    return members


def memberships(app: Flywheel, person: PersonId) -> dict[UUID, tuple[Function, Attachment]]:
    """The active teams ``person`` is a member of, with their function and attachment."""
    found: dict[UUID, tuple[Function, Attachment]] = {}
    start: int | None = None
    while True:
        page = app.recorder.select_notifications(
            start, PAGE, topics=_TOPICS, inclusive_of_start=False
        )
        for notification in page:
            domain_event = app.mapper.to_domain_event(notification)
            team_id = domain_event.originator_id
            if isinstance(domain_event, Team.MemberAdded) and domain_event.person == person:
                found[team_id] = (
                    Function(domain_event.function),
                    Attachment(domain_event.attachment),
                )
            elif (
                isinstance(domain_event, Team.MemberRemoved) and domain_event.person == person
            ) or isinstance(domain_event, Team.Disbanded):
                found.pop(team_id, None)
        if len(page) < PAGE:
            return found
        start = page[-1].id


def functions_of(app: Flywheel, person: PersonId) -> set[Function]:
    return {function for function, _ in memberships(app, person).values()}
