"""Text the views cannot store never stops them (issue 13, item 1), over HTTP.

Commands refuse NUL and the other characters the text rule names with a 400
that names the field, from any caller, and record nothing. Events that already
hold such text (a log written before the rule) are projected, served over
GraphQL and replayed, with U+FFFD where PostgreSQL cannot store a character.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import psycopg

from services.ids import global_id
from services.runtime import Runtime
from services.settings import load_settings
from tests.e2e.allocation import CYCLES, cycle_path, open_cycle
from tests.e2e.conftest import FLYWHEEL, FlywheelServer
from tests.e2e.planning import charter, created
from tests.e2e.test_teams_over_http import assert_problem
from tests.integration.test_unstorable_text import record_unchecked_cycle, record_unchecked_team

DISSENTS = """
query($year: Int!, $at: Int) {
  allocationCycle(fiscalYear: $year, kind: OP1, atPosition: $at) {
    dissents(first: 20) { nodes { argument by { handle } } }
  }
}
"""
TEAM = "query($id: ID!) { node(id: $id) { ... on Team { name mission } } }"


def log_head(server: FlywheelServer) -> int:
    assert server.database_url is not None
    with psycopg.connect(server.database_url) as conn:
        row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM flywheel_events")
        found = row.fetchone()
    assert found is not None
    return int(found[0])


def refused_naming(response: httpx.Response, field: str, named: str) -> None:
    problem = assert_problem(response, 400)
    assert problem["field"] == field, problem
    assert named in problem["detail"], problem


def raw_post(server: FlywheelServer, path: str, token: str, body: bytes) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    return httpx.post(f"{server.url}{path}", content=body, headers=headers, timeout=30)


def cli(server: FlywheelServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, *args], env=server.env, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_nul_in_a_dissent_or_a_team_name_is_400_and_the_views_keep_up(
    server: FlywheelServer, leadership: str
) -> None:
    nobody = server.token("nobody@example.com")  # a caller with no role at all
    cycle = open_cycle(server, leadership, 2032, "OP1")["id"]
    team = charter(server, leadership, "Text rule", "text-lead@x.io")
    members = f"/api/v1/teams/{team['id']}/members"
    member = {"person": "stays@x.io", "function": "DESIGN", "attachment": "REPORTS"}
    assert server.post(members, leadership, member).status_code == 200
    dissents = cycle_path(cycle, "/dissents")
    before = log_head(server)

    refused_naming(server.post(dissents, nobody, {"argument": "No\u0000way"}), "argument", "U+0000")
    refused_naming(
        server.post(
            "/api/v1/teams", leadership, {"name": "Pay\x00", "mission": "m", "leader": "n@x.io"}
        ),
        "name",
        "U+0000",
    )
    refused_naming(
        server.post(dissents, nobody, {"argument": "Hidden \u202eevil"}), "argument", "U+202E"
    )
    refused_naming(
        server.post(dissents, nobody, {"argument": "\u200b\ufeff "}), "argument", "blank"
    )
    refused_naming(
        server.post(
            "/api/v1/teams", leadership, {"name": "Two\nlines", "mission": "m", "leader": "n@x.io"}
        ),
        "name",
        "line breaks",
    )
    # msgspec refuses an unpaired surrogate as malformed JSON; the answer still names the field.
    refused_naming(
        raw_post(server, dissents, nobody, b'{"argument": "No \\ud800 way"}'),
        "argument",
        "unpaired surrogates",
    )
    refused_naming(
        server.delete(f"{members}/stays@x.io?reason=gone%00", leadership), "reason", "U+0000"
    )
    refused_naming(server.delete(f"{members}/stays%00@x.io", leadership), "person", "U+0000")
    assert log_head(server) == before, "a refused command records nothing"

    argument = "Too small:\r\n\t- no on-call\r\n\t- no design"
    recorded = created(server.post(dissents, nobody, {"argument": argument}))
    data, extensions = server.graphql(leadership).query(
        DISSENTS, wait_for=recorded["position"], year=2032
    )
    assert extensions["positionReached"] is True, "the views keep up"
    assert data["allocationCycle"]["dissents"]["nodes"] == [
        {
            "argument": "Too small:\n\t- no on-call\n\t- no design",
            "by": {"handle": "nobody@example.com"},
        }
    ]


def test_nul_already_in_the_log_is_projected_served_and_replayed(
    server: FlywheelServer, leadership: str, tmp_path: Path
) -> None:
    assert server.database_url is not None
    writer = Runtime.open(
        load_settings({"DATABASE_URL": server.database_url, "FLYWHEEL_DATA_DIR": str(tmp_path)})
    )
    try:
        team = record_unchecked_team(
            writer, name="Legacy\x00team", mission="Old\ud800text", actor="legacy\x00@x.io"
        )
        record_unchecked_cycle(writer, team, argument="Recorded\x00before the rule")
    finally:
        writer.close()
    head = log_head(server)
    graphql = server.graphql(leadership)

    data, extensions = graphql.query(TEAM, wait_for=head, id=global_id("Team", str(team.id)))
    assert extensions["positionReached"] is True
    assert data["node"] == {"name": "Legacy\ufffdteam", "mission": "Old\ufffdtext"}
    dissents, _ = graphql.query(DISSENTS, year=2031)
    assert dissents["allocationCycle"]["dissents"]["nodes"] == [
        {"argument": "Recorded\ufffdbefore the rule", "by": {"handle": "nobody@x.io"}}
    ]
    events = httpx.get(
        f"{server.url}/api/v1/events",
        params={"aggregateId": str(team.id)},
        headers={"Authorization": f"Bearer {leadership}"},
        timeout=30,
    )
    assert events.status_code == 200, events.text
    logged: list[dict[str, Any]] = events.json()["events"]
    assert logged[0]["actor"] == "legacy\ufffd@x.io"
    assert logged[0]["data"]["name"] == "Legacy\ufffdteam"

    replayed = cli(server, "replay")
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    verified = cli(server, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Chain: OK" in verified.stdout and "Views: OK" in verified.stdout

    later = created(server.post(CYCLES, leadership, {"fiscalYear": 2033, "kind": "OP1"}))
    data, extensions = graphql.query(
        TEAM, wait_for=later["position"], id=global_id("Team", str(team.id))
    )
    assert extensions["positionReached"] is True, "the replayed views follow the log"
    assert data["node"]["name"] == "Legacy\ufffdteam"
