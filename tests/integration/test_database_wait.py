"""A command started before its database waits for it, then says why it gave up."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import click
import pytest
from psycopg.conninfo import conninfo_to_dict

from services.cli import _open_runtime
from tests.integration.conftest import settings_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def url_on_port(database_url: str, port: int) -> str:
    """The same database and credentials, reached over TCP on 127.0.0.1:``port``."""
    url = urlsplit(database_url)
    credentials = url.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{port}" if credentials else f"127.0.0.1:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(url.query) if k != "host"])
    return urlunsplit(url._replace(netloc=netloc, query=query))


def connect_to(database_url: str) -> socket.socket:
    """A socket to the real server: TCP, or the Unix socket an embedded one listens on."""
    params = conninfo_to_dict(database_url)
    host = str(params.get("host") or "127.0.0.1")
    port = int(params.get("port") or 5432)
    if host.startswith("/"):
        unix = socket.socket(socket.AF_UNIX)
        unix.connect(f"{host}/.s.PGSQL.{port}")
        return unix
    return socket.create_connection((host, port))


@contextmanager
def forwarder(port: int, database_url: str) -> Iterator[None]:
    """A TCP forwarder on ``port`` to the real PostgreSQL: the database 'starting'."""

    class Pipe(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with connect_to(database_url) as upstream:
                back = threading.Thread(target=copy, args=(upstream, self.request), daemon=True)
                back.start()
                copy(self.request, upstream)
                back.join(timeout=5)

    def copy(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(("127.0.0.1", port), Pipe) as server:
        server.daemon_threads = True
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        try:
            yield
        finally:
            server.shutdown()


class Waiting(logging.Handler):
    """Sets ``seen`` when the command says it is waiting for the database."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = threading.Event()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("waiting for the database"):
            self.lines.append(message)
            self.seen.set()


@pytest.fixture
def waiting() -> Iterator[Waiting]:
    handler = Waiting()
    logger = logging.getLogger("flywheel")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_a_database_that_starts_late_is_waited_for(
    database_url: str, tmp_path: Path, waiting: Waiting
) -> None:
    port = free_port()
    settings = settings_for(url_on_port(database_url, port), tmp_path)
    opened: list[object] = []

    def open_it() -> None:
        opened.append(_open_runtime(settings, wait_seconds=60))

    opener = threading.Thread(target=open_it)
    opener.start()
    assert waiting.seen.wait(timeout=30), "the command never said it was waiting"
    with forwarder(port, database_url):
        opener.join(timeout=60)
        assert not opener.is_alive(), "the command did not open once the database answered"
        assert len(opened) == 1
        opened[0].close()  # type: ignore[attr-defined]
    assert "refused" in waiting.lines[0] or "connect" in waiting.lines[0]


def test_a_database_that_never_answers_is_given_up_with_the_reason(
    database_url: str, tmp_path: Path, waiting: Waiting
) -> None:
    settings = settings_for(url_on_port(database_url, free_port()), tmp_path)
    with pytest.raises(click.ClickException) as raised:
        _open_runtime(settings, wait_seconds=4)
    assert "the database did not answer within 4 s" in raised.value.message
    assert waiting.lines, "it gave up without waiting"
