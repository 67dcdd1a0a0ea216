"""docs/DEPLOY.md's backup and restore, run exactly as documented.

The backup is `pg_dump` of the event store's tables, taken while the server
runs; the restore loads it into an empty database, and `flywheel migrate`
rebuilds every view from the log. The restored server answers what the
original answered, and new commands continue the log and its hash chain.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer, flywheel_env

pytestmark = pytest.mark.slow

DEPLOY_GUIDE = Path(__file__).resolve().parents[2] / "docs" / "DEPLOY.md"
BLOCK = re.compile(
    r"<!-- deploy:(?P<name>\w+) -->\n```sh\n(?P<body>.*?)```\n<!-- /deploy:(?P=name) -->",
    re.S,
)
ORG = "{ teams { totalCount nodes { id name status leader { person { handle displayName } } } } }"


def documented(name: str) -> str:
    blocks = {found["name"]: found["body"] for found in BLOCK.finditer(DEPLOY_GUIDE.read_text())}
    return blocks[name]


def client_tools(database_url: str) -> Path:
    """A directory with pg_dump/pg_restore at least as new as the server: the ones
    the pgserver package ships (PostgreSQL 16), else those on PATH."""
    import pgserver

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    assert row is not None
    server_major = int(row[0]) // 10_000
    candidates = [Path(pgserver.__file__).parent / "pginstall" / "bin"]
    if on_path := shutil.which("pg_dump"):
        candidates.append(Path(on_path).parent)
    for directory in candidates:
        version = subprocess.run(
            [str(directory / "pg_dump"), "--version"], capture_output=True, text=True, check=True
        ).stdout
        if int(re.findall(r"(\d+)\.\d+", version)[0]) >= server_major:
            return directory
    pytest.fail(f"no pg_dump for PostgreSQL {server_major} (tried {candidates})")


def shell(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def tools_env(data_dir: Path, database_url: str) -> dict[str, str]:
    env = flywheel_env(data_dir, database_url)
    path = [str(client_tools(database_url)), str(Path(sys.executable).parent), env["PATH"]]
    env["PATH"] = ":".join(path)
    return env


def charter(server: FlywheelServer, token: str, name: str) -> dict[str, int | str]:
    response = server.post(
        "/api/v1/teams", token, {"name": name, "mission": "m", "leader": f"{name}@x.io"}
    )
    assert response.status_code == 201, response.text
    body: dict[str, int | str] = response.json()
    return body


def test_the_documented_backup_restores_the_log_and_rebuilds_the_views(
    postgres_server: str, tmp_path: Path
) -> None:
    with fresh_database(postgres_server) as original, fresh_database(postgres_server) as empty:
        server = FlywheelServer(tmp_path / "original", original)
        server.start()
        try:
            token = server.token("ceo@example.com", "leadership")
            charter(server, token, "payments")
            named = httpx.put(
                f"{server.url}/api/v1/people/payments@x.io",
                json={"displayName": "Pay Ments"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            assert named.status_code == 200, named.text
            risk = charter(server, token, "risk")
            disbanded = server.post(
                f"/api/v1/teams/{risk['id']}/disband", token, {"reason": "merged"}
            )
            assert disbanded.status_code == 200, disbanded.text
            head = int(disbanded.json()["position"])
            before, _ = server.graphql(token).query(ORG, wait_for=head)
            assert "Pay Ments" in str(before), "the name is read before the backup"

            backup = shell(
                documented("backup") + 'printf "%s" "$BACKUP"',
                tools_env(tmp_path, original),
                tmp_path,
            )
            assert backup.returncode == 0, backup.stderr
        finally:
            server.stop()
        dump = tmp_path / backup.stdout
        assert dump.is_file() and dump.suffix == ".dump"

        restore_env = tools_env(tmp_path / "restore", empty)
        restore_env["BACKUP"] = str(dump)
        restored = shell(documented("restore"), restore_env, tmp_path)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "views built from the event log" in restored.stdout
        assert f"Chain: OK, {head} events" in restored.stdout
        assert "Views: OK" in restored.stdout

        again = FlywheelServer(tmp_path / "restored", empty)
        again.start()
        try:
            token = again.token("ceo@example.com", "leadership")
            after, _ = again.graphql(token).query(ORG, wait_for=head)
            assert after == before, "the restored server answers what the original did"
            later = charter(again, token, "checkout")
            assert int(later["position"]) > head, "the log continues where it stopped"
        finally:
            again.stop()
        verified = shell("flywheel verify --skip-views", restore_env, tmp_path)
        assert verified.returncode == 0, verified.stdout
        assert "Chain: OK" in verified.stdout, "new events extend the restored chain"
