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
from litestar.types import ASGIApp, Receive, Scope, Send

from services.api.response_headers import setting_headers

ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
}
FOR_DATA = {"content-security-policy": "default-src 'none'; frame-ancestors 'none'"}
HSTS = {"strict-transport-security": "max-age=63072000; includeSubDomains"}


def security_headers_middleware(*, production: bool) -> Callable[[ASGIApp], ASGIApp]:
    def added(response_headers: MutableScopeHeaders) -> dict[str, str]:
        headers = dict(ALWAYS)
        if not response_headers.get("content-type", "").startswith("text/html"):
            headers.update(FOR_DATA)
        if production:
            headers.update(HSTS)
        return headers

    def factory(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            await app(scope, receive, setting_headers(send, added))

        return middleware

    return factory
