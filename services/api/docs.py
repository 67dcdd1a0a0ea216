"""The pages a person opens: GraphiQL at ``/graphql``, the Scalar API reference at
``/schema`` and Swagger UI at ``/schema/swagger``, every script and stylesheet
served from the installed package (``services/api/static/vendor``, pinned
versions, no CDN), so they work behind a firewall. See ``static/vendor/README.md``
for the versions."""

from __future__ import annotations

from pathlib import Path

from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
STATIC_PATH = "/static"

GRAPHIQL = "graphiql-3.8.3"
SWAGGER_UI = "swagger-ui-dist-5.35.0"
SCALAR = "scalar-api-reference-1.46.4"

# The favicon litestar's plugins link by default is on a CDN: none instead.
NO_FAVICON = "<link rel='icon' href='data:,'>"


def graphiql_html() -> str:
    return (STATIC_DIR / "graphiql.html").read_text()


def static_files() -> Router:
    """``/static``: the vendored assets, open to all (they are public packages)."""
    return create_static_files_router(
        path=STATIC_PATH,
        directories=[VENDOR_DIR],
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        cache_control=None,
        send_as_attachment=False,
    )


def render_plugins() -> list[ScalarRenderPlugin | SwaggerRenderPlugin]:
    return [
        ScalarRenderPlugin(
            js_url=f"{STATIC_PATH}/{SCALAR}/standalone.js",
            css_url="data:text/css,",  # the bundle carries its own styles
            favicon=NO_FAVICON,
            # Scalar fetches its fonts from fonts.scalar.com unless told not to.
            options={
                "withDefaultFonts": False,
                "hideClientButton": True,
                "agent": {"disabled": True},  # the AI agent calls proxy.scalar.com
                "telemetry": False,
            },
        ),
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{STATIC_PATH}/{SWAGGER_UI}/swagger-ui-bundle.js",
            css_url=f"{STATIC_PATH}/{SWAGGER_UI}/swagger-ui.css",
            standalone_preset_js_url=f"{STATIC_PATH}/{SWAGGER_UI}/swagger-ui-standalone-preset.js",
            favicon=NO_FAVICON,
        ),
    ]
