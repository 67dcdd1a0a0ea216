"""The base of every object read from a view: ``ViewNode``.

A node is one entity read as of one log position: ``key`` is its key (an aggregate
id, or a person's handle) and ``at`` the position it was read at (``None`` for the
current state). Its relations are read as of the same ``at``, so an answer
describes one moment.

**Ids name the snapshot.** The current object has the plain global id,
``base64("Team:<key>")``; an object read at a past position has an id of its own,
``base64("Team:<key> at <position>")`` (see :func:`services.ids.snapshot_key`), and
``node(id:)`` with that id answers the same snapshot. So a normalised client cache
(Apollo's ``InMemoryCache``, Relay's store) keeps last year's team beside today's
instead of overwriting one with the other, and every id stays refetchable.

To make an area's type a node::

    @strawberry.type(description="...")
    class Goal(AggregateNode, Recorded):
        COLUMNS: ClassVar = {"last_check_in": "last_check_in_at"}  # only renamed ones
        plan_year: int = strawberry.field(description="...")
        team_id: strawberry.Private[UUID]

        @classmethod
        def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
            return load.goals.goal

and list the type in its area's ``node_types``. ``from_row`` (each dataclass field
from the row's column of the same name, enums and floats converted), ``find`` (for
``node(id:)``), ``get``, ``uuid`` and the position-aware ``id`` come with the base.
A type whose row needs more than renames overrides ``from_row``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Optional, Self
from uuid import UUID

import strawberry
from strawberry import relay

from services.graphql.common import FlywheelInfo, context
from services.graphql.rows import Maker, maker, steps_of
from services.ids import snapshot_key

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader


@strawberry.type
class ViewNode(relay.Node):
    """A node read from a view as of a position: see the module's docstring."""

    key: relay.NodeID[str]
    at: strawberry.Private[int | None]

    # Field name -> column name, for the fields whose column is named otherwise.
    COLUMNS: ClassVar[dict[str, str]] = {}
    # The column holding the key.
    KEY_COLUMN: ClassVar[str] = "id"
    _makers: ClassVar[dict[type, Maker]] = {}

    @classmethod
    def resolve_id(cls, root: Self, *, info: Any) -> str:  # type: ignore[override]
        return snapshot_key(root.key, root.at)

    @classmethod
    def from_row(cls, row: Any, at: int | None) -> Self:
        """The node a view row describes, read at ``at`` (made as ``services.graphql.rows``
        makes objects from rows, compiled once per type)."""
        make = ViewNode._makers.get(cls)
        if make is None:
            steps = steps_of(cls, cls.COLUMNS, ("key", "at"))
            make = maker(cls, steps, key=f"str(row[{cls.KEY_COLUMN!r}])", at="at")
            ViewNode._makers[cls] = make
        return make(row, at)  # type: ignore[no-any-return]

    @classmethod
    def from_rows(cls, rows: Iterable[Any], at: int | None) -> list[Self]:
        """``from_row`` of each row."""
        return [cls.from_row(row, at) for row in rows]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        """The request's DataLoader of this type's rows by key."""
        raise NotImplementedError(f"{cls.__name__} names no loader")

    @classmethod
    def parse_key(cls, key: str) -> Any:
        """The loader's key for a global id's key; ``ValueError`` if it is none."""
        return key

    @classmethod
    async def find(cls, info: FlywheelInfo, key: str, at: int | None) -> Self | None:
        """The node with this key as of ``at``; ``None`` if there was none then."""
        try:
            parsed = cls.parse_key(key)
        except ValueError:
            return None
        row = await cls.loader(context(info).load).load(parsed, at)
        return None if row is None else cls.from_row(row, at)

    @classmethod
    async def get(cls, info: FlywheelInfo, key: Any, at: int | None) -> Self:
        """A node known to exist at ``at`` (a relation's other end)."""
        row = await cls.loader(context(info).load).load(key, at)
        return cls.from_row(row, at)

    @classmethod
    async def find_all(cls, info: FlywheelInfo, keys: Iterable[Any], at: int | None) -> list[Self]:
        """The nodes with these keys as of ``at``, in the order named, leaving out any
        there was none of then; loaded together (one query for the tick's resolvers)."""
        loader = cls.loader(context(info).load)
        rows = await asyncio.gather(*(loader.load(key, at) for key in keys))
        return [cls.from_row(row, at) for row in rows if row is not None]


@strawberry.type
class UuidNode(ViewNode):
    """A node whose key is a UUID, which places its ``uuid`` field among its own and
    describes it: ``uuid = uuid_field("standard")``."""

    @classmethod
    def parse_key(cls, key: str) -> Any:
        return UUID(key)


def uuid_field(noun: str) -> Any:
    """The field ``uuid`` of a ``UuidNode``: "The <noun>'s id as a UUID..."."""

    def uuid(root: ViewNode) -> UUID:
        return UUID(root.key)

    return strawberry.field(
        resolver=uuid, description=f"The {noun}'s id as a UUID, as the REST API uses it."
    )


@strawberry.type
class AggregateNode(UuidNode):
    """A node whose key is an aggregate's UUID, its ``uuid`` field right after ``id``."""

    @strawberry.field(description="The object's id as a UUID, as the REST API uses it.")
    def uuid(self) -> UUID:
        return UUID(self.key)


def node_by_id(node_type: type[UuidNode], description: str, noun: str | None = None) -> Any:
    """A root field reading one ``node_type`` by id (a UUID or global id), now or as of
    ``asOf``/``atPosition``: ``team = node_by_id(Team, "A team by its id.", "team")``.
    Without a ``noun`` the argument is "the object's" id."""
    from services.graphql.common import AsOf, AtPosition, resolve_at, uuid_of

    type_name = node_type.__name__

    async def resolve(
        info: FlywheelInfo, id: str, as_of: Any = None, at_position: Any = None
    ) -> Any:
        at = await resolve_at(info, as_of, at_position)
        return await node_type.find(info, str(uuid_of(id, type_name)), at)

    resolve.__annotations__ = {
        "info": FlywheelInfo,
        "id": Annotated[
            strawberry.ID,
            strawberry.argument(description=f"The {noun or 'object'}'s global id or UUID."),
        ],
        "as_of": AsOf,
        "at_position": AtPosition,
        "return": Optional[node_type],  # noqa: UP045 - evaluated at run time
    }
    return strawberry.field(resolver=resolve, description=description)
