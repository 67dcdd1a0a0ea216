"""The benchmark suite's smoke mode runs in CI: every benchmark runs at its smallest
size and reports its figures beside a same-run baseline, and the run ends with one
line of JSON. The figures themselves are not judged here (at that size and on a
shared CI machine they mean nothing); `--quick` and full runs measure, and their
figures live in docs/PERFORMANCE.md."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def runnable_benchmarks() -> list[str]:
    """Every benchmark, but PostGraphile's where there is no npm to install it (said)."""
    if shutil.which("npm") is not None:
        return list(BENCHMARKS)
    warnings.warn("bench/postgraphile.py not run: it needs Node.js and npm", stacklevel=2)
    return [name for name in BENCHMARKS if name != "postgraphile"]


@pytest.mark.timeout(900)
def test_the_benchmarks_report_every_figure_with_its_baseline(postgres_server: str) -> None:
    benchmarks = runnable_benchmarks()
    command = [sys.executable, "-m", "bench", "--smoke", "--database-url", postgres_server]
    done = subprocess.run(
        [*command, "--only", *benchmarks],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=840,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])

    assert summary["mode"] == "smoke"
    assert summary["errors"] == {}
    figures = summary["figures"]
    assert {figure["benchmark"] for figure in figures} == set(benchmarks)
    for figure in figures:
        assert figure["value"] >= 0, figure
        assert figure["baseline"] is not None, f"{figure['name']} has no same-run baseline"
        if figure["goal"] is not None:
            assert figure["goal_met"] in (True, False), figure
        if figure["baseline"]:
            assert figure["ratio"] == pytest.approx(figure["value"] / figure["baseline"], rel=1e-3)
    assert summary["goals_missed"] == [f["name"] for f in figures if f["goal_met"] is False]
    commands = [f for f in figures if f["name"].startswith("commands: rate over HTTP")]
    assert len(commands) == 4
    for figure in commands:
        detail = figure["detail"]
        assert detail["http_cpu_ms_client"] > 0, figure
        assert detail["http_cpu_ms_server"] > 0, figure
        assert detail["in_process_cpu_ms_client"] > 0, figure
        assert detail["in_process_cpu_ms_server"] == 0, figure
