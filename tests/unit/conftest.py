from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.provenance import Provenance, acting_as


@pytest.fixture(autouse=True)
def actor() -> Iterator[Provenance]:
    """Domain commands run on behalf of someone; unit tests act as the CEO."""
    with acting_as("ceo@example.com", "test-correlation") as provenance:
        yield provenance
