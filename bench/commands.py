"""Commands over HTTP against the same commands in-process, with 1 and 16 clients.

The in-process baseline calls ``OrgCommands`` directly (one thread per client);
the HTTP figure sends the same mix (bench/commands_mix.py) to ``flywheel serve``
from an async keep-alive client (one task per client). That client is
bench/lean_http.py, about 0.14 ms of CPU a request where httpx spent about 1 ms on the
same two cores as the server (a load generator's own cost is not the server's; the
server's CPU a command did not change with it). Each measurement runs for
``scale.seconds`` after a one-cycle warm-up per client; the two paths alternate
within each repeat, each on its own fresh database, and figures are medians over
the repeats. Sixteen clients on two cores contend on the event store's table
lock (and with the client itself for CPU): that is measured as it is, and each
path's CPU a command is reported by side (the client, the server, PostgreSQL;
bench/cpu.py), since a rate on a saturated machine is the cores over that sum.

Rates count commands that completed inside the measured window; latency is per
command, as the client sees it (the HTTP one includes the client's own work).

Two goals (issue 21). Like with like: the in-process baseline projects nothing,
so the first server does not project either (``FLYWHEEL_RUN_PROJECTIONS=false``;
the views are migrated once beforehand and nobody follows the log): at least
0.85x. The same commands against a default ``flywheel serve``, whose projection
runner shares the process and the two cores with the commands: at least 0.7x of
the same baseline; the projection path has its own benchmark (bench/lag.py).
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from uuid import uuid4

from bench.commands_mix import CYCLE, InProcess, Mix, OverHttp, lean_client
from bench.context import Context
from bench.cpu import CpuUse, measured
from bench.environment import FLYWHEEL, Server, flywheel_env, note
from bench.harness import Figure, Report, at_least, median, percentile

CLIENTS = (1, 16)
# Issue 21: at least 0.85x in-process without the runner, 0.7x with it inside `serve`.
GOAL_RATE_RATIO = 0.85
GOAL_RATE_RATIO_WITH_RUNNER = 0.7
WARMUP_COMMANDS = len(CYCLE)


@dataclass
class Run:
    """One measurement: how many commands finished in how long, and each one's latency."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: CpuUse = field(default_factory=CpuUse)
    warm_up: int = 0  # commands run before the measured window (their CPU is in ``cpu``)

    def cpu_ms_per_command(self) -> dict[str, float]:
        return self.cpu.per_command_ms(len(self.latencies) + self.warm_up)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def latency_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def in_process(app: InProcess, clients: int, seconds: float) -> Run:
    with measured() as cpu:
        run = _in_process(app, clients, seconds)
    run.cpu, run.warm_up = cpu, clients * WARMUP_COMMANDS
    return run


def _in_process(app: InProcess, clients: int, seconds: float) -> Run:
    tag = f"in{clients}-{uuid4().hex[:8]}"
    started: list[float] = []
    ready = threading.Barrier(clients, action=lambda: started.append(time.perf_counter()))

    def client(index: int) -> tuple[list[float], float]:
        mix = Mix(f"{tag}-{index}")
        for _ in range(WARMUP_COMMANDS):
            app.run(mix)
        ready.wait()
        deadline = started[0] + seconds
        latencies: list[float] = []
        while (begun := time.perf_counter()) < deadline:
            app.run(mix)
            latencies.append(time.perf_counter() - begun)
        return latencies, time.perf_counter()

    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(client, range(clients)))
    return _run(started[0], results)


def over_http(server: Server, clients: int, seconds: float) -> Run:
    with measured(server.pid) as cpu:
        run = asyncio.run(_over_http(server.url, clients, seconds))
    run.cpu, run.warm_up = cpu, clients * WARMUP_COMMANDS
    return run


async def _over_http(url: str, clients: int, seconds: float) -> Run:
    tag = f"http{clients}-{uuid4().hex[:8]}"
    async with lean_client(url, clients) as client:
        http = OverHttp(client)
        mixes = [Mix(f"{tag}-{index}") for index in range(clients)]

        async def warm_up(mix: Mix) -> None:
            for _ in range(WARMUP_COMMANDS):
                await http.run(mix)

        async def measure(mix: Mix, deadline: float) -> tuple[list[float], float]:
            latencies: list[float] = []
            while (begun := time.perf_counter()) < deadline:
                await http.run(mix)
                latencies.append(time.perf_counter() - begun)
            return latencies, time.perf_counter()

        await asyncio.gather(*(warm_up(mix) for mix in mixes))
        started = time.perf_counter()
        results = await asyncio.gather(*(measure(mix, started + seconds) for mix in mixes))
    return _run(started, results)


def _run(started: float, results: list[tuple[list[float], float]]) -> Run:
    run = Run(seconds=max(ended for _, ended in results) - started)
    for latencies, _ in results:
        run.latencies.extend(latencies)
    return run


PATHS = ("in-process", "http", "http+projections")


def run(context: Context, report: Report) -> None:
    scale = context.scale
    runs: dict[tuple[str, int], list[Run]] = {
        (path, clients): [] for path in PATHS for clients in CLIENTS
    }
    with (
        context.database("commands") as http_url,
        context.database("commands_projecting") as projecting_url,
        context.database("commands_inproc") as local_url,
    ):
        _migrate(http_url)
        with (
            Server(http_url, FLYWHEEL_RUN_PROJECTIONS="false") as server,
            Server(projecting_url) as projecting,
        ):
            app = InProcess(local_url)
            try:
                for repeat in range(scale.repeats):
                    for clients in CLIENTS:
                        local = in_process(app, clients, scale.seconds)
                        remote = over_http(server, clients, scale.seconds)
                        busy = over_http(projecting, clients, scale.seconds)
                        runs["in-process", clients].append(local)
                        runs["http", clients].append(remote)
                        runs["http+projections", clients].append(busy)
                        note(
                            f"repeat {repeat + 1}/{scale.repeats}, {clients} client(s): "
                            f"in-process {local.rate:.0f}/s, HTTP {remote.rate:.0f}/s, "
                            f"HTTP with the runner in serve {busy.rate:.0f}/s; CPU ms a "
                            f"command (client/server/PostgreSQL): in-process {_cpu(local)}, "
                            f"HTTP {_cpu(remote)}, with the runner {_cpu(busy)}"
                        )
            finally:
                app.close()
    for clients in CLIENTS:
        baseline = runs["in-process", clients]
        _report(report, clients, baseline, runs["http", clients])
        _report_projecting(report, clients, baseline, runs["http+projections", clients])


def _migrate(url: str) -> None:
    """Create the event store and the views, as `flywheel migrate` does once per release."""
    with Server.scratch() as data_dir:
        subprocess.run(
            [FLYWHEEL, "migrate"],
            env=flywheel_env(url, data_dir),
            check=True,
            capture_output=True,
        )


def _cpu(run: Run) -> str:
    return "/".join(f"{ms:.2f}" for ms in run.cpu_ms_per_command().values())


def _cpu_detail(prefix: str, runs: list[Run]) -> dict[str, float | int | str]:
    """Median CPU ms a command, by side: where a CPU-bound rate's time goes."""
    sides = runs[0].cpu_ms_per_command().keys()
    return {
        f"{prefix}_cpu_ms_{side}": round(median(r.cpu_ms_per_command()[side] for r in runs), 3)
        for side in sides
    }


def _clients(clients: int) -> str:
    return f"{clients} client" + ("s" if clients > 1 else "")


def _rate(
    name: str, local: list[Run], remote: list[Run], detail: dict[str, float | int | str]
) -> Figure:
    """The rate of ``remote`` runs against the in-process ``local`` ones."""
    return Figure(
        name,
        median(r.rate for r in remote),
        "commands/s",
        baseline=median(r.rate for r in local),
        baseline_name="in-process",
        runs=len(remote),
        detail=detail,
    )


def _report_projecting(report: Report, clients: int, local: list[Run], busy: list[Run]) -> None:
    detail: dict[str, float | int | str] = {
        "p50_ms": round(median(r.latency_ms(0.5) for r in busy), 2),
        "p99_ms": round(median(r.latency_ms(0.99) for r in busy), 2),
        **_cpu_detail("http", busy),
        **_cpu_detail("in_process", local),
    }
    name = f"commands: rate over HTTP with the runner in serve, {_clients(clients)}"
    rate = _rate(name, local, busy, detail)
    rate.goal = at_least(GOAL_RATE_RATIO_WITH_RUNNER)
    report.add(rate)


def _report(report: Report, clients: int, local: list[Run], remote: list[Run]) -> None:
    who = _clients(clients)
    detail: dict[str, float | int | str] = {
        "commands_http": sum(len(r.latencies) for r in remote),
        "commands_in_process": sum(len(r.latencies) for r in local),
        "rates_http": " ".join(f"{r.rate:.0f}" for r in remote),
        "rates_in_process": " ".join(f"{r.rate:.0f}" for r in local),
        **_cpu_detail("http", remote),
        **_cpu_detail("in_process", local),
    }
    rate = _rate(f"commands: rate over HTTP, {who}", local, remote, detail)
    rate.goal = at_least(GOAL_RATE_RATIO)
    report.add(rate)
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        report.add(
            Figure(
                f"commands: {label} latency over HTTP, {who}",
                median(r.latency_ms(fraction) for r in remote),
                "ms",
                baseline=median(r.latency_ms(fraction) for r in local),
                baseline_name="in-process",
                runs=len(remote),
            )
        )
