"""A field that names a person answers a ``Person``, never a bare handle.

``Person`` lives in ``services.org.graphql``, which imports most areas' modules (for
``Team.goals``, ``Team.metrics``, ``Person.history``...), so those modules name it
lazily and build it here, at the position of the object that holds the field: a
past read's people are read as of the same moment as the rest of the answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

if TYPE_CHECKING:
    from services.org.graphql import Person

LazyPerson = Annotated["Person", strawberry.lazy("services.org.graphql")]


def person_at(handle: str, at: int | None) -> Person:
    """The person with ``handle``, read as of ``at`` like the object naming them."""
    from services.org.graphql import Person

    return Person(key=handle, at=at)


def person_at_or_none(handle: str | None, at: int | None) -> Person | None:
    """``person`` for a field that may name nobody."""
    return None if handle is None else person_at(handle, at)
