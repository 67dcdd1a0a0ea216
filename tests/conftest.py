"""Shared fixtures: the PostgreSQL chain and an isolated database per test.

Which server the tests use, first match wins:
1. ``TEST_DATABASE_URL``, a server (and a database on it) you point at;
2. a throwaway PostgreSQL 16 container from testcontainers, when Docker answers;
3. an embedded PostgreSQL from pgserver in a temporary directory.
So ``pytest`` passes on a fresh machine with no Docker and no server.
Every test that needs one gets its own freshly created database.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import psycopg
import pytest

TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test with its tier, taken from its directory, and put the modules marked
    ``slow`` first (in the order collected), so that no worker starts one last."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        for tier in TIERS:
            if tier in parts:
                item.add_marker(getattr(pytest.mark, tier))
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A URL of a PostgreSQL server on which tests may create databases."""
    if url := os.environ.get("TEST_DATABASE_URL"):
        yield url
    elif _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
    else:
        from pgserver.postgres_server import get_server

        with tempfile.TemporaryDirectory(prefix="flywheel-pg-") as directory:
            server = get_server(Path(directory), cleanup_mode="stop")
            try:
                yield server.get_uri()
            finally:
                server.cleanup()


def database_url_for(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    name = f"flywheel_test_{uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url_for(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    """A new, empty database for this test alone."""
    with fresh_database(postgres_server) as url:
        yield url
