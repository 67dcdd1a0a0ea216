"""Requests built to break the server: each is refused with a clear status and
problem details, records nothing, and leaves the server answering others."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import pytest

from services.api.http_limits import MAX_HEAD_BYTES, MAX_REQUEST_LINE
from tests.e2e.boundaries import Org, assert_problem, log_position
from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import created, define

DEEP = 5000
HUGE_HEADER = 50_000_000


@pytest.fixture(scope="module")
def org(server: FlywheelServer, leadership: str) -> Org:
    made = Org(server, leadership)
    made.team("Hostile", "hostile@example.com")
    made.service("target", "Hostile")
    made.api("target", "orders", "PUBLIC")
    return made


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def post_raw(
    server: FlywheelServer, path: str, token: str | None, body: bytes, content_type: str | None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if content_type is not None:
        headers["Content-Type"] = content_type
    return httpx.post(f"{server.url}{path}", content=body, headers=headers, timeout=30)


def events(server: FlywheelServer, token: str, **params: str) -> httpx.Response:
    return httpx.get(
        f"{server.url}/api/v1/events",
        params=params,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_json_nested_5000_deep_is_a_bad_request(org: Org, leadership: str) -> None:
    server = org.server
    before = log_position(server)
    for body in (nested(DEEP), '{"name": ' + nested(DEEP) + "}"):
        answer = post_raw(server, "/api/v1/teams", leadership, body.encode(), "application/json")
        assert "nested too deeply" in assert_problem(answer, 400)["detail"]

    query = "query($v: String) { teams { totalCount } }"
    document = '{"query": "' + query.replace('"', '\\"') + '", "variables": {"v": '
    graphql = post_raw(
        server,
        "/graphql",
        leadership,
        (document + nested(DEEP) + "}}").encode(),
        "application/json",
    )
    assert graphql.status_code == 400, graphql.text
    assert "nested too deeply" in graphql.text
    assert log_position(server) == before, "nothing was recorded"
    assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_a_command_body_must_be_json(org: Org, leadership: str) -> None:
    server = org.server
    before = log_position(server)
    body = b'{"name": "Typed", "mission": "m", "leader": "typed@example.com"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        answer = post_raw(server, "/api/v1/teams", leadership, body, content_type)
        problem = assert_problem(answer, 415)
        assert problem["type"] == "/problems/unsupported-media-type"
    assert log_position(server) == before, "nothing was recorded"
    typed = post_raw(server, "/api/v1/teams", leadership, body, "application/vnd.flywheel+json")
    assert created(typed)["position"] > before, "application/*+json is JSON too"


def raw_exchange(server: FlywheelServer, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
        conn.sendall(request)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
        return answer


def test_an_oversized_request_line_or_head_is_refused_and_the_connection_closed(
    server: FlywheelServer,
) -> None:
    long_line = b"GET /healthz?" + b"a" * MAX_REQUEST_LINE + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = raw_exchange(server, long_line)
    assert answer.startswith(b"HTTP/1.1 414 "), answer[:200]
    assert b"connection: close" in answer.lower()
    assert b"/problems/headers-too-large" in answer

    for name in (b"X-Big", b"Cookie"):
        big_head = b"GET /healthz HTTP/1.1\r\nHost: x\r\n%s: %s\r\n\r\n" % (
            name,
            b"a" * MAX_HEAD_BYTES,
        )
        answer = raw_exchange(server, big_head)
        assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]
        assert b"x-content-type-options: nosniff" in answer.lower()

    fits = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Fits: %s\r\nConnection: close\r\n\r\n" % (
        b"a" * (MAX_HEAD_BYTES // 2)
    )
    assert raw_exchange(server, fits).startswith(b"HTTP/1.1 200 ")


def test_a_50_mb_header_is_cut_off_without_stalling_the_server(server: FlywheelServer) -> None:
    """The server stops reading the header near the limit, and answers others meanwhile."""
    sent: dict[str, Any] = {}

    def send_huge_header() -> None:
        chunk = b"a" * 65536
        total = 0
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
            try:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Huge: ")
                while total < HUGE_HEADER:
                    conn.sendall(chunk)
                    total += len(chunk)
            except OSError as error:  # the server closed the connection
                sent["error"] = error
        sent["bytes"] = total

    sender = threading.Thread(target=send_huge_header)
    sender.start()
    slowest = 0.0
    while sender.is_alive():
        started = time.monotonic()
        assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200
        slowest = max(slowest, time.monotonic() - started)
    sender.join()
    assert "error" in sent, "the server stopped reading"
    # What was sent includes what the kernel buffered on both ends (a few MB on
    # loopback) before the server's refusal reset the connection.
    assert sent["bytes"] < HUGE_HEADER / 5, sent
    assert slowest < 1.0, f"/healthz took {slowest:.2f}s while the header arrived"


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"actor": "a\x00b"}, "actor"),
        ({"type": "Team.\x00Chartered"}, "type"),
        ({"after": str(2**63)}, "after"),
        ({"to": "0.5"}, "to"),
        ({"from": "1e3"}, "from"),
        ({"from": "0001-01-01T00:00:00+01:00"}, "from"),
        ({"to": "9999-12-31T23:00:00-05:00"}, "to"),
    ],
)
def test_the_event_log_refuses_parameters_it_cannot_query(
    server: FlywheelServer, leadership: str, params: dict[str, str], named: str
) -> None:
    problem = assert_problem(events(server, leadership, **params), 400)
    fields = {problem.get("field")} | {error["key"] for error in problem.get("errors") or []}
    assert named in fields, problem


def test_the_event_log_still_takes_good_parameters(server: FlywheelServer, leadership: str) -> None:
    answer = events(server, leadership, after=str(2**63 - 1), to="2027-01-31", actor="x@y.io")
    assert answer.status_code == 200, answer.text
    assert answer.json()["events"] == []


def test_refusals_before_the_handler_carry_security_headers_and_the_correlation_id(
    server: FlywheelServer,
) -> None:
    """401 from the JWT middleware, 404 and 405 from the router: answered outside the
    route's middleware, they used to leave without either."""
    refusals = [
        httpx.post(f"{server.url}/api/v1/teams", json={}),
        httpx.post(
            f"{server.url}/api/v1/teams",
            json={},
            headers={"Authorization": "Bearer forged", "X-Correlation-ID": "trace-401"},
        ),
        httpx.get(f"{server.url}/api/v1/nothing-here"),
        httpx.delete(f"{server.url}/healthz"),
    ]
    assert [r.status_code for r in refusals] == [401, 401, 404, 405]
    for refusal in refusals:
        assert refusal.headers["x-content-type-options"] == "nosniff"
        assert refusal.headers["x-frame-options"] == "DENY"
        assert refusal.headers["content-security-policy"].startswith("default-src 'none'")
        assert refusal.headers["x-correlation-id"] == refusal.json()["correlationId"]
    assert refusals[1].headers["x-correlation-id"] == "trace-401"
    assert refusals[0].headers["www-authenticate"].startswith("Bearer")


def test_dates_outside_the_years_flywheel_takes_are_refused(org: Org, leadership: str) -> None:
    server = org.server
    team = org.teams["Hostile"]["id"]
    metric = define(server, leadership, "Hostile signups", "INPUT", team)["id"]
    before = log_position(server)
    goal = {
        "teamId": team,
        "metricId": metric,
        "planYear": 2027,
        "baseline": 1,
        "target": 2,
        "dueDate": "1066-10-14",
        "description": "d",
    }
    attempts = [
        ("/api/v1/goals", goal, "dueDate"),
        (f"/api/v1/metrics/{metric}/observations", {"periodEnd": "0001-01-01", "value": 1}, None),
        (
            f"/api/v1/apis/{org.apis['orders']['id']}/deprecate",
            {"sunset": "9999-12-31", "reason": "r"},
            "sunset",
        ),
    ]
    for path, body, field in attempts:
        problem = assert_problem(server.post(path, leadership, body), 400)
        assert problem["field"] == (field or "periodEnd"), problem
        assert "1900 and 2199" in problem["detail"]
    assert log_position(server) == before, "nothing was recorded"

    answer = httpx.post(
        f"{server.url}/graphql",
        json={"query": '{ teams(asOf: "9999-12-31T23:00:00-05:00") { totalCount } }'},
        headers={"Authorization": f"Bearer {leadership}"},
        timeout=30,
    ).json()
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "asOf" in error["message"]
