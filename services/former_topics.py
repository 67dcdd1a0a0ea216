"""Where moved domain classes used to live, so that the log still reads.

The event store names each event, aggregate and snapshot by its topic (module
path and class name), and each domain enum's transcoding by the enum's module
path. Logs written before the areas became subpackages hold the old module
paths; every class those modules defined is registered under its old topic
(``eventsourcing.utils.register_topic``), and every enum under its old
transcoding name (:func:`former_enum_names`). A module that moves again adds its
old path here.
"""

from __future__ import annotations

import inspect
from enum import Enum
from types import ModuleType

from eventsourcing.utils import register_topic

from domain.allocation import cycle, refusals, resources
from domain.org import chart, team
from domain.people import person, values

# Old module path -> the module that holds its classes now.
FORMER_MODULES: dict[str, ModuleType] = {
    "domain.teams": team,
    "domain.org_chart": chart,
    "domain.allocation": cycle,
    "domain.allocation_rules": refusals,
    "domain.resources": resources,
    "domain.person": person,
    "domain.people": values,
}


def _own_classes(module: ModuleType) -> list[type]:
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj) and obj.__module__ == module.__name__
    ]


def register_former_topics() -> None:
    """Each moved class under its old topic; nested event classes resolve through
    their aggregate (``domain.teams:Team.Chartered`` finds ``Team``, then
    ``Chartered``). Registering whole module paths instead would capture the new
    packages' own topics (``domain.allocation.cycle:...``)."""
    for old, module in FORMER_MODULES.items():
        for cls in _own_classes(module):
            register_topic(f"{old}:{cls.__qualname__}", cls)


def former_enum_names() -> dict[str, type[Enum]]:
    """The transcoding name each moved enum was stored under (``enum:domain.people.Function``)."""
    return {
        f"enum:{old}.{cls.__qualname__}": cls
        for old, module in FORMER_MODULES.items()
        for cls in _own_classes(module)
        if issubclass(cls, Enum)
    }


register_former_topics()
