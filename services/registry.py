"""Every area of Flywheel, once: adding an area is its modules and one line here.

Each line names an area; its ``services/<name>/area.py`` declares the area's
parts as ``AREA`` (see :class:`~services.area.Area`). The order is the order of
the root ``Query``'s fields, of the REST paths, and of the projectors in the
views (their tables in the schema and its fingerprint, and the order an event's
handlers run in).
"""

from __future__ import annotations

from importlib import import_module

from projections.views import Views
from services.area import Area


def areas(*names: str) -> tuple[Area, ...]:
    """The areas of these names, each the ``AREA`` of ``services/<name>/area.py``."""
    found = []
    for name in names:
        area = import_module(f"services.{name}.area").AREA
        if not isinstance(area, Area) or area.name != name:
            raise TypeError(f"services/{name}/area.py must declare AREA = Area(name={name!r}, ...)")
        found.append(area)
    return tuple(found)


AREAS: tuple[Area, ...] = areas(
    "org",
    "audit",
    "boundaries",
    "metrics",
    "goals",
    "allocation",
    "people",
    "prfaqs",
    "roadmap",
    "excellence",
    "hiring",
    "wbr",
    "backstage",
    "feeds",
)

# The views every area's projector makes, in the registry's order: the projection
# runner, the migrations and the views' comparison are given this one.
VIEWS = Views(tuple(area.projector for area in AREAS if area.projector is not None))
