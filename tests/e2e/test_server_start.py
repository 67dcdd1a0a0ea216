"""The test harness's own promise: a started server is the one the test started,
even when another process holds its port and answers ``/healthz`` there."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer


class _Impostor(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"impostor")

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def impostor() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), _Impostor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_taken_port_is_given_up_for_another(
    postgres_server: str, tmp_path: Path, impostor: HTTPServer
) -> None:
    taken = impostor.server_address[1]
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path, url)
        server.port, server.url = taken, f"http://127.0.0.1:{taken}"
        server.start()
        try:
            assert server.port != taken
            answer = httpx.get(f"{server.url}/healthz", timeout=10)
            assert answer.status_code == 200 and answer.text != "impostor"
        finally:
            server.stop()
