"""API boundaries in GraphQL: services, their owners over time, APIs, dependencies.

Every object remembers ``at``, the log position it was read as of, and reads its
relations as of the same position. Lists that grow (a team's services, a
service's APIs and dependencies, an API's consumers) are cursor connections,
read for many parents at once through DataLoaders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import strawberry

from projections.boundaries import queries as boundaries_queries
from projections.paging import Page
from services.audit.graphql import Recorded
from services.boundaries.graphql_enums import ApiKind, ApiStatus, ServiceStatus, Visibility
from services.graphql.common import (
    FlywheelInfo,
    context,
    decode_cursor,
    enum_value,
    member_of,
    optional_field,
    search_text,
    uuid_of,
    uuid_or_none,
)
from services.graphql.connections import (
    KEY,
    MOMENT,
    TEXT,
    Connection,
    Edge,
    Paging,
    Sort,
    connection,
    order_fields,
    order_input,
    paged,
    sort_of,
)
from services.graphql.lists import ListFilter, ListOrder, list_field
from services.graphql.nodes import AggregateNode, node_by_id
from services.graphql.relations import related_list, team_field
from services.graphql.rows import FromRow

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader

SERVICE_STATUS = member_of(ServiceStatus)
API_KIND = member_of(ApiKind)
VISIBILITY = member_of(Visibility)
API_STATUS = member_of(ApiStatus)


def service_cursor(cursor: str, argument: str) -> tuple[Any, ...]:
    name, key = decode_cursor(cursor, 2, argument)
    return name, uuid_of(key, "Service", argument)


def api_cursor(cursor: str, argument: str) -> tuple[Any, ...]:
    name, version, key = decode_cursor(cursor, 3, argument)
    return name, version, uuid_of(key, "Api", argument)


ServiceOrderField, SERVICE_SORTS = order_fields(
    "ServiceOrderField",
    "What a list of services can be sorted by.",
    NAME=("The service's name.", (("name", TEXT), ("id", KEY))),
    REGISTERED_AT=("When the service was registered.", (("registered_at", MOMENT), ("id", KEY))),
    STATUS=(
        "The service's status (active before retired), then its name.",
        (("status", TEXT), ("name", TEXT), ("id", KEY)),
    ),
)
SERVICES_BY_NAME = sort_of(None, SERVICE_SORTS, ServiceOrderField.NAME)


ServiceOrder = order_input(
    "ServiceOrder",
    ServiceOrderField,
    "How to sort a list of services; ties are broken by the service's id.",
)


ApiOrderField, API_SORTS = order_fields(
    "ApiOrderField",
    "What a list of APIs can be sorted by.",
    NAME=("The API's name, then its version.", (("name", TEXT), ("version", TEXT), ("id", KEY))),
    PUBLISHED_AT=("When the API was published.", (("published_at", MOMENT), ("id", KEY))),
    STATUS=(
        "The API's status (deprecated, published, retired), then its name and version.",
        (("status", TEXT), ("name", TEXT), ("version", TEXT), ("id", KEY)),
    ),
)
APIS_BY_NAME = sort_of(None, API_SORTS, ApiOrderField.NAME)


ApiOrder = order_input(
    "ApiOrder", ApiOrderField, "How to sort a list of APIs; ties are broken by the API's id."
)


@strawberry.type(description="A team's ownership of a service, from a transfer to the next.")
class Ownership(FromRow):
    since: datetime = strawberry.field(description="When this team took the service over.")
    until: datetime | None = strawberry.field(
        description="When the service moved to another team; null while this team owns it."
    )
    reason: str | None = strawberry.field(
        description="Why the service was transferred to this team; null for the first owner."
    )
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    team = team_field("The owning team.", nullable=False)


@strawberry.type(description="A service: code with defined APIs, owned by exactly one team.")
class Service(AggregateNode, Recorded):
    name: str = strawberry.field(description="The service's name, unique among services.")
    description: str = strawberry.field(description="What the service does.")
    status: ServiceStatus = strawberry.field(
        description="Whether the service is active or retired."
    )
    registered_at: datetime = strawberry.field(description="When the service was registered.")
    retired_at: datetime | None = strawberry.field(
        description="When the service was retired; null while active."
    )
    version: int = strawberry.field(
        description="The service's version; send it as `If-Match` to guard a command."
    )
    owner_team_id: strawberry.Private[UUID]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.boundaries.service

    owner = team_field(
        "The team that owns the service (its last owner, if retired).",
        of="owner_team_id",
        nullable=False,
    )

    ownership_history = related_list(
        Ownership,
        lambda load: load.boundaries.ownership_history,
        "Every team that owned the service, oldest first.",
    )

    @strawberry.field(description="The APIs the service publishes, by name and version.")
    @paged
    async def apis(
        self,
        info: FlywheelInfo,
        paging: Paging,
        status: Annotated[
            ApiStatus | None, strawberry.argument(description="Only APIs in this status.")
        ] = None,
    ) -> ApiConnection | None:
        request = paging.request(APIS_BY_NAME.read)
        key = (UUID(self.key), request, enum_value(status))
        found = await context(info).load.boundaries.apis_of_service.load(key, self.at)
        return api_connection(found, self.at, APIS_BY_NAME)

    @strawberry.field(description="The APIs the service consumes, by name and version.")
    @paged
    async def dependencies(self, info: FlywheelInfo, paging: Paging) -> DependencyConnection | None:
        request = paging.request(api_cursor)
        found = await context(info).load.boundaries.dependencies_of_service.load(
            (UUID(self.key), request), self.at
        )
        at = self.at
        return connection(
            DependencyConnection,
            found,
            lambda row: Api.from_row(row, at),
            API_ORDER,
            edge=DependencyEdge,
        )


@strawberry.type(description="An API a service publishes: a contract other services consume.")
class Api(AggregateNode, Recorded):
    COLUMNS: ClassVar = {"api_version": "version", "version": "aggregate_version"}

    name: str = strawberry.field(
        description="The API's name; with `apiVersion`, unique for its service."
    )
    api_version: str = strawberry.field(description="The API's own version, e.g. v2 or 1.4.0.")
    kind: ApiKind = strawberry.field(description="How the API is called.")
    visibility: Visibility = strawberry.field(description="Who may consume the API.")
    status: ApiStatus = strawberry.field(
        description="Whether the API is published, deprecated or retired."
    )
    sunset: date | None = strawberry.field(
        description="When a deprecated API goes away; null unless deprecated."
    )
    deprecation_reason: str | None = strawberry.field(
        description="Why the API was deprecated; null unless deprecated."
    )
    published_at: datetime = strawberry.field(description="When the API was published.")
    retired_at: datetime | None = strawberry.field(
        description="When the API was retired; null unless retired."
    )
    version: int = strawberry.field(
        description="The API record's version; send it as `If-Match` to guard a command."
    )
    service_id: strawberry.Private[UUID]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.boundaries.api

    @strawberry.field(
        description="The API record's version.",
        deprecation_reason="Use `version`, the name every type uses for the version sent as "
        "`If-Match`.",
    )
    def aggregate_version(self) -> int:
        return self.version

    @strawberry.field(description="The service that publishes the API.")
    async def provider(self, info: FlywheelInfo) -> Service:
        return await Service.get(info, self.service_id, self.at)

    @strawberry.field(description="The services that consume the API, by name.")
    @paged
    async def consumers(self, info: FlywheelInfo, paging: Paging) -> ConsumerConnection | None:
        request = paging.request(service_cursor)
        found = await context(info).load.boundaries.consumers_of_api.load(
            (UUID(self.key), request), self.at
        )
        at = self.at
        return connection(
            ConsumerConnection,
            found,
            lambda row: Service.from_row(row, at),
            SERVICE_ORDER,
            edge=ConsumerEdge,
        )


SERVICE_ORDER = ("name", "id")
API_ORDER = ("name", "version", "id")


@strawberry.type(description="A page of services, by name unless `orderBy` says otherwise.")
class ServiceConnection(Connection[Service]):
    pass


@strawberry.type(description="A page of APIs, by name and version unless `orderBy` says otherwise.")
class ApiConnection(Connection[Api]):
    pass


def _since(self: Edge[Any]) -> datetime:
    return self.row["depended_since"]  # type: ignore[no-any-return]


@strawberry.type(description="An API a service consumes, and since when.")
class DependencyEdge(Edge[Api]):
    since: datetime = strawberry.field(
        resolver=_since, description="When the service started consuming the API."
    )


@strawberry.type(description="A page of the APIs a service consumes, by name and version.")
class DependencyConnection(Connection[Api]):
    edges: Sequence[DependencyEdge] = strawberry.field(
        description="The page's APIs, each with its cursor and since when it is consumed."
    )


@strawberry.type(description="A service that consumes an API, and since when.")
class ConsumerEdge(Edge[Service]):
    since: datetime = strawberry.field(
        resolver=_since, description="When the service started consuming the API."
    )


@strawberry.type(description="A page of the services consuming an API, by name.")
class ConsumerConnection(Connection[Service]):
    edges: Sequence[ConsumerEdge] = strawberry.field(
        description="The page's services, each with its cursor and since when it consumes."
    )


def service_connection(page: Page, at: int | None, sort: Sort) -> ServiceConnection:
    """Services read as of ``at``, a page in ``sort``'s order."""
    return connection(ServiceConnection, page, lambda row: Service.from_row(row, at), sort)


def api_connection(page: Page, at: int | None, sort: Sort) -> ApiConnection:
    """APIs read as of ``at``, a page in ``sort``'s order."""
    return connection(ApiConnection, page, lambda row: Api.from_row(row, at), sort)


async def services_of_team(
    info: FlywheelInfo,
    team_id: UUID,
    at: int | None,
    paging: Paging,
    status: ServiceStatus | None,
) -> ServiceConnection:
    """``Team.services``: the services a team owns."""
    request = paging.request(SERVICES_BY_NAME.read)
    key = (team_id, request, enum_value(status))
    found = await context(info).load.boundaries.services_of_team.load(key, at)
    return service_connection(found, at, SERVICES_BY_NAME)


async def apis_of_team(
    info: FlywheelInfo,
    team_id: UUID,
    at: int | None,
    paging: Paging,
    status: ApiStatus | None,
) -> ApiConnection:
    """``Team.apis``: the APIs of the services a team owns."""
    request = paging.request(APIS_BY_NAME.read)
    key = (team_id, request, enum_value(status))
    found = await context(info).load.boundaries.apis_of_team.load(key, at)
    return api_connection(found, at, APIS_BY_NAME)


@strawberry.input(description="Narrow a list of services; every given field must match.")
class ServiceFilter:
    name_contains: str | None = optional_field(
        "Only services named with this text (any case; up to 100 characters)."
    )
    owner_team_id: strawberry.ID | None = optional_field(
        "Only services this team owns (a UUID or a Team global id)."
    )
    status: ServiceStatus | None = optional_field("Only services in this status.")


@strawberry.input(description="Narrow a list of APIs; every given field must match.")
class ApiFilter:
    name_contains: str | None = optional_field(
        "Only APIs named with this text (any case; up to 100 characters)."
    )
    service_id: strawberry.ID | None = optional_field(
        "Only APIs this service publishes (a UUID or a Service global id)."
    )
    owner_team_id: strawberry.ID | None = optional_field(
        "Only APIs of services this team owns (a UUID or a Team global id)."
    )
    kind: ApiKind | None = optional_field("Only APIs of this kind.")
    visibility: Visibility | None = optional_field("Only APIs of this visibility.")
    status: ApiStatus | None = optional_field("Only APIs in this status.")


def _service_filter(given: ServiceFilter | None) -> boundaries_queries.ServiceFilter:
    if given is None:
        return boundaries_queries.ServiceFilter()
    return boundaries_queries.ServiceFilter(
        name_contains=search_text(given.name_contains),
        owner_team_id=uuid_or_none(given.owner_team_id, "Team", "filter.ownerTeamId"),
        status=enum_value(given.status),
    )


def _api_filter(given: ApiFilter | None) -> boundaries_queries.ApiFilter:
    if given is None:
        return boundaries_queries.ApiFilter()
    return boundaries_queries.ApiFilter(
        name_contains=search_text(given.name_contains),
        service_id=uuid_or_none(given.service_id, "Service", "filter.serviceId"),
        owner_team_id=uuid_or_none(given.owner_team_id, "Team", "filter.ownerTeamId"),
        kind=enum_value(given.kind),
        visibility=enum_value(given.visibility),
        status=enum_value(given.status),
    )


@strawberry.type
class BoundariesQuery:
    service = node_by_id(Service, "A service by its id (UUID or global id).", "service")

    api = node_by_id(Api, "An API by its id (UUID or global id).", "API")

    services = list_field(
        ServiceConnection,
        Service.from_row,
        boundaries_queries.service_page,
        description="Services by name (or as `orderBy` says), a page at a time.",
        filter=ListFilter(ServiceFilter, "Only the services that match.", _service_filter),
        order=ListOrder(
            ServiceOrder,
            SERVICE_SORTS,
            ServiceOrderField.NAME,
            "How to sort; by name if not given.",
        ),
    )

    apis = list_field(
        ApiConnection,
        Api.from_row,
        boundaries_queries.api_page,
        description="APIs by name and version (or as `orderBy` says), a page at a time.",
        filter=ListFilter(ApiFilter, "Only the APIs that match.", _api_filter),
        order=ListOrder(
            ApiOrder,
            API_SORTS,
            ApiOrderField.NAME,
            "How to sort; by name and version if not given.",
        ),
    )
