"""The request's DataLoaders: one group per area, assembled from the registry.

Resolvers read ``context(info).load.<area>.<loader>`` (``load.org.team``); each
group is built by its area (``services/<area>/loaders.py``) over the request's
read snapshot, so batching stays per request.
"""

from __future__ import annotations

from typing import Any

from projections.reading import ReadSession
from services.registry import AREAS


class Loaders:
    def __init__(self, session: ReadSession) -> None:
        for area in AREAS:
            if area.loaders is not None:
                setattr(self, area.name, area.loaders(session))

    def __getattr__(self, name: str) -> Any:
        """For type checkers: each area's group is set in ``__init__``."""
        raise AttributeError(name)
