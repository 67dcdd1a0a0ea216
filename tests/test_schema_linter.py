"""schema.graphql passes graphql-schema-linter's description rules, as planning tools'
teams would check it (issue 20): every type, field, argument, enum value and input
field is described, and descriptions start with a capital letter.

The test installs ``graphql-schema-linter`` (pinned) with npm into a temporary
folder (needs the npm registry) and runs it on Node 20; without npm or the registry
it is skipped, saying why. tests/unit/test_graphql_schema_rules.py checks the same
rules, and more, without Node.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCHEMA = Path(__file__).resolve().parent.parent / "schema.graphql"
LINTER = "graphql-schema-linter@3.0.1"
RULES = (
    "types-have-descriptions",
    "fields-have-descriptions",
    "arguments-have-descriptions",
    "enum-values-have-descriptions",
    "input-object-values-have-descriptions",
    "descriptions-are-capitalized",
)


@pytest.fixture(scope="module")
def linter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("Node and npm are needed to run graphql-schema-linter")
    folder = tmp_path_factory.mktemp("linter")
    (folder / "package.json").write_text('{"name": "schema-lint", "private": true}')
    try:
        subprocess.run(
            [npm, "install", "--no-save", "--no-audit", "--no-fund", LINTER, "graphql@16"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as failure:
        pytest.skip(f"npm could not install {LINTER} (no registry?): {failure}")
    return folder / "node_modules" / ".bin" / "graphql-schema-linter"


def lint(linter: Path, schema: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(linter), "--rules", ",".join(RULES), "--format", "compact", str(schema)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_schema_passes_the_description_rules(linter: Path) -> None:
    done = lint(linter, SCHEMA)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_linter_finds_a_field_without_a_description(linter: Path, tmp_path: Path) -> None:
    """The check can fail: the same schema with one description taken out does."""
    text = SCHEMA.read_text()
    described = '  """The person\'s handle, e.g. alice@example.com."""\n'
    assert described in text
    broken = tmp_path / "schema.graphql"
    broken.write_text(text.replace(described, "", 1))
    done = lint(linter, broken)
    assert done.returncode != 0
    assert "fields-have-descriptions" in done.stdout
