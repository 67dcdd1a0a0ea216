"""``FLYWHEEL_GRAPHQL_EXECUTOR=standard``: the server answers exactly as with the
default fast executor.

Two servers on one seeded database, one with each setting, are sent the queries
of the tests and the README and 30 generated ones; the HTTP answers (status and
body) must be identical.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from services.graphql.schema import build_schema
from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer
from tests.graphql_requests import POOL_QUERY, Company, Request, requests_of

pytestmark = pytest.mark.slow

GENERATED = 30  # beside every collected query; the in-process differential test generates 1,200


@dataclass
class Pair:
    fast: FlywheelServer
    standard: FlywheelServer
    token: str
    head: int
    times: list[str]


def ask(server: FlywheelServer, token: str, request: Request, head: int) -> tuple[int, Any]:
    response = httpx.post(
        f"{server.url}/graphql",
        json={"query": request.query, "variables": request.variables},
        headers={"Authorization": f"Bearer {token}", "X-Flywheel-Position": str(head)},
        timeout=30,
    )
    return response.status_code, response.json()


@pytest.fixture(scope="module")
def pair(postgres_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    """The demo company, served by a fast and a standard server on one database."""
    data_dir = tmp_path_factory.mktemp("executors")
    with fresh_database(postgres_server) as url:
        fast, standard = FlywheelServer(data_dir, url), FlywheelServer(data_dir, url)
        times = [datetime.now(UTC).isoformat()]
        seeded = subprocess.run(
            [FLYWHEEL, "seed"], env=fast.env, capture_output=True, text=True, timeout=120
        )
        assert seeded.returncode == 0, seeded.stderr
        times.append(datetime.now(UTC).isoformat())
        head = int(seeded.stdout.rsplit("log position ", 1)[1].split(";")[0])
        try:
            fast.start_with(
                {**fast.env, "FLYWHEEL_RATE_LIMIT": "0", "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0"}
            )
            standard.start_with(
                {
                    **standard.env,
                    "FLYWHEEL_RATE_LIMIT": "0",
                    "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0",
                    "FLYWHEEL_GRAPHQL_EXECUTOR": "standard",
                    "FLYWHEEL_RUN_PROJECTIONS": "false",  # it reads the views the other keeps
                }
            )
            token = fast.token("ceo@example.com", "leadership", "auditor")
            yield Pair(fast, standard, token, head, times)
        finally:
            standard.stop()
            fast.stop()


def test_the_standard_executor_answers_as_the_fast_one(pair: Pair) -> None:
    status, pool = ask(pair.fast, pair.token, Request("pool", POOL_QUERY), pair.head)
    assert status == 200 and "errors" not in pool, pool
    company = Company.from_pool(
        pool["data"], year=date.today().year + 1, head=pair.head, times=pair.times
    )
    collected, generated = requests_of(build_schema()._schema, company, generated=GENERATED, seed=7)

    different = []
    for request in [*collected, *generated]:
        fast = ask(pair.fast, pair.token, request, pair.head)
        standard = ask(pair.standard, pair.token, request, pair.head)
        if fast != standard:
            different.append(f"{request.origin}: {request.query}\n{fast}\n{standard}")

    assert not different, f"{len(different)} differ:\n\n" + "\n\n".join(different[:3])
    assert len(collected) >= 80


def test_the_server_says_when_it_runs_the_standard_executor(pair: Pair) -> None:
    log = pair.fast.log.read_text()  # both servers write the one log of their data dir
    assert log.count("GraphQL runs on strawberry's standard executor") == 1
