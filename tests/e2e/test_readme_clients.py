"""The README's client examples run against a real server: Python with gql, and
JavaScript with graphql-request (installed by npm into a temporary folder; skipped,
saying why, where npm is missing or cannot reach its registry)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter

README = Path(__file__).parents[2] / "README.md"
TEAMS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]  # more than two pages of two
NPM_PACKAGES = ["graphql-request@7", "graphql@16"]


def example(language: str) -> str:
    found = re.search(
        rf"<!-- example:{language} -->\n```\w+\n(.*?)```\n<!-- /example:{language} -->",
        README.read_text(),
        re.DOTALL,
    )
    assert found, f"the README has no {language} example"
    return found.group(1)


@pytest.fixture(scope="module")
def teams(server: FlywheelServer, leadership: str) -> list[str]:
    for name in TEAMS:
        charter(server, leadership, name, f"{name.lower()}@example.com")
    return sorted(TEAMS)


def run(args: list[str], server: FlywheelServer, token: str, cwd: Path) -> str:
    env = {**os.environ, "FLYWHEEL_URL": server.url, "TOKEN": token}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_pages(output: str, teams: list[str]) -> None:
    now, before = output.strip().splitlines()
    assert now.startswith("now:") and before.startswith("an hour ago:")
    assert sorted(re.findall(r"\w+", now.removeprefix("now:"))) == teams
    assert before.endswith("[]"), "an hour ago the company had no teams yet"


def test_the_python_example_pages_teams_now_and_as_of_a_time(
    server: FlywheelServer, leadership: str, teams: list[str], tmp_path: Path
) -> None:
    (tmp_path / "teams.py").write_text(example("python"))
    assert_pages(run([sys.executable, "teams.py"], server, leadership, tmp_path), teams)


def test_the_javascript_example_pages_teams_now_and_as_of_a_time(
    server: FlywheelServer, leadership: str, teams: list[str], tmp_path: Path
) -> None:
    npm, node = shutil.which("npm"), shutil.which("node")
    if npm is None or node is None:
        pytest.skip("Node and npm are not installed, so the JavaScript example cannot run")
    installed = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", *NPM_PACKAGES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        pytest.skip(f"npm could not install {NPM_PACKAGES}: {installed.stderr.strip()[-300:]}")
    (tmp_path / "teams.mjs").write_text(example("javascript"))
    assert_pages(run([node, "teams.mjs"], server, leadership, tmp_path), teams)
