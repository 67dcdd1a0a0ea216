"""Security headers on every response.

JSON answers get a Content-Security-Policy that allows nothing (they are data,
never a page); the HTML pages (API docs, GraphiQL) load their scripts from
``/static`` (services/api/docs.py) and inline configuration, and are left
without one. HSTS is sent in production only, where TLS is expected in front
of the server.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
FOR_DATA = {"content-security-policy": "default-src 'none'; frame-ancestors 'none'"}
HSTS = {"strict-transport-security": "max-age=63072000; includeSubDomains"}


def security_headers_middleware(*, production: bool) -> Callable[[ASGIApp], ASGIApp]:
    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    added = dict(ALWAYS)
                    if not headers.get("content-type", "").startswith("text/html"):
                        added.update(FOR_DATA)
                    if production:
                        added.update(HSTS)
                    for name, value in added.items():
                        headers[name] = value
                await send(message)

            await app(scope, receive, send_with_headers)

        return middleware

    return factory
