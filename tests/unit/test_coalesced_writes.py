"""A response's head and body leave in one send (services/api/coalesced_writes.py)."""

from __future__ import annotations

import asyncio

from services.api.coalesced_writes import FLUSH_BYTES, CoalescingTransport


class Recording(asyncio.Transport):
    """A transport that keeps what it was asked to send, each write apart."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[bytes] = []
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0


async def next_turn() -> None:
    """Let the event loop run what ``call_soon`` scheduled (one turn, not a delay)."""
    await asyncio.sleep(0)


async def test_writes_of_one_turn_leave_together_in_order() -> None:
    recording = Recording()
    transport = CoalescingTransport(recording)

    transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
    transport.write(b'{"data":')
    transport.write(b"{}}")
    assert recording.sent == []
    assert transport.get_write_buffer_size() == 30
    await next_turn()

    assert recording.sent == [b'HTTP/1.1 200 OK\r\n\r\n{"data":{}}']
    transport.write(b"next")
    await next_turn()
    assert recording.sent[1:] == [b"next"]


async def test_a_large_write_leaves_at_once_after_what_was_held() -> None:
    recording = Recording()
    transport = CoalescingTransport(recording)
    body = b"x" * FLUSH_BYTES

    transport.write(b"head")
    transport.write(body)

    assert recording.sent == [b"head", body]
    await next_turn()
    assert recording.sent == [b"head", body]


async def test_closing_sends_what_is_held_first_and_nothing_after() -> None:
    recording = Recording()
    transport = CoalescingTransport(recording)

    transport.write(b"last words")
    transport.close()
    transport.write(b"too late")
    await next_turn()

    assert recording.sent == [b"last words"]
    assert recording.closed
    assert transport.is_closing()  # the rest is the wrapped transport's
