"""The Litestar application: REST commands, GraphQL, probes, docs."""

from __future__ import annotations

from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from strawberry.litestar import make_graphql_controller

from services.api.correlation import correlation_middleware
from services.api.goals import GoalController
from services.api.health import healthz, readyz
from services.api.metrics import MetricController
from services.api.problems import EXCEPTION_HANDLERS, list_problems, show_problem
from services.api.teams import TeamController
from services.goals import GoalCommands
from services.graphql.context import graphql_context
from services.graphql.schema import build_schema
from services.metrics import MetricCommands
from services.runtime import Runtime
from services.teams import TeamCommands

API_VERSION = "1.0.0"

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


def _correlation_outermost(config: AppConfig) -> AppConfig:
    """Correlate every response, the authentication middleware's refusals included."""
    config.middleware.insert(0, correlation_middleware)
    return config


def create_app(runtime: Runtime) -> Litestar:
    production = runtime.settings.is_production
    graphql = make_graphql_controller(
        build_schema(production=production),
        path="/graphql",
        graphql_ide=None if production else "graphiql",
        context_getter=graphql_context,
    )

    def provide_runtime() -> Runtime:
        return runtime

    def provide_teams() -> TeamCommands:
        return runtime.teams

    def provide_metrics() -> MetricCommands:
        return runtime.metrics

    def provide_goals() -> GoalCommands:
        return runtime.goals

    return Litestar(
        route_handlers=[
            TeamController,
            MetricController,
            GoalController,
            graphql,
            healthz,
            readyz,
            list_problems,
            show_problem,
        ],
        dependencies={
            "runtime": Provide(provide_runtime, sync_to_thread=False),
            "teams": Provide(provide_teams, sync_to_thread=False),
            "metrics": Provide(provide_metrics, sync_to_thread=False),
            "goals": Provide(provide_goals, sync_to_thread=False),
        },
        on_app_init=[runtime.auth.on_app_init, _correlation_outermost],
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop],
        openapi_config=OpenAPIConfig(
            title="Flywheel",
            version=API_VERSION,
            description=DESCRIPTION,
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
    )
