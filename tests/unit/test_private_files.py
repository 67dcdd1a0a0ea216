"""A secret kept in the data dir is made once, even by processes starting together."""

from __future__ import annotations

import multiprocessing
import secrets
import stat
from pathlib import Path

from services.private_files import kept_once


def _keep(path: str) -> str:
    return kept_once(Path(path), lambda: secrets.token_hex(16))


def test_processes_starting_together_all_read_the_one_secret_made(tmp_path: Path) -> None:
    path = tmp_path / "data" / "secret"
    with multiprocessing.get_context("spawn").Pool(6) as pool:
        seen = pool.map(_keep, [str(path)] * 24)
    assert len(set(seen)) == 1
    assert seen[0] == path.read_text().strip()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret"], "no temporary left"


def test_a_kept_secret_is_read_not_made_again(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    first = kept_once(path, lambda: "made first")
    assert kept_once(path, lambda: "made again") == first == "made first"
