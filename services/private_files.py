"""Secrets kept in the data dir (the JWT secret, the audit signing key): made once,
readable by the owner only, and the same for every process that starts at once."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def kept_once(path: Path, make: Callable[[], str]) -> str:
    """The text kept at ``path``; if there is none, ``make()`` is written there first.

    Several processes starting together on one data dir (``serve`` beside ``project``)
    may all find the file missing: each writes its own file and links it into place,
    which fails if another got there first, so all of them read the one that won."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.touch(mode=0o600)
        try:
            temporary.write_text(make())
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_text().strip()
