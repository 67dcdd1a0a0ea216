"""Webhook endpoints as a view: where each delivers, what it follows, and whether it
is enabled. (Where each endpoint's deliveries stand is not a view: the delivery
worker keeps it in ``webhook_cursors``, which a rebuild of the views leaves alone.)"""

from __future__ import annotations

from domain.webhooks import WebhookEndpoint
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.tables import TemporalTable, columns

WEBHOOK_ENDPOINTS = TemporalTable(
    name="webhook_endpoints",
    key=columns(("id", "uuid")),
    columns=columns(
        ("url", "text"),
        ("types", "text[]"),
        ("team_id", "uuid"),
        ("include_subteams", "boolean"),
        ("secret_id", "text"),
        ("enabled", "boolean"),
        ("disabled_reason", "text"),
        ("registered_by", "text"),
        ("registered_at", "timestamptz"),
        ("registered_position", "bigint"),
        ("version", "integer"),
    ),
    indexes=(("registered_by",),),
)

feeds = Projector("feeds", tables=[WEBHOOK_ENDPOINTS])


@feeds.on(WebhookEndpoint.Registered)
async def registered(event: WebhookEndpoint.Registered, views: ViewBatch) -> None:
    views.put(
        WEBHOOK_ENDPOINTS,
        {
            "id": event.originator_id,
            "url": event.url,
            "types": event.types,
            "team_id": event.team_id,
            "include_subteams": event.include_subteams,
            "secret_id": event.secret_id,
            "enabled": True,
            "disabled_reason": None,
            "registered_by": event.actor,
            "registered_at": views.now,
            "registered_position": views.position,
            "version": event.originator_version,
        },
    )


@feeds.on(WebhookEndpoint.SecretRotated)
async def secret_rotated(event: WebhookEndpoint.SecretRotated, views: ViewBatch) -> None:
    await views.update(
        WEBHOOK_ENDPOINTS,
        (event.originator_id,),
        secret_id=event.secret_id,
        version=event.originator_version,
    )


@feeds.on(WebhookEndpoint.Disabled)
async def disabled(event: WebhookEndpoint.Disabled, views: ViewBatch) -> None:
    await views.update(
        WEBHOOK_ENDPOINTS,
        (event.originator_id,),
        enabled=False,
        disabled_reason=event.reason,
        version=event.originator_version,
    )


@feeds.on(WebhookEndpoint.Enabled)
async def enabled(event: WebhookEndpoint.Enabled, views: ViewBatch) -> None:
    await views.update(
        WEBHOOK_ENDPOINTS,
        (event.originator_id,),
        enabled=True,
        disabled_reason=None,
        version=event.originator_version,
    )


@feeds.on(WebhookEndpoint.Removed)
async def removed(event: WebhookEndpoint.Removed, views: ViewBatch) -> None:
    views.end(WEBHOOK_ENDPOINTS, (event.originator_id,))
