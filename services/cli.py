"""The ``flywheel`` command."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from datetime import timedelta
from typing import Any

import click

from services.settings import Settings, SettingsError, load_settings

log = logging.getLogger("flywheel")


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        raise click.UsageError(f"bad setting: {error}") from None


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=settings.log_level.value,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@click.group(help="Flywheel: an event-sourced planning API.")
@click.version_option(package_name="flywheel")
def main() -> None:
    pass


@main.command(help="Run the API server (and, unless disabled, the projection runner).")
@click.option("--host", default=None, help="Interface to listen on [FLYWHEEL_HOST, 127.0.0.1].")
@click.option("--port", default=None, type=int, help="Port to listen on [FLYWHEEL_PORT, 8000].")
def serve(host: str | None, port: int | None) -> None:
    import uvicorn

    from services.api.app import create_app
    from services.runtime import Runtime

    settings = _settings(host=host, port=port)
    _configure_logging(settings)
    runtime = Runtime.open(settings)
    click.echo(f"Flywheel: event store on {runtime.database.description}")
    base = f"http://{settings.host}:{settings.port}"
    click.echo(
        f"Flywheel: serving {base}  (GraphQL {base}/graphql, API docs {base}/schema, "
        f"health {base}/healthz)"
    )
    # uvicorn drains requests on SIGTERM/SIGINT, then raises the signal again;
    # make that a normal exit so the `finally` below stops the embedded database.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_after_shutdown)
    try:
        uvicorn.Server(
            uvicorn.Config(
                create_app(runtime),
                host=settings.host,
                port=settings.port,
                log_level=settings.log_level.value.lower(),
                lifespan="on",
                timeout_graceful_shutdown=20,
            )
        ).run()
    finally:
        runtime.close()


def _exit_after_shutdown(signum: int, _frame: object) -> None:
    raise SystemExit(0)


@main.command(help="Run the projection runner on its own (one active, others stand by).")
def project() -> None:
    from services.runtime import Runtime

    settings = _settings()
    _configure_logging(settings)
    runtime = Runtime.open(settings)
    click.echo(f"Flywheel: projecting from {runtime.database.description}")
    runner = runtime.projection_runner()

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await runner.run(stop)

    try:
        asyncio.run(run())
    finally:
        runtime.close()


@main.command(help="Print a bearer token signed with this server's secret.")
@click.option("--subject", required=True, help="The person, e.g. alice@example.com.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["leadership", "member", "planner", "auditor"]),
    help="A role to grant; repeat for several.",
)
@click.option("--hours", default=12.0, show_default=True, help="How long the token is valid.")
def token(subject: str, roles: tuple[str, ...], hours: float) -> None:
    from domain.errors import InvalidValue
    from services.auth import jwt_secret, mint_token
    from services.principal import Role

    settings = _settings()
    if hours <= 0:
        raise click.UsageError("--hours must be positive")
    try:
        encoded = mint_token(
            jwt_secret(settings),
            subject,
            [Role(name) for name in roles],
            ttl=timedelta(hours=hours),
        )
    except InvalidValue as error:
        raise click.UsageError(error.detail) from None
    click.echo(encoded)


@main.command(help="Print the GraphQL schema (SDL), as checked in at schema.graphql.")
def schema() -> None:
    from services.graphql.schema import schema_sdl

    click.echo(schema_sdl(), nl=False)
