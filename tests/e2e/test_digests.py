"""A running server keeps signed digests outside the database; `flywheel verify`
checks the log against them; an auditor checks an export with the pinned key."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import FLYWHEEL, FlywheelServer
from tests.integration.test_digests import cut_tail, rewrite_chain

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_export.py"
BARE_PYTHON = [str(Path(sys.base_prefix) / "bin" / "python3"), "-I", "-S"]
WAIT_SECONDS = 30.0


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def wait_for_file(path: Path) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists():
        assert time.monotonic() < deadline, f"no {path.name} within {WAIT_SECONDS}s"
        time.sleep(0.05)  # polling a condition (the file), with a deadline


def test_the_server_keeps_digests_that_catch_what_the_chain_cannot(
    database_url: str, tmp_path: Path
) -> None:
    digest_dir = tmp_path / "digests"
    server = FlywheelServer(tmp_path / "data", database_url)
    env = {**server.env, "FLYWHEEL_DIGEST_DIR": str(digest_dir), "FLYWHEEL_DIGEST_INTERVAL": "0.3"}
    server.start_with(env)
    try:
        token = server.token("ceo@example.com", "leadership")
        server.post("/api/v1/teams", token, {"name": "Kept", "mission": "Buy", "leader": "k@x.io"})
        last = server.post(
            "/api/v1/teams", token, {"name": "Later", "mission": "m", "leader": "l@x.io"}
        ).json()
        wait_for_file(digest_dir / f"digest-{last['position']:020d}.json")
        over_http = httpx.get(
            f"{server.url}/api/v1/audit/public-key",
            headers={"Authorization": f"Bearer {server.token('a@x.io', 'auditor')}"},
        )
        assert over_http.status_code == 200, over_http.text
    finally:
        server.stop()
    public_key = run(env, "audit", "public-key").stdout.strip()
    assert over_http.json() == {"algorithm": "Ed25519", "publicKey": public_key}
    digest = json.loads((digest_dir / f"digest-{last['position']:020d}.json").read_text())
    assert digest["publicKey"] == public_key

    export = tmp_path / "events.ndjson"
    assert run(env, "export", "--out", str(export)).returncode == 0
    checked = subprocess.run(
        [*BARE_PYTHON, str(SCRIPT), str(export), "--public-key", public_key],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    verified = run(env, "verify", "--skip-views")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"in {digest_dir} hold, the latest signs position {last['position']}" in verified.stdout

    without_digests = server.env  # no FLYWHEEL_DIGEST_DIR: an external database keeps none
    rewrite_chain(database_url, b'"Buy"', b'"Sell"')
    assert run(without_digests, "verify", "--skip-views").returncode == 0, "that is the point"
    rewritten = run(env, "verify", "--skip-views")
    assert rewritten.returncode == 1
    assert "Chain: OK" in rewritten.stdout
    assert f"  digest-{last['position']:020d}.json: the chain at position" in rewritten.stdout
    assert "the chain was rewritten" in rewritten.stdout

    cut_tail(database_url, last["position"] - 1)
    assert run(without_digests, "verify", "--skip-views").returncode == 0, "that is the point"
    cut = run(without_digests, "verify", "--skip-views", "--digest-dir", str(digest_dir))
    assert cut.returncode == 1
    assert (
        f"  digest-{last['position']:020d}.json: signs position {last['position']}, "
        f"beyond the head {last['position'] - 1}: the tail was cut"
    ) in cut.stdout


def test_the_worker_writes_the_digests_when_the_servers_project_nothing(
    database_url: str, tmp_path: Path
) -> None:
    worker_dir, server_dir = tmp_path / "worker-digests", tmp_path / "server-digests"
    server = FlywheelServer(tmp_path / "data", database_url)
    every = {"FLYWHEEL_DIGEST_INTERVAL": "0.3"}
    worker = subprocess.Popen(
        [FLYWHEEL, "project"],
        env={**server.env, **every, "FLYWHEEL_DIGEST_DIR": str(worker_dir)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server.start_with(
            {
                **server.env,
                **every,
                "FLYWHEEL_DIGEST_DIR": str(server_dir),
                "FLYWHEEL_RUN_PROJECTIONS": "false",
            }
        )
        token = server.token("ceo@example.com", "leadership")
        created = server.post(
            "/api/v1/teams", token, {"name": "W", "mission": "m", "leader": "w@x.io"}
        ).json()
        wait_for_file(worker_dir / f"digest-{created['position']:020d}.json")
        assert not server_dir.exists(), "a server that runs no projections writes no digests"
    finally:
        server.stop()
        worker.send_signal(signal.SIGTERM)
        try:
            stopped = worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            raise
        assert stopped == 0, "the worker stops cleanly, digest task and all"


def test_with_the_embedded_database_digests_are_kept_in_the_data_dir(tmp_path: Path) -> None:
    server = FlywheelServer(tmp_path / "data", database_url=None)
    env = {**server.env, "FLYWHEEL_DIGEST_INTERVAL": "0.3"}
    server.start_with(env)
    try:
        token = server.token("ceo@example.com", "leadership")
        created = server.post(
            "/api/v1/teams", token, {"name": "E", "mission": "m", "leader": "e@x.io"}
        ).json()
        wait_for_file(tmp_path / "data" / "digests" / f"digest-{created['position']:020d}.json")
        verified = run(env, "verify", "--skip-views")
    finally:
        server.stop()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"in {tmp_path / 'data' / 'digests'} hold" in verified.stdout
