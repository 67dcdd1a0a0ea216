"""Commands on webhook endpoints: register, rotate the secret, disable, enable, remove.

Leadership and the ``integrator`` role manage endpoints (every endpoint: an
integrator is trusted with the whole log, which its webhooks carry). The delivery
worker disables an endpoint that keeps failing, as the system actor
:data:`DELIVERY_ACTOR`.
"""

from __future__ import annotations

from uuid import UUID

from domain.org.team import Team
from domain.people.values import PersonId
from domain.webhooks import WebhookEndpoint
from services.commands import CommandBus, Forbidden, Outcome, UnitOfWork
from services.principal import Principal, Role

DELIVERY_ACTOR = Principal(
    subject=PersonId("flywheel-webhooks"), roles=frozenset({Role.LEADERSHIP})
)
MANAGERS = frozenset({Role.LEADERSHIP, Role.INTEGRATOR})


def require_manager(principal: Principal) -> None:
    if not (MANAGERS & principal.roles):
        raise Forbidden("Managing webhooks needs the `leadership` or `integrator` role")


class FeedsCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def _on(
        self, principal: Principal, correlation_id: str, endpoint_id: UUID, change: str
    ) -> Outcome:
        require_manager(principal)

        def run(work: UnitOfWork) -> WebhookEndpoint:
            endpoint = work.get(WebhookEndpoint, endpoint_id, label="webhook")
            getattr(endpoint, change)()
            return endpoint

        return self.bus.run(principal, correlation_id, run)

    def register(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        endpoint_id: UUID,
        url: str,
        types: list[str] | None,
        team_id: UUID | None,
        include_subteams: bool,
        secret_id: str,
    ) -> Outcome:
        require_manager(principal)

        def register(work: UnitOfWork) -> WebhookEndpoint:
            if team_id is not None:
                work.get(Team, team_id, label="team")
            return work.add(
                WebhookEndpoint.register(
                    id=endpoint_id,
                    url=url,
                    types=types,
                    team_id=team_id,
                    include_subteams=include_subteams,
                    secret_id=secret_id,
                )
            )

        return self.bus.run(principal, correlation_id, register)

    def rotate_secret(
        self, principal: Principal, correlation_id: str, endpoint_id: UUID, *, secret_id: str
    ) -> Outcome:
        require_manager(principal)

        def rotate(work: UnitOfWork) -> WebhookEndpoint:
            endpoint = work.get(WebhookEndpoint, endpoint_id, label="webhook")
            endpoint.rotate_secret(secret_id)
            return endpoint

        return self.bus.run(principal, correlation_id, rotate)

    def disable(
        self, principal: Principal, correlation_id: str, endpoint_id: UUID, *, reason: str
    ) -> Outcome:
        require_manager(principal)

        def disable(work: UnitOfWork) -> WebhookEndpoint:
            endpoint = work.get(WebhookEndpoint, endpoint_id, label="webhook")
            endpoint.disable(reason)
            return endpoint

        return self.bus.run(principal, correlation_id, disable)

    def enable(self, principal: Principal, correlation_id: str, endpoint_id: UUID) -> Outcome:
        return self._on(principal, correlation_id, endpoint_id, "enable")

    def remove(self, principal: Principal, correlation_id: str, endpoint_id: UUID) -> Outcome:
        return self._on(principal, correlation_id, endpoint_id, "remove")
