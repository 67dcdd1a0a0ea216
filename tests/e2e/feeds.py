"""A minimal graphql-transport-ws client over a real websocket (the `websockets`
package), for the feeds' tests and as the shape of the client in docs/FEEDS.md."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"
EVENTS = (
    "subscription($after: Int!, $types: [String!], $teamId: ID, $sub: Boolean! = false) {"
    " events(after: $after, types: $types, teamId: $teamId, includeSubteams: $sub) {"
    " position type aggregateId data chainHash } }"
)


class Subscriber:
    """One websocket, initialised with a bearer token."""

    def __init__(self, url: str, token: str | None, *, receive_buffer: int | None = None) -> None:
        ws_url = url.replace("http://", "ws://") + "/graphql"
        sock = None
        if receive_buffer is not None:
            host, port = url.removeprefix("http://").split(":")
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.connect((host, int(port)))
        self.ws: ClientConnection = connect(
            ws_url,
            subprotocols=[PROTOCOL],  # type: ignore[list-item]
            sock=sock,
            open_timeout=10,
            max_size=None,
            compression=None,
            proxy=None,
            max_queue=2,
        )
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        self.send({"type": "connection_init", "payload": payload})
        self.ack: dict[str, Any] | None = None
        try:
            first = self.receive(10)
        except ConnectionClosed:
            return  # refused: see close_code
        if first.get("type") == "connection_ack":
            self.ack = first

    def send(self, message: dict[str, Any]) -> None:
        self.ws.send(json.dumps(message))

    def receive(self, timeout: float) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(self.ws.recv(timeout=timeout))
        return message

    def subscribe(self, operation_id: str, query: str, **variables: Any) -> None:
        self.send(
            {
                "id": operation_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables},
            }
        )

    def messages(self, timeout: float) -> Iterator[dict[str, Any]]:
        """Messages as they come; ends quietly when the server closes the socket."""
        while True:
            try:
                yield self.receive(timeout)
            except ConnectionClosed:
                return

    def close(self) -> None:
        self.ws.close()

    @property
    def close_code(self) -> int | None:
        return self.ws.close_code


def events_until(
    sub: Subscriber,
    operation_id: str,
    position: int,
    timeout: float = 30,
    *,
    aggregate: str | None = None,
) -> list[dict[str, Any]]:
    """The events received for ``operation_id`` until one at ``position`` or later
    (of ``aggregate``, if given)."""
    received: list[dict[str, Any]] = []
    for message in sub.messages(timeout):
        if message.get("id") != operation_id:
            continue  # another operation's, still running
        assert message["type"] == "next", message
        assert not message["payload"].get("errors"), message
        event = message["payload"]["data"]["events"]
        received.append(event)
        if event["position"] >= position and aggregate in (None, event["aggregateId"]):
            return received
    raise AssertionError(f"the socket closed before position {position}: {sub.close_code}")
