"""An area's enums in GraphQL: registered and described in one call."""

from __future__ import annotations

from enum import Enum

import strawberry

from services.graphql.common import describe_values


def graphql_enum(
    enum: type[Enum], *, description: str, name: str | None = None, **values: str
) -> None:
    """Registers ``enum`` as a GraphQL enum (named ``name`` if given, else as the class)
    with its description, and describes each value by member name (every one)."""
    strawberry.enum(enum, name=name, description=description)
    describe_values(enum, **values)
