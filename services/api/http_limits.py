"""Limits on the request line and the header section, enforced while they arrive.

uvicorn's httptools parser has no such limit, and httptools gathers a header
value by concatenating what each read brings: a 50 MB header held the event
loop for seconds. This protocol counts the bytes of a request's head as they
are read and, past a limit, answers and closes the connection before reading
more: 414 for a request line over :data:`MAX_REQUEST_LINE` bytes, 431 for a
head over :data:`MAX_HEAD_BYTES`. (nginx in front refuses far less: 8 KiB per
header line by default.)
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from services.api.coalesced_writes import CoalescingTransport
from services.api.problems import PROBLEM_JSON, ProblemDetails
from services.api.security_headers import ALWAYS, FOR_DATA

MAX_REQUEST_LINE = 8 * 1024
MAX_HEAD_BYTES = 64 * 1024


class HeadTooLarge(Exception):
    """Raised from a parser callback; uvicorn then calls ``send_400_response``, which
    answers with the status this carries instead."""

    def __init__(self, status: HTTPStatus, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def _headers_too_large() -> HeadTooLarge:
    return HeadTooLarge(
        HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
        f"The request line and headers are over {MAX_HEAD_BYTES} bytes together",
    )


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, refusing a request line or head that is too long.

    A head that arrives in one read is measured when it is complete; one that
    arrives over several is counted read by read, so it is refused before the
    parser gathers more than :data:`MAX_HEAD_BYTES` and one read."""

    _in_head = True  # reading a request's line and headers (or waiting for the next)
    _head_bytes = 0  # bytes of the reads that held only the current head
    _heads_read = 0
    _refusal: HeadTooLarge | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # A response's head and body in one send (services/api/coalesced_writes.py).
        super().connection_made(CoalescingTransport(transport))  # type: ignore[arg-type]

    def data_received(self, data: bytes) -> None:
        was_in_head, heads_read = self._in_head, self._heads_read
        super().data_received(data)
        if self.transport.is_closing():
            return
        if self._heads_read != heads_read or not was_in_head:
            self._head_bytes = 0  # a head ended in this read, or began after a body
            return
        self._head_bytes += len(data)
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refuse(_headers_too_large())

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_REQUEST_LINE:
            self._refusal = HeadTooLarge(
                HTTPStatus.REQUEST_URI_TOO_LONG,
                f"The request line is over {MAX_REQUEST_LINE} bytes",
            )
            raise self._refusal

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > MAX_HEAD_BYTES:
            self._refusal = _headers_too_large()
            raise self._refusal
        self._in_head = False
        self._heads_read += 1
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True

    def send_400_response(self, msg: str) -> None:
        if self._refusal is not None:
            self._refuse(self._refusal)
        else:
            super().send_400_response(msg)

    def _refuse(self, refusal: HeadTooLarge) -> None:
        status, detail = refusal.status, refusal.detail
        body = msgspec.json.encode(
            ProblemDetails(
                type="/problems/headers-too-large",
                title=status.phrase,
                status=status.value,
                detail=detail,
            )
        )
        head = [f"HTTP/1.1 {status.value} {status.phrase}".encode()]
        head += [name + b": " + value for name, value in self.server_state.default_headers]
        head += [f"{name}: {value}".encode() for name, value in {**ALWAYS, **FOR_DATA}.items()]
        head += [
            f"content-type: {PROBLEM_JSON}".encode(),
            f"content-length: {len(body)}".encode(),
            b"connection: close",
        ]
        self.transport.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
        self.transport.close()
