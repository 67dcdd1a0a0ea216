"""Checks on the codebase itself: layering, types, lint, and the checked-in schema."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

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


FIRST_PARTY = {"domain", "projections", "services", "bench", "tests"}


def _imported_modules(*folders: str) -> dict[str, str]:
    """Top-level modules imported by the code under ``folders``, each with a file
    that imports it."""
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return {
        module: path
        for module, path in found.items()
        if module not in FIRST_PARTY and module not in sys.stdlib_module_names
    }


def _declared(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(requirement).name) for requirement in requirements}


def _undeclared(modules: dict[str, str], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    return [
        f"{module} (imported in {path}; from {distributions.get(module)})"
        for module, path in modules.items()
        if not declared & {canonicalize_name(d) for d in distributions.get(module, [])}
    ]


def test_every_package_imported_is_declared() -> None:
    """A package the code imports is a dependency of its own, not one that happens
    to arrive with another: the application's in ``dependencies``, the tests' and
    the benchmarks' (not installed with the application) in the ``dev`` extra."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = _declared(project["dependencies"])
    development = runtime | _declared(project["optional-dependencies"]["dev"])

    application = _imported_modules("domain", "projections", "services")
    assert not _undeclared(application, runtime)
    assert not _undeclared(_imported_modules("tests", "bench"), development)


def test_the_server_starts_without_loading_matplotlib() -> None:
    """matplotlib is about 50 MB of every process's memory: it loads with the first
    chart or timeline drawn, not when the server, a worker or the CLI starts."""
    started = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, services.cli, services.api.app, services.runtime; "
            "print(sorted(m for m in ('matplotlib', 'numpy', 'PIL') if m in sys.modules))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert started.stdout.strip() == "[]"
