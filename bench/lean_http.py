"""A lean keep-alive HTTP/1.1 client on asyncio streams: the commands bench's load client.

A load generator's own CPU is not the server's, yet on the bench's two cores it is
taken from the server and from PostgreSQL, and at one client it is on the chain of
every command. httpx spent about 1.4 ms of CPU a request there (its request and
response models, its transport layers); writing the request line and headers and
reading an answer with a ``Content-Length`` (or chunked) off a kept connection costs
a fraction of that. The requests are the same: method, path, query, the headers
httpx sends, a JSON body; the answer's status and JSON are checked as before.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import msgspec

_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class HttpError(RuntimeError):
    pass


@dataclass(frozen=True)
class Answer:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode()

    def json(self) -> Any:
        return msgspec.json.decode(self.content)


class LeanClient:
    """Up to ``connections`` kept-alive connections to one server, shared by tasks."""

    def __init__(self, base_url: str, connections: int) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"plain http://host:port only: {base_url}")
        self.host, self.port = parts.hostname, parts.port or 80
        self._head = (
            f"Host: {parts.netloc}\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
            "Connection: keep-alive\r\nUser-Agent: flywheel-bench\r\n"
        )
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(connections)

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        while self._idle:
            _, writer = self._idle.pop()
            writer.close()

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        target = quote(path, safe="/:@-._~!$&'()*+,;=")
        if params:
            target = f"{target}?{urlencode(params)}"
        lines = [f"{method} {target} HTTP/1.1\r\n", self._head]
        lines.extend(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        body = b"" if json is None else msgspec.json.encode(json)
        if json is not None:
            lines.append("Content-Type: application/json\r\n")
        if json is not None or method in ("POST", "PUT", "PATCH"):
            lines.append(f"Content-Length: {len(body)}\r\n")
        lines.append("\r\n")
        request = "".join(lines).encode("latin-1") + body
        async with self._slots:
            if self._idle:
                try:
                    return await self._send(self._idle.pop(), request)
                except (asyncio.IncompleteReadError, ConnectionResetError) as error:
                    if isinstance(error, asyncio.IncompleteReadError) and error.partial:
                        raise
                    # The server closed a kept connection it thought idle: send the
                    # request again on a new one, as httpx does when no answer came.
            return await self._send(await self._connect(), request)

    async def _send(self, connection: _Connection, request: bytes) -> Answer:
        try:
            answer, keep = await self._exchange(connection, request)
        except BaseException:
            connection[1].close()
            raise
        if keep:
            self._idle.append(connection)
        else:
            connection[1].close()
        return answer

    async def _connect(self) -> _Connection:
        return await asyncio.open_connection(self.host, self.port)

    @staticmethod
    async def _exchange(connection: _Connection, request: bytes) -> tuple[Answer, bool]:
        reader, writer = connection
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if "content-encoding" in fields:
            raise HttpError(f"unexpected Content-Encoding: {fields['content-encoding']}")
        if "content-length" in fields:
            content = await reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            content = await _chunked(reader)
        elif status in (204, 304) or 100 <= status < 200:
            content = b""
        else:
            raise HttpError(f"an answer of unknown length (status {status})")
        keep = fields.get("connection", "").lower() != "close"
        return Answer(status, content), keep


async def _chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";", 1)[0], 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
