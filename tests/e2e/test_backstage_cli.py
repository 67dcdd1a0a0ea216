"""``flywheel import backstage PATH`` and ``flywheel export backstage --out FILE`` on a
real database, with a catalog of several files joined by a Location."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml

from tests.backstage.backstage_model import check_with_backstage
from tests.backstage.catalogs import FILES, write_catalog
from tests.e2e.conftest import FLYWHEEL, FlywheelServer

pytestmark = pytest.mark.slow


def flywheel(server: FlywheelServer, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLYWHEEL, *args], env=server.env, capture_output=True, text=True, timeout=180
    )


def test_a_broken_catalog_then_fixed_then_again_then_exported(
    server: FlywheelServer, leadership: str, tmp_path: Path
) -> None:
    files = dict(FILES)
    files["org/groups.yaml"] = files["org/groups.yaml"].replace(
        "    flywheel.dev/leader: dave@example.com\n", ""
    )
    files["systems/payments.yaml"] = files["systems/payments.yaml"].replace(
        "owner: group:ledger", "owner: group:billing"
    )
    root = write_catalog(tmp_path / "broken", files)
    refused = flywheel(server, "import", "backstage", str(root))
    assert refused.returncode != 0
    assert "ledger" in refused.stderr and "no leader" in refused.stderr
    assert "billing" in refused.stderr and "dangling" in refused.stderr
    assert str(tmp_path / "broken" / "org" / "groups.yaml") in refused.stderr

    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("leaders:\n  group:default/ledger: dave@example.com\n")
    files["systems/payments.yaml"] = FILES["systems/payments.yaml"]
    fixed = write_catalog(tmp_path / "fixed", files)
    dry = flywheel(
        server, "import", "backstage", str(fixed), "--mapping", str(mapping), "--dry-run"
    )
    assert dry.returncode == 0, dry.stderr
    assert "charter team 'ledger' led by dave@example.com" in dry.stdout
    assert "note:" in dry.stdout and "System is not imported" in dry.stdout
    assert "nothing recorded" in dry.stdout

    done = flywheel(server, "import", "backstage", str(fixed), "--mapping", str(mapping))
    assert done.returncode == 0, done.stderr
    match = re.search(r"up to log position (\d+)", done.stdout)
    assert match is not None, done.stdout
    position = int(match.group(1))

    again = flywheel(server, "import", "backstage", str(fixed), "--mapping", str(mapping))
    assert again.returncode == 0 and "nothing recorded" in again.stdout

    over_http = httpx.get(
        f"{server.url}/api/v1/exports/backstage",
        headers={"Authorization": f"Bearer {leadership}", "X-Flywheel-Position": str(position)},
        timeout=30,
    )
    assert int(over_http.headers["x-flywheel-position"]) >= position
    out = tmp_path / "exported.yaml"
    exported = flywheel(server, "export", "backstage", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert out.read_text() == over_http.text
    entities = list(yaml.safe_load_all(out.read_text()))
    verdict = check_with_backstage(entities)
    assert len(verdict["entities"]) == len(entities) > 10
    assert all(entity["valid"] for entity in verdict["entities"]), verdict
