"""The processes ``deploy/compose.yaml`` runs, started here without Docker.

Each Flywheel service of the compose file becomes a local process with the
environment its container would get: the image's ``ENV`` (deploy/Dockerfile),
then the env file (``deploy/.env.example`` with its secrets filled in), then
the service's ``environment`` after compose's interpolation. Only what cannot
be the same outside containers is replaced: the database host (``postgres``
inside compose) and the data directory and address of each process.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from dockerfile_parse import DockerfileParser

from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env
from tests.e2e.fleet import Worker

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Z_][A-Z0-9_]*)(?:(?P<op>:-|:\?)(?P<arg>[^}]*))?\}")


def interpolate(text: str, values: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}``."""

    def substitute(found: re.Match[str]) -> str:
        value = values.get(found["name"], "")
        if value:
            return value
        if found["op"] == ":?":
            raise ValueError(f"compose refuses to start: {found['arg']}")
        return found["arg"] or ""

    return INTERPOLATION.sub(substitute, text)


def env_file(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def filled_env_file() -> dict[str, str]:
    """``.env.example`` as an operator fills it in: every empty secret generated."""
    values = env_file(DEPLOY / ".env.example")
    values["POSTGRES_PASSWORD"] = secrets.token_urlsafe(24)
    values["FLYWHEEL_JWT_SECRET"] = secrets.token_urlsafe(48)
    values["FLYWHEEL_AUDIT_KEY"] = base64.b64encode(os.urandom(32)).decode()
    return values


class ComposeTopology:
    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.dotenv = filled_env_file()
        text = interpolate((DEPLOY / "compose.yaml").read_text(), self.dotenv)
        self.services: dict[str, Any] = yaml.safe_load(text)["services"]
        image_env = DockerfileParser(str(DEPLOY / "Dockerfile")).envs
        self.image_env = {key: value for key, value in image_env.items() if key != "PATH"}

    def command(self, service: str) -> list[str]:
        command: list[str] = self.services[service]["command"]
        return command

    def replicas(self, service: str) -> int:
        return int(self.services[service].get("deploy", {}).get("replicas", 1))

    def env(self, service: str, name: str) -> dict[str, str]:
        """The environment of one replica of ``service``, called ``name``."""
        definition = self.services[service]
        assert definition["env_file"] == ".env"
        container = {
            **self.image_env,
            **{key: value for key, value in self.dotenv.items() if value},
            **{key: str(value) for key, value in definition["environment"].items()},
        }
        assert container["DATABASE_URL"].startswith("postgresql://flywheel:")
        container["DATABASE_URL"] = self.database_url
        container["FLYWHEEL_HOST"] = "127.0.0.1"
        container["FLYWHEEL_DATA_DIR"] = str(self.data_dir / name)
        return flywheel_env(self.data_dir / name, None, **container)

    def run(self, service: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``docker compose run <service> <args>``: a one-off command in its container."""
        return subprocess.run(
            [FLYWHEEL, *(args or self.command(service))],
            env=self.env(service, f"{service}-run"),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def token(self, subject: str, role: str) -> str:
        """``docker compose exec api flywheel token ...``: signed with the shared secret."""
        done = self.run("api", "token", "--subject", subject, "--role", role)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()


class Fleet:
    """Every process compose runs: the migration once, the workers, the API replicas."""

    def __init__(self, database: str, tmp_path: Path) -> None:
        self.database = database
        self.topology = ComposeTopology(database, tmp_path)
        self.servers = [
            FlywheelServer(tmp_path / f"api-{n}", database)
            for n in range(1, self.topology.replicas("api") + 1)
        ]
        self.workers = [
            Worker(f"worker-{n}", self.topology.env("worker", f"worker-{n}"), tmp_path / "w.log")
            for n in range(1, self.topology.replicas("worker") + 1)
        ]

    def start(self) -> None:
        migrated = self.topology.run("migrate")
        assert migrated.returncode == 0, migrated.stderr
        for worker in self.workers:
            worker.start()
        for n, server in enumerate(self.servers, start=1):
            server.start_with(self.topology.env("api", f"api-{n}"))

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
        for worker in self.workers:
            worker.stop()

    def worker(self, name: str) -> Worker:
        return next(worker for worker in self.workers if worker.name == name)


@contextlib.contextmanager
def running_fleet(postgres_server: str, tmp_path: Path) -> Iterator[Fleet]:
    """The compose topology on a fresh database: migrated, all replicas up."""
    with fresh_database(postgres_server) as database:
        fleet = Fleet(database, tmp_path)
        try:
            fleet.start()
            yield fleet
        finally:
            fleet.stop()
