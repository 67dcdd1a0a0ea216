"""The ``Idempotency-Key`` header on every command, as an ASGI middleware.

It sits inside the authentication middleware (keys belong to a caller), reads
the body once to fingerprint the request, claims the key, runs the command with
the outcome to record in context, and remembers the exact response it sent.
See :mod:`services.idempotency` for the protocol.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.types.asgi_types import (
    HTTPDisconnectEvent,
    HTTPRequestEvent,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
)

from projections.connection import CONNECTION_LOST
from services import idempotency
from services.api.problems import PROBLEM_JSON, RETRY_AFTER_SECONDS, ProblemDetails
from services.ids import global_id
from services.observability import count_command
from services.principal import Principal
from services.recorder import IdempotentOutcome
from services.runtime import Runtime

HEADER = b"idempotency-key"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
COMMANDS_PREFIX = "/api/"
MAX_BODY_BYTES = 1_048_576  # as Litestar's request_max_body_size in services/api/app.py


def idempotency_middleware(runtime: Runtime) -> Any:
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            key = _key_of(scope)
            if key is None:
                await app(scope, receive, send)
                return
            await _run_once(runtime, app, scope, receive, send, key)

        return middleware

    return factory


def _key_of(scope: Scope) -> str | None:
    if scope["type"] != "http" or scope.get("method") not in MUTATING:
        return None
    if not scope["path"].startswith(COMMANDS_PREFIX):
        return None
    value = dict(scope["headers"]).get(HEADER)
    return None if value is None else value.decode("latin-1")


async def _run_once(
    runtime: Runtime, app: ASGIApp, scope: Scope, receive: Receive, send: Send, key: str
) -> None:
    if not idempotency.valid_key(key):
        await _problem(
            scope,
            send,
            400,
            "invalid-input",
            "Idempotency-Key must be 1 to 255 printable ASCII characters",
        )
        return
    user = scope.get("user")
    if not isinstance(user, Principal):
        await app(scope, receive, send)  # unauthenticated: the handler will refuse it
        return
    body = await _read_body(receive)
    if body is None:
        await _problem(
            scope, send, 413, "invalid-input", f"The body is larger than {MAX_BODY_BYTES} bytes"
        )
        return
    pool = runtime.primary_pool
    assert pool is not None
    print_ = idempotency.fingerprint(
        str(scope.get("method")),
        scope["path"],
        scope.get("query_string", b"").decode("latin-1"),
        body,
    )
    try:
        claim = await idempotency.claim(pool, user.subject, key, print_)
    except CONNECTION_LOST:
        await _problem(
            scope,
            send,
            503,
            "unavailable",
            "The database cannot be reached right now",
            headers=[(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
        )
        return
    if isinstance(claim, idempotency.Mismatch):
        await _problem(
            scope,
            send,
            422,
            "idempotency-key-reused",
            "This Idempotency-Key was used for a different request; use a new key",
        )
        return
    if isinstance(claim, idempotency.InFlight):
        await _problem(
            scope,
            send,
            409,
            "request-in-progress",
            "A request with this Idempotency-Key is still being processed; retry shortly",
            headers=[(b"retry-after", b"1")],
        )
        return
    if isinstance(claim, idempotency.Recorded):
        await _replay(send, claim)
        return

    # The response is held back until it is remembered: a client that retries the
    # moment it has the answer must find the key answered, not still in flight.
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    outcome = IdempotentOutcome(subject=user.subject, key=key, status=_success_status(scope))
    with idempotency.recording_outcome(outcome):
        try:
            await app(scope, _replaying(body), hold)
        except BaseException:
            await idempotency.release(pool, user.subject, key)
            raise
    status, media_type, sent_body = _response_of(held)
    if status >= 500:
        await idempotency.release(pool, user.subject, key)
    else:
        await idempotency.remember(pool, user.subject, key, status, sent_body, media_type)
    for message in held:
        await send(message)


def _response_of(messages: list[Message]) -> tuple[int, str, bytes]:
    """The status, content type and body the application sent."""
    status, media_type, body = 500, "application/json", bytearray()
    for message in messages:
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = dict(message.get("headers", []))
            media_type = headers.get(b"content-type", b"application/json").decode()
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")
    return status, media_type, bytes(body)


def _success_status(scope: Scope) -> int:
    handler = scope.get("route_handler")
    status = getattr(handler, "status_code", None)
    return int(status) if status else 200


async def _read_body(receive: Receive) -> bytes | None:
    chunks = bytearray()
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks += message.get("body", b"")
        if len(chunks) > MAX_BODY_BYTES:
            return None
        if not message.get("more_body", False):
            break
    return bytes(chunks)


def _replaying(body: bytes) -> Receive:
    """A ``receive`` that hands the already-read body to the application."""
    sent = False

    async def receive() -> HTTPRequestEvent | HTTPDisconnectEvent:
        nonlocal sent
        if sent:
            return HTTPDisconnectEvent(type="http.disconnect")
        sent = True
        return HTTPRequestEvent(type="http.request", body=body, more_body=False)

    return receive


async def _replay(send: Send, recorded: idempotency.Recorded) -> None:
    body = recorded.body
    media_type = recorded.media_type or "application/json"
    if body is None and recorded.outcome is not None:
        outcome = recorded.outcome
        body = msgspec.json.encode(
            {
                "id": outcome["id"],
                "nodeId": global_id(outcome["kind"], outcome["id"]),
                "version": outcome["version"],
                "position": outcome["position"],
            }
        )
    await _send(
        send, recorded.status, body or b"", media_type, [(b"idempotency-replayed", b"true")]
    )


async def _problem(
    scope: Scope,
    send: Send,
    status: int,
    slug: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    count_command(str(scope.get("method")), scope["path"], status)
    problem = ProblemDetails(
        type=f"/problems/{slug}",
        title=slug.replace("-", " ").capitalize(),
        status=status,
        detail=detail,
        instance=scope["path"],
        correlation_id=scope.get("state", {}).get("correlation_id"),
    )
    await _send(send, status, msgspec.json.encode(problem), PROBLEM_JSON, headers or [])


async def _send(
    send: Send, status: int, body: bytes, media_type: str, headers: list[tuple[bytes, bytes]]
) -> None:
    await send(
        HTTPResponseStartEvent(
            type="http.response.start",
            status=status,
            headers=[
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        )
    )
    await send(HTTPResponseBodyEvent(type="http.response.body", body=body, more_body=False))
