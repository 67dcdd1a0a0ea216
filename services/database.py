"""Where the PostgreSQL server is: the configured URL, or an embedded one.

With ``DATABASE_URL`` set Flywheel uses that server. Without it, Flywheel starts
PostgreSQL from the ``pgserver`` package with its data under
``$FLYWHEEL_DATA_DIR/postgres``, so a fresh machine needs no set-up and the data
survives restarts. The embedded server listens on a Unix socket only and stops
when the last Flywheel process using it exits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from services.settings import Settings

log = logging.getLogger(__name__)

EMBEDDED_DATABASE = "flywheel"
# How long to wait for a connection before answering 503: long enough for a
# healthy server, short enough that an outage is reported, not a hang.
CONNECT_TIMEOUT_SECONDS = 3


@dataclass(frozen=True)
class Database:
    url: str
    read_url: str
    description: str
    embedded: Any = None  # the pgserver handle, kept alive while in use

    def close(self) -> None:
        """Stop the embedded server, unless another Flywheel process still uses it."""
        if self.embedded is not None:
            self.embedded.cleanup()

    def eventsourcing_env(self, *, pool_size: int) -> dict[str, str]:
        """The eventsourcing library's PostgreSQL settings for this database."""
        params = conninfo_to_dict(self.url)
        return {
            "PERSISTENCE_MODULE": "services.recorder:FlywheelFactory",
            "POSTGRES_DBNAME": str(params.get("dbname", "postgres")),
            "POSTGRES_HOST": str(params.get("host", "localhost")),
            "POSTGRES_PORT": str(params.get("port", "5432")),
            "POSTGRES_USER": str(params.get("user", "postgres")),
            "POSTGRES_PASSWORD": str(params.get("password", "")),
            "POSTGRES_POOL_SIZE": str(pool_size),
            "POSTGRES_MAX_OVERFLOW": str(pool_size),
            "POSTGRES_PRE_PING": "n",  # services/recorder.py checks without a round trip
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT_SECONDS),
            "CREATE_TABLE": "n",
        }


def open_database(settings: Settings) -> Database:
    if settings.database_url:
        return Database(
            url=settings.database_url,
            read_url=settings.database_read_url or settings.database_url,
            description=_redacted(settings.database_url),
        )
    return start_embedded(settings.data_path / "postgres")


class EmbeddedUnavailable(RuntimeError):
    """No embedded PostgreSQL on this platform: a DATABASE_URL is needed."""


def start_embedded(pgdata: Path) -> Database:
    try:
        from pgserver.postgres_server import get_server  # only the embedded path needs it
    except ImportError:
        raise EmbeddedUnavailable(
            "The embedded PostgreSQL (pgserver) is not available on this platform; "
            "set DATABASE_URL to a PostgreSQL server"
        ) from None

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _forget_dead_users(pgdata)
    server = get_server(pgdata.resolve(), cleanup_mode="stop")
    admin_url = server.get_uri()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (EMBEDDED_DATABASE,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{EMBEDDED_DATABASE}"')
    url = server.get_uri(EMBEDDED_DATABASE)
    return Database(
        url=url,
        read_url=url,
        description=f"embedded PostgreSQL, data in {pgdata.resolve()}",
        embedded=server,
    )


def _forget_dead_users(pgdata: Path) -> None:
    """pgserver stops the server when its last user exits; a user that was killed
    never deregisters, which would keep the server running forever after."""
    import psutil
    from pgserver.utils import DiskList

    users = DiskList(pgdata / ".handle_pids.json")
    for pid in users.get():
        if not psutil.pid_exists(pid):
            users.get_and_remove(pid)


def _redacted(url: str) -> str:
    params = conninfo_to_dict(url)
    host = params.get("host", "localhost")
    return f"PostgreSQL database {params.get('dbname', '?')!s} at {host}:{params.get('port', 5432)}"
