"""Code generation: a function, compiled from generated source, completing the
values of one planned selection, with scalars and enums serialised inline."""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable
from enum import Enum
from types import CodeType
from typing import Any

from graphql import GraphQLEnumType, GraphQLLeafType, GraphQLObjectType
from graphql.pyutils import Undefined
from strawberry.schema.types.base_scalars import isoformat

from services.graphql.executor.plans import Getter

Completer = Callable[[Any], Any]


class NotAsPlanned(Exception):
    """A compiled completion met a value that graphql-core must complete."""


# Values of these scalars that graphql-core would serialise unchanged, by class:
# strings as String and ID, booleans as Boolean, and 32-bit integers as Int.
UNCHANGED = {"String": "str", "ID": "str", "Boolean": "bool"}
INT_RANGE = "-2147483648 <= v <= 2147483647"
# Finite floats, which graphql-core serialises as they are (others raise or convert).
FLOAT = "v if v.__class__ is float and isfinite(v) else {serialise}(v)"
# strawberry's DateTime and Date serialise their own class by ``isoformat()``.
ISOFORMAT = {"DateTime": dt.datetime, "Date": dt.date}


def _checked(coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def serialise(value: Any) -> Any:
        if value is Undefined:
            raise NotAsPlanned
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise NotAsPlanned
        return coerced

    return serialise


def _leaf_expression(leaf: GraphQLLeafType, index: int, namespace: dict[str, Any]) -> str:
    """An expression serialising ``v`` (not None) as graphql-core would; ``c{index}``
    is the leaf's own (checked) serialiser."""
    serialise = f"c{index}"
    if leaf.name in UNCHANGED:
        return f"v if v.__class__ is {UNCHANGED[leaf.name]} else {serialise}(v)"
    if leaf.name == "Int":
        return f"v if v.__class__ is int and {INT_RANGE} else {serialise}(v)"
    if leaf.name == "Float":
        namespace["isfinite"] = math.isfinite
        return FLOAT.format(serialise=serialise)
    if leaf.name in ISOFORMAT and leaf.coerce_output_value is isoformat:
        namespace[f"t{index}"] = ISOFORMAT[leaf.name]
        return f"v.isoformat() if v.__class__ is t{index} else {serialise}(v)"
    wrapped: Any = getattr(leaf, "wrapped_cls", None)
    enum = isinstance(wrapped, type) and issubclass(wrapped, Enum)
    if isinstance(leaf, GraphQLEnumType) and enum:
        # strawberry's enums answer a member's name by searching the values in order.
        # Members are looked up by identity: an Enum's hash is a Python call, and the
        # members live as long as their class, so their ids are theirs.
        namespace[f"e{index}"] = {
            id(member): name
            for name, value in reversed(leaf.values.items())
            for member in wrapped
            if member.value == value.value
        }
        return f"e{index}.get(id(v)) or {serialise}(v)"
    return f"{serialise}(v)"


class Entry:
    """One field of a compiled object: where its value comes from and how it is
    completed (``__typename`` has no getter; a leaf is serialised inline)."""

    __slots__ = ("complete", "getter", "leaf", "name", "non_null")

    def __init__(
        self,
        name: str,
        getter: Getter | None,
        *,
        leaf: GraphQLLeafType | None = None,
        non_null: bool = False,
        complete: Completer | None = None,
    ) -> None:
        self.name = name
        self.getter = getter
        self.leaf = leaf
        self.non_null = non_null
        self.complete = complete


def object_of(object_type: GraphQLObjectType, entries: list[Entry], non_null: bool) -> Completer:
    """A function completing one value of ``object_type``: generated source, one
    statement per field, so a list of a thousand objects costs a thousand calls."""
    namespace: dict[str, Any] = {
        "NotAsPlanned": NotAsPlanned,
        # strawberry's is_type_of is an isinstance check that never reads its info
        "is_type_of": object_type.is_type_of,
    }
    lines = ["def complete(value):"]
    lines.append("    if value is None:")
    lines.append("        raise NotAsPlanned" if non_null else "        return None")
    if object_type.is_type_of is not None:
        lines.append("    if not is_type_of(value, None):")
        lines.append("        raise NotAsPlanned")
    for index, entry in enumerate(entries):
        getter, result = f"g{index}", f"r{index}"
        namespace[getter] = entry.getter
        if entry.getter is None:
            namespace[result] = object_type.name
            continue
        if entry.leaf is None:
            namespace[f"s{index}"] = entry.complete
            lines.append(f"    {result} = s{index}({getter}(value))")
            continue
        namespace[f"c{index}"] = _checked(entry.leaf.coerce_output_value)
        expression = _leaf_expression(entry.leaf, index, namespace)
        lines.append(f"    v = {getter}(value)")
        if entry.non_null:
            lines.append("    if v is None:")
            lines.append("        raise NotAsPlanned")
            lines.append(f"    {result} = {expression}")
        else:
            lines.append(f"    {result} = None if v is None else ({expression})")
    pairs = ", ".join(f"{entry.name!r}: r{index}" for index, entry in enumerate(entries))
    lines.append(f"    return {{{pairs}}}")
    exec(_code("\n".join(lines)), namespace)  # noqa: S102 - source built above from schema names
    # Out of its own globals: a function its namespace holds is a reference cycle,
    # one per selection and request, left to the cycle collector.
    complete: Completer = namespace.pop("complete")
    return complete


@functools.lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """Compiled once per shape of selection (the names live in the namespace)."""
    return compile(source, "<compiled selection>", "exec")


def leaf_completer(leaf: GraphQLLeafType, non_null: bool) -> Completer:
    serialise = _checked(leaf.coerce_output_value)

    def complete_leaf(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotAsPlanned
            return None
        return serialise(value)

    return complete_leaf


def list_of(item: Completer, non_null: bool) -> Completer:
    def complete_list(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotAsPlanned
            return None
        if not isinstance(value, list | tuple):
            raise NotAsPlanned
        return [item(element) for element in value]

    return complete_list
