"""CPU seconds spent by each side of a measurement: the client, the server, PostgreSQL.

On a machine of two cores, a rate under many clients is bounded by the CPU each
command costs all the processes on it together; these figures say where that
CPU goes. PostgreSQL's share sums every ``postgres`` process on the machine, so
it is only meaningful on a machine doing nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psutil


@dataclass
class CpuUse:
    """CPU seconds used during one measurement, by side."""

    client: float = 0.0
    server: float = 0.0
    postgres: float = 0.0

    def per_command_ms(self, commands: int) -> dict[str, float]:
        scale = 1000 / max(commands, 1)
        return {
            "client": self.client * scale,
            "server": self.server * scale,
            "postgres": self.postgres * scale,
        }


def _seconds(process: psutil.Process) -> float:
    try:
        times = process.cpu_times()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0
    return float(times.user + times.system)


def _tree_seconds(pid: int | None) -> float:
    if pid is None:
        return 0.0
    try:
        root = psutil.Process(pid)
        return _seconds(root) + sum(_seconds(child) for child in root.children(recursive=True))
    except psutil.NoSuchProcess:
        return 0.0


def _postgres() -> dict[int, float]:
    return {
        process.pid: _seconds(process)
        for process in psutil.process_iter(["name"])
        if process.info["name"] in ("postgres", "postmaster")
    }


@contextmanager
def measured(server_pid: int | None = None) -> Iterator[CpuUse]:
    """The CPU used while the block runs: this process, ``server_pid``'s tree, PostgreSQL."""
    use = CpuUse()
    client, server, postgres = time.process_time(), _tree_seconds(server_pid), _postgres()
    try:
        yield use
    finally:
        use.client = time.process_time() - client
        use.server = _tree_seconds(server_pid) - server
        after = _postgres()
        use.postgres = sum(seconds - postgres.get(pid, 0.0) for pid, seconds in after.items())
