"""The benchmark suite's quick mode runs in CI: every benchmark reports its figures
beside a same-run baseline, and the run ends with one line of JSON. Goals are not
checked here (a shared CI machine is too noisy); they live in that output and in
docs/PERFORMANCE.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import BENCHMARKS

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(1500)
def test_the_quick_benchmarks_report_every_figure_with_its_baseline(postgres_server: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--database-url", postgres_server],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1400,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])

    assert summary["mode"] == "quick"
    assert summary["errors"] == {}
    figures = summary["figures"]
    assert {figure["benchmark"] for figure in figures} == set(BENCHMARKS)
    for figure in figures:
        assert figure["value"] >= 0, figure
        assert figure["baseline"] is not None, f"{figure['name']} has no same-run baseline"
        if figure["goal"] is not None:
            assert figure["goal_met"] in (True, False), figure
        if figure["baseline"]:
            assert figure["ratio"] == pytest.approx(figure["value"] / figure["baseline"], rel=1e-3)
    assert summary["goals_missed"] == [f["name"] for f in figures if f["goal_met"] is False]
