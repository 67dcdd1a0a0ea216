"""REST commands on services, under ``/api/v1/services``: register, transfer, retire,
publish an API, declare and drop a dependency."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from msgspec import Meta

from domain.boundaries import MAX_API_VERSION_LENGTH, MAX_DESCRIPTION_LENGTH, ApiKind, Visibility
from domain.org.team import MAX_NAME_LENGTH, MAX_REASON_LENGTH
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import LINE, TEXT, WORD
from services.boundaries.commands import BoundaryCommands

Name = Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH), LINE]
Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class RegisterService(CommandBody):
    name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH, examples=["Ledger"]), LINE]
    owner_team_id: UUID
    description: Annotated[str, Meta(min_length=1, max_length=MAX_DESCRIPTION_LENGTH)]


class TransferService(CommandBody):
    to_team_id: UUID
    reason: Reason


class RetireService(CommandBody):
    reason: Reason


class PublishApi(CommandBody):
    name: Name
    version: Annotated[
        str,
        Meta(min_length=1, max_length=MAX_API_VERSION_LENGTH, examples=["v2", "1.4.0"]),
        WORD,
    ]
    kind: ApiKind
    visibility: Visibility


class DeclareDependency(CommandBody):
    api_id: UUID


ServiceId = Annotated[UUID, Parameter(description="The service's id (a UUID).")]


class ServiceController(Controller):
    path = "/api/v1/services"
    tags = ["Services"]

    register = command(
        "/",
        status_code=201,
        summary="Register a service",
        description="The owning team's leader or leadership registers a service; its owner "
        "must be an active team. Names of active services are unique.",
        runs=BoundaryCommands.register_service,
        body=RegisterService,
    )

    transfer = command(
        "/{service_id:uuid}/transfer",
        summary="Transfer a service to another team",
        description="The current owner's leader or leadership hands the service to another "
        "active team, with a reason. Both teams see the change in the ownership history.",
        runs=BoundaryCommands.transfer_service,
        ids=[ServiceId],
        body=TransferService,
    )

    retire = command(
        "/{service_id:uuid}/retire",
        summary="Retire a service",
        description="Refused while the service still publishes APIs that are not retired. "
        "The dependencies the service still has are dropped with it.",
        runs=BoundaryCommands.retire_service,
        ids=[ServiceId],
        body=RetireService,
    )

    publish_api = command(
        "/{service_id:uuid}/apis",
        status_code=201,
        summary="Publish an API",
        description="The service publishes an API; the answer's `id` is the new API's. "
        "`kind` is `REST`, `GRAPHQL`, `GRPC` or `EVENTS`; `visibility` is `PUBLIC` or "
        "`INTERNAL`. A name and version is published once per service.",
        runs=BoundaryCommands.publish_api,
        ids=[ServiceId],
        body=PublishApi,
    )

    declare_dependency = command(
        "/{service_id:uuid}/dependencies",
        summary="Declare that the service consumes an API",
        description="The API must be published and not retired. Consuming a deprecated API "
        "is allowed; `apiBoundaries` reports it.",
        runs=BoundaryCommands.declare_dependency,
        ids=[ServiceId],
        body=DeclareDependency,
    )

    @command(
        "/{service_id:uuid}/dependencies/{api_id:uuid}",
        method="DELETE",
        summary="Drop a dependency",
    )
    def drop_dependency(
        self,
        service_id: ServiceId,
        api_id: Annotated[UUID, Parameter(description="The API's id (a UUID).")],
        context: NamedDependency[CommandContext],
        boundaries: NamedDependency[BoundaryCommands],
        reason: Annotated[
            str,
            QueryParameter(
                name="reason", description="Why the dependency ends.", max_length=MAX_REASON_LENGTH
            ),
            TEXT,
        ] = "",
    ) -> CommandAccepted:
        return accepted(
            boundaries.drop_dependency(context, service_id, api_id=api_id, reason=reason)
        )
