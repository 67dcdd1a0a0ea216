"""Checks on the codebase itself: layering, types, lint, and the checked-in schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from services.graphql.schema import schema_sdl

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)


def test_schema_graphql_is_generated_from_the_code() -> None:
    checked_in = (ROOT / "schema.graphql").read_text()
    stale = "schema.graphql is stale: run `flywheel schema > schema.graphql`"
    assert checked_in == schema_sdl(), stale


def test_imports_point_one_way() -> None:
    done = run(str(BIN / "lint-imports"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_domain_and_projections_pass_mypy_strict() -> None:
    done = run(sys.executable, "-m", "mypy", "--strict", "domain", "projections")
    assert done.returncode == 0, done.stdout + done.stderr


def test_services_pass_mypy() -> None:
    done = run(sys.executable, "-m", "mypy", "services")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_is_clean() -> None:
    done = run(sys.executable, "-m", "ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr
