"""Feeds: how fast a subscriber catches up, and how fast webhooks are delivered.

Against one ``flywheel serve`` on a fresh database (its in-process runner projects
and delivers), the benchmark writes ``EVENTS``-odd events (teams chartered over
HTTP) with a webhook endpoint registered first, pointing at a local receiver that
answers 200 at once. Then:

- **subscription catch-up**: ``events(after: 0)`` over ``graphql-transport-ws``
  until the last position, in events per second; baseline: the same events
  streamed from ``GET /api/v1/events`` as NDJSON (the same log view, no websocket,
  no GraphQL).
- **webhook delivery**: once written and delivered, the endpoint is told to
  redeliver from its registration on; from then to the receiver acknowledging the
  last event, in events per second (one signed POST and one transaction per event,
  in order); baseline: the same number of plain sequential POSTs from this process
  to the same receiver, which bounds what any in-order deliverer could reach.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from websockets.sync.client import connect

from bench.context import Context
from bench.environment import Server, headers, note, token
from bench.harness import Figure, Report, median

QUICK_TEAMS, FULL_TEAMS = 150, 1000
QUERY = "subscription { events(after: 0) { position type } }"


class Hook:
    """A receiver that answers 200 at once and remembers the last position."""

    def __init__(self) -> None:
        self.last = 0
        self.count = 0
        self.changed = threading.Condition()
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()
                position = json.loads(body).get("position", 0) if body else 0
                with hook.changed:
                    hook.count += 1
                    hook.last = max(hook.last, position)
                    hook.changed.notify_all()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, position: int, timeout: float = 600) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.last >= position, timeout):
                raise RuntimeError(f"webhooks reached {self.last}, not {position}")

    def reset(self) -> None:
        with self.changed:
            self.last = self.count = 0

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(context: Context, report: Report) -> None:
    teams = context.pick(FULL_TEAMS, QUICK_TEAMS, smoke=20)
    boss = token("ceo@example.com", "leadership")
    hook = Hook()
    try:
        with (
            context.database("feeds") as url,
            Server(url) as server,
            httpx.Client(base_url=server.url, headers=headers(boss), timeout=60) as client,
        ):
            registered = client.post("/api/v1/webhooks", json={"url": hook.url})
            registered.raise_for_status()
            last = 0
            for n in range(teams):
                answer = client.post(
                    "/api/v1/teams",
                    json={"name": f"Feed {n}", "mission": "m", "leader": f"feed{n}@x.io"},
                )
                answer.raise_for_status()
                last = answer.json()["position"]
            hook.wait_for(last)
            # Delivered as they were written; now the same events again, as fast as the
            # worker goes: the endpoint's cursor moved back to its registration.
            hook.reset()
            started = time.perf_counter()
            client.post(
                f"/api/v1/webhooks/{registered.json()['id']}/redeliver",
                json={"fromPosition": registered.json()["position"] + 1},
            ).raise_for_status()
            hook.wait_for(last)
            delivered_in = time.perf_counter() - started
            delivered = hook.count
            note(f"webhooks: {delivered} events acknowledged in {delivered_in:.2f}s")

            posts_in = _plain_posts(hook.url, delivered)
            stream_rates, catch_up_rates, events = [], [], 0
            for _ in range(context.scale.repeats):
                events, seconds = _stream(client)
                stream_rates.append(events / seconds)
                catch_up_rates.append(events / _catch_up(server.url, boss, last))
            note(f"catch-up: {events} events, NDJSON {median(stream_rates):.0f}/s")
    finally:
        hook.close()
    report.add(
        Figure(
            "feeds: subscription catch-up (graphql-transport-ws)",
            median(catch_up_rates),
            "events/s",
            baseline=median(stream_rates),
            baseline_name="GET /api/v1/events as NDJSON",
            runs=len(catch_up_rates),
            detail={"events": events},
        )
    )
    report.add(
        Figure(
            "feeds: webhook delivery, in order, signed, one transaction each",
            delivered / delivered_in,
            "events/s",
            baseline=delivered / posts_in,
            baseline_name="plain sequential POSTs to the same receiver",
            detail={"events": delivered, "teams_chartered": teams},
        )
    )


def _plain_posts(url: str, count: int) -> float:
    with httpx.Client(timeout=30) as plain:
        started = time.perf_counter()
        for n in range(count):
            plain.post(url, content=b'{"position": 0, "n": %d}' % n).raise_for_status()
        return time.perf_counter() - started


def _stream(client: httpx.Client) -> tuple[int, float]:
    started = time.perf_counter()
    with client.stream(
        "GET", "/api/v1/events", params={"after": 0}, headers={"Accept": "application/x-ndjson"}
    ) as answer:
        events = sum(1 for line in answer.iter_lines() if line)
    return events, time.perf_counter() - started


def _catch_up(url: str, bearer: str, last: int) -> float:
    started = time.perf_counter()
    with connect(
        url.replace("http://", "ws://") + "/graphql",
        subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
        max_size=None,
        proxy=None,
    ) as ws:
        ws.send(
            json.dumps(
                {"type": "connection_init", "payload": {"Authorization": f"Bearer {bearer}"}}
            )
        )
        json.loads(ws.recv(timeout=30))
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": QUERY}}))
        while True:
            message = json.loads(ws.recv(timeout=60))
            if message["payload"]["data"]["events"]["position"] >= last:
                return time.perf_counter() - started
