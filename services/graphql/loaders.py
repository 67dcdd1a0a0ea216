"""The request's DataLoaders: one group per area, assembled from the registry.

Resolvers read ``context(info).load.<area>.<loader>`` (``load.org.team``); each
group is built by its area (``services/<area>/loaders.py``) over the request's
read snapshot, so batching stays per request. A group is built when the request
first reads from it: most requests read one or two areas, and building every
area's loaders for each request cost a trivial read about a tenth of its CPU.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections.reading import ReadSession
from services.registry import AREAS

GROUPS: dict[str, Callable[[ReadSession], Any]] = {
    area.name: area.loaders for area in AREAS if area.loaders is not None
}


class Loaders:
    def __init__(self, session: ReadSession) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        """The area's group, built on first use and kept for the rest of the request."""
        build = GROUPS.get(name)
        if build is None:
            raise AttributeError(name)
        group = build(self._session)
        setattr(self, name, group)
        return group
