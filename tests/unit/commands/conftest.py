from __future__ import annotations

import pytest

from tests.commands import InMemoryCommands


@pytest.fixture
def flywheel() -> InMemoryCommands:
    """The application, its command bus and every area's commands, on in-memory storage."""
    return InMemoryCommands.open()
