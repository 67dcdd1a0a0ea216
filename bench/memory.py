"""How much memory ``flywheel serve`` needs with the whole company behind it.

One server on the generated company serves a burst: each read of bench/reads.py
now and a year back (``atPosition``, ``asOf``), from ``CONCURRENCY`` clients for
a while, and a few cycles of team commands (bench/commands_mix.py), whose events
its projection runner then projects. The figure is the process's peak resident
set (``VmHWM`` in /proc/PID/status) once the views have caught up. The baseline
is the same server on an empty database serving the same burst, in the same
run; the company should cost little beyond it, since nothing is held per row.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from bench.asof import LAST_YEAR, log_time
from bench.commands_mix import Mix, OverHttp, http_client
from bench.company import marks
from bench.context import THIS_YEAR, Context
from bench.environment import Server, note
from bench.harness import Figure, Report, at_most
from bench.reads_load import Target, analyse, drive
from bench.reads_queries import QUERIES

GOAL_PEAK_MB = 300.0
COMMAND_CYCLES = 10  # of the four commands of the mix
CATCH_UP_SECONDS = 120.0


def run(context: Context, report: Report) -> None:
    burst_seconds = (
        context.scale.seconds / 4
        if context.mode == "smoke"
        else max(1.0, context.scale.seconds / 4)
    )
    with context.database("memory") as empty_url, Server(empty_url) as server:
        empty = burst(server, position=0, moment=datetime.now(UTC), seconds=burst_seconds)
    url = context.company()
    analyse(url)
    position = marks(url)[f"year:{LAST_YEAR}"]
    with Server(url) as server:
        full = burst(server, position, log_time(url, position), burst_seconds)
    report.add(
        Figure(
            name="memory.peak_rss",
            value=full["VmHWM"],
            unit="MB",
            baseline=empty["VmHWM"],
            baseline_name="empty database",
            goal=at_most(GOAL_PEAK_MB, on="value"),
            detail={
                "rss_after_mb": round(full["VmRSS"], 1),
                "empty_rss_after_mb": round(empty["VmRSS"], 1),
                "burst_seconds_per_read": burst_seconds,
                "command_cycles": COMMAND_CYCLES,
            },
        )
    )


def burst(server: Server, position: int, moment: datetime, seconds: float) -> dict[str, float]:
    """Serve the reads and the commands; the server's memory figures (MB) after."""
    for query in QUERIES:
        for target in (
            Target.graphql(server.url, query, THIS_YEAR),
            Target.graphql(server.url, query, LAST_YEAR, at=position),
            Target.graphql(server.url, query, LAST_YEAR, as_of=moment),
        ):
            drive(target, seconds)
    head = asyncio.run(commands(server.url))
    wait_for_views(server.url, head)
    figures = memory_of(server.pid)
    note(
        f"{server.database_url.rsplit('/', 1)[-1]}: peak {figures['VmHWM']:.1f} MB, "
        f"now {figures['VmRSS']:.1f} MB"
    )
    return figures


async def commands(url: str) -> int:
    """A few cycles of the team command mix; the log position the last one reached."""
    position = 0
    async with http_client(url, 1) as client:
        http = OverHttp(client)
        mix = Mix(f"memory-{time.monotonic_ns()}")
        for _ in range(COMMAND_CYCLES * 4):
            position = await http.run(mix)
    return position


def wait_for_views(url: str, position: int) -> None:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while time.monotonic() < deadline:
        if httpx.get(f"{url}/readyz", timeout=5).json()["viewsPosition"] >= position:
            return
        time.sleep(0.1)  # polling a condition (the views' position), with a deadline
    raise RuntimeError(f"the views did not reach position {position} in {CATCH_UP_SECONDS}s")


def memory_of(pid: int) -> dict[str, float]:
    """``VmHWM`` (the peak resident set) and ``VmRSS`` of a process, in MB."""
    figures: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            figures[key] = int(value.split()[0]) / 1024
    return figures
