"""The commands bench's lean HTTP client, against a real uvicorn server on a socket."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
import uvicorn

from bench.lean_http import LeanClient

Scope = dict[str, Any]


async def echo(scope: Scope, receive: Any, send: Any) -> None:
    """Answers what it was sent: method, path, query, headers and JSON body; a path
    ending in ``/chunked`` answers in chunks (no Content-Length)."""
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    answer = msgspec.json.encode(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": msgspec.json.decode(body) if body else None,
            "client_port": scope["client"][1],
        }
    )
    chunked = scope["path"].endswith("/chunked")
    headers = [(b"content-type", b"application/json")]
    if not chunked:
        headers.append((b"content-length", str(len(answer)).encode()))
    status = 201 if scope["method"] == "POST" else 200
    await send({"type": "http.response.start", "status": status, "headers": headers})
    if chunked:
        half = len(answer) // 2
        await send({"type": "http.response.body", "body": answer[:half], "more_body": True})
        await send({"type": "http.response.body", "body": answer[half:]})
    else:
        await send({"type": "http.response.body", "body": answer})


@pytest.fixture
async def server() -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # connections wait in the backlog until uvicorn accepts them
    port = sock.getsockname()[1]
    config = uvicorn.Config(echo, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    task = asyncio.create_task(running.serve(sockets=[sock]))
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    await task


async def test_sends_the_request_and_reads_the_answer(server: str) -> None:
    async with LeanClient(server, 1) as client:
        answer = await client.request(
            "POST",
            "/api/v1/teams/x/members/someone@example.com",
            json={"person": "someone@example.com"},
            params={"reason": "a test"},
            headers={"Authorization": "Bearer token"},
        )
    assert answer.status_code == 201
    seen = answer.json()
    assert seen["method"] == "POST"
    assert seen["path"] == "/api/v1/teams/x/members/someone@example.com"
    assert seen["query"] == "reason=a+test"
    assert seen["body"] == {"person": "someone@example.com"}
    assert seen["headers"]["authorization"] == "Bearer token"
    assert seen["headers"]["content-type"] == "application/json"


async def test_reads_a_chunked_answer_and_keeps_the_connection(server: str) -> None:
    async with LeanClient(server, 1) as client:
        first = (await client.request("DELETE", "/a/chunked")).json()
        second = (await client.request("GET", "/b")).json()
    assert (first["method"], first["path"], first["body"]) == ("DELETE", "/a/chunked", None)
    assert second["path"] == "/b"
    assert first["client_port"] == second["client_port"]


async def test_concurrent_tasks_share_at_most_the_connections_given(server: str) -> None:
    async with LeanClient(server, 2) as client:
        answers = await asyncio.gather(*(client.request("GET", f"/{i}") for i in range(20)))
    assert [a.json()["path"] for a in answers] == [f"/{i}" for i in range(20)]
    assert len({a.json()["client_port"] for a in answers}) <= 2
