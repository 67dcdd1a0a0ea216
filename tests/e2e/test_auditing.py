"""Auditors end to end: history over HTTP, time travel, export, verify, replay."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.conftest import FLYWHEEL, FlywheelServer

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_export.py"
TRANSFERRER = "coo@example.com"
OWNER_AS_OF = "query($id: ID!, $t: DateTime) { service(id: $id, asOf: $t) { owner { name } } }"
LEADER_AS_OF = (
    "query($id: ID!, $t: DateTime) { team(id: $id, asOf: $t) { leader { person { handle } } } }"
)


def cli(server: FlywheelServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, *args], env=server.env, capture_output=True, text=True, timeout=300, check=False
    )


def events(server: FlywheelServer, token: str, **params: Any) -> httpx.Response:
    return httpx.get(
        f"{server.url}/api/v1/events", params=params, headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture(scope="module")
def history(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    """A scripted history: a team chartered, a member added, its leader changed,
    then a service registered by one team and transferred to another by a
    second leadership caller (so the actor filter has two authors to tell apart)."""
    team = server.post(
        "/api/v1/teams", leadership, {"name": "Audit", "mission": "m", "leader": "old@example.com"}
    ).json()
    server.post(
        f"/api/v1/teams/{team['id']}/members",
        leadership,
        {"person": "m@example.com", "function": "PRODUCT", "attachment": "REPORTS"},
    )
    changed = server.post(
        f"/api/v1/teams/{team['id']}/leader",
        leadership,
        {"leader": "new@example.com", "reason": "Old leader moved on"},
        headers={"X-Correlation-ID": "change-42"},
    ).json()
    giver, taker = (
        server.post(
            "/api/v1/teams", leadership, {"name": name, "mission": "m", "leader": leader}
        ).json()
        for name, leader in (("Audit giver", "giver@example.com"), ("Audit taker", "taker@x.io"))
    )
    service = server.post(
        "/api/v1/services",
        leadership,
        {"name": "audited-ledger", "ownerTeamId": giver["id"], "description": "d"},
    )
    assert service.status_code == 201, service.text
    transferred = server.post(
        f"/api/v1/services/{service.json()['id']}/transfer",
        server.token(TRANSFERRER, "leadership"),
        {"toTeamId": taker["id"], "reason": "Taker runs the ledger now"},
    )
    assert transferred.status_code == 200, transferred.text
    server.graphql(leadership).query(
        "{ teams { totalCount } }", wait_for=transferred.json()["position"]
    )
    return {
        "team": team,
        "changed": changed,
        "service": service.json(),
        "giver": giver,
        "taker": taker,
        "transferred": transferred.json(),
    }


def test_history_pages_and_filters_for_auditors(
    server: FlywheelServer, history: dict[str, Any]
) -> None:
    auditor = server.token("audrey@example.com", "auditor")
    team_id = history["team"]["id"]
    page = events(server, auditor, aggregateId=team_id, limit=2)
    assert page.status_code == 200, page.text
    body = page.json()
    assert [e["type"] for e in body["events"]] == ["Team.Chartered", "Team.MemberAdded"]
    assert body["nextAfter"] == body["events"][-1]["position"]
    rest = events(server, auditor, aggregateId=team_id, after=body["nextAfter"]).json()
    change = rest["events"][0]
    assert change["type"] == "Team.LeaderAppointed"
    assert (change["actor"], change["reason"], change["correlationId"]) == (
        "ceo@example.com",
        "Old leader moved on",
        "change-42",
    )
    assert change["data"]["leader"] == "new@example.com" and len(change["chainHash"]) == 64
    by_type = events(server, auditor, type="Team.LeaderAppointed").json()["events"]
    assert all(e["type"] == "Team.LeaderAppointed" for e in by_type) and by_type

    streamed = httpx.get(
        f"{server.url}/api/v1/events",
        params={"aggregateId": team_id},
        headers={"Authorization": f"Bearer {auditor}", "Accept": "application/x-ndjson"},
    )
    assert streamed.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in streamed.text.splitlines()]
    assert [line["position"] for line in lines] == [
        e["position"] for e in body["events"] + rest["events"]
    ]


def all_events(server: FlywheelServer, token: str, **params: Any) -> list[dict[str, Any]]:
    response = events(server, token, limit=1000, **params)
    assert response.status_code == 200, response.text
    assert response.json()["nextAfter"] is None, "the scripted history fits one page"
    page: list[dict[str, Any]] = response.json()["events"]
    return page


def test_history_filtered_by_actor(server: FlywheelServer, history: dict[str, Any]) -> None:
    auditor = server.token("audrey@example.com", "auditor")
    everything = all_events(server, auditor)
    by_transferrer = all_events(server, auditor, actor=TRANSFERRER)
    assert by_transferrer, "the transfer's events are attributed to its caller"
    assert [e["position"] for e in by_transferrer] == [
        e["position"] for e in everything if e["actor"] == TRANSFERRER
    ]
    assert {e["actor"] for e in by_transferrer} == {TRANSFERRER}
    assert "Service.Transferred" in {e["type"] for e in by_transferrer}
    assert max(e["position"] for e in by_transferrer) == history["transferred"]["position"]
    by_ceo = all_events(server, auditor, actor="ceo@example.com")
    assert len(by_ceo) + len(by_transferrer) == len(everything)
    assert "Service.Transferred" not in {e["type"] for e in by_ceo}
    shouted = all_events(server, auditor, actor=TRANSFERRER.upper())
    assert shouted == by_transferrer, "handles are matched case-insensitively"
    assert all_events(server, auditor, actor="nobody@example.com") == []


def test_history_filtered_by_time_range(server: FlywheelServer, history: dict[str, Any]) -> None:
    """``from`` is inclusive and ``to`` exclusive, both on the log time ``at``."""
    auditor = server.token("audrey@example.com", "auditor")
    everything = all_events(server, auditor)
    change = next(e for e in everything if e["position"] == history["changed"]["position"])
    transfer = next(e for e in everything if e["type"] == "Service.Transferred")
    start, end = change["at"], transfer["at"]
    assert datetime.fromisoformat(start) < datetime.fromisoformat(end)

    def when(event: dict[str, Any]) -> datetime:
        return datetime.fromisoformat(event["at"])

    between = all_events(server, auditor, **{"from": start, "to": end})
    expected = [e for e in everything if when(change) <= when(e) < when(transfer)]
    assert between == expected
    positions = {e["position"] for e in between}
    assert change["position"] in positions, "from is inclusive"
    assert transfer["position"] not in positions, "to is exclusive"
    assert min(positions) > history["team"]["position"], "nothing before the range"
    assert 0 < len(between) < len(everything)

    since = all_events(server, auditor, **{"from": end})
    assert since == [e for e in everything if when(e) >= when(transfer)]
    assert transfer["position"] in {e["position"] for e in since}, "from is inclusive"
    assert {e["position"] for e in since} & positions == set()
    before = all_events(server, auditor, to=start)
    assert before == [e for e in everything if when(e) < when(change)]
    assert history["team"]["position"] in {e["position"] for e in before}
    assert len(before) + len(between) + len(since) == len(everything)
    narrowed = all_events(server, auditor, actor="ceo@example.com", **{"from": start, "to": end})
    assert narrowed == [e for e in expected if e["actor"] == "ceo@example.com"], "filters combine"
    assert change["position"] in {e["position"] for e in narrowed}


def test_history_is_for_auditors_and_leadership_only(
    server: FlywheelServer, leadership: str
) -> None:
    assert events(server, leadership).status_code == 200
    for role in ("planner", "member"):
        refused = events(server, server.token("x@example.com", role))
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(f"{server.url}/api/v1/events").status_code == 401


def test_the_log_waits_for_the_position_a_command_answered(
    server: FlywheelServer, leadership: str
) -> None:
    for n in range(10):
        made = server.post(
            "/api/v1/teams",
            leadership,
            {"name": f"read-own-{n}", "mission": "m", "leader": f"own{n}@example.com"},
        )
        assert made.status_code == 201, made.text
        position = made.json()["position"]
        page = httpx.get(
            f"{server.url}/api/v1/events",
            params={"after": position - 1, "limit": 1},
            headers={"Authorization": f"Bearer {leadership}", "X-Flywheel-Position": str(position)},
        )
        assert [event["position"] for event in page.json()["events"]] == [position]
    refused = httpx.get(
        f"{server.url}/api/v1/events",
        headers={"Authorization": f"Bearer {leadership}", "X-Flywheel-Position": "soon"},
    )
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_the_team_as_of_a_time_before_and_after_the_change(
    server: FlywheelServer, history: dict[str, Any]
) -> None:
    auditor = server.token("audrey@example.com", "auditor")
    change = events(
        server, auditor, type="Team.LeaderAppointed", aggregateId=history["team"]["id"]
    ).json()["events"][0]
    moment = datetime.fromisoformat(change["at"])
    graphql = server.graphql(auditor)
    before, _ = graphql.query(
        LEADER_AS_OF,
        id=history["team"]["nodeId"],
        t=(moment - timedelta(microseconds=1)).isoformat(),
    )
    after, _ = graphql.query(LEADER_AS_OF, id=history["team"]["nodeId"], t=moment.isoformat())
    assert before["team"]["leader"]["person"]["handle"] == "old@example.com"
    assert after["team"]["leader"]["person"]["handle"] == "new@example.com"


def test_the_service_owner_as_of_a_time_before_and_after_the_transfer(
    server: FlywheelServer, history: dict[str, Any]
) -> None:
    auditor = server.token("audrey@example.com", "auditor")
    transfer = events(
        server, auditor, type="Service.Transferred", aggregateId=history["service"]["id"]
    ).json()["events"]
    assert [e["actor"] for e in transfer] == [TRANSFERRER]
    assert transfer[0]["reason"] == "Taker runs the ledger now"
    moment = datetime.fromisoformat(transfer[0]["at"])
    graphql = server.graphql(auditor)
    service_id = history["service"]["nodeId"]
    before, _ = graphql.query(
        OWNER_AS_OF, id=service_id, t=(moment - timedelta(microseconds=1)).isoformat()
    )
    at_transfer, _ = graphql.query(OWNER_AS_OF, id=service_id, t=moment.isoformat())
    now, _ = graphql.query(OWNER_AS_OF, id=service_id)
    assert before["service"]["owner"]["name"] == "Audit giver"
    assert at_transfer["service"]["owner"]["name"] == "Audit taker"
    assert now["service"]["owner"]["name"] == "Audit taker"


def test_a_signed_digest_names_the_head_of_the_chain(
    server: FlywheelServer, history: dict[str, Any], tmp_path: Path
) -> None:
    auditor = server.token("audrey@example.com", "auditor")
    digest = httpx.get(
        f"{server.url}/api/v1/audit/digest", headers={"Authorization": f"Bearer {auditor}"}
    )
    assert digest.status_code == 200, digest.text
    document = digest.json()
    assert (
        document["position"] >= history["changed"]["position"]
        and document["algorithm"] == "Ed25519"
    )
    saved = tmp_path / "digest.json"
    saved.write_text(json.dumps(document))
    checked = cli(server, "verify", "--digest", str(saved), "--skip-views")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Digest: OK" in checked.stdout


def _dump_views(conn: psycopg.Connection[Any]) -> dict[str, list[str]]:
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'views' ORDER BY 1"
        )
    ]
    return {
        table: sorted(repr(row) for row in conn.execute(f'SELECT * FROM views."{table}"'))
        for table in tables
        if table != "tracking"
    }


HISTORY = """
query($id: ID!, $after: String) {
  node(id: $id) {
    ... on Team { history(first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      nodes { position type recordedAt actor { handle } reason correlationId data } } }
  }
}
"""


def test_every_node_has_its_history_for_auditors(
    server: FlywheelServer, history: dict[str, Any]
) -> None:
    graphql = server.graphql(server.token("audrey@example.com", "auditor"))
    first, _ = graphql.query(HISTORY, id=history["team"]["nodeId"])
    page = first["node"]["history"]
    assert page["totalCount"] == 3
    assert [entry["type"] for entry in page["nodes"]] == ["Team.Chartered", "Team.MemberAdded"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest, _ = graphql.query(
        HISTORY, id=history["team"]["nodeId"], after=page["pageInfo"]["endCursor"]
    )
    change = rest["node"]["history"]["nodes"][-1]
    assert change["type"] == "Team.LeaderAppointed"
    assert (change["reason"], change["correlationId"]) == ("Old leader moved on", "change-42")
    assert change["actor"] == {"handle": "ceo@example.com"}
    assert change["data"]["previous_leader"] == "old@example.com"

    person, _ = graphql.query(
        'query { person(id: "ceo@example.com") { history(first: 100) { totalCount } } }'
    )
    assert person["person"]["history"]["totalCount"] >= page["totalCount"]


def test_history_in_graphql_is_refused_to_planners(
    server: FlywheelServer, history: dict[str, Any]
) -> None:
    from gql.transport.exceptions import TransportQueryError

    planner = server.graphql(server.token("pat@example.com", "planner"))
    with pytest.raises(TransportQueryError) as refused:
        planner.query(HISTORY, id=history["team"]["nodeId"])
    assert refused.value.errors is not None
    assert refused.value.errors[0]["extensions"]["code"] == "FORBIDDEN"


RECORDED = """
query($id: ID!) {
  node(id: $id) {
    ... on Recorded { history(first: 5) { totalCount nodes { type actor { handle } } } }
  }
}
"""


def test_every_kind_of_node_is_recorded(server: FlywheelServer, leadership: str) -> None:
    team = server.post(
        "/api/v1/teams",
        leadership,
        {"name": "Recorded", "mission": "m", "leader": "rec@example.com"},
    ).json()
    service = server.post(
        "/api/v1/services",
        leadership,
        {"name": "ledger", "ownerTeamId": team["id"], "description": "d"},
    ).json()
    api = server.post(
        f"/api/v1/services/{service['id']}/apis",
        leadership,
        {"name": "ledger-api", "version": "1", "kind": "REST", "visibility": "PUBLIC"},
    ).json()
    metric = server.post(
        "/api/v1/metrics",
        leadership,
        {
            "name": "Ledger latency",
            "kind": "INPUT",
            "unit": "ms",
            "direction": "DECREASE",
            "definition": "p99 of posting",
            "ownerTeamId": team["id"],
        },
    ).json()
    goal = server.post(
        "/api/v1/goals",
        leadership,
        {
            "teamId": team["id"],
            "metricId": metric["id"],
            "planYear": 2027,
            "baseline": 120,
            "target": 80,
            "dueDate": "2027-12-31",
            "description": "Faster postings",
        },
    ).json()
    graphql = server.graphql(server.token("audrey@example.com", "auditor"))
    expected = {
        team["nodeId"]: "Team.Chartered",
        service["nodeId"]: "Service.Registered",
        api["nodeId"]: "Api.Published",
        metric["nodeId"]: "Metric.Defined",
        goal["nodeId"]: "Goal.Set",
    }
    for node_id, first_type in expected.items():
        data, _ = graphql.query(RECORDED, wait_for=goal["position"], id=node_id)
        history = data["node"]["history"]
        assert history["nodes"][0] == {
            "type": first_type,
            "actor": {"handle": "ceo@example.com"},
        }, node_id


def test_export_verify_tamper_and_replay(
    server: FlywheelServer, history: dict[str, Any], tmp_path: Path
) -> None:
    assert server.database_url is not None
    out = tmp_path / "log.ndjson"
    exported = cli(server, "export", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    with psycopg.connect(server.database_url) as conn:
        count = conn.execute("SELECT count(*) FROM flywheel_events").fetchone()
        views_before = _dump_views(conn)
    assert count is not None and len(out.read_text().splitlines()) == count[0] + 1, "+ digest"
    script = subprocess.run(
        [sys.executable, str(SCRIPT), str(out)], capture_output=True, text=True, check=False
    )
    assert script.returncode == 0, script.stdout

    verified = cli(server, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Chain: OK" in verified.stdout and "Views: OK" in verified.stdout

    replayed = cli(server, "replay")
    assert replayed.returncode == 0, replayed.stderr
    with psycopg.connect(server.database_url) as conn:
        assert _dump_views(conn) == views_before
    leadership = server.token("ceo@example.com", "leadership")
    later = server.post(
        "/api/v1/teams", leadership, {"name": "After replay", "mission": "m", "leader": "ar@x.io"}
    )
    after_swap, extensions = server.graphql(leadership).query(
        '{ teams(filter: {nameContains: "After replay"}) { totalCount } }',
        wait_for=later.json()["position"],
    )
    assert extensions["positionReached"] is True, "the server's runner follows the swapped-in views"
    assert after_swap["teams"]["totalCount"] == 1

    position = history["changed"]["position"]
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        conn.execute(
            "UPDATE flywheel_events SET state = overlay(state placing '\\x21'::bytea from 5 for 1) "
            "WHERE notification_id = %s",
            (position,),
        )
    broken = cli(server, "verify", "--skip-views")
    assert broken.returncode == 1
    assert f"FAILED at position {position}" in broken.stdout


def test_flywheel_verify_names_each_kind_of_tampering(database_url: str, tmp_path: Path) -> None:
    """``flywheel verify`` finds a changed byte, a deleted row and a forged row, each at
    its own position, and is satisfied again once the tampering is undone."""
    writer = FlywheelServer(tmp_path, database_url)
    writer.start()
    try:
        token = writer.token("ceo@example.com", "leadership")
        team = writer.post(
            "/api/v1/teams", token, {"name": "Tamper", "mission": "m", "leader": "t1@x.io"}
        ).json()
        changed = writer.post(
            f"/api/v1/teams/{team['id']}/leader", token, {"leader": "t2@x.io", "reason": "r"}
        )
        assert changed.status_code == 200, changed.text
        last = writer.post(
            "/api/v1/teams", token, {"name": "Later", "mission": "m", "leader": "t3@x.io"}
        ).json()
    finally:
        writer.stop()  # the CLI needs no server; nothing projects the forged row
    target, head = changed.json()["position"], last["position"]
    assert 1 < target < head

    def verify() -> subprocess.CompletedProcess[str]:
        return cli(writer, "verify", "--skip-views")

    def assert_intact() -> None:
        checked = verify()
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert f"Chain: OK, {head} events, head position {head}" in checked.stdout

    def assert_failed(position: int, problem: str) -> None:
        checked = verify()
        assert checked.returncode == 1, checked.stdout + checked.stderr
        assert f"Chain: FAILED at position {position}\n" in checked.stdout
        assert f"position {position}: {problem}" in checked.stdout

    assert_intact()
    with psycopg.connect(database_url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT originator_id, originator_version, topic, state FROM flywheel_events "
            "WHERE notification_id = %s",
            (target,),
        ).fetchone()
        assert row is not None
        conn.execute(
            "UPDATE flywheel_events SET state = overlay(state placing '\\x21'::bytea from 5 for 1) "
            "WHERE notification_id = %s",
            (target,),
        )
        assert_failed(target, "the event's stored bytes were altered")
        conn.execute(
            "UPDATE flywheel_events SET state = %s WHERE notification_id = %s", (row[3], target)
        )
        assert_intact()

        conn.execute("DELETE FROM flywheel_events WHERE notification_id = %s", (target,))
        assert_failed(target, "the event was deleted: its chain link remains")
        conn.execute(
            "INSERT INTO flywheel_events "
            "(notification_id, originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s, %s)",
            (target, *row),
        )
        assert_intact()

        forged = conn.execute(
            "INSERT INTO flywheel_events (originator_id, originator_version, topic, state) "
            "SELECT originator_id, originator_version + 100, topic, state FROM flywheel_events "
            "WHERE notification_id = %s RETURNING notification_id",
            (target,),
        ).fetchone()
    assert forged is not None and forged[0] > head
    assert_failed(forged[0], "the event has no chain link: it was not written by Flywheel")
