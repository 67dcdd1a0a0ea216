"""The benchmark's CPU meter counts this process's work, and a server's."""

from __future__ import annotations

import subprocess
import sys
import time

from bench.cpu import CpuUse, measured


def spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def test_work_in_this_process_is_the_clients() -> None:
    with measured() as use:
        spin(0.2)
    assert 0.19 <= use.client < 1.0
    assert use.server == 0


BURN_ON_REQUEST = """
import sys, time
for line in sys.stdin:
    end = time.process_time() + float(line)
    while time.process_time() < end:
        pass
    print("done", flush=True)
"""


def test_work_in_the_server_is_the_servers() -> None:
    server = subprocess.Popen(
        [sys.executable, "-c", BURN_ON_REQUEST],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdin is not None and server.stdout is not None
    try:
        with measured(server.pid) as use:
            server.stdin.write("0.3\n")
            server.stdin.flush()
            assert server.stdout.readline() == "done\n"
        assert 0.29 <= use.server < 2.0
        assert use.client < 0.2
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def test_per_command_is_milliseconds_a_command() -> None:
    use = CpuUse(client=0.5, server=1.0, postgres=0.25)
    assert use.per_command_ms(100) == {"client": 5.0, "server": 10.0, "postgres": 2.5}
    assert use.per_command_ms(0)["client"] == 500.0
