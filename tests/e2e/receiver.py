"""A real HTTP server that receives webhooks, and misbehaves on request: it fails,
times out, answers slowly, holds a request until released, then recovers."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OK = "ok"
FAIL = "fail"  # 500
TIMEOUT = "timeout"  # answers 200, but only after the worker stopped waiting
SLOW = "slow"  # answers 200 after a while, within the worker's timeout
HOLD = "hold"  # answers 200 once released


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answer: str

    @property
    def position(self) -> int:
        position: int = json.loads(self.body)["position"]
        return position


@dataclass
class Receiver:
    url: str
    behaviours: list[str]  # for the next requests, in turn; then `default`
    default: str = OK
    slow_seconds: float = 0.3
    timeout_seconds: float = 4.0
    received: list[Received] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)
    held: threading.Event = field(default_factory=threading.Event)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def next_behaviour(self) -> str:
        with self.changed:
            return self.behaviours.pop(0) if self.behaviours else self.default

    def record(self, received: Received) -> None:
        with self.changed:
            self.received.append(received)
            self.changed.notify_all()

    def wait_until(self, condition: Callable[[list[Received]], bool], timeout: float = 60) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: condition(self.received), timeout):
                raise AssertionError(
                    f"the receiver did not see that in {timeout}s: "
                    f"{[(r.position, r.answer) for r in self.received]}"
                )

    def acknowledged(self) -> list[int]:
        """Positions answered 2xx in time (as the worker saw them acknowledged)."""
        return [r.position for r in self.received if r.answer in (OK, SLOW)]


@contextmanager
def receiver(*behaviours: str, default: str = OK) -> Iterator[Receiver]:
    state: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            behaviour = state.next_behaviour()
            headers = {name.lower(): value for name, value in self.headers.items()}
            # Recorded as it arrives, in arrival order (a timed-out request answers
            # after the retry that follows it has arrived).
            state.record(Received(headers, body, behaviour))
            status = 200
            if behaviour == FAIL:
                status = 500
            elif behaviour == TIMEOUT:
                time.sleep(state.timeout_seconds)  # the receiver's misbehaviour, not a wait
            elif behaviour == SLOW:
                time.sleep(state.slow_seconds)
            elif behaviour == HOLD:
                state.held.set()
                state.released.wait(60)
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the worker is gone

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state = Receiver(
        url=f"http://127.0.0.1:{server.server_address[1]}/hook",
        behaviours=list(behaviours),
        default=default,
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.released.set()
        server.shutdown()
        server.server_close()
