"""Projection lag: from a command's answer to a GraphQL answer that reflects it.

Against one ``flywheel serve`` on a fresh database, a background load sends the
command mix (bench/commands_mix.py) at a steady ``LOAD_PER_SECOND``, while a
probe, one at a time, sends a command of its own, takes the ``position`` it
answers, and reads its team back over GraphQL. Two ways of reading it back:

- **waiting** (the figure with the goal): one query sent with
  ``X-Flywheel-Position: <position>``, which the server holds until its views
  reach that position. Lag is the time from the command's answer to the query's.
- **polling**: the same query without the header, repeated until its
  ``extensions.position`` reaches the command's position. Lag is the time from
  the command's answer to the first answer that shows it (so it is quantised by
  the round trip, and the polling itself loads the server).

The baseline of both is the round trip of the same query with no wait, measured
between probes in the same run, so ``ratio`` shows how much of the lag is the
projection rather than the query.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

from bench.commands_mix import CHIEF, LEADERSHIP, Mix, OverHttp, http_client
from bench.context import Context
from bench.environment import Server, headers, note, token
from bench.harness import Figure, Report, at_most, median, percentile

LOAD_PER_SECOND = 30.0
LOAD_TASKS = 4
GOAL_P99_MS = 25.0
POLL_DEADLINE_SECONDS = 10.0
QUERY = "query Probe($id: ID!) { team(id: $id) { name } }"


class LagError(RuntimeError):
    pass


@dataclass
class Probes:
    """One repeat's lags (seconds) by way of reading back, and the plain round trips."""

    waiting: list[float] = field(default_factory=list)
    polling: list[float] = field(default_factory=list)
    polls: list[int] = field(default_factory=list)
    round_trip: list[float] = field(default_factory=list)
    load_sent: int = 0
    seconds: float = 0.0


class Reader:
    """GraphQL reads of one team, with or without waiting for a position."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.headers = headers(token(CHIEF, LEADERSHIP))

    async def read(self, team_id: str, wait_for: int | None = None) -> int:
        """The position the answer reflects."""
        extra = {} if wait_for is None else {"X-Flywheel-Position": str(wait_for)}
        response = await self.client.post(
            "/graphql",
            json={"query": QUERY, "variables": {"id": team_id}},
            headers={**self.headers, **extra},
        )
        answer: dict[str, Any] = response.json()
        if response.status_code != 200 or answer.get("errors"):
            raise LagError(f"GraphQL: {response.status_code} {response.text}")
        extensions = answer["extensions"]
        if wait_for is not None and not extensions.get("positionReached"):
            raise LagError(f"the views did not reach {wait_for} within the server's wait")
        position: int = extensions["position"]
        return position


async def _load(http: OverHttp, stop: asyncio.Event, sent: list[int]) -> None:
    """The mix at LOAD_PER_SECOND, spread over LOAD_TASKS paced clients."""
    tag = f"load-{uuid4().hex[:8]}"
    interval = LOAD_TASKS / LOAD_PER_SECOND

    async def client(index: int) -> None:
        mix = Mix(f"{tag}-{index}")
        due = time.perf_counter() + index * interval / LOAD_TASKS
        while not stop.is_set():
            delay = due - time.perf_counter()
            if delay > 0:
                # Pacing the load, not waiting for a condition: it ends early on stop.
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                except TimeoutError:
                    pass
                else:
                    return
            await http.run(mix)
            sent[0] += 1
            due = max(due + interval, time.perf_counter() - interval)

    await asyncio.gather(*(client(index) for index in range(LOAD_TASKS)))


async def _probe(url: str, seconds: float) -> Probes:
    probes = Probes()
    async with http_client(url, LOAD_TASKS) as load_client, http_client(url, 1) as probe_client:
        http, reader = OverHttp(probe_client), Reader(probe_client)
        mix = Mix(f"probe-{uuid4().hex[:8]}")
        await http.run(mix)  # the probe's first team, so every read has a team to read
        stop, sent = asyncio.Event(), [0]
        load = asyncio.create_task(_load(OverHttp(load_client), stop, sent))
        started = time.perf_counter()
        try:
            while time.perf_counter() - started < seconds:
                await _one_probe(http, reader, mix, probes)
        finally:
            stop.set()
            await load
        probes.seconds = time.perf_counter() - started
        probes.load_sent = sent[0]
    return probes


async def _one_probe(http: OverHttp, reader: Reader, mix: Mix, probes: Probes) -> None:
    position = await http.run(mix)
    answered = time.perf_counter()
    await reader.read(str(mix.team_id), wait_for=position)
    probes.waiting.append(time.perf_counter() - answered)

    position = await http.run(mix)
    answered = time.perf_counter()
    deadline = answered + POLL_DEADLINE_SECONDS
    polls = 1
    while await reader.read(str(mix.team_id)) < position:
        polls += 1
        if time.perf_counter() > deadline:
            raise LagError(f"the views did not reach {position} in {POLL_DEADLINE_SECONDS}s")
    probes.polling.append(time.perf_counter() - answered)
    probes.polls.append(polls)

    begun = time.perf_counter()
    await reader.read(str(mix.team_id))
    probes.round_trip.append(time.perf_counter() - begun)


def run(context: Context, report: Report) -> None:
    scale = context.scale
    repeats: list[Probes] = []
    with context.database("lag") as url, Server(url) as server:
        asyncio.run(_probe(server.url, 1.0))  # warm-up
        for repeat in range(scale.repeats):
            probes = asyncio.run(_probe(server.url, scale.seconds))
            repeats.append(probes)
            note(
                f"repeat {repeat + 1}/{scale.repeats}: {len(probes.waiting)} probes, "
                f"load {probes.load_sent / probes.seconds:.0f} commands/s, waiting p99 "
                f"{percentile(probes.waiting, 0.99) * 1000:.1f} ms, polling p99 "
                f"{percentile(probes.polling, 0.99) * 1000:.1f} ms"
            )
    _report(report, repeats)


def _ms(values: list[float], fraction: float) -> float:
    return percentile(values, fraction) * 1000


def _report(report: Report, repeats: list[Probes]) -> None:
    round_trip = median(_ms(p.round_trip, 0.5) for p in repeats)
    detail: dict[str, float | int | str] = {
        "probes": sum(len(p.waiting) for p in repeats),
        "load_commands_per_second": round(median(p.load_sent / p.seconds for p in repeats), 1),
        "load_target_per_second": LOAD_PER_SECOND,
        "round_trip_p99_ms": round(median(_ms(p.round_trip, 0.99) for p in repeats), 2),
        "polls_per_probe_median": median(median(p.polls) for p in repeats),
    }
    figures = (
        ("waiting (X-Flywheel-Position)", "waiting", (0.99, 0.5)),
        ("polling extensions.position", "polling", (0.99, 0.5)),
    )
    for label, attribute, fractions in figures:
        for fraction in fractions:
            name = f"p{fraction * 100:.0f}"
            report.add(
                Figure(
                    f"lag: {name} commit to visible in GraphQL, {label}",
                    median(_ms(getattr(p, attribute), fraction) for p in repeats),
                    "ms",
                    baseline=round_trip,
                    baseline_name="GraphQL round trip p50",
                    goal=at_most(GOAL_P99_MS, on="value")
                    if attribute == "waiting" and fraction == 0.99
                    else None,
                    runs=len(repeats),
                    detail=detail if attribute == "waiting" and fraction == 0.99 else {},
                )
            )
