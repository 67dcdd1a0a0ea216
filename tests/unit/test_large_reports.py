"""Places for large reports (services/graphql/admission.py): a bounded number at once,
the others waiting in order, one place per request, nothing kept by a cancelled wait."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AsyncExitStack

import pytest

from services.graphql.admission import LargeReports


async def until(condition: Callable[[], bool], what: str) -> None:
    """Let the other tasks run until ``condition()`` holds (they only need turns, not time)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)  # one turn of the event loop
    raise AssertionError(f"never {what}")


def admit(reports: LargeReports, held: AsyncExitStack) -> asyncio.Task[None]:
    return asyncio.create_task(reports.admit(held))


async def test_at_most_the_limit_build_at_once_and_a_closed_request_lets_the_next_in() -> None:
    reports = LargeReports(2)
    first, second, third = AsyncExitStack(), AsyncExitStack(), AsyncExitStack()
    await reports.admit(first)
    await reports.admit(second)
    waiting = admit(reports, third)
    await until(lambda: reports.waiting == 1, "waiting")
    assert not waiting.done() and reports.building == 2
    await first.aclose()
    await waiting
    assert (reports.building, reports.waiting, reports.most_building) == (2, 0, 2)
    await second.aclose()
    await third.aclose()
    assert reports.building == 0


async def test_requests_get_their_place_in_the_order_they_came() -> None:
    reports = LargeReports(1)
    holder, early, late = AsyncExitStack(), AsyncExitStack(), AsyncExitStack()
    await reports.admit(holder)
    early_wait = admit(reports, early)
    await until(lambda: reports.waiting == 1, "the early one waiting")
    late_wait = admit(reports, late)
    await until(lambda: reports.waiting == 2, "both waiting")
    await holder.aclose()
    await early_wait
    assert not late_wait.done() and reports.waiting == 1
    await early.aclose()
    await late_wait
    await late.aclose()
    assert (reports.building, reports.waiting, reports.most_building) == (0, 0, 1)


async def test_a_request_asking_for_several_large_reports_holds_one_place() -> None:
    reports = LargeReports(1)
    request = AsyncExitStack()
    await asyncio.wait_for(asyncio.gather(*(reports.admit(request) for _ in range(3))), timeout=5)
    assert (reports.building, reports.most_building) == (1, 1)
    await request.aclose()
    other = AsyncExitStack()
    await asyncio.wait_for(reports.admit(other), timeout=5)  # the place was given back once
    await other.aclose()
    assert reports.building == 0


async def test_a_request_cancelled_while_waiting_takes_no_place() -> None:
    reports = LargeReports(1)
    holder, gone, next_one = AsyncExitStack(), AsyncExitStack(), AsyncExitStack()
    await reports.admit(holder)
    waiting = admit(reports, gone)
    await until(lambda: reports.waiting == 1, "waiting")
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert (reports.building, reports.waiting) == (1, 0)
    await holder.aclose()
    await asyncio.wait_for(reports.admit(next_one), timeout=5)
    assert reports.building == 1
    await next_one.aclose()
    await gone.aclose()
    assert reports.building == 0


async def test_a_context_outside_an_http_request_takes_no_place() -> None:
    reports = LargeReports(1)
    holder = AsyncExitStack()
    await reports.admit(holder)
    await asyncio.wait_for(reports.admit(None), timeout=5)  # does not wait for the holder
    assert (reports.building, reports.waiting) == (1, 0)
    await holder.aclose()
