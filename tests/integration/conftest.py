from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.runtime import Runtime
from services.settings import Settings, load_settings


def settings_for(database_url: str, tmp_path: Path, **overrides: str) -> Settings:
    """Settings on the test's database and data dir, with ``overrides`` by variable name."""
    return load_settings(
        {
            "DATABASE_URL": database_url,
            "FLYWHEEL_DATA_DIR": str(tmp_path / "data"),
            "FLYWHEEL_POOL_SIZE": "4",
            **overrides,
        }
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return settings_for(database_url, tmp_path)


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """The write side on a fresh database; the read side is not started."""
    opened = Runtime.open(settings)
    yield opened
    opened.close()


@pytest.fixture
async def serving(runtime: Runtime) -> AsyncIterator[Runtime]:
    """The runtime with its projection runner, views watcher and read pool running."""
    await runtime.start()
    yield runtime
    await runtime.stop()
