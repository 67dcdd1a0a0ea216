"""Webhooks over REST, under ``/api/v1/webhooks``: register (the secret is shown once),
list, remove, rotate the secret, enable again, list deliveries, redeliver."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID, uuid4

import asyncpg
import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from msgspec import Meta

from domain.errors import NotFound
from domain.webhooks import MAX_REASON_LENGTH, MAX_TYPES, MAX_URL_LENGTH, webhook_url
from projections.views import LIVE_SCHEMA
from services.api.bodies import CommandBody
from services.api.commands import (
    COMMAND_ERRORS,
    CommandAccepted,
    CommandContext,
    accepted,
    command,
)
from services.api.guards import roles_only
from services.api.problems import problem_responses
from services.api.read_position import wait_for_wanted_position
from services.api.text import LINE
from services.commands import Outcome
from services.feeds import signing
from services.feeds.commands import MANAGERS, FeedsCommands
from services.feeds.destinations import Destinations
from services.feeds.tables import CURSORS, DELIVERIES, SECRETS
from services.principal import Principal

if TYPE_CHECKING:  # the runtime assembles the areas; services/api/app.py resolves it
    from services.runtime import Runtime

MAX_POSITION = 2**63 - 1
MAX_PAGE = 1000


managers_only = roles_only(
    MANAGERS, "Managing webhooks needs the `leadership` or `integrator` role"
)


class RegisterWebhook(CommandBody, kw_only=True):
    url: Annotated[
        str,
        Meta(
            min_length=1,
            max_length=MAX_URL_LENGTH,
            examples=["https://hooks.example.com/flywheel"],
            description="Where to POST each event: https (http only to loopback in "
            "development), to a destination the operator allows.",
        ),
        LINE,
    ]
    types: (
        Annotated[
            list[str],
            Meta(
                min_length=1,
                max_length=MAX_TYPES,
                description="Only these event types (e.g. `Team.Chartered`); all if left out.",
            ),
        ]
        | None
    ) = None
    team_id: Annotated[
        UUID | None, Meta(description="Only events concerning this team (see docs/FEEDS.md).")
    ] = None
    include_subteams: Annotated[
        bool, Meta(description="With `teamId`: also the teams under it.")
    ] = False


class DisableWebhook(CommandBody):
    reason: Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class Redeliver(CommandBody):
    from_position: Annotated[
        int, Meta(ge=1, le=MAX_POSITION, description="Deliver again from this log position on.")
    ]


class WebhookSecret(msgspec.Struct, rename="camel"):
    """The endpoint, its new version, the log position reached, and its signing secret:
    shown this once, never again (keep it; rotate it if it is lost)."""

    id: UUID
    version: int
    position: int
    secret: str


class Webhook(msgspec.Struct, rename="camel"):
    id: UUID
    url: str
    types: list[str] | None
    team_id: UUID | None
    include_subteams: bool
    enabled: bool
    disabled_reason: str | None
    registered_by: str | None
    registered_at: datetime
    version: int
    delivered_up_to: int | None
    failures: int
    failing_since: datetime | None
    next_attempt_at: datetime | None


class WebhookList(msgspec.Struct, rename="camel"):
    webhooks: list[Webhook]


class Delivery(msgspec.Struct, rename="camel"):
    id: int
    position: int
    message_id: str
    type: str
    attempt: int
    attempted_at: datetime
    duration_ms: int
    status: int | None
    delivered: bool
    error: str | None


class DeliveryPage(msgspec.Struct, rename="camel"):
    deliveries: list[Delivery]
    next_before: int | None = None


class RedeliveryScheduled(msgspec.Struct, rename="camel"):
    id: UUID
    from_position: int


WebhookId = Annotated[UUID, Parameter(description="The webhook endpoint's id (a UUID).")]


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["Webhooks"]
    guards = [managers_only]

    @post(
        "/",
        status_code=201,
        summary="Register a webhook endpoint",
        description="Leadership or an integrator registers a URL to receive the log's events "
        "(all, some `types`, or those concerning a team), one per POST, in log order, signed "
        "as Standard Webhooks specifies. The answer carries the signing secret, shown only "
        "this once. Deliveries start with the events after the registration.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    async def register(
        self,
        data: JSONBody[RegisterWebhook],
        context: NamedDependency[CommandContext],
        runtime: NamedDependency[Runtime],
        feeds: NamedDependency[FeedsCommands],
    ) -> WebhookSecret:
        _destinations(runtime).check_url(webhook_url(data.url))
        endpoint_id = uuid4()
        return await _with_new_secret(
            runtime, endpoint_id, partial(feeds.register, context, endpoint_id, data)
        )

    @post(
        "/{webhook_id:uuid}/rotate-secret",
        status_code=200,
        summary="Rotate a webhook's signing secret",
        description="A new secret, shown this once. For a day deliveries carry two "
        "signatures, under the new secret and the old one, so the receiver can switch over.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    async def rotate_secret(
        self,
        webhook_id: WebhookId,
        context: NamedDependency[CommandContext],
        runtime: NamedDependency[Runtime],
        feeds: NamedDependency[FeedsCommands],
    ) -> WebhookSecret:
        return await _with_new_secret(
            runtime, webhook_id, partial(feeds.rotate_secret, context, webhook_id)
        )

    @delete(
        "/{webhook_id:uuid}",
        status_code=200,
        summary="Remove a webhook endpoint",
        description="Deliveries stop; its secrets are deleted; its delivery record is kept.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    async def remove(
        self,
        webhook_id: WebhookId,
        context: NamedDependency[CommandContext],
        runtime: NamedDependency[Runtime],
        feeds: NamedDependency[FeedsCommands],
    ) -> CommandAccepted:
        outcome = await asyncio.to_thread(feeds.remove, context, webhook_id)
        await _primary(runtime).execute(f"DELETE FROM {SECRETS} WHERE endpoint_id = $1", webhook_id)
        return accepted(outcome)

    disable = command(
        "/{webhook_id:uuid}/disable",
        summary="Disable a webhook endpoint",
        description="Deliveries pause, with the reason, until it is enabled again. The worker "
        "disables an endpoint itself when it keeps failing. Refused if it is disabled already "
        "(`webhook-already-disabled`).",
        runs=FeedsCommands.disable,
        ids=[WebhookId],
        body=DisableWebhook,
    )

    @post(
        "/{webhook_id:uuid}/enable",
        status_code=200,
        summary="Enable a disabled webhook endpoint",
        description="Deliveries resume where they stopped (the event that kept failing "
        "first), with a fresh count of failures. Refused unless it is disabled "
        "(`webhook-not-disabled`).",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    async def enable(
        self,
        webhook_id: WebhookId,
        context: NamedDependency[CommandContext],
        runtime: NamedDependency[Runtime],
        feeds: NamedDependency[FeedsCommands],
    ) -> CommandAccepted:
        outcome = await asyncio.to_thread(feeds.enable, context, webhook_id)
        await _primary(runtime).execute(
            f"UPDATE {CURSORS} SET failures = 0, failing_since = NULL, next_attempt_at = NULL "
            "WHERE endpoint_id = $1",
            webhook_id,
        )
        return accepted(outcome)

    @post(
        "/{webhook_id:uuid}/redeliver",
        status_code=202,
        summary="Deliver again from a log position",
        description="The endpoint's cursor goes back (or forward) to just before "
        "`fromPosition`: every event it follows from there is delivered again, in order, "
        "with the same `webhook-id` as before.",
        responses=problem_responses(400, 401, 403, 404, 429, 503),
    )
    async def redeliver(
        self, webhook_id: WebhookId, data: JSONBody[Redeliver], runtime: NamedDependency[Runtime]
    ) -> RedeliveryScheduled:
        pool = _primary(runtime)
        await _require_endpoint(pool, webhook_id)
        await pool.execute(
            f"INSERT INTO {CURSORS} (endpoint_id, position) VALUES ($1, $2) "
            "ON CONFLICT (endpoint_id) DO UPDATE SET position = $2, failures = 0, "
            "failing_since = NULL, next_attempt_at = NULL, updated_at = now()",
            webhook_id,
            data.from_position - 1,
        )
        return RedeliveryScheduled(id=webhook_id, from_position=data.from_position)

    @get(
        "/",
        summary="The webhook endpoints",
        description="Every endpoint with where its deliveries stand. Send "
        "`X-Flywheel-Position` to see your own registration.",
        responses=problem_responses(400, 401, 403, 429, 503),
    )
    async def list_webhooks(
        self, request: Request[Principal, Any, Any], runtime: NamedDependency[Runtime]
    ) -> WebhookList:
        await wait_for_wanted_position(request, runtime)
        pool = _primary(runtime)
        rows = await pool.fetch(
            "SELECT e.*, c.position AS cursor, coalesce(c.failures, 0) AS failures, "
            "c.failing_since, c.next_attempt_at "
            f'FROM "{LIVE_SCHEMA}".webhook_endpoints e '
            f"LEFT JOIN {CURSORS} c ON c.endpoint_id = e.id "
            "WHERE e.valid_to IS NULL ORDER BY e.registered_at, e.id"
        )
        return WebhookList(
            webhooks=[
                Webhook(
                    id=row["id"],
                    url=row["url"],
                    types=row["types"],
                    team_id=row["team_id"],
                    include_subteams=row["include_subteams"],
                    enabled=row["enabled"],
                    disabled_reason=row["disabled_reason"],
                    registered_by=row["registered_by"],
                    registered_at=row["registered_at"],
                    version=row["version"],
                    delivered_up_to=row["cursor"],
                    failures=row["failures"],
                    failing_since=row["failing_since"],
                    next_attempt_at=row["next_attempt_at"],
                )
                for row in rows
            ]
        )

    @get(
        "/{webhook_id:uuid}/deliveries",
        summary="A webhook's delivery attempts",
        description="Newest first: the event's position and type, the attempt's number, "
        "when, how long it took, the HTTP status, and the error if it failed.",
        responses=problem_responses(400, 401, 403, 404, 429, 503),
    )
    async def deliveries(
        self,
        webhook_id: WebhookId,
        runtime: NamedDependency[Runtime],
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="Page size.")] = 100,
        before: Annotated[
            int | None,
            Parameter(
                ge=1, le=MAX_POSITION, description="Attempts before this one (`nextBefore`)."
            ),
        ] = None,
    ) -> DeliveryPage:
        pool = _primary(runtime)
        rows = await pool.fetch(
            f"SELECT * FROM {DELIVERIES} WHERE endpoint_id = $1 AND id < $2 "
            "ORDER BY id DESC LIMIT $3",
            webhook_id,
            MAX_POSITION if before is None else before,
            limit + 1,
        )
        if not rows:
            await _require_endpoint(pool, webhook_id, removed_too=True)
        page = [
            Delivery(
                id=row["id"],
                position=row["position"],
                message_id=row["message_id"],
                type=row["event_type"],
                attempt=row["attempt"],
                attempted_at=row["attempted_at"],
                duration_ms=row["duration_ms"],
                status=row["status"],
                delivered=row["delivered"],
                error=row["error"],
            )
            for row in rows[:limit]
        ]
        return DeliveryPage(deliveries=page, next_before=page[-1].id if len(rows) > limit else None)


def _primary(runtime: Runtime) -> asyncpg.Pool:
    """The primary's pool: webhooks' cursors, deliveries and secrets are written there."""
    assert runtime.primary_pool is not None
    return runtime.primary_pool


def _destinations(runtime: Runtime) -> Destinations:
    settings = runtime.settings
    return Destinations.parse(settings.webhook_destinations, production=settings.is_production)


async def _new_secret(runtime: Runtime, endpoint_id: UUID) -> tuple[str, str]:
    """A secret kept outside the log, and the opaque id its event records."""
    pool = _primary(runtime)
    secret, secret_id = signing.new_secret(), uuid4().hex
    await pool.execute(
        f"INSERT INTO {SECRETS} (endpoint_id, secret_id, secret) VALUES ($1, $2, $3)",
        endpoint_id,
        secret_id,
        secret,
    )
    return secret, secret_id


async def _with_new_secret(
    runtime: Runtime, endpoint_id: UUID, record: Callable[[str], Outcome]
) -> WebhookSecret:
    """Keep a new secret, run the command that records its id (``record(secret_id)``, in
    a worker thread) and answer with the secret, shown this once. A refused command
    leaves no secret behind."""
    secret, secret_id = await _new_secret(runtime, endpoint_id)
    try:
        outcome = await asyncio.to_thread(record, secret_id)
    except BaseException:
        await _forget_secret(runtime, endpoint_id, secret_id)
        raise
    done = accepted(outcome)
    return WebhookSecret(id=done.id, version=done.version, position=done.position, secret=secret)


async def _forget_secret(runtime: Runtime, endpoint_id: UUID, secret_id: str) -> None:
    pool = _primary(runtime)
    await asyncio.shield(
        pool.execute(
            f"DELETE FROM {SECRETS} WHERE endpoint_id = $1 AND secret_id = $2",
            endpoint_id,
            secret_id,
        )
    )


async def _require_endpoint(pool: Any, endpoint_id: UUID, *, removed_too: bool = False) -> None:
    current = "" if removed_too else " AND valid_to IS NULL"
    found = await pool.fetchval(
        f'SELECT 1 FROM "{LIVE_SCHEMA}".webhook_endpoints WHERE id = $1{current} LIMIT 1',
        endpoint_id,
    )
    if not found:
        raise NotFound("webhook", endpoint_id)
