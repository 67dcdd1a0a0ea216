"""Faults survived: racing replicas, a killed projection worker, a PostgreSQL restart."""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psycopg
import pytest

from domain.org.team import Attachment
from domain.people.values import Function
from projections.compare import compare_views
from projections.views import VIEWS_CHANNEL
from services.api.commands import CommandContext
from services.database import CONNECT_TIMEOUT_SECONDS
from services.org.rest import AddMember, CharterTeam
from services.registry import VIEWS
from services.runtime import Runtime
from services.settings import load_settings
from tests.conftest import fresh_database
from tests.e2e.conftest import FLYWHEEL, FlywheelServer, flywheel_env
from tests.e2e.fleet import named
from tests.people import CEO

pytestmark = pytest.mark.slow

KILLS = 20
EVENTS_TARGET = 2000
DEADLINE = 60.0


def until(condition: Callable[[], bool], what: str, seconds: float = DEADLINE) -> None:
    """Poll a condition with a deadline (the condition is the synchronisation)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def database(postgres_server: str) -> Iterator[str]:
    with fresh_database(postgres_server) as url:
        yield url


@pytest.fixture
def two_servers(database: str, tmp_path: Path) -> Iterator[list[FlywheelServer]]:
    servers = [FlywheelServer(tmp_path, database), FlywheelServer(tmp_path, database)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def race(calls: list[Callable[[], httpx.Response]]) -> list[httpx.Response]:
    start = threading.Barrier(len(calls))

    def run(call: Callable[[], httpx.Response]) -> httpx.Response:
        start.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def charter_on(server: FlywheelServer, token: str, name: str, leader: str) -> httpx.Response:
    return server.post("/api/v1/teams", token, {"name": name, "mission": "m", "leader": leader})


def test_racing_two_servers_for_one_leader_never_breaks_the_rule(
    two_servers: list[FlywheelServer],
) -> None:
    token = two_servers[0].token("ceo@example.com", "leadership")
    for round_ in range(5):
        responses = race(
            [
                lambda n=n, r=round_: charter_on(
                    two_servers[n % 2], token, f"R{r}-{n}", f"contested{r}@example.com"
                )
                for n in range(8)
            ]
        )
        assert sorted(r.status_code for r in responses) == [201] + [409] * 7

    seats = [
        charter_on(two_servers[0], token, f"Seat {n}", f"seat{n}@x.io").json() for n in range(6)
    ]
    body = {"leader": "wanted@example.com", "reason": "race"}
    appointments = race(
        [
            lambda n=n: two_servers[n % 2].post(
                f"/api/v1/teams/{seats[n]['id']}/leader", token, body
            )
            for n in range(6)
        ]
    )
    assert sorted(r.status_code for r in appointments) == [200] + [409] * 5
    rules = {r.json()["rule"] for r in appointments if r.status_code == 409}
    assert rules == {"person-leads-another-team"}
    assert two_servers[0].database_url is not None
    with psycopg.connect(two_servers[0].database_url) as conn:
        leads = conn.execute(
            "SELECT count(*) FROM flywheel_events WHERE topic LIKE '%Team.LeaderAppointed' "
            "AND convert_from(state, 'UTF8') LIKE '%wanted@example.com%'"
        ).fetchone()
        chained = conn.execute(
            "SELECT (SELECT count(*) FROM flywheel_events) = (SELECT count(*) FROM flywheel_chain)"
        ).fetchone()
    assert leads == (1,), "no event was lost or duplicated, and only one appointment won"
    assert chained == (True,), "every event from either server is on the chain"


def test_decisions_racing_for_the_last_headcount_across_two_servers(
    two_servers: list[FlywheelServer],
) -> None:
    first = two_servers[0]
    token = first.token("ceo@example.com", "leadership")
    metric = {"kind": "INPUT", "unit": "n", "direction": "INCREASE", "definition": "d"}
    teams, goals = [], []
    for n in range(6):
        team = charter_on(first, token, f"Claimant {n}", f"claimant{n}@x.io").json()["id"]
        measure = first.post(
            "/api/v1/metrics", token, {"name": f"Measure {n}", "ownerTeamId": team, **metric}
        ).json()["id"]
        goal = first.post(
            "/api/v1/goals",
            token,
            {
                "teamId": team,
                "metricId": measure,
                "planYear": 2027,
                "baseline": 0,
                "target": 1,
                "dueDate": "2027-12-31",
                "description": "d",
            },
        ).json()["id"]
        teams.append(team)
        goals.append(goal)
    cycle = first.post("/api/v1/cycles", token, {"fiscalYear": 2027, "kind": "OP1"}).json()["id"]
    envelope = {"headcount": {"ENGINEERING": 1}, "budget": 100, "reason": "tight year"}
    httpx.put(
        f"{first.url}/api/v1/cycles/{cycle}/envelope",
        json=envelope,
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()
    for team, goal in zip(teams, goals, strict=True):
        asked = {
            "teamId": team,
            "headcount": {"ENGINEERING": 1},
            "budget": 10,
            "rationale": "we need one",
            "goalIds": [goal],
        }
        assert first.post(f"/api/v1/cycles/{cycle}/requests", token, asked).status_code == 200
    assert first.post(f"/api/v1/cycles/{cycle}/phase", token, {"to": "REVIEW"}).status_code == 200

    decisions = race(
        [
            lambda n=n: two_servers[n % 2].post(
                f"/api/v1/cycles/{cycle}/decisions",
                token,
                {
                    "teamId": teams[n],
                    "headcount": {"ENGINEERING": 1},
                    "budget": 10,
                    "rationale": "r",
                },
            )
            for n in range(6)
        ]
    )
    assert sorted(r.status_code for r in decisions) == [200] + [409] * 5
    assert {r.json()["rule"] for r in decisions if r.status_code == 409} == {"envelope-exceeded"}


def many_events(url: str, data_dir: Path) -> int:
    """Charter teams with members until the log holds EVENTS_TARGET events."""
    runtime = Runtime.open(load_settings({"DATABASE_URL": url, "FLYWHEEL_DATA_DIR": str(data_dir)}))
    try:
        position, n = 0, 0
        while position < EVENTS_TARGET:
            team = runtime.org.charter_team(
                CommandContext(CEO, "load"),
                CharterTeam(name=f"Load {n}", mission="m", leader=f"l{n}@x.io"),
            )
            for member in range(3):
                outcome = runtime.org.add_member(
                    CommandContext(CEO, "load"),
                    team.id,
                    AddMember(
                        person=f"m{n}-{member}@x.io",
                        function=Function.ENGINEERING,
                        attachment=Attachment.REPORTS,
                    ),
                )
            position = outcome.position
            n += 1
        return position
    finally:
        runtime.close()


def views_position(url: str) -> int:
    with psycopg.connect(url) as conn:
        try:
            row = conn.execute("SELECT position FROM views.tracking").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen([FLYWHEEL, "project"], env=env, stdout=output, stderr=output)


def backend_gone(url: str, application_name: str) -> bool:
    """PostgreSQL has ended the killed worker's session (its open batch rolled back)."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            (application_name,),
        ).fetchone()
    return row == (0,)


def notified_past(
    listener: psycopg.Connection[Any], target: int, worker: subprocess.Popen[bytes]
) -> int:
    """Wait for the runner's ``NOTIFY flywheel_views, <position>`` of a batch at or
    past ``target``; returns that position. Fails if the worker exits or stalls."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        for notice in listener.notifies(timeout=0.5):
            if int(notice.payload) >= target:
                return int(notice.payload)
        if worker.poll() is not None:
            pytest.fail(f"the projection worker exited ({worker.returncode}) before {target}")
    pytest.fail(f"the projection worker did not reach position {target}")


REBUILD_BATCH = 10
MARGIN = 0.1  # the last tenth of the log is left for the kill that overshoots its target


def test_a_worker_killed_twenty_times_mid_rebuild_ends_identical(
    database: str, tmp_path: Path
) -> None:
    """Issue: the projection worker killed with SIGKILL at random points during a
    rebuild of many events, twenty times; the views end identical to a clean
    rebuild, nothing applied twice.

    Twenty kill points are drawn with a fixed seed over the first nine tenths of
    the log and sorted. Each worker rebuilds from where the last one's committed
    batches left the views; the test listens for the runner's per-batch
    notification and kills the worker with SIGKILL as soon as the views pass its
    kill point, so the kill lands while the next small batch is in flight. The
    position after each kill is read once PostgreSQL has ended the dead worker's
    session, and must be past the kill point and short of the head.
    """
    head = many_events(database, tmp_path)
    env = flywheel_env(tmp_path, database, FLYWHEEL_PROJECTION_BATCH=str(REBUILD_BATCH))
    log = tmp_path / "workers.log"
    kill_points = random.Random(7)  # noqa: S311 - fault injection, not cryptography
    targets = sorted(kill_points.sample(range(1, int(head * (1 - MARGIN))), KILLS))
    kills: list[tuple[int, int]] = []  # (kill point, position the views kept)
    with psycopg.connect(database, autocommit=True) as listener:
        listener.execute(f"LISTEN {VIEWS_CHANNEL}")
        for n, drawn in enumerate(targets):
            reached = views_position(database)
            target = max(drawn, reached + 1)  # strictly inside what is left to rebuild
            assert target < head, f"kill {n + 1} has no rebuild left to interrupt"
            name = f"rebuild-{n}"
            worker = start_worker({**env, "DATABASE_URL": named(database, name)}, log)
            try:
                notified_past(listener, target, worker)
            finally:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
            assert worker.returncode == -signal.SIGKILL, "the worker died of the SIGKILL"
            until(lambda name=name: backend_gone(database, name), f"{name}'s session to end")
            kills.append((target, views_position(database)))

    assert len(kills) == KILLS == 20
    for n, (target, kept) in enumerate(kills):
        assert target <= kept < head, f"kill {n + 1} at {kept} was not mid-rebuild ({head})"
    assert [kept for _, kept in kills] == sorted(kept for _, kept in kills)

    finisher = start_worker(env, log)
    try:
        until(lambda: views_position(database) >= head, "the last worker")
    finally:
        finisher.send_signal(signal.SIGTERM)
        finisher.wait(timeout=30)

    with psycopg.connect(database) as conn:
        logged = conn.execute(
            "SELECT count(*), count(DISTINCT position), max(position) FROM views.event_log"
        ).fetchone()
    assert logged == (head, head, head), "every event applied exactly once"

    async def differences() -> list[Any]:
        runtime = Runtime.open(
            load_settings({"DATABASE_URL": database, "FLYWHEEL_DATA_DIR": str(tmp_path)})
        )
        conn = await asyncpg.connect(database)
        try:
            await runtime.projection_runner().build_shadow(conn, "views_clean", until=head)
            return await compare_views(conn, "views", "views_clean", head, views=VIEWS)
        finally:
            await conn.close()
            runtime.close()

    assert asyncio.run(differences()) == []


def _postmaster_socket_dir(pgdata: Path) -> str:
    options = (pgdata / "postmaster.opts").read_text()
    found = re.search(r'"-k" "([^"]+)"', options)
    assert found, options
    return found.group(1)


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from pgserver._commands import pg_ctl

    user = None
    if os.geteuid() == 0:
        from pgserver.utils import ensure_prefix_permissions

        # pgserver's user must reach the data directory; a pytest session started
        # since (by anyone) resets /tmp/pytest-of-root to mode 0700.
        ensure_prefix_permissions(pgdata)
        user = "pgserver"
    pg_ctl(list(args), pgdata=pgdata, user=user, timeout=60)


def _stop_postgresql(pgdata: Path) -> None:
    """Stop the PostgreSQL this test started with pg_ctl, if it still runs: the
    server's own handle stops only the one it started itself."""
    if (pgdata / "postmaster.pid").exists():
        _pg_ctl(pgdata, "-w", "-m", "fast", "stop")


def test_a_postgresql_restart_answers_503_then_recovers(tmp_path: Path) -> None:
    """During the outage a command answers 503 within the documented connect wait
    (docs/SECURITY.md); one sent with an Idempotency-Key is recorded exactly once
    when resent after it."""
    server = FlywheelServer(tmp_path / "data", database_url=None)
    server.start()
    pgdata = tmp_path / "data" / "postgres"
    try:
        token = server.token("ceo@example.com", "leadership")
        before = server.post(
            "/api/v1/teams", token, {"name": "Before", "mission": "m", "leader": "b@x.io"}
        )
        assert before.status_code == 201
        sockets = _postmaster_socket_dir(pgdata)
        _pg_ctl(pgdata, "-w", "-m", "fast", "stop")

        for _ in range(3):
            started = time.monotonic()
            during = server.post(
                "/api/v1/teams", token, {"name": "During", "mission": "m", "leader": "d@x.io"}
            )
            took = time.monotonic() - started
            assert during.status_code == 503, during.text
            assert took < CONNECT_TIMEOUT_SECONDS + 1, f"503 after {took:.1f}s"
        assert during.headers["content-type"].startswith("application/problem+json")
        assert int(during.headers["retry-after"]) >= 1
        keyed = {"name": "Keyed", "mission": "m", "leader": "k@x.io"}
        key = {"Idempotency-Key": "outage-1"}
        assert server.post("/api/v1/teams", token, keyed, headers=key).status_code == 503
        read = httpx.post(
            f"{server.url}/graphql",
            json={"query": "{ teams { totalCount } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert read.status_code == 503 and "retry-after" in read.headers
        assert httpx.get(f"{server.url}/readyz", timeout=30).status_code == 503
        assert httpx.get(f"{server.url}/healthz").status_code == 200

        _pg_ctl(
            pgdata, "-w", "-o", '-h ""', "-o", f"-k {sockets}", "-l", str(pgdata / "log"), "start"
        )
        recovered: list[httpx.Response] = []

        def command_succeeds() -> bool:
            response = server.post("/api/v1/teams", token, keyed, headers=key)
            recovered.append(response)
            return response.status_code == 201

        until(command_succeeds, "commands to resume", seconds=30)
        again = server.post("/api/v1/teams", token, keyed, headers=key)
        assert again.status_code == 201 and again.headers["idempotency-replayed"] == "true"
        assert again.json() == recovered[-1].json()
        # The runner reconnects on its own, with a backoff: each read waits for the
        # position a while, and the views must get there within the deadline.
        answers: list[tuple[dict[str, Any], dict[str, Any]]] = []

        def views_reach_the_write() -> bool:
            answers.append(
                server.graphql(token).query(
                    "{ teams { totalCount nodes { name } } }",
                    wait_for=recovered[-1].json()["position"],
                )
            )
            return answers[-1][1]["positionReached"] is True

        until(views_reach_the_write, "projections to resume on their own", seconds=60)
        data, _ = answers[-1]
        names = sorted(node["name"] for node in data["teams"]["nodes"])
        assert names == ["Before", "Keyed"], "503s recorded nothing; the keyed one once"
    finally:
        server.stop()
        _stop_postgresql(pgdata)
        assert not (pgdata / "postmaster.pid").exists(), "the restarted PostgreSQL is stopped"
