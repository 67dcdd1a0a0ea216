"""Personal data over HTTP: a display name set, read, erased, and then nowhere:
not in GraphQL, the views, the event log, history or an export, while the chain,
the export check and a replay stay green."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.conftest import FLYWHEEL, FlywheelServer

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_export.py"
ALICE = "alice@example.com"
BOB = "bob@example.com"
ALICE_NAME = "Alice Quintessa Example"
BOB_NAME = "Bob Zebulon Example"

PERSON = """
query($id: ID!, $at: Int) {
  person(id: $id, atPosition: $at) {
    handle displayName erased { at by { handle } reason }
    history(first: 100) { nodes { type data } }
  }
}
"""


def put(server: FlywheelServer, path: str, token: str, body: Any) -> httpx.Response:
    return httpx.put(
        f"{server.url}{path}", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


def cli(server: FlywheelServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, *args], env=server.env, capture_output=True, text=True, timeout=300, check=False
    )


def event_count(server: FlywheelServer) -> int:
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        row = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
    assert row is not None
    return int(row[0])


def views_mentioning(server: FlywheelServer, text: str) -> list[str]:
    assert server.database_url is not None
    found = []
    with psycopg.connect(server.database_url) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema LIKE 'views%%'"
        ).fetchall()
        for schema, table in tables:
            hit = conn.execute(
                f'SELECT 1 FROM "{schema}"."{table}" t WHERE t::text LIKE %s LIMIT 1',
                (f"%{text}%",),
            ).fetchone()
            if hit:
                found.append(f"{schema}.{table}")
    return found


@pytest.fixture(scope="module")
def named(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    """Alice leads a team and names herself; leadership names Bob, her member."""
    team = server.post(
        "/api/v1/teams", leadership, {"name": "Privacy", "mission": "m", "leader": ALICE}
    ).json()
    server.post(
        f"/api/v1/teams/{team['id']}/members",
        leadership,
        {"person": BOB, "function": "ENGINEERING", "attachment": "REPORTS"},
    )
    alice = server.token(ALICE, "member")
    own = put(server, f"/api/v1/people/{ALICE}", alice, {"displayName": ALICE_NAME})
    assert own.status_code == 200, own.text
    other = put(server, f"/api/v1/people/{BOB}", leadership, {"displayName": BOB_NAME})
    assert other.status_code == 200, other.text
    return {"team": team, "alice": own.json(), "bob": other.json(), "alice_token": alice}


NAMES = """
query($id: ID!, $team: ID!) {
  node(id: $id) { ... on Person { handle displayName erased { at } } }
  team(id: $team) {
    leader { person { displayName } }
    members { person { displayName } }
  }
}
"""


def test_a_person_names_themselves_and_reads_it_in_graphql(
    server: FlywheelServer, leadership: str, named: dict[str, Any]
) -> None:
    assert base64.b64decode(named["alice"]["nodeId"]).decode() == f"Person:{ALICE}"
    data, _ = server.graphql(leadership).query(
        NAMES,
        wait_for=named["bob"]["position"],
        id=named["alice"]["nodeId"],
        team=named["team"]["id"],
    )
    assert data["node"] == {"handle": ALICE, "displayName": ALICE_NAME, "erased": None}
    assert data["team"]["leader"]["person"]["displayName"] == ALICE_NAME
    assert data["team"]["members"] == [{"person": {"displayName": BOB_NAME}}]


def test_naming_someone_else_needs_leadership_and_bad_bodies_are_refused(
    server: FlywheelServer, named: dict[str, Any]
) -> None:
    before = event_count(server)
    refused = put(server, f"/api/v1/people/{BOB}", named["alice_token"], {"displayName": "X"})
    assert refused.status_code == 403, refused.text
    blank = put(server, f"/api/v1/people/{ALICE}", named["alice_token"], {"displayName": "  "})
    assert blank.status_code == 400 and "displayName" in blank.text
    unknown = put(server, f"/api/v1/people/{ALICE}", named["alice_token"], {"name": "A"})
    assert unknown.status_code == 400
    assert event_count(server) == before


def test_erasure_is_leadership_only_and_for_known_people(
    server: FlywheelServer, leadership: str, named: dict[str, Any]
) -> None:
    before = event_count(server)
    for token in (
        named["alice_token"],
        server.token("audrey@example.com", "auditor"),
        server.token("pat@example.com", "planner"),
    ):
        refused = server.post(f"/api/v1/people/{ALICE}/erasure", token, {"reason": "r"})
        assert refused.status_code == 403, refused.text
    unknown = server.post("/api/v1/people/nobody@example.com/erasure", leadership, {"reason": "r"})
    assert unknown.status_code == 404, unknown.text
    no_reason = server.post(f"/api/v1/people/{ALICE}/erasure", leadership, {})
    assert no_reason.status_code == 400
    assert event_count(server) == before


@pytest.fixture(scope="module")
def erased(server: FlywheelServer, leadership: str, named: dict[str, Any]) -> dict[str, Any]:
    answer = server.post(
        f"/api/v1/people/{ALICE}/erasure", leadership, {"reason": "Erasure request 2026-114"}
    )
    assert answer.status_code == 200, answer.text
    server.graphql(leadership).query("{ teams { totalCount } }", wait_for=answer.json()["position"])
    return answer.json()


def test_an_erased_person_shows_the_erasure_and_no_name_even_as_of_the_past(
    server: FlywheelServer, leadership: str, named: dict[str, Any], erased: dict[str, Any]
) -> None:
    graphql = server.graphql(leadership)
    now, _ = graphql.query(PERSON, id=ALICE)
    person = now["person"]
    assert person["displayName"] is None
    assert person["erased"]["by"] == {"handle": "ceo@example.com"}
    assert person["erased"]["reason"] == "Erasure request 2026-114"
    before, _ = graphql.query(PERSON, id=ALICE, at=named["bob"]["position"])
    assert before["person"]["displayName"] is None, "the past is erased too"
    assert before["person"]["erased"] is None, "as of then, the erasure had not happened"
    bob, _ = graphql.query(PERSON, id=BOB)
    assert bob["person"]["displayName"] == BOB_NAME, "only Alice's data is erased"
    assert ALICE_NAME not in str(now) + str(before)


def test_erasure_is_final(
    server: FlywheelServer, leadership: str, named: dict[str, Any], erased: dict[str, Any]
) -> None:
    before = event_count(server)
    again = server.post(f"/api/v1/people/{ALICE}/erasure", leadership, {"reason": "again"})
    assert again.status_code == 409 and again.json()["rule"] == "person-erased"
    renamed = put(server, f"/api/v1/people/{ALICE}", leadership, {"displayName": ALICE_NAME})
    assert renamed.status_code == 409 and renamed.json()["rule"] == "person-erased"
    assert event_count(server) == before


def test_the_name_is_nowhere_and_everything_still_verifies(
    server: FlywheelServer, leadership: str, erased: dict[str, Any], tmp_path: Path
) -> None:
    streamed = httpx.get(
        f"{server.url}/api/v1/events",
        headers={"Authorization": f"Bearer {leadership}", "Accept": "application/x-ndjson"},
        timeout=30,
    )
    assert streamed.status_code == 200
    assert "Person.Erased" in streamed.text and ALICE_NAME not in streamed.text
    assert views_mentioning(server, ALICE_NAME) == []

    out = tmp_path / "log.ndjson"
    exported = cli(server, "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert ALICE_NAME not in out.read_text()
    script = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], capture_output=True, text=True, check=False
    )
    assert script.returncode == 0, script.stdout

    verified = cli(server, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Chain: OK" in verified.stdout and "Views: OK" in verified.stdout

    replayed = cli(server, "replay")
    assert replayed.returncode == 0, replayed.stderr
    assert views_mentioning(server, ALICE_NAME) == []
    after, _ = server.graphql(leadership).query(PERSON, id=ALICE)
    assert after["person"]["displayName"] is None
    assert after["person"]["erased"]["reason"] == "Erasure request 2026-114"
