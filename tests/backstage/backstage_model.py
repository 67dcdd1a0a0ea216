"""Backstage's own catalog model (``@backstage/catalog-model`` from the npm registry),
installed once per machine into a cache, to check entities the way Backstage does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

PACKAGE = "@backstage/catalog-model@1.10.3"
SCRIPT = Path(__file__).with_name("validate.js")
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "flywheel-tests"


def installed() -> Path:
    """The folder whose node_modules holds the package (installed on first use)."""
    prefix = CACHE / PACKAGE.replace("/", "_").replace("@", "")
    if not (prefix / "node_modules" / "@backstage" / "catalog-model").exists():
        npm = shutil.which("npm")
        assert npm is not None, "npm is needed to check entities against Backstage's schemas"
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), PACKAGE],
            check=True,
            capture_output=True,
            timeout=240,
        )
    return prefix


def check_with_backstage(
    entities: list[dict[str, Any]], refs: list[tuple[str, str, str]] | None = None
) -> dict[str, Any]:
    """Backstage's verdict on each entity, and its reading of each reference."""
    node = shutil.which("node")
    assert node is not None, "node is needed to run Backstage's validators"
    prefix = installed()
    done = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps({"entities": entities, "refs": refs or []}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "NODE_PATH": str(prefix / "node_modules")},
    )
    answer: dict[str, Any] = json.loads(done.stdout)
    return answer
