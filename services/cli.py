"""The ``flywheel`` command."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import asyncpg
import click

from services.principal import Role
from services.serving import SWITCH_INTERVAL_SECONDS
from services.settings import GraphQLExecutor, Settings, SettingsError, load_settings

if TYPE_CHECKING:
    import uvicorn

    from projections.runner import ProjectionRunner
    from services.runtime import Runtime

log = logging.getLogger("flywheel")

REPLAY_BATCH = 5_000
# How long a command waits for a database given by URL to answer at start.
DATABASE_WAIT_SECONDS = 60.0
WORKER_APP = "services.serving:worker_app"


def _settings(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as error:
        raise click.UsageError(f"bad setting: {error}") from None


def _configure_logging(settings: Settings) -> None:
    from services.observability import configure_logging

    configure_logging(settings.log_level.value, json_lines=settings.json_logs)


def _open_runtime(settings: Settings, wait_seconds: float = DATABASE_WAIT_SECONDS) -> Runtime:
    """The runtime, once its database answers.

    A database given by URL may start after Flywheel (one compose file, one
    deployment) or stall for seconds under load: it is waited for, with a line
    a second, rather than failing at the first refused connection.
    """
    from eventsourcing.persistence import OperationalError

    from services.database import EmbeddedUnavailable
    from services.migrations import NotMigrated
    from services.runtime import Runtime

    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return Runtime.open(settings)
        except (NotMigrated, EmbeddedUnavailable) as error:
            raise click.ClickException(str(error)) from None
        except OperationalError as error:
            if not settings.database_url or time.monotonic() >= deadline:
                raise click.ClickException(
                    f"the database did not answer within {wait_seconds:g} s: {error}"
                ) from None
            log.warning("waiting for the database: %s", error)
            time.sleep(1)


def _runtime_for_cli(**overrides: Any) -> Runtime:
    """The runtime on the settings (with ``overrides``), logging configured."""
    settings = _settings(**overrides)
    _configure_logging(settings)
    return _open_runtime(settings)


def _run_until_signalled(
    runtime: Runtime, work: Callable[[asyncio.Event], Awaitable[None]]
) -> None:
    """Run ``work`` until SIGINT or SIGTERM sets its stop event; then close the runtime."""

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await work(stop)

    try:
        asyncio.run(run())
    finally:
        runtime.close()


async def _log_head(runtime: Runtime, runner: ProjectionRunner) -> int:
    """The log's last position, for a progress bar."""
    conn = await asyncpg.connect(runtime.database.url)
    try:
        return await runner.head(conn)
    finally:
        await conn.close()


@click.group(help="Flywheel: an event-sourced planning API.")
@click.version_option(package_name="flywheel")
def main() -> None:
    pass


@main.command(help="Run the API server (and, unless disabled, the projection runner).")
@click.option("--host", default=None, help="Interface to listen on [FLYWHEEL_HOST, 127.0.0.1].")
@click.option("--port", default=None, type=int, help="Port to listen on [FLYWHEEL_PORT, 8000].")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(1, 64),
    help="Server processes sharing the port; the projections run once, in this process "
    "[FLYWHEEL_WORKERS, 1].",
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    from services.api.app import asgi_app

    runtime = _runtime_for_cli(host=host, port=port, workers=workers)
    settings = runtime.settings
    click.echo(f"Flywheel: event store on {runtime.database.description}")
    base = f"http://{settings.host}:{settings.port}"
    click.echo(
        f"Flywheel: serving {base}  (GraphQL {base}/graphql, API docs {base}/schema, "
        f"health {base}/healthz)"
    )
    if settings.graphql_executor is GraphQLExecutor.STANDARD:
        click.echo("Flywheel: GraphQL runs on strawberry's standard executor (slower)")
    try:
        if settings.workers == 1:
            _serve_in_this_process(_server_config(settings, asgi_app(runtime)))
        else:
            _serve_in_workers(runtime, _server_config(settings, WORKER_APP, factory=True))
    finally:
        runtime.close()


def _server_config(settings: Settings, app: Any, *, factory: bool = False) -> uvicorn.Config:
    import uvicorn

    from services.api.http_limits import LimitedHttpToolsProtocol

    return uvicorn.Config(
        app,
        factory=factory,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.value.lower(),
        log_config=None,
        lifespan="on",
        http=LimitedHttpToolsProtocol,
        timeout_graceful_shutdown=20,
    )


def _serve_in_this_process(config: uvicorn.Config) -> None:
    import uvicorn

    # uvicorn drains requests on SIGTERM/SIGINT, then raises the signal again;
    # make that a normal exit so that the caller stops the embedded database.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_after_shutdown)
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    uvicorn.Server(config).run()


def _serve_in_workers(runtime: Runtime, config: uvicorn.Config) -> None:
    """``--workers N``: N processes serve (uvicorn's supervisor restarts one that dies and
    stops them all on SIGTERM); this one projects (services/serving.py)."""
    from uvicorn.supervisors import Multiprocess

    from services.serving import BackgroundWork, worker_environment

    settings = runtime.settings
    os.environ.update(worker_environment(runtime.database.url, runtime.database.read_url))
    background = BackgroundWork(runtime.project) if settings.run_projections else None
    if background is not None:
        background.start()
    click.echo(f"Flywheel: {settings.workers} server processes; projections in this one")
    try:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    finally:
        if background is not None:
            background.stop()
            if background.error is not None:
                log.error("background work stopped: %r", background.error)


def _exit_after_shutdown(signum: int, _frame: object) -> None:
    raise SystemExit(0)


@main.command(help="Run the projection runner on its own (one active, others stand by).")
def project() -> None:
    runtime = _runtime_for_cli()
    click.echo(f"Flywheel: projecting from {runtime.database.description}")
    _run_until_signalled(runtime, runtime.project)


@main.command(help="Deliver webhooks on their own (one active per endpoint across processes).")
def deliver() -> None:
    runtime = _runtime_for_cli()
    click.echo(f"Flywheel: delivering webhooks from {runtime.database.description}")
    _run_until_signalled(runtime, runtime.deliver_webhooks)


@main.command(help="Create or upgrade the event store's tables and the views; once per release.")
@click.option(
    "--check", is_flag=True, help="Change nothing; exit 1 unless this release is migrated."
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Change nothing; wait up to SECONDS for another process (a Job) to migrate.",
)
def migrate(check: bool, wait: float | None) -> None:
    if check or wait is not None:
        _await_migration(wait or 0.0)
        return
    from services.migrations import migrate_views
    from services.progress import progress_bar

    runtime = _runtime_for_cli(migrate_on_start=True)
    click.echo(f"Flywheel: event store tables ready on {runtime.database.description}")
    runner = runtime.projection_runner(batch_size=REPLAY_BATCH)

    async def run() -> str:
        head = await _log_head(runtime, runner)
        with progress_bar("Migrating the views", head) as reached:
            done = await migrate_views(runner, lambda p: reached(p.position))
        return done.value

    try:
        click.echo(f"Flywheel: views {asyncio.run(run())}")
    finally:
        runtime.close()


def _await_migration(seconds: float) -> None:
    from services.database import open_database
    from services.migrations import pending_on

    database = open_database(_settings())
    deadline = time.monotonic() + seconds
    try:
        while pending := pending_on(database):
            if time.monotonic() >= deadline:
                raise click.ClickException(f"not migrated: {'; '.join(pending)}")
            time.sleep(1.0)
    finally:
        database.close()
    click.echo("Flywheel: migrated for this release")


@main.command(help="Print a bearer token signed with this server's secret.")
@click.option("--subject", required=True, help="The person, e.g. alice@example.com.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice([role.value for role in Role]),
    help="A role to grant; repeat for several.",
)
@click.option("--hours", default=12.0, show_default=True, help="How long the token is valid.")
@click.option(
    "--link",
    is_flag=True,
    help="Print a sign-in link for the HTML deck (/wbr) instead, valid 10 minutes.",
)
@click.option(
    "--base-url",
    default=None,
    help="The server's address in the link [http://FLYWHEEL_HOST:FLYWHEEL_PORT].",
)
def token(
    subject: str, roles: tuple[str, ...], hours: float, link: bool, base_url: str | None
) -> None:
    from domain.errors import InvalidValue
    from services.auth import jwt_secret, mint_token

    settings = _settings()
    if hours <= 0:
        raise click.UsageError("--hours must be positive")
    if link:
        from services.wbr.sign_in import sign_in_link

        base = base_url or f"http://{settings.host}:{settings.port}"
        try:
            click.echo(
                sign_in_link(base, jwt_secret(settings), subject, [Role(name) for name in roles])
            )
        except InvalidValue as error:
            raise click.UsageError(error.detail) from None
        return
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


@main.command(help="Rebuild every view from position zero beside the live ones, then swap them in.")
def replay() -> None:
    from projections.runner import EventNotApplied
    from services.progress import progress_bar

    runtime = _runtime_for_cli()
    runner = runtime.projection_runner(batch_size=REPLAY_BATCH)

    async def run() -> tuple[int, float]:
        conn = await asyncpg.connect(runtime.database.url)
        try:
            head = await runner.head(conn)
            started = time.perf_counter()
            with progress_bar("Replaying the log into views_next", head) as reached:
                position = await runner.rebuild(conn, lambda p: reached(p.position))
            return position, time.perf_counter() - started
        finally:
            await conn.close()

    try:
        position, seconds = asyncio.run(run())
    except EventNotApplied as refused:
        raise click.ClickException(
            f"replay stopped at {refused}; the live views are unchanged"
        ) from None
    finally:
        runtime.close()
    rate = position / seconds if seconds else 0.0
    click.echo(
        f"Replayed {position} events in {seconds:.1f}s ({rate:,.0f} events/s); "
        "the rebuilt views are live."
    )


@main.command(help="Check the hash chain and that a rebuild of every view equals the live views.")
@click.option(
    "--digest",
    "digest_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A signed digest saved earlier (GET /api/v1/audit/digest): check the chain still has it.",
)
@click.option(
    "--digest-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Digests kept outside the database [FLYWHEEL_DIGEST_DIR]: check the log against each.",
)
@click.option("--skip-views", is_flag=True, help="Check only the chain, not the views.")
def verify(digest_file: Path | None, digest_dir: Path | None, skip_views: bool) -> None:
    from services.audit import chain as audit
    from services.progress import progress_bar

    runtime = _runtime_for_cli()
    url = runtime.database.url
    failed = False
    try:
        head_position, _ = audit.head_of_chain(url)
        with progress_bar("Recomputing the hash chain", head_position) as reached:
            chain = audit.verify_chain(url, reached)
        if chain.intact:
            click.echo(
                f"Chain: OK, {chain.checked} events, head position {chain.head_position}, "
                f"chain hash {chain.head.hex()}"
            )
        else:
            failed = True
            click.echo(f"Chain: FAILED at position {chain.first_bad_position}")
            for position, problem in chain.problems:
                click.echo(f"  position {position}: {problem}")
        if digest_file is not None:
            failed |= not _check_digest(url, digest_file)
        failed |= not _check_digest_dir(runtime, digest_dir or runtime.settings.digest_path)
        if not skip_views:
            failed |= not _check_views(runtime)
    finally:
        runtime.close()
    if failed:
        raise SystemExit(1)


def _check_digest(url: str, digest_file: Path) -> bool:
    from services.audit import chain as audit

    document = json.loads(digest_file.read_text())
    if not audit.signature_holds(document):
        click.echo("Digest: FAILED, its signature does not hold")
        return False
    link = audit.chain_link_at(url, int(document["position"]))
    if link is None or link.hex() != document["chainHash"]:
        click.echo(
            f"Digest: FAILED, the chain at position {document['position']} is not the one signed "
            f"on {document['signedAt']}"
        )
        return False
    click.echo(f"Digest: OK, the chain still holds position {document['position']} as signed")
    return True


def _check_digest_dir(runtime: Runtime, directory: Path | None) -> bool:
    from services.audit.digests import check_digests

    if directory is None or not directory.is_dir():
        click.echo("Digests: none kept outside the database (FLYWHEEL_DIGEST_DIR, --digest-dir)")
        return True
    report = check_digests(runtime.database.url, directory, runtime.signing_key)
    if report.hold:
        latest = "" if report.latest is None else f", the latest signs position {report.latest}"
        click.echo(f"Digests: OK, {report.checked} in {directory} hold{latest}")
        return True
    click.echo(
        f"Digests: FAILED, {len(report.problems)} of {report.checked} in {directory} do not hold"
    )
    for name, problem in report.problems:
        click.echo(f"  {name}: {problem}")
    return False


def _check_views(runtime: Runtime) -> bool:
    from projections.runner import EventNotApplied
    from services.audit import chain as audit
    from services.progress import progress_bar

    runner = runtime.projection_runner(batch_size=REPLAY_BATCH)

    async def run() -> audit.ViewsReport:
        head = await _log_head(runtime, runner)
        with progress_bar("Rebuilding the views to compare", head) as reached:
            return await audit.verify_views(
                runtime.database.url, runner, lambda p: reached(p.position)
            )

    try:
        report = asyncio.run(run())
    except EventNotApplied as refused:
        click.echo(f"Views: FAILED, a rebuild from the log stopped at {refused}")
        return False
    stall = report.status.stall
    if stall is not None:
        click.echo(
            f"Views: FAILED, {stall.description}; they stand at position {report.position}, "
            f"the log at {report.status.head}"
        )
    elif report.lagging:
        click.echo(
            f"Views: FAILED, they stand at position {report.position} but the log at "
            f"{report.head}: no projection runner keeps them up"
        )
    if not report.differences:
        compared = f"a rebuild from the verified events to position {report.position} equals"
        click.echo(f"Views: OK, {compared} the live views" if report.ok else f"  {compared} them")
    else:
        click.echo(
            f"Views: FAILED, a rebuild from the verified events to position {report.position} "
            "differs from the live views"
        )
    for difference in report.differences:
        click.echo(f"  {difference.table}:")
        for row in difference.only_in_live:
            click.echo(f"    only live:    {row}")
        for row in difference.only_in_rebuilt:
            click.echo(f"    only rebuilt: {row}")
    for left_out in report.left_out:
        click.echo(f"  left out of the rebuild: {left_out}")
    return report.ok


@main.group("audit", help="Audit keys.")
def audit_keys() -> None:
    pass


@audit_keys.command(
    "public-key",
    help="Print the public key that signs digests (base64 Ed25519), for auditors to pin.",
)
def public_key() -> None:
    from services.audit.chain import public_key_text, signing_key

    click.echo(public_key_text(signing_key(_settings()).public_key()))


@main.command(help="Record a small demo company (teams, services, goals, an OP1) in an empty log.")
def seed() -> None:
    from services.seed import LogNotEmpty, seed_demo

    runtime = _runtime_for_cli()
    try:
        seeded = seed_demo(runtime, lambda text: click.echo(f"Flywheel: seeded {text}"))
    except LogNotEmpty as refused:
        raise click.ClickException(str(refused)) from refused
    finally:
        runtime.close()
    click.echo(
        f"Recorded the demo company in {seeded.commands} commands, up to log position "
        f"{seeded.position}; the views follow when `flywheel serve` or `flywheel project` runs."
    )


@main.group(
    help="Write the event log as NDJSON with hash-chain links, for auditors (`--out FILE`); "
    "or, with `backstage`, the org as a Backstage catalog.",
    invoke_without_command=True,
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The file to write the event log to.",
)
@click.pass_context
def export(context: click.Context, out: Path | None) -> None:
    if context.invoked_subcommand is not None:
        return
    if out is None:
        raise click.UsageError("Missing option '--out'.")
    from services.audit import chain as audit
    from services.export import export_log
    from services.progress import progress_bar

    if not out.parent.is_dir():
        raise click.ClickException(
            f"Cannot write {out}: the folder {out.parent} does not exist "
            f"(create it with `mkdir -p {out.parent}`, or choose another --out)"
        )
    runtime = _runtime_for_cli()
    try:
        head, _ = audit.head_of_chain(runtime.database.url)
        with progress_bar(f"Exporting to {out}", head) as reached:
            lines = export_log(runtime.database.url, runtime.signing_key, out, reached)
    finally:
        runtime.close()
    click.echo(
        f"Exported {lines} events and a signed digest to {out}; check it with docs/verify_export.py"
    )


@main.group(
    "import", help="Load data recorded elsewhere: metric observations, a Backstage catalog."
)
def import_group() -> None:
    pass


@import_group.command(
    "observations",
    help="Record metric observations from FILE (wbr-app's CSV, or a JSON list as "
    "POST /api/v1/observations takes), all or nothing, as one command.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--subject", required=True, help="Who records them, e.g. alice@example.com.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(["leadership", "member", "planner", "auditor"]),
    help="The subject's roles (repeat); without `leadership` the subject must lead the "
    "owner team of every metric.",
)
@click.option("--reason", default=None, help="Why changed values are corrected (CSV).")
def import_observations(
    file: Path, subject: str, roles: tuple[str, ...], reason: str | None
) -> None:
    from domain.errors import DomainError
    from services.wbr.cli import acting_principal, echo_json
    from services.wbr.cli import import_observations as record

    runtime = _runtime_for_cli()
    try:
        echo_json(record(runtime, file, acting_principal(subject, roles), reason))
    except DomainError as refused:
        raise click.ClickException(refused.detail) from refused
    finally:
        runtime.close()


@main.group("wbr", help="The weekly business review.")
def wbr_group() -> None:
    pass


@wbr_group.command(
    "export",
    help="Write the deck as wbr-app's inputs (data.csv, config.yaml, annotations.csv) to DIR.",
)
@click.option("--week-ending", required=True, help="The review's week-ending date (YYYY-MM-DD).")
@click.option("--team", default=None, help="Only this team's metrics (a team UUID).")
@click.option("--include-subteams", is_flag=True, help="With --team: the teams under it.")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, writable=True, path_type=Path),
    help="The directory to write.",
)
def wbr_export(week_ending: str, team: str | None, include_subteams: bool, out: Path) -> None:
    from litestar.exceptions import HTTPException

    from services.wbr.cli import export_to

    runtime = _runtime_for_cli()
    try:
        written = export_to(runtime, week_ending, team, include_subteams, out)
    except HTTPException as refused:
        raise click.ClickException(str(refused.detail)) from refused
    finally:
        runtime.close()
    click.echo("Wrote " + ", ".join(str(path) for path in written))


def _add_backstage_commands() -> None:
    from services.backstage.cli import export_command, import_command

    import_group.add_command(import_command(_runtime_for_cli))
    export.add_command(export_command(_runtime_for_cli))


_add_backstage_commands()
