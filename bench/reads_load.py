"""Driving reads: a fixed number of concurrent keep-alive clients for a fixed time,
against ``flywheel serve``'s GraphQL or the hand-written baseline server.

Every answer is checked (status 200, no GraphQL ``errors``); a failed answer
stops the measurement, since a fast error is not a fast read.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psycopg

from bench.environment import flywheel_env, free_port, headers, token
from bench.harness import percentile
from bench.reads_queries import ReadQuery

CONCURRENCY = 4
WARMUP_REQUESTS = 4
READER = "planner@bench.example"
START_TIMEOUT = 60.0


_ANALYSED: set[str] = set()


def analyse(url: str) -> None:
    """Fresh planner statistics, as autovacuum would have by now (once a run): to the
    planner a freshly loaded table looks empty, and it then nests loops over it."""
    if url not in _ANALYSED:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ANALYZE")
        _ANALYSED.add(url)


class ReadFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class Target:
    """One HTTP request to repeat: a GraphQL POST or a baseline GET."""

    url: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def graphql(
        url: str,
        query: ReadQuery,
        plan_year: int,
        at: int | None = None,
        as_of: datetime | None = None,
    ) -> Target:
        return Target(
            url,
            "/graphql",
            msgspec.json.encode(query.graphql_body(plan_year, at, as_of)),
            {**headers(token(READER, "planner")), "Content-Type": "application/json"},
        )

    @staticmethod
    def baseline(url: str, query: ReadQuery, plan_year: int) -> Target:
        return Target(url, query.baseline_path(plan_year))

    async def send(self, client: httpx.AsyncClient) -> bytes:
        if self.body is None:
            response = await client.get(self.path, headers=self.headers)
        else:
            response = await client.post(self.path, content=self.body, headers=self.headers)
        if response.status_code != 200 or b'"errors":' in response.content:
            raise ReadFailed(f"{self.path}: {response.status_code} {response.text[:500]}")
        return response.content

    def fetch(self) -> Any:
        """One answer, decoded (to check and compare what is served)."""
        with httpx.Client(base_url=self.url, timeout=120) as client:
            if self.body is None:
                response = client.get(self.path, headers=self.headers)
            else:
                response = client.post(self.path, content=self.body, headers=self.headers)
        if response.status_code != 200 or b'"errors":' in response.content:
            raise ReadFailed(f"{self.path}: {response.status_code} {response.text[:500]}")
        return msgspec.json.decode(response.content)


@dataclass
class Load:
    """What the clients saw in one measurement."""

    seconds: float
    latencies: list[float]
    response_bytes: int

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def drive(target: Target, seconds: float, concurrency: int = CONCURRENCY) -> Load:
    return asyncio.run(_drive(target, seconds, concurrency))


async def _drive(target: Target, seconds: float, concurrency: int) -> Load:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=target.url, limits=limits, timeout=120) as client:
        for _ in range(WARMUP_REQUESTS):
            body = await target.send(client)
        started = time.perf_counter()
        deadline = started + seconds

        async def client_loop() -> list[float]:
            latencies = []
            while (begun := time.perf_counter()) < deadline:
                await target.send(client)
                latencies.append(time.perf_counter() - begun)
            return latencies

        results = await asyncio.gather(*(client_loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Load(elapsed, [latency for result in results for latency in result], len(body))


@contextlib.contextmanager
def baseline_server(database_url: str) -> Iterator[tuple[str, int]]:
    """The hand-written server (bench/baseline_server.py) on a free port: (url, pid)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="flywheel-bench-baseline-") as directory:
        log_path = Path(directory) / "baseline.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bench.baseline_server", "--port", str(port)],
                env=flywheel_env(database_url, Path(directory)),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=Path(__file__).resolve().parent.parent,
            )
        try:
            _wait_ready(url, process, log_path)
            yield url, process.pid
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the baseline server exited early:\n{log_path.read_text()}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        time.sleep(0.1)  # polling a condition (readiness), with a deadline
    raise RuntimeError(
        f"the baseline server not ready in {START_TIMEOUT}s:\n{log_path.read_text()}"
    )
