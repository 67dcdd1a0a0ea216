"""API boundaries as views: services and their owners over time, APIs, dependencies."""

from __future__ import annotations

from domain.boundaries import Api, ApiStatus, Service, ServiceStatus
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.tables import TemporalTable, columns

SERVICES = TemporalTable(
    name="services",
    key=columns(("id", "uuid")),
    columns=columns(
        ("name", "text"),
        ("description", "text"),
        ("status", "text"),
        ("owner_team_id", "uuid"),
        ("owner_since", "timestamptz"),
        ("owner_since_position", "bigint"),
        ("registered_at", "timestamptz"),
        ("retired_at", "timestamptz"),
        ("version", "integer"),
    ),
    indexes=(("name",), ("owner_team_id",), ("registered_at",), ("status", "name")),
    searched=("name",),
)

SERVICE_OWNERS = TemporalTable(
    name="service_owners",
    key=columns(("service_id", "uuid"), ("since_position", "bigint")),
    columns=columns(
        ("team_id", "uuid"),
        ("since", "timestamptz"),
        ("until", "timestamptz"),
        ("reason", "text"),
    ),
    indexes=(("team_id",),),
)

APIS = TemporalTable(
    name="apis",
    key=columns(("id", "uuid")),
    columns=columns(
        ("service_id", "uuid"),
        ("name", "text"),
        ("version", "text"),
        ("kind", "text"),
        ("visibility", "text"),
        ("status", "text"),
        ("sunset", "date"),
        ("deprecation_reason", "text"),
        ("published_at", "timestamptz"),
        ("retired_at", "timestamptz"),
        ("aggregate_version", "integer"),
    ),
    indexes=(("service_id",), ("name",), ("published_at",), ("status", "name")),
    searched=("name",),
)

SERVICE_DEPENDENCIES = TemporalTable(
    name="service_dependencies",
    key=columns(("service_id", "uuid"), ("api_id", "uuid")),
    columns=columns(("since", "timestamptz")),
    indexes=(("api_id",),),
)

boundaries = Projector("boundaries", tables=[SERVICES, SERVICE_OWNERS, APIS, SERVICE_DEPENDENCIES])


async def _touch_service(views: ViewBatch, event: Service.Event) -> None:
    await views.update(SERVICES, (event.originator_id,), version=event.originator_version)


async def _touch_api(views: ViewBatch, event: Api.Event) -> None:
    await views.update(APIS, (event.originator_id,), aggregate_version=event.originator_version)


def _owned(views: ViewBatch, service_id: object, team_id: object, reason: str | None) -> None:
    views.put(
        SERVICE_OWNERS,
        {
            "service_id": service_id,
            "since_position": views.position,
            "team_id": team_id,
            "since": views.now,
            "until": None,
            "reason": reason,
        },
    )


@boundaries.on(Service.Registered)
async def service_registered(event: Service.Registered, views: ViewBatch) -> None:
    views.put(
        SERVICES,
        {
            "id": event.originator_id,
            "name": event.name,
            "description": event.description,
            "status": ServiceStatus.ACTIVE.value,
            "owner_team_id": event.owner_team_id,
            "owner_since": views.now,
            "owner_since_position": views.position,
            "registered_at": views.now,
            "retired_at": None,
            "version": event.originator_version,
        },
    )
    _owned(views, event.originator_id, event.owner_team_id, None)


@boundaries.on(Service.Transferred)
async def service_transferred(event: Service.Transferred, views: ViewBatch) -> None:
    service = await views.require(SERVICES, (event.originator_id,))
    await views.update(
        SERVICE_OWNERS,
        (event.originator_id, service["owner_since_position"]),
        until=views.now,
    )
    _owned(views, event.originator_id, event.to_team_id, event.reason)
    await views.update(
        SERVICES,
        (event.originator_id,),
        owner_team_id=event.to_team_id,
        owner_since=views.now,
        owner_since_position=views.position,
        version=event.originator_version,
    )


@boundaries.on(Service.ApiAttached)
async def api_attached(event: Service.ApiAttached, views: ViewBatch) -> None:
    await _touch_service(views, event)


@boundaries.on(Service.ApiDetached)
async def api_detached(event: Service.ApiDetached, views: ViewBatch) -> None:
    await _touch_service(views, event)


@boundaries.on(Service.DependencyDeclared)
async def dependency_declared(event: Service.DependencyDeclared, views: ViewBatch) -> None:
    views.put(
        SERVICE_DEPENDENCIES,
        {"service_id": event.originator_id, "api_id": event.api_id, "since": views.now},
    )
    await _touch_service(views, event)


@boundaries.on(Service.DependencyDropped)
async def dependency_dropped(event: Service.DependencyDropped, views: ViewBatch) -> None:
    views.end(SERVICE_DEPENDENCIES, (event.originator_id, event.api_id))
    await _touch_service(views, event)


@boundaries.on(Service.Retired)
async def service_retired(event: Service.Retired, views: ViewBatch) -> None:
    await views.update(
        SERVICES,
        (event.originator_id,),
        status=ServiceStatus.RETIRED.value,
        retired_at=views.now,
        version=event.originator_version,
    )


@boundaries.on(Api.Published)
async def api_published(event: Api.Published, views: ViewBatch) -> None:
    views.put(
        APIS,
        {
            "id": event.originator_id,
            "service_id": event.service_id,
            "name": event.name,
            "version": event.api_version,
            "kind": event.kind.value,
            "visibility": event.visibility.value,
            "status": ApiStatus.PUBLISHED.value,
            "sunset": None,
            "deprecation_reason": None,
            "published_at": views.now,
            "retired_at": None,
            "aggregate_version": event.originator_version,
        },
    )


@boundaries.on(Api.Deprecated)
async def api_deprecated(event: Api.Deprecated, views: ViewBatch) -> None:
    await views.update(
        APIS,
        (event.originator_id,),
        status=ApiStatus.DEPRECATED.value,
        sunset=event.sunset,
        deprecation_reason=event.reason,
        aggregate_version=event.originator_version,
    )


@boundaries.on(Api.Retired)
async def api_retired(event: Api.Retired, views: ViewBatch) -> None:
    await views.update(
        APIS,
        (event.originator_id,),
        status=ApiStatus.RETIRED.value,
        retired_at=views.now,
        aggregate_version=event.originator_version,
    )


@boundaries.on(Api.ConsumerAttached)
async def consumer_attached(event: Api.ConsumerAttached, views: ViewBatch) -> None:
    await _touch_api(views, event)


@boundaries.on(Api.ConsumerDetached)
async def consumer_detached(event: Api.ConsumerDetached, views: ViewBatch) -> None:
    await _touch_api(views, event)
