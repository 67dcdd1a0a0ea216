"""Correlation ids: taken from ``X-Correlation-ID`` or made up, echoed on the response,
and recorded on every event the request causes."""

from __future__ import annotations

import re
from uuid import uuid4

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from services.api.response_headers import setting_headers
from services.observability import correlation_id_var

HEADER = "x-correlation-id"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def correlation_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER.encode(), b"").decode("latin-1")
        correlation_id = given if _ACCEPTABLE.match(given) else str(uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        correlation_id_var.set(correlation_id)
        await app(scope, receive, setting_headers(send, lambda _: {HEADER: correlation_id}))

    return middleware
