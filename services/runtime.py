"""Everything a Flywheel process runs on, assembled once from the settings.

The write side (the eventsourcing application, synchronous, psycopg) is built
when the runtime is opened; the read side (asyncpg pool, views watcher, the
in-process projection runner) starts with the web server's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg
from litestar.security.jwt import JWTAuth, Token

from projections.connection import CONNECTION_LOST
from projections.reading import Snapshots, ViewsWatcher
from projections.runner import ProjectionRunner
from projections.status import ViewsStatus, read_status
from services.api.oidc import verifier_for
from services.application import Flywheel
from services.audit.chain import signing_key
from services.audit.digests import keep_digests
from services.auth import bearer_auth, jwt_secret
from services.commands import CommandBus
from services.database import CONNECT_TIMEOUT_SECONDS, Database, open_database
from services.feeds.limits import SubscriptionLimits
from services.graphql.admission import LargeReports
from services.housekeeping import keep_tidy
from services.migrations import migrate_event_store, require_migrated
from services.observability import track_lag
from services.principal import Principal
from services.recorder import EVENTS_TABLE
from services.registry import AREAS, VIEWS
from services.settings import Settings

log = logging.getLogger(__name__)

# Open without a token: probes, API docs, the problem catalogue. GraphQL
# authenticates each operation itself, so that the GraphiQL page can load.
OPEN_PATHS = ["^/healthz$", "^/readyz$", "^/schema", "^/problems", "^/graphql"]


async def keep_session(_conn: asyncpg.Connection) -> None:
    """A connection back in a request pool needs no reset: no request leaves session
    state on it (settings, LISTEN, advisory locks or cursors; tests/integration/
    test_read_session.py checks), and asyncpg has already rolled back a transaction
    left open. asyncpg's default reset is a round trip (``RESET ALL``, ``UNLISTEN *``,
    ...) on every release: one per GraphQL request."""


class Runtime:
    def __init__(
        self,
        settings: Settings,
        database: Database,
        app: Flywheel,
        auth: JWTAuth[Principal, Token],
        commands: dict[str, Any],
    ) -> None:
        self.settings = settings
        self.database = database
        self.app = app
        self.auth = auth
        self.commands = commands
        self.signing_key = signing_key(settings)
        self.subscriptions = SubscriptionLimits(
            per_caller=settings.subscriptions_per_caller,
            per_server=settings.subscriptions_per_server,
        )
        self.large_reports = LargeReports(settings.large_reports)
        self.watcher = ViewsWatcher(database.read_url)
        self.read_pool: asyncpg.Pool | None = None
        self.snapshots: Snapshots | None = None  # GraphQL requests' (projections/reading.py)
        self.primary_pool: asyncpg.Pool | None = None
        self.runner: ProjectionRunner | None = None
        self._runner_task: asyncio.Task[None] | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        self._lag: asyncio.Task[None] | None = None
        self._digests: asyncio.Task[None] | None = None
        self._webhooks: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def __getattr__(self, name: str) -> Any:
        """An area's command handler by the area's name (``runtime.org``,
        ``runtime.allocation``): the areas come from ``services/registry.py``."""
        try:
            return self.__dict__["commands"][name]
        except KeyError:
            raise AttributeError(name) from None

    @classmethod
    def open(cls, settings: Settings, database: Database | None = None) -> Runtime:
        given, database = database, database or open_database(settings)
        app = Flywheel(env=database.eventsourcing_env(pool_size=settings.pool_size))
        try:
            if settings.migrate_on_start:
                migrate_event_store(app, database.url)
            else:
                require_migrated(app, database.url)
        except BaseException:
            app.close()
            if given is None:
                database.close()
            raise
        bus = CommandBus(app)
        oidc = verifier_for(settings)
        if oidc is not None:
            oidc.prefetch()
        return cls(
            settings=settings,
            database=database,
            app=app,
            auth=bearer_auth(
                jwt_secret(settings),
                exclude=OPEN_PATHS,
                oidc=oidc,
                local_tokens=settings.local_tokens,
            ),
            commands={area.name: area.commands(bus) for area in AREAS if area.commands},
        )

    def projection_runner(self, batch_size: int | None = None) -> ProjectionRunner:
        return ProjectionRunner(
            self.database.url,
            self.app.mapper,
            views=VIEWS,
            events_table=EVENTS_TABLE,
            batch_size=batch_size or self.settings.projection_batch,
            migrate=self.settings.migrate_on_start,
        )

    async def start(self) -> None:
        """Start the read side on the running event loop."""
        self._stop = asyncio.Event()
        if self.settings.run_projections:
            self.runner = self.projection_runner()
            self._runner_task = asyncio.create_task(self.runner.run(self._stop), name="projections")
            self._digests = asyncio.create_task(self.keep_digests(self._stop), name="digests")
            if self.settings.run_webhooks:
                self._webhooks = asyncio.create_task(
                    self.deliver_webhooks(self._stop), name="webhooks"
                )
        await self._wait_until_views_exist()
        self.read_pool = await asyncpg.create_pool(
            self.database.read_url,
            min_size=1,
            max_size=self.settings.pool_size,
            timeout=CONNECT_TIMEOUT_SECONDS,
            reset=keep_session,
        )
        self.snapshots = Snapshots(self.read_pool)
        self.primary_pool = (
            self.read_pool
            if self.database.read_url == self.database.url
            else await asyncpg.create_pool(
                self.database.url,
                min_size=1,
                max_size=4,
                timeout=CONNECT_TIMEOUT_SECONDS,
                reset=keep_session,
            )
        )
        await self.watcher.start()
        self._housekeeping = asyncio.create_task(
            keep_tidy(self.primary_pool, self._stop), name="housekeeping"
        )
        self._lag = asyncio.create_task(track_lag(self.views_status, self._stop), name="lag")

    async def _wait_until_views_exist(self) -> None:
        """Serve reads only once the views exist (created here or by another worker)."""
        conn = await asyncpg.connect(self.database.url)
        try:
            while not await conn.fetchval("SELECT to_regclass('views.tracking') IS NOT NULL"):
                if self._runner_task is not None and self._runner_task.done():
                    self._runner_task.result()
                await asyncio.sleep(0.1)
        finally:
            await conn.close()

    async def stop(self) -> None:
        self._stop.set()
        await self.watcher.stop()
        for task in (self._housekeeping, self._lag, self._digests, self._webhooks):
            if task is not None:
                await task
        if self._runner_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._runner_task, timeout=10)
        if self.primary_pool is not None and self.primary_pool is not self.read_pool:
            await self.primary_pool.close()
        if self.snapshots is not None:
            await self.snapshots.close()
        if self.read_pool is not None:
            await self.read_pool.close()

    async def project(self, stop: asyncio.Event) -> None:
        """The read side's background work until ``stop``: the projections, the signed
        digests and (unless turned off) the webhooks, as ``flywheel project`` runs them."""
        digests = asyncio.create_task(self.keep_digests(stop), name="digests")
        webhooks = (
            asyncio.create_task(self.deliver_webhooks(stop), name="webhooks")
            if self.settings.run_webhooks
            else None
        )
        try:
            await self.projection_runner().run(stop)
        finally:
            stop.set()
            await digests
            if webhooks is not None:
                await webhooks

    async def keep_digests(self, stop: asyncio.Event) -> None:
        """Write signed digests outside the database, beside the projections (``digests``)."""
        await keep_digests(self.settings, self.database.url, self.signing_key, stop)

    async def deliver_webhooks(self, stop: asyncio.Event) -> None:
        """Deliver webhooks (one active deliverer per endpoint across processes)."""
        from services.feeds.delivery import WebhookDeliverer

        await WebhookDeliverer(self.settings, self.database.url, self.commands["feeds"]).run(stop)

    async def views_status(self) -> ViewsStatus | None:
        """The head of the log and where the views stand (stopped at an event, perhaps,
        by a runner in any process), or None if the database is unreachable."""
        if self.read_pool is None:
            return None
        try:
            async with self.read_pool.acquire(timeout=2) as conn:
                return await read_status(conn, EVENTS_TABLE)
        except (*CONNECTION_LOST, asyncpg.PostgresError):
            return None

    def close(self) -> None:
        self.app.close()
        self.database.close()
