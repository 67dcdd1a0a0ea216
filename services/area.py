"""What one area of Flywheel contributes, declared in one place.

An area (org, boundaries, metrics, ...) has its modules in each layer:
``domain/<area>``, ``projections/<area>``, ``services/<area>``. Its
``services/<area>/area.py`` declares an :class:`Area`, and
``services/registry.py`` lists it once; the application, the runtime, the HTTP
app, the request's loaders and the GraphQL schema are assembled from that list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from eventsourcing.domain import Aggregate
from litestar import Controller

from projections.projector import Projector
from projections.reading import ReadSession
from services.commands import CommandBus


@dataclass(frozen=True)
class Area:
    """An area's parts; every part but the name is optional.

    - ``aggregates``: the aggregate classes its commands save (each is snapshotted;
      an aggregate several areas save, like ``Claim``, may be listed by each).
    - ``commands``: builds its command handler on the bus; the runtime holds it as
      ``runtime.<name>`` and controllers are given it as the ``<name>`` dependency.
    - ``controllers``: its REST controllers.
    - ``projector``: its projector; the registry hands every area's projector to
      the views (``services.registry.VIEWS``), which the projection runner runs.
    - ``loaders``: builds its group of DataLoaders for one request, read in
      resolvers as ``context(info).load.<name>.<loader>``.
    - ``queries``: its fields of the root ``Query``, in schema order.
    - ``node_types``: its ``relay.Node`` types, found by ``node(id:)``.
    - ``subscriptions``: its fields of the root ``Subscription``, in schema order.
    """

    name: str
    aggregates: tuple[type[Aggregate], ...] = ()
    commands: Callable[[CommandBus], object] | None = None
    controllers: tuple[type[Controller], ...] = ()
    projector: Projector | None = None
    loaders: Callable[[ReadSession], object] | None = None
    queries: tuple[type, ...] = ()
    node_types: tuple[type, ...] = ()
    subscriptions: tuple[type, ...] = ()
