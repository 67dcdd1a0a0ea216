"""A projector: the handlers that turn one area's events into view rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from projections.batch import ViewBatch
from projections.tables import Table

E = TypeVar("E")
Handler = Callable[[Any, ViewBatch], Awaitable[None]]


class Projector:
    def __init__(self, name: str, tables: Sequence[Table]) -> None:
        self.name = name
        self.tables = tuple(tables)
        self.handlers: dict[type, Handler] = {}
        self.every_event: list[Handler] = []

    def on(
        self, event_type: type[E]
    ) -> Callable[
        [Callable[[E, ViewBatch], Awaitable[None]]], Callable[[E, ViewBatch], Awaitable[None]]
    ]:
        def register(
            handler: Callable[[E, ViewBatch], Awaitable[None]],
        ) -> Callable[[E, ViewBatch], Awaitable[None]]:
            if event_type in self.handlers:
                raise TypeError(f"{self.name} handles {event_type.__qualname__} twice")
            self.handlers[event_type] = handler
            return handler

        return register

    def on_every_event(self, handler: Handler) -> Handler:
        """Register a handler that sees every event, whatever its type."""
        self.every_event.append(handler)
        return handler
