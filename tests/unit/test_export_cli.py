"""`flywheel export --out` into a folder that does not exist says so, without a traceback."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from services.cli import main


def test_export_to_a_missing_folder_says_what_is_wrong(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "log.ndjson"
    result = CliRunner().invoke(main, ["export", "--out", str(out)])
    assert result.exit_code == 1
    assert f"the folder {out.parent} does not exist" in result.output
    assert "Traceback" not in result.output
    assert not out.parent.exists()
