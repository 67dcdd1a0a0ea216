"""Bounds on GraphQL subscriptions: per caller and per server."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator

from prometheus_client import Gauge

from services.graphql.errors import client_error

OPEN_SUBSCRIPTIONS = Gauge(
    "flywheel_subscriptions_open", "GraphQL subscriptions this process is serving."
)


class SubscriptionLimits:
    """Counts the subscriptions open in this process, by caller and in all.

    One process serves its own websockets, so its counts are exact; behind a load
    balancer each replica bounds its own share (the per-server limit is per replica).
    """

    def __init__(self, *, per_caller: int, per_server: int) -> None:
        self.per_caller = per_caller
        self.per_server = per_server
        self._open: Counter[str] = Counter()

    @property
    def open(self) -> int:
        return sum(self._open.values())

    @contextlib.contextmanager
    def slot(self, caller: str) -> Iterator[None]:
        """Hold one subscription for ``caller`` while the block runs, or refuse."""
        if self._open[caller] >= self.per_caller:
            raise client_error(
                f"At most {self.per_caller} subscriptions per caller: complete one first",
                "subscription-limit",
            )
        if self.open >= self.per_server:
            raise client_error(
                f"This server holds its limit of {self.per_server} subscriptions: retry later",
                "subscription-limit",
            )
        self._open[caller] += 1
        OPEN_SUBSCRIPTIONS.inc()
        try:
            yield
        finally:
            OPEN_SUBSCRIPTIONS.dec()
            self._open[caller] -= 1
            if not self._open[caller]:
                del self._open[caller]
