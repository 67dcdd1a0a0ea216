"""Who owns what: teams, their leaders over time, their members, and people.

A person's display name is personal data: the people view keeps it as the
log holds it, sealed (AES-GCM ciphertext under the person's key), and only a
read that shows it opens it. Once the person is erased the key is gone, so no
version of the row, old or new, in this schema or a rebuilt one, can be read.
"""

from __future__ import annotations

from typing import Any

from domain.org.team import Team, TeamStatus
from domain.people.person import Person
from domain.people.values import PersonId
from domain.personal_data import PersonalText, Sealed
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.tables import TemporalTable, columns

TEAMS = TemporalTable(
    name="teams",
    key=columns(("id", "uuid")),
    columns=columns(
        ("name", "text"),
        ("mission", "text"),
        ("status", "text"),
        ("parent_id", "uuid"),
        ("leader", "text"),
        ("leader_since", "timestamptz"),
        ("leader_since_position", "bigint"),
        ("leader_reason", "text"),
        ("chartered_at", "timestamptz"),
        ("version", "integer"),
    ),
    indexes=(("name",), ("parent_id",), ("leader",), ("chartered_at",), ("status", "name")),
    searched=("name",),
)

TEAM_LEADERS = TemporalTable(
    name="team_leaders",
    key=columns(("team_id", "uuid"), ("since_position", "bigint")),
    columns=columns(
        ("person", "text"),
        ("since", "timestamptz"),
        ("until", "timestamptz"),
        ("reason", "text"),
    ),
    indexes=(("person",),),
)

TEAM_MEMBERS = TemporalTable(
    name="team_members",
    key=columns(("team_id", "uuid"), ("person", "text")),
    columns=columns(("function", "text"), ("attachment", "text"), ("since", "timestamptz")),
    indexes=(("person",),),
)

PEOPLE = TemporalTable(
    name="people",
    key=columns(("id", "text")),
    columns=columns(
        ("first_seen", "timestamptz"),
        ("display_name_sealed", "bytea"),
        ("erased_at", "timestamptz"),
        ("erased_by", "text"),
        ("erasure_reason", "text"),
    ),
)

org = Projector("org", tables=[TEAMS, TEAM_LEADERS, TEAM_MEMBERS, PEOPLE])


async def _seen(views: ViewBatch, person: PersonId) -> None:
    if await views.get(PEOPLE, (person,)) is None:
        views.put(PEOPLE, {"id": person, "first_seen": views.now})


def _sealed(value: PersonalText) -> bytes | None:
    """The ciphertext as stored; a plain value (never written by Flywheel) is not kept."""
    return value.ciphertext if isinstance(value, Sealed) else None


@org.on(Person.Named)
async def person_named(event: Person.Named, views: ViewBatch) -> None:
    await _seen(views, event.person)
    await views.update(PEOPLE, (event.person,), display_name_sealed=_sealed(event.display_name))


@org.on(Person.Renamed)
async def person_renamed(event: Person.Renamed, views: ViewBatch) -> None:
    await _seen(views, event.person)
    await views.update(PEOPLE, (event.person,), display_name_sealed=_sealed(event.display_name))


@org.on(Person.Erased)
async def person_erased(event: Person.Erased, views: ViewBatch) -> None:
    await _seen(views, event.person)
    await views.update(
        PEOPLE,
        (event.person,),
        display_name_sealed=None,
        erased_at=views.now,
        erased_by=event.actor,
        erasure_reason=event.reason,
    )


@org.on_every_event
async def actor_seen(event: Any, views: ViewBatch) -> None:
    """Whoever acts is a person Flywheel knows, with a history of what they did."""
    actor = getattr(event, "actor", None)
    if actor:
        await _seen(views, PersonId(actor))


async def _touch(views: ViewBatch, event: Team.Event) -> None:
    await views.update(TEAMS, (event.originator_id,), version=event.originator_version)


@org.on(Team.Chartered)
async def team_chartered(event: Team.Chartered, views: ViewBatch) -> None:
    views.put(
        TEAMS,
        {
            "id": event.originator_id,
            "name": event.name,
            "mission": event.mission,
            "status": TeamStatus.ACTIVE.value,
            "parent_id": event.parent_id,
            "leader": event.leader,
            "leader_since": views.now,
            "leader_since_position": views.position,
            "leader_reason": None,
            "chartered_at": views.now,
            "version": event.originator_version,
        },
    )
    views.put(
        TEAM_LEADERS,
        {
            "team_id": event.originator_id,
            "since_position": views.position,
            "person": event.leader,
            "since": views.now,
            "until": None,
            "reason": None,
        },
    )
    await _seen(views, event.leader)


@org.on(Team.LeaderAppointed)
async def leader_appointed(event: Team.LeaderAppointed, views: ViewBatch) -> None:
    team = await views.require(TEAMS, (event.originator_id,))
    await views.update(
        TEAM_LEADERS, (event.originator_id, team["leader_since_position"]), until=views.now
    )
    views.put(
        TEAM_LEADERS,
        {
            "team_id": event.originator_id,
            "since_position": views.position,
            "person": event.leader,
            "since": views.now,
            "until": None,
            "reason": event.reason,
        },
    )
    await views.update(
        TEAMS,
        (event.originator_id,),
        leader=event.leader,
        leader_since=views.now,
        leader_since_position=views.position,
        leader_reason=event.reason,
        version=event.originator_version,
    )
    await _seen(views, event.leader)


@org.on(Team.MemberAdded)
async def member_added(event: Team.MemberAdded, views: ViewBatch) -> None:
    views.put(
        TEAM_MEMBERS,
        {
            "team_id": event.originator_id,
            "person": event.person,
            "function": event.function.value,
            "attachment": event.attachment.value,
            "since": views.now,
        },
    )
    await _seen(views, event.person)
    await _touch(views, event)


@org.on(Team.MemberRemoved)
async def member_removed(event: Team.MemberRemoved, views: ViewBatch) -> None:
    views.end(TEAM_MEMBERS, (event.originator_id, event.person))
    await _touch(views, event)


@org.on(Team.SubteamAttached)
async def subteam_attached(event: Team.SubteamAttached, views: ViewBatch) -> None:
    await _touch(views, event)


@org.on(Team.SubteamDetached)
async def subteam_detached(event: Team.SubteamDetached, views: ViewBatch) -> None:
    await _touch(views, event)


@org.on(Team.Reparented)
async def team_reparented(event: Team.Reparented, views: ViewBatch) -> None:
    await views.update(
        TEAMS, (event.originator_id,), parent_id=event.parent_id, version=event.originator_version
    )


@org.on(Team.ServiceAttached)
async def service_attached(event: Team.ServiceAttached, views: ViewBatch) -> None:
    await _touch(views, event)


@org.on(Team.ServiceDetached)
async def service_detached(event: Team.ServiceDetached, views: ViewBatch) -> None:
    await _touch(views, event)


@org.on(Team.Disbanded)
async def team_disbanded(event: Team.Disbanded, views: ViewBatch) -> None:
    team = await views.update(
        TEAMS,
        (event.originator_id,),
        status=TeamStatus.DISBANDED.value,
        version=event.originator_version,
    )
    await views.update(
        TEAM_LEADERS, (event.originator_id, team["leader_since_position"]), until=views.now
    )
