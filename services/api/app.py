"""The Litestar application: REST commands, GraphQL, probes, docs."""

from __future__ import annotations

import gc
import inspect
from collections.abc import Callable

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.config.cors import CORSConfig
from litestar.di import NamedDependency, Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp

from services.api.bodies import CommandRequest
from services.api.commands import CommandContext, command_context
from services.api.correlation import correlation_middleware
from services.api.docs import graphiql_html, render_plugins, static_files
from services.api.health import healthz, readyz
from services.api.idempotency import idempotency_middleware
from services.api.openapi import finish_openapi, package_version
from services.api.problems import EXCEPTION_HANDLERS, list_problems, show_problem
from services.api.rate_limit import rate_limit_middleware
from services.api.security_headers import security_headers_middleware
from services.api.templates import TEMPLATES
from services.graphql.controller import graphql_controller
from services.graphql.persisted import PersistedQueries, load_trusted_documents
from services.graphql.request import graphql_context
from services.graphql.schema import build_schema
from services.registry import AREAS
from services.runtime import Runtime

DESCRIPTION = """\
Flywheel holds how a company organises and plans, as events.

* **Commands** are REST calls under `/api/v1`. Each answers the aggregate's id, its GraphQL
  `nodeId`, its new `version`, and the event-log `position` it reached.
* **Queries** are GraphQL at `/graphql`. Send `X-Flywheel-Position: <position>` to read your
  own write; every answer says in `extensions.position` which position it reflects.
* **Errors** are RFC 9457 problem details; a broken domain rule carries a stable `rule`.
  `GET /problems` lists them all.
* **Auth**: `Authorization: Bearer <token>`; mint one locally with `flywheel token`.
"""


class MetricsController(PrometheusController):
    """Prometheus text, open to the scraper (keep /metrics inside the network)."""

    opt = {"exclude_from_auth": True}
    include_in_schema = False


def _arrange_middleware(runtime: Runtime) -> Callable[[AppConfig], AppConfig]:
    """Outside in: rate limits, metrics, then the JWT middleware that JWTAuth added,
    and idempotency innermost, since keys belong to an authenticated caller.
    (Correlation ids and security headers wrap the whole app: see :func:`asgi_app`.)"""

    def arrange(config: AppConfig) -> AppConfig:
        config.middleware[0:0] = [rate_limit_middleware(runtime), PROMETHEUS.middleware]
        config.middleware.append(idempotency_middleware(runtime))
        return config

    return arrange


CORS_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "If-Match",
    "X-Correlation-ID",
    "X-Flywheel-Position",
]
EXPOSED_HEADERS = [
    "X-Correlation-ID",
    "Idempotency-Replayed",
    "Retry-After",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
]
MAX_BODY_BYTES = 1_048_576
PROMETHEUS = PrometheusConfig(
    app_name="flywheel",
    prefix="flywheel_http",
    group_path=True,
    exclude=["^/metrics", "^/healthz", "^/readyz"],
)


# A large GraphQL answer allocates some hundred thousand short-lived objects, which
# reference counting frees; the default threshold (700) runs the cycle collector
# over a hundred times per answer, and each full collection walks every object the
# process holds (schema, modules, caches). Freezing what exists at startup leaves
# those out of every collection, and a higher threshold collects less often.
GC_THRESHOLDS = (20_000, 10, 10)


def tune_garbage_collection() -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def asgi_app(runtime: Runtime) -> ASGIApp:
    """What ``flywheel serve`` runs: the app inside the correlation id and the security
    headers. They wrap Litestar itself rather than sit in its middleware, because an
    error raised by middleware (a 401 from the JWT middleware) or by the router (404,
    405) is answered by Litestar's outermost exception handler, outside every
    middleware, and would leave without them."""
    headers = security_headers_middleware(production=runtime.settings.is_production)
    return correlation_middleware(headers(create_app(runtime)))


def allow_every_method(app: Litestar) -> Litestar:
    """Make each path's ``OPTIONS`` answer list all its methods in ``Allow``.

    Litestar registers a controller's handlers one at a time; the ``OPTIONS`` handler
    it adds with a path's first handler reads that first route's methods, and stays
    when the next handler of the path (``GET`` then ``POST /api/v1/webhooks``) builds
    the route anew. Point each such stale route at the methods of the route it is in."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if handler.http_methods != {"OPTIONS"} or handler.fn.__name__ != "options_handler":
                continue
            stale = inspect.getclosurevars(handler.fn).nonlocals.get("self")
            if isinstance(stale, HTTPRoute) and stale is not route:
                stale.methods = route.methods
    return app


def create_app(runtime: Runtime) -> Litestar:
    production = runtime.settings.is_production
    graphql = graphql_controller(
        build_schema(
            production=production,
            introspection=runtime.settings.introspection_enabled,
            executor=runtime.settings.graphql_executor,
        ),
        graphql_ide=None if production else "graphiql",
        ide_html=graphiql_html(),
        context_getter=graphql_context,
        persisted=PersistedQueries(
            load_trusted_documents(documents)
            if (documents := runtime.settings.trusted_documents)
            else None
        ),
    )

    def provide_runtime() -> Runtime:
        return runtime

    def provide_commands(area: str) -> Provide:
        # It takes ``context`` (a command handler takes both) so that Litestar resolves
        # the two one after the other: two dependencies of one level are resolved in an
        # anyio task group, two tasks a request (measured: docs/PERFORMANCE.md).
        def commands(context: NamedDependency[CommandContext]) -> object:
            return runtime.commands[area]

        return Provide(commands, sync_to_thread=False)

    return allow_every_method(
        Litestar(
            route_handlers=[
                *(controller for area in AREAS for controller in area.controllers),
                MetricsController,
                graphql,
                healthz,
                readyz,
                list_problems,
                show_problem,
                static_files(),
            ],
            dependencies={
                "context": Provide(command_context, sync_to_thread=False),
                "runtime": Provide(provide_runtime, sync_to_thread=False),
                # Each area's command handler, as the area's name (``org: OrgCommands``).
                **{area.name: provide_commands(area.name) for area in AREAS if area.commands},
            },
            # Area modules name the runtime only for type checkers (they are imported
            # while services/runtime.py assembles the areas): handler signatures find it here.
            signature_types=[Runtime],
            on_app_init=[runtime.auth.on_app_init, _arrange_middleware(runtime)],
            cors_config=(
                CORSConfig(
                    allow_origins=origins,
                    allow_headers=CORS_HEADERS,
                    expose_headers=EXPOSED_HEADERS,
                    allow_credentials=False,
                )
                if (origins := runtime.settings.allowed_origins)
                else None
            ),
            request_max_body_size=MAX_BODY_BYTES,
            request_class=CommandRequest,
            template_config=TEMPLATES,
            logging_config=None,  # `flywheel serve` configures logging (services/observability.py)
            exception_handlers=EXCEPTION_HANDLERS,
            on_startup=[finish_openapi, runtime.start, tune_garbage_collection],
            on_shutdown=[runtime.stop],
            openapi_config=OpenAPIConfig(
                title="Flywheel",
                version=package_version(),
                description=DESCRIPTION,
                path="/schema",
                render_plugins=render_plugins(),
            ),
        )
    )
