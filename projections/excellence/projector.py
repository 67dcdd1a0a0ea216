"""Functional excellence as views: each function's leader and every tenure, standards
with every revision and exemption, second jobs, the leadership principles."""

from __future__ import annotations

import msgspec

from domain.excellence import (
    FunctionalLeadership,
    LeadershipPrinciples,
    SecondJob,
    Standard,
    function_leadership_id,
)
from domain.people.values import Function
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.storable import storable_json
from projections.tables import TemporalTable, columns

FUNCTIONAL_LEADER_TENURES = TemporalTable(
    name="functional_leader_tenures",
    key=columns(("function", "text"), ("since_position", "bigint")),
    columns=columns(
        ("leader", "text"),
        ("reason", "text"),
        ("since", "timestamptz"),
        ("until", "timestamptz"),
        ("appointed_by", "text"),
    ),
    indexes=(("leader",),),
)

FUNCTIONAL_LEADERS = TemporalTable(
    name="functional_leaders",
    key=columns(("function", "text")),
    columns=columns(
        ("leader", "text"),
        ("since_position", "bigint"),
        ("since", "timestamptz"),
        ("version", "integer"),
    ),
)

STANDARDS = TemporalTable(
    name="standards",
    key=columns(("id", "uuid")),
    columns=columns(
        ("function", "text"),
        ("area", "text"),
        ("title", "text"),
        ("body", "text"),
        ("revision", "integer"),
        ("retired", "boolean"),
        ("retire_reason", "text"),
        ("retired_at", "timestamptz"),
        ("published_at", "timestamptz"),
        ("published_by", "text"),
        ("version", "integer"),
    ),
    indexes=(("function",),),
)

STANDARD_REVISIONS = TemporalTable(
    name="standard_revisions",
    key=columns(("standard_id", "uuid"), ("revision", "integer")),
    columns=columns(("body", "text"), ("reason", "text"), ("at", "timestamptz"), ("actor", "text")),
)

STANDARD_EXEMPTIONS = TemporalTable(
    name="standard_exemptions",
    key=columns(("id", "uuid")),
    columns=columns(
        ("standard_id", "uuid"),
        ("team_id", "uuid"),
        ("reason", "text"),
        ("expires", "date"),
        ("granted_at", "timestamptz"),
        ("granted_by", "text"),
    ),
    indexes=(("standard_id",), ("expires",)),
)

SECOND_JOBS = TemporalTable(
    name="second_jobs",
    key=columns(("id", "uuid")),
    columns=columns(
        ("person", "text"),
        ("kind", "text"),
        ("description", "text"),
        ("share", "numeric"),
        ("active", "boolean"),
        ("assigned_at", "timestamptz"),
        ("assigned_by", "text"),
        ("ended_at", "timestamptz"),
        ("end_reason", "text"),
        ("version", "integer"),
    ),
    indexes=(("person",),),
)

LEADERSHIP_PRINCIPLES = TemporalTable(
    name="leadership_principles",
    key=columns(("id", "text")),
    columns=columns(("principles", "jsonb"), ("set_at", "timestamptz"), ("set_by", "text")),
)

excellence = Projector(
    "excellence",
    tables=[
        FUNCTIONAL_LEADER_TENURES,
        FUNCTIONAL_LEADERS,
        STANDARDS,
        STANDARD_REVISIONS,
        STANDARD_EXEMPTIONS,
        SECOND_JOBS,
        LEADERSHIP_PRINCIPLES,
    ],
)

_encoder = msgspec.json.Encoder()
COMPANY = "company"


def _tenure(
    views: ViewBatch, event: FunctionalLeadership.Event, function: str, leader: str, reason: str
) -> None:
    views.put(
        FUNCTIONAL_LEADER_TENURES,
        {
            "function": function,
            "since_position": views.position,
            "leader": leader,
            "reason": reason,
            "since": views.now,
            "until": None,
            "appointed_by": event.actor,
        },
    )
    views.put(
        FUNCTIONAL_LEADERS,
        {
            "function": function,
            "leader": leader,
            "since_position": views.position,
            "since": views.now,
            "version": event.originator_version,
        },
    )


@excellence.on(FunctionalLeadership.Appointed)
async def appointed(event: FunctionalLeadership.Appointed, views: ViewBatch) -> None:
    _tenure(views, event, event.function.value, event.leader, event.reason)


# A leadership stream's id is derived from its function.
_FUNCTION_OF_STREAM = {function_leadership_id(f): f.value for f in Function}


@excellence.on(FunctionalLeadership.LeaderReplaced)
async def replaced(event: FunctionalLeadership.LeaderReplaced, views: ViewBatch) -> None:
    current = await views.require(FUNCTIONAL_LEADERS, (_FUNCTION_OF_STREAM[event.originator_id],))
    await views.update(
        FUNCTIONAL_LEADER_TENURES,
        (current["function"], current["since_position"]),
        until=views.now,
    )
    _tenure(views, event, current["function"], event.leader, event.reason)


@excellence.on(Standard.Published)
async def published(event: Standard.Published, views: ViewBatch) -> None:
    views.put(
        STANDARDS,
        {
            "id": event.originator_id,
            "function": event.function.value,
            "area": event.area.value,
            "title": event.title,
            "body": event.body,
            "revision": 1,
            "retired": False,
            "retire_reason": None,
            "retired_at": None,
            "published_at": views.now,
            "published_by": event.actor,
            "version": event.originator_version,
        },
    )
    views.put(
        STANDARD_REVISIONS,
        {
            "standard_id": event.originator_id,
            "revision": 1,
            "body": event.body,
            "reason": None,
            "at": views.now,
            "actor": event.actor,
        },
    )


@excellence.on(Standard.Revised)
async def standard_revised(event: Standard.Revised, views: ViewBatch) -> None:
    await views.update(
        STANDARDS,
        (event.originator_id,),
        body=event.body,
        revision=event.revision,
        version=event.originator_version,
    )
    views.put(
        STANDARD_REVISIONS,
        {
            "standard_id": event.originator_id,
            "revision": event.revision,
            "body": event.body,
            "reason": event.reason,
            "at": views.now,
            "actor": event.actor,
        },
    )


@excellence.on(Standard.Retired)
async def standard_retired(event: Standard.Retired, views: ViewBatch) -> None:
    await views.update(
        STANDARDS,
        (event.originator_id,),
        retired=True,
        retire_reason=event.reason,
        retired_at=views.now,
        version=event.originator_version,
    )


@excellence.on(Standard.ExemptionGranted)
async def exemption_granted(event: Standard.ExemptionGranted, views: ViewBatch) -> None:
    await views.update(STANDARDS, (event.originator_id,), version=event.originator_version)
    views.put(
        STANDARD_EXEMPTIONS,
        {
            "id": event.exemption_id,
            "standard_id": event.originator_id,
            "team_id": event.team_id,
            "reason": event.reason,
            "expires": event.expires,
            "granted_at": views.now,
            "granted_by": event.actor,
        },
    )


@excellence.on(SecondJob.Assigned)
async def second_job_assigned(event: SecondJob.Assigned, views: ViewBatch) -> None:
    views.put(
        SECOND_JOBS,
        {
            "id": event.originator_id,
            "person": event.person,
            "kind": event.kind.value,
            "description": event.description,
            "share": event.share,
            "active": True,
            "assigned_at": views.now,
            "assigned_by": event.actor,
            "ended_at": None,
            "end_reason": None,
            "version": event.originator_version,
        },
    )


@excellence.on(SecondJob.Ended)
async def second_job_ended(event: SecondJob.Ended, views: ViewBatch) -> None:
    await views.update(
        SECOND_JOBS,
        (event.originator_id,),
        active=False,
        ended_at=views.now,
        end_reason=event.reason,
        version=event.originator_version,
    )


async def _principles(
    event: LeadershipPrinciples.Set | LeadershipPrinciples.Replaced, views: ViewBatch
) -> None:
    views.put(
        LEADERSHIP_PRINCIPLES,
        {
            "id": COMPANY,
            "principles": storable_json(event.principles, _encoder.encode),
            "set_at": views.now,
            "set_by": event.actor,
        },
    )


@excellence.on(LeadershipPrinciples.Set)
async def principles_set(event: LeadershipPrinciples.Set, views: ViewBatch) -> None:
    await _principles(event, views)


@excellence.on(LeadershipPrinciples.Replaced)
async def principles_replaced(event: LeadershipPrinciples.Replaced, views: ViewBatch) -> None:
    await _principles(event, views)
