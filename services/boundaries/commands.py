"""Commands on API boundaries: services, the APIs they publish, their dependencies.

Who may: the leader of the team that owns the service (for an API, the service
that publishes it; for a dependency, the consuming service), or ``leadership``.
Leadership of a team is read from the team's current write-side state, never
from the token. Each command saves every aggregate it changes in one write: the
service with its owning team(s) and its name claim, an API with its service, a
dependency on both the consuming service and the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from domain.boundaries import (
    Api,
    ApiHasActiveConsumers,
    Service,
    ServiceNameTaken,
)
from domain.claims import ClaimKind, normalised_name
from domain.org.team import Team
from services.authorization import require_owner_or_leadership
from services.commands import AreaCommands, Outcome, UnitOfWork

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.boundaries.rest_apis import DeprecateApi, RetireApi
    from services.boundaries.rest_services import (
        DeclareDependency,
        PublishApi,
        RegisterService,
        RetireService,
        TransferService,
    )


def _owner(work: UnitOfWork, service: Service) -> Team:
    return work.get(Team, service.owner_team_id, label="team")


def _service_of(work: UnitOfWork, api: Api) -> Service:
    return work.get(Service, api.service_id, label="service")


def _service_name(work: UnitOfWork, service_id: UUID) -> str:
    service = work.find(Service, service_id)
    return service.name if service is not None else str(service_id)


def _take_name(work: UnitOfWork, service: Service) -> None:
    other = work.claim(ClaimKind.SERVICE_NAME, normalised_name(service.name), service.id)
    if other is not None:
        holder = work.get(Service, other, label="service")
        raise ServiceNameTaken(
            f"An active service is already named '{holder.name}' "
            f"(owned by team '{_owner(work, holder).name}')",
            service_id=str(other),
        )


class BoundaryCommands(AreaCommands):
    def register_service(self, context: CommandContext, body: RegisterService) -> Outcome:
        def register(work: UnitOfWork) -> Service:
            owner = work.get(Team, body.owner_team_id, label="owner team")
            require_owner_or_leadership(context.principal, owner, "Registering a service")
            service = work.add(
                Service.register(name=body.name, description=body.description, owner=owner)
            )
            _take_name(work, service)
            return service

        return self.run(context, register, versioned=False)

    def _on_service(
        self,
        context: CommandContext,
        service_id: UUID,
        action: str,
        decide: Callable[[Service, Team, UnitOfWork], object],
    ) -> Outcome:
        """Load the service, check that its owner team's leader or leadership calls, decide."""

        def owned(service: Service, work: UnitOfWork) -> None:
            owner = _owner(work, service)
            require_owner_or_leadership(context.principal, owner, action)
            decide(service, owner, work)

        return self.change(context, Service, service_id, owned, label="service")

    def _on_api(
        self,
        context: CommandContext,
        api_id: UUID,
        action: str,
        decide: Callable[[Api, Service, UnitOfWork], object],
    ) -> Outcome:
        """Load the API, check that its service's owner team's leader or leadership calls,
        decide (given the API and the service that publishes it)."""

        def owned(api: Api, work: UnitOfWork) -> None:
            provider = _service_of(work, api)
            require_owner_or_leadership(context.principal, _owner(work, provider), action)
            decide(api, provider, work)

        return self.change(context, Api, api_id, owned, label="API")

    def transfer_service(
        self, context: CommandContext, service_id: UUID, body: TransferService
    ) -> Outcome:
        def transfer(service: Service, owner: Team, work: UnitOfWork) -> None:
            new_owner = work.get(Team, body.to_team_id, label="team")
            service.transfer(current_owner=owner, new_owner=new_owner, reason=body.reason)

        return self._on_service(context, service_id, "Transferring a service", transfer)

    def retire_service(
        self, context: CommandContext, service_id: UUID, body: RetireService
    ) -> Outcome:
        """Retire a service that publishes no API any more; its dependencies end with it."""

        def retire(service: Service, owner: Team, work: UnitOfWork) -> None:
            consumed = [work.get(Api, api_id, label="API") for api_id in service.dependencies]
            service.retire(body.reason, consumed=consumed)
            owner.detach_service(service.id)
            work.release(ClaimKind.SERVICE_NAME, normalised_name(service.name), service.id)

        return self._on_service(context, service_id, "Retiring a service", retire)

    def publish_api(self, context: CommandContext, service_id: UUID, body: PublishApi) -> Outcome:
        def publish(work: UnitOfWork) -> Api:
            service = work.get(Service, service_id, label="service")
            require_owner_or_leadership(
                context.principal, _owner(work, service), "Publishing an API"
            )
            return work.add(
                Api.publish(
                    service,
                    name=body.name,
                    version=body.version,
                    kind=body.kind,
                    visibility=body.visibility,
                )
            )

        return self.run(context, publish, versioned=False)

    def deprecate_api(self, context: CommandContext, api_id: UUID, body: DeprecateApi) -> Outcome:
        return self._on_api(
            context,
            api_id,
            "Deprecating an API",
            lambda api, _service, _work: api.deprecate(body.sunset, body.reason),
        )

    def retire_api(self, context: CommandContext, api_id: UUID, body: RetireApi) -> Outcome:
        def retire(api: Api, provider: Service, work: UnitOfWork) -> None:
            try:
                api.retire(body.reason, provider=provider)
            except ApiHasActiveConsumers as refusal:
                names = ", ".join(sorted(f"'{_service_name(work, sid)}'" for sid in api.consumers))
                raise ApiHasActiveConsumers(
                    f"API '{api.name}' {api.api_version} is still consumed by {names}; "
                    "they must drop the dependency first",
                    **refusal.context,
                ) from None

        return self._on_api(context, api_id, "Retiring an API", retire)

    def declare_dependency(
        self, context: CommandContext, service_id: UUID, body: DeclareDependency
    ) -> Outcome:
        """The service starts consuming the API (allowed even if it is deprecated)."""
        return self._on_service(
            context,
            service_id,
            "Declaring a dependency",
            lambda service, _owner, work: service.declare_dependency(
                work.get(Api, body.api_id, label="API")
            ),
        )

    def drop_dependency(
        self, context: CommandContext, service_id: UUID, api_id: UUID, reason: str = ""
    ) -> Outcome:
        return self._on_service(
            context,
            service_id,
            "Dropping a dependency",
            lambda service, _owner, work: service.drop_dependency(
                work.get(Api, api_id, label="API"), reason
            ),
        )
