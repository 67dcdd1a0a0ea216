"""One send per response: what the server writes in one turn of the event loop
leaves the socket together.

uvicorn writes a response's head as soon as the app starts it and its body when
the app sends it: two sends, and on a small answer two wake-ups of the client
(and, on a busy machine, a chance to be preempted after each). Litestar sends the
head and the body in the same turn of the loop, so holding writes until the end
of the turn joins them. Large writes leave at once (nothing is gained by copying
them), and closing sends what is held first.
"""

from __future__ import annotations

import asyncio
from typing import Any

FLUSH_BYTES = 64 * 1024  # a write this large, or held writes past it, leave at once


class CoalescingTransport:
    """A transport whose writes of one loop turn leave in one ``write``; anything
    else is the wrapped transport's."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if len(data) >= FLUSH_BYTES:
            self.flush()
            self._transport.write(data)
            return
        if not self._held:
            asyncio.get_running_loop().call_soon(self.flush)
        self._held.append(bytes(data))
        self._held_bytes += len(data)
        if self._held_bytes >= FLUSH_BYTES:
            self.flush()

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Send what is held (a no-op when nothing is, or the peer is gone)."""
        if not self._held:
            return
        held, self._held, self._held_bytes = self._held, [], 0
        if not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def get_write_buffer_size(self) -> int:
        return self._held_bytes + self._transport.get_write_buffer_size()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._held, self._held_bytes = [], 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
