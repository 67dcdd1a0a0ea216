"""Admission for large reports: how many one server process builds at once.

A report about the whole company (``apiBoundaries`` without a team: the API graph
of every team, about 17 MB of JSON at full scale) holds its rows, its GraphQL
objects, its result and its encoded answer at once, about 100 MB for one answer.
Built for four clients at once they add up (the memory benchmark's server peaked
at 354 MB, and at 247 MB one at a time), and they gain nothing from it: building
one is CPU-bound in one process, so four at once take four times as long each. So
a large report waits here for one of ``FLYWHEEL_LARGE_REPORTS`` places (1 by
default), and holds it until its answer is encoded (the request's read snapshot
closes then too); small reads never wait. Each server process (``--workers N``)
has its own places.
"""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from prometheus_client import Gauge

LARGE_REPORTS_BUILDING = Gauge(
    "flywheel_large_reports_building", "Large reports this process is building or encoding."
)
LARGE_REPORTS_WAITING = Gauge(
    "flywheel_large_reports_waiting", "Large reports waiting for a place in this process."
)


class LargeReports:
    """At most ``limit`` requests building and encoding large reports at once, the others
    waiting in the order they came. A request holds one place however many large
    reports it asks for (aliases), so it never waits for itself."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.building = 0
        self.waiting = 0
        self.most_building = 0  # the most at once since the process started
        self._places = asyncio.Semaphore(limit)
        self._requests: dict[int, asyncio.Future[None]] = {}  # by id of their ``held``

    async def admit(self, held: AsyncExitStack | None) -> None:
        """Wait for a place for the request, held until ``held`` (the request's) closes.

        Without ``held`` (a context made outside an HTTP request: a test's, a
        websocket's) there is nothing to hold a place until, so it takes none."""
        if held is None:
            return
        request = id(held)
        if (taken := self._requests.get(request)) is not None:
            await asyncio.shield(taken)  # the request's place: taken, or being taken
            return
        taken = self._requests[request] = asyncio.get_running_loop().create_future()
        self.waiting += 1
        LARGE_REPORTS_WAITING.inc()
        try:
            await self._places.acquire()
        except BaseException:
            del self._requests[request]
            taken.cancel()
            raise
        finally:
            self.waiting -= 1
            LARGE_REPORTS_WAITING.dec()
        self.building += 1
        self.most_building = max(self.most_building, self.building)
        LARGE_REPORTS_BUILDING.inc()
        held.callback(self._release, request)
        taken.set_result(None)

    def _release(self, request: int) -> None:
        del self._requests[request]
        self.building -= 1
        LARGE_REPORTS_BUILDING.dec()
        self._places.release()
