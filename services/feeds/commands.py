"""Commands on webhook endpoints: register, rotate the secret, disable, enable, remove.

Leadership and the ``integrator`` role manage endpoints (every endpoint: an
integrator is trusted with the whole log, which its webhooks carry). The delivery
worker disables an endpoint that keeps failing, as the system actor
:data:`DELIVERY_ACTOR`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from domain.org.team import Team
from domain.people.values import PersonId
from domain.webhooks import WebhookEndpoint
from services.commands import AreaCommands, Forbidden, Outcome, UnitOfWork
from services.principal import Principal, Role

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.feeds.rest import DisableWebhook, RegisterWebhook

DELIVERY_ACTOR = Principal(
    subject=PersonId("flywheel-webhooks"), roles=frozenset({Role.LEADERSHIP})
)
MANAGERS = frozenset({Role.LEADERSHIP, Role.INTEGRATOR})


def require_manager(principal: Principal) -> None:
    if not (MANAGERS & principal.roles):
        raise Forbidden("Managing webhooks needs the `leadership` or `integrator` role")


class FeedsCommands(AreaCommands):
    """No command on an endpoint takes ``If-Match``: each runs at the version it loads."""

    def _on(
        self, context: CommandContext, endpoint_id: UUID, change: Callable[[WebhookEndpoint], None]
    ) -> Outcome:
        require_manager(context.principal)
        return self.change(
            context,
            WebhookEndpoint,
            endpoint_id,
            lambda endpoint, _: change(endpoint),
            label="webhook",
            versioned=False,
        )

    def register(
        self, context: CommandContext, endpoint_id: UUID, body: RegisterWebhook, secret_id: str
    ) -> Outcome:
        """Register ``endpoint_id`` with the id of the signing secret already kept for it."""
        require_manager(context.principal)

        def register(work: UnitOfWork) -> WebhookEndpoint:
            if body.team_id is not None:
                work.get(Team, body.team_id, label="team")
            return work.add(
                WebhookEndpoint.register(
                    id=endpoint_id,
                    url=body.url,
                    types=body.types,
                    team_id=body.team_id,
                    include_subteams=body.include_subteams,
                    secret_id=secret_id,
                )
            )

        return self.run(context, register, versioned=False)

    def rotate_secret(self, context: CommandContext, endpoint_id: UUID, secret_id: str) -> Outcome:
        return self._on(context, endpoint_id, lambda endpoint: endpoint.rotate_secret(secret_id))

    def disable(self, context: CommandContext, endpoint_id: UUID, body: DisableWebhook) -> Outcome:
        return self._on(context, endpoint_id, lambda endpoint: endpoint.disable(body.reason))

    def enable(self, context: CommandContext, endpoint_id: UUID) -> Outcome:
        return self._on(context, endpoint_id, WebhookEndpoint.enable)

    def remove(self, context: CommandContext, endpoint_id: UUID) -> Outcome:
        return self._on(context, endpoint_id, WebhookEndpoint.remove)
