"""Setting headers on a response from ASGI middleware (correlation id, rate limit,
security headers)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Send

HeadersFor = Callable[[MutableScopeHeaders], Mapping[str, str]]


def setting_headers(send: Send, headers_for: HeadersFor) -> Send:
    """``send``, setting on the response's start the headers ``headers_for`` gives for the
    headers the response already has."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            response_headers = MutableScopeHeaders.from_message(message)
            for name, value in headers_for(response_headers).items():
                response_headers[name] = value
        await send(message)

    return send_with_headers
