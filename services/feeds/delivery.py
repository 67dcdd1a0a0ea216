"""The webhook delivery worker: each enabled endpoint's events, in log order, signed,
at least once, and never again once acknowledged.

One task per endpoint, each on its own connection holding the endpoint's advisory
lock (``flywheel-webhook:<id>``), so across every process that runs a worker
(``flywheel serve``'s in-process runner, ``flywheel project``, ``flywheel deliver``)
one delivers to an endpoint at a time and the others stand by; a crash releases
the lock with the connection.

For each event: POST it; then, in ONE transaction, record the attempt and move the
endpoint's cursor (``webhook_cursors``) past the event if it was acknowledged (a
2xx), or count the failure and schedule the next attempt (exponential backoff with
jitter). A worker killed before that commit delivers the event again (at least
once); one killed after it never does. An endpoint that has failed without a break
for ``FLYWHEEL_WEBHOOK_GIVE_UP`` seconds (3 days by default) is disabled by an event.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import asyncpg
import httpx
import msgspec

from domain.errors import DomainError
from projections.connection import CONNECTION_LOST
from projections.feeds.queries import FeedFilter, events_after, team_scope
from projections.reading import ViewsWatcher
from projections.views import LIVE_SCHEMA
from services.api.commands import CommandContext
from services.feeds import signing
from services.feeds.commands import DELIVERY_ACTOR, FeedsCommands
from services.feeds.destinations import DestinationRefused, Destinations
from services.feeds.rest import DisableWebhook
from services.feeds.tables import CURSORS, DELIVERIES, SECRETS
from services.settings import Settings

log = logging.getLogger(__name__)

SCAN_SECONDS = 5.0  # how often the worker looks for endpoints, besides on each NOTIFY
IDLE_SECONDS = 5.0  # an endpoint with nothing to deliver re-reads at least this often
ROTATION_GRACE = timedelta(days=1)  # the previous secret still signs for this long
MAX_ERROR_LENGTH = 500
USER_AGENT = "Flywheel-Webhooks/1"
BATCH = 50  # events read at once; the endpoint's settings and secrets are read per batch
MOVED = object()  # what recording answers when a redelivery moved the cursor


def lock_key(endpoint_id: UUID) -> str:
    return f"flywheel-webhook:{endpoint_id}"


def message_id(position: int) -> str:
    """The ``webhook-id``: one per event, the same on every retry and redelivery."""
    return f"flywheel-{position}"


def backoff(failures: int, base: float, ceiling: float) -> float:
    """Seconds before the next attempt after ``failures`` in a row: doubling from
    ``base`` up to ``ceiling``, each drawn from its upper half (jitter)."""
    delay = min(ceiling, base * 2 ** min(failures - 1, 60))
    return random.uniform(delay / 2, delay)  # noqa: S311 - spreading retries, not cryptography


def payload(row: Any) -> bytes:
    """The body: the event as ``/api/v1/events`` shows it, in a Standard Webhooks
    envelope (``type``, ``timestamp``, ``data``)."""
    event = {
        "position": row["position"],
        "type": row["type"],
        "aggregateId": str(row["aggregate_id"]),
        "aggregateVersion": row["aggregate_version"],
        "at": row["at"],
        "recordedAt": row["recorded_at"],
        "actor": row["actor"],
        "correlationId": row["correlation_id"],
        "reason": row["reason"],
        "data": msgspec.Raw(row["data"].encode()),
        "chainHash": row["chain_hash"],
    }
    envelope = {
        "type": row["type"],
        "timestamp": row["at"],
        "position": row["position"],
        "data": event,
    }
    return msgspec.json.encode(envelope)


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    status: int | None
    error: str | None
    duration_ms: int
    attempted_at: datetime


class WebhookDeliverer:
    def __init__(
        self,
        settings: Settings,
        database_url: str,
        commands: FeedsCommands,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings = settings
        self.url = database_url
        self.commands = commands
        self.destinations = Destinations.parse(
            settings.webhook_destinations, production=settings.is_production
        )
        self.now = now

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set."""
        watcher = ViewsWatcher(self.url)
        await watcher.start()
        tasks: dict[UUID, asyncio.Task[None]] = {}
        client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=self.settings.webhook_timeout_seconds,
            headers={"user-agent": USER_AGENT},
        )
        scan = _ScanConnection(self.url)
        try:
            while not stop.is_set():
                try:
                    for endpoint_id in await scan.enabled_endpoints():
                        task = tasks.get(endpoint_id)
                        if task is None or task.done():
                            tasks[endpoint_id] = asyncio.create_task(
                                self._endpoint(endpoint_id, stop, watcher, client),
                                name=f"webhook-{endpoint_id}",
                            )
                except (*CONNECTION_LOST, asyncpg.PostgresError) as error:
                    log.warning("webhooks: cannot list endpoints (%s); retrying", error)
                await _wait_any(stop, watcher, watcher.position + 1, SCAN_SECONDS)
        finally:
            stop.set()
            if tasks:
                await asyncio.gather(*tasks.values(), return_exceptions=True)
            await client.aclose()
            await scan.close()
            await watcher.stop()

    async def _endpoint(
        self,
        endpoint_id: UUID,
        stop: asyncio.Event,
        watcher: ViewsWatcher,
        client: httpx.AsyncClient,
    ) -> None:
        """Deliver to one endpoint while this process holds its lock."""
        try:
            conn = await asyncpg.connect(self.url)
        except (*CONNECTION_LOST, asyncpg.PostgresError, OSError) as error:
            log.warning("webhooks: %s: cannot connect (%s)", endpoint_id, error)
            return
        try:
            held = await conn.fetchval(
                "SELECT pg_try_advisory_lock(hashtext($1))", lock_key(endpoint_id)
            )
            if not held:
                return  # another worker delivers to it; the next scan asks again
            while not stop.is_set():
                if not await self._step(conn, endpoint_id, stop, watcher, client):
                    return
        except (*CONNECTION_LOST, asyncpg.PostgresError) as error:
            log.warning("webhooks: %s: database error (%s); will resume", endpoint_id, error)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()  # releases the advisory lock

    async def _step(
        self,
        conn: asyncpg.Connection,
        endpoint_id: UUID,
        stop: asyncio.Event,
        watcher: ViewsWatcher,
        client: httpx.AsyncClient,
    ) -> bool:
        """One attempt, or one wait; False once the endpoint is disabled or removed."""
        endpoint = await conn.fetchrow(
            f'SELECT * FROM "{LIVE_SCHEMA}".webhook_endpoints WHERE id = $1 AND valid_to IS NULL',
            endpoint_id,
        )
        if endpoint is None or not endpoint["enabled"]:
            return False
        await conn.execute(
            f"INSERT INTO {CURSORS} (endpoint_id, position) VALUES ($1, $2) "
            "ON CONFLICT (endpoint_id) DO NOTHING",
            endpoint_id,
            endpoint["registered_position"],
        )
        cursor = await conn.fetchrow(f"SELECT * FROM {CURSORS} WHERE endpoint_id = $1", endpoint_id)
        due = cursor["next_attempt_at"]
        if due is not None and due > self.now():
            await _sleep_unless(stop, (due - self.now()).total_seconds())
            return True
        feed = await self._feed(conn, endpoint)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            rows, reached = await events_after(conn, feed, after=cursor["position"], limit=BATCH)
        if not rows:
            if reached > cursor["position"]:  # nothing it follows up to there: move on
                await conn.execute(
                    f"UPDATE {CURSORS} SET position = $2, updated_at = now() "
                    "WHERE endpoint_id = $1 AND position = $3",
                    endpoint_id,
                    reached,
                    cursor["position"],
                )
            await _wait_any(stop, watcher, reached + 1, IDLE_SECONDS)
            return True
        secrets = await self._secrets(conn, endpoint)
        at = cursor["position"]
        failures = cursor["failures"]
        for row in rows:  # in order; any failure or change ends the batch
            attempt = await self._deliver(client, endpoint, row, secrets)
            recorded = await self._record(conn, endpoint_id, at, row, attempt)
            if recorded is MOVED:
                return True
            if recorded is None:
                at, failures = row["position"], 0
                if stop.is_set():
                    return True
                continue
            assert isinstance(recorded, datetime)
            failing_for = (attempt.attempted_at - recorded).total_seconds()
            if failing_for >= self.settings.webhook_give_up_seconds:
                await self._disable(endpoint_id, failures + 1, recorded, attempt)
                return False
            return True
        return True

    async def _feed(self, conn: asyncpg.Connection, endpoint: Any) -> FeedFilter:
        teams = None
        if endpoint["team_id"] is not None:
            teams = tuple(
                await team_scope(
                    conn, [endpoint["team_id"]], include_subteams=endpoint["include_subteams"]
                )
            ) or (endpoint["team_id"],)
        types = None if endpoint["types"] is None else tuple(endpoint["types"])
        return FeedFilter(types=types, teams=teams)

    async def _secrets(self, conn: asyncpg.Connection, endpoint: Any) -> list[str]:
        """The current secret first, then any replaced within the grace period."""
        rows = await conn.fetch(
            f"SELECT secret FROM {SECRETS} WHERE endpoint_id = $1 "
            "AND (secret_id = $2 OR created_at > $3) ORDER BY secret_id = $2 DESC, created_at DESC",
            endpoint["id"],
            endpoint["secret_id"],
            self.now() - ROTATION_GRACE,
        )
        return [row["secret"] for row in rows]

    async def _deliver(
        self, client: httpx.AsyncClient, endpoint: Any, row: Any, secrets: list[str]
    ) -> Attempt:
        attempted_at = self.now()
        started = time.monotonic()

        def done(status: int | None, error: str | None) -> Attempt:
            delivered = status is not None and 200 <= status < 300
            return Attempt(
                delivered=delivered,
                status=status,
                error=None if error is None else error[:MAX_ERROR_LENGTH],
                duration_ms=int((time.monotonic() - started) * 1000),
                attempted_at=attempted_at,
            )

        if not secrets:
            return done(None, "no signing secret: rotate the endpoint's secret")
        try:
            host, address = await self.destinations.resolve(endpoint["url"])
        except DestinationRefused as refused:
            return done(None, f"destination refused: {refused}")
        body = payload(row)
        headers = signing.headers(
            secrets, message_id(row["position"]), int(attempted_at.timestamp()), body
        )
        url, extensions = _pinned(endpoint["url"], host, address)
        headers["host"] = urlsplit(endpoint["url"]).netloc
        try:
            answer = await asyncio.wait_for(
                client.post(url, content=body, headers=headers, extensions=extensions),
                self.settings.webhook_timeout_seconds,
            )
        except TimeoutError:
            return done(None, f"timed out after {self.settings.webhook_timeout_seconds:g}s")
        except httpx.HTTPError as error:
            return done(None, f"{type(error).__name__}: {error}")
        return done(answer.status_code, None if answer.is_success else f"HTTP {answer.status_code}")

    async def _record(
        self,
        conn: asyncpg.Connection,
        endpoint_id: UUID,
        at: int,
        row: Any,
        attempt: Attempt,
    ) -> datetime | object | None:
        """The attempt and the cursor, in one transaction: None once delivered, the run
        of failures' start after a failure, :data:`MOVED` if a redelivery moved the
        cursor meanwhile (from ``at``)."""
        async with conn.transaction():
            current = await conn.fetchrow(
                f"SELECT position, failures, failing_since FROM {CURSORS} "
                "WHERE endpoint_id = $1 FOR UPDATE",
                endpoint_id,
            )
            await conn.execute(
                f"INSERT INTO {DELIVERIES} (endpoint_id, position, message_id, event_type, "
                "attempt, attempted_at, duration_ms, status, delivered, error) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                endpoint_id,
                row["position"],
                message_id(row["position"]),
                row["type"],
                current["failures"] + 1,
                attempt.attempted_at,
                attempt.duration_ms,
                attempt.status,
                attempt.delivered,
                attempt.error,
            )
            if current["position"] != at:
                return MOVED  # a redelivery moved the cursor meanwhile: start from there
            if attempt.delivered:
                await conn.execute(
                    f"UPDATE {CURSORS} SET position = $2, failures = 0, failing_since = NULL, "
                    "next_attempt_at = NULL, updated_at = now() WHERE endpoint_id = $1",
                    endpoint_id,
                    row["position"],
                )
                return None
            failures = current["failures"] + 1
            since = current["failing_since"] or attempt.attempted_at
            delay = backoff(
                failures,
                self.settings.webhook_retry_base_seconds,
                self.settings.webhook_retry_max_seconds,
            )
            await conn.execute(
                f"UPDATE {CURSORS} SET failures = $2, failing_since = $3, "
                "next_attempt_at = $4, updated_at = now() WHERE endpoint_id = $1",
                endpoint_id,
                failures,
                since,
                attempt.attempted_at + timedelta(seconds=delay),
            )
            result: datetime = since
            return result

    async def _disable(
        self, endpoint_id: UUID, failures: int, since: datetime, attempt: Attempt
    ) -> None:
        reason = (
            f"Delivery failed {failures} times in a row since {since.isoformat()}; "
            f"the last attempt: {attempt.error or attempt.status}"
        )
        try:
            await asyncio.to_thread(
                self.commands.disable,
                CommandContext(DELIVERY_ACTOR, f"webhooks-{endpoint_id}"),
                endpoint_id,
                DisableWebhook(reason=reason[:2000]),
            )
        except DomainError as error:  # removed or disabled meanwhile
            log.info("webhooks: %s: not disabled: %s", endpoint_id, error)
        else:
            log.warning("webhooks: %s disabled: %s", endpoint_id, reason)


class _ScanConnection:
    """The connection the worker lists the enabled endpoints on, kept between scans.

    The worker scans each time the views move, which in a serving process is after
    nearly every command: a connection opened per scan cost PostgreSQL a new backend
    and the server about as much CPU as projecting the command (bench/commands.py,
    docs/PERFORMANCE.md). One lost is opened again at the next scan."""

    ENABLED = f'SELECT id FROM "{LIVE_SCHEMA}".webhook_endpoints WHERE valid_to IS NULL AND enabled'

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: asyncpg.Connection | None = None
        self.opened = 0  # connections opened, for tests

    async def enabled_endpoints(self) -> list[UUID]:
        if self.conn is None or self.conn.is_closed():
            self.conn = await asyncpg.connect(self.url)
            self.opened += 1
        try:
            rows = await self.conn.fetch(self.ENABLED)
        except asyncpg.UndefinedTableError:
            return []  # the views are not there yet
        except BaseException:
            await self.close()
            raise
        return [row["id"] for row in rows]

    async def close(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()


def _pinned(
    url: str, host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address
) -> tuple[str, dict[str, Any]]:
    """``url`` with the checked address for its host; TLS still verifies ``host``."""
    parts = urlsplit(url)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return pinned, ({"sni_hostname": host} if parts.scheme == "https" else {})


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max(0.0, seconds))


async def _wait_any(
    stop: asyncio.Event, watcher: ViewsWatcher, position: int, seconds: float
) -> None:
    """Until ``stop``, the views reaching ``position``, or ``seconds``."""
    stopped = asyncio.ensure_future(stop.wait())
    moved = asyncio.ensure_future(watcher.wait_for(position, seconds))
    try:
        await asyncio.wait({stopped, moved}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in (stopped, moved):
            waiting.cancel()
        await asyncio.gather(stopped, moved, return_exceptions=True)
