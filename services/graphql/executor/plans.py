"""Plans: how each schema field can be resolved without graphql-core's general
machinery, worked out once per field and kept as long as the schema lives."""

from __future__ import annotations

import base64
import operator
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from strawberry import relay
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

from services.graphql.nodes import ViewNode
from services.ids import snapshot_key

Getter = Callable[[Any], Any]


class FieldPlan:
    """How to resolve one schema field directly: its getter and, for a scalar or
    an enum, the leaf type that serialises the value."""

    __slots__ = ("getter", "leaf", "non_null")

    def __init__(self, getter: Getter, return_type: GraphQLOutputType) -> None:
        self.getter = getter
        self.non_null = isinstance(return_type, GraphQLNonNull)
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        self.leaf: GraphQLLeafType | None = named if is_leaf_type(named) else None


class ResolverPlan:
    """How to call a field's own resolver directly: the function, the strawberry
    field its ``info`` names, and the name of its ``info`` parameter, if any."""

    __slots__ = ("field", "func", "info_name")

    def __init__(self, field: StrawberryField, func: Callable[..., Any], info_name: str | None):
        self.field = field
        self.func = func
        self.info_name = info_name


_PLANS: dict[int, tuple[GraphQLField, FieldPlan | None]] = {}
_RESOLVERS: dict[int, tuple[GraphQLField, ResolverPlan | None]] = {}


def resolver_plan_of(field: GraphQLField) -> ResolverPlan | None:
    """A direct call of the field's resolver when strawberry would only convert its
    arguments and call it: a method of the type, without extensions or permissions."""
    found = _RESOLVERS.get(id(field))
    if found is not None and found[0] is field:
        return found[1]
    plan = None
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        isinstance(definition, StrawberryField)
        and not definition.extensions
        and not definition.permission_classes
        and definition.base_resolver is not None
        # A subscription field's resolver makes the source stream; each event is
        # the field's value, which strawberry's own resolve passes through.
        and not definition.is_subscription
    ):
        resolver = definition.base_resolver
        func = resolver.wrapped_func
        if (
            callable(func)
            and resolver.self_parameter is not None
            and resolver.root_parameter is None
            and resolver.parent_parameter is None
        ):
            info = resolver.info_parameter
            plan = ResolverPlan(definition, func, None if info is None else info.name)
    _RESOLVERS[id(field)] = (field, plan)
    return plan


def plan_of(parent: GraphQLObjectType, field: GraphQLField) -> FieldPlan | None:
    """The plan of ``field`` of ``parent``, made once (schema fields live as long as
    their schema, and each entry keeps its field alive, so ids are not reused)."""
    found = _PLANS.get(id(field))
    if found is not None and found[0] is field:
        return found[1]
    getter = _getter(parent, field)
    plan = None if getter is None else FieldPlan(getter, field.type)
    _PLANS[id(field)] = (field, plan)
    return plan


def _getter(parent: GraphQLObjectType, field: GraphQLField) -> Getter | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField) or definition.extensions:
        return None
    if definition.permission_classes or field.args:
        return None
    resolver = definition.base_resolver
    if resolver is None:
        if getattr(field.resolve, "_is_default", False):
            return operator.attrgetter(definition.python_name)
        return None
    if definition.python_name == "_id" and definition.origin is relay.Node:
        return _global_id_getter(parent)
    plain = (
        not resolver.is_async
        and resolver.self_parameter is not None
        and resolver.info_parameter is None
        and resolver.root_parameter is None
        and not resolver.arguments
        and len(resolver.signature.parameters) == 1
    )
    func = resolver.wrapped_func
    return func if plain and callable(func) else None


def _global_id_getter(parent: GraphQLObjectType) -> Getter | None:
    """Relay's ``id``: ``base64("Type:key")``, as ``relay.Node`` computes it when the
    type keeps the default ``resolve_id`` and ``resolve_typename``, or as
    ``ViewNode.resolve_id`` does (the key, and the position of a past read)."""
    definition = (parent.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type) or not issubclass(origin, relay.Node):
        return None
    node = relay.Node
    if origin.resolve_typename.__func__ is not node.resolve_typename.__func__:  # type: ignore[attr-defined]
        return None
    prefix = f"{parent.name}:"
    encode = base64.b64encode
    resolve_id = origin.resolve_id.__func__  # type: ignore[attr-defined]
    if resolve_id is ViewNode.resolve_id.__func__:  # type: ignore[attr-defined]
        # A view's node: the key, and the position when read in the past.

        def snapshot_id(source: Any) -> Any:
            if not isinstance(source, origin):
                return Undefined
            node_id = snapshot_key(source.key, source.at)  # type: ignore[attr-defined]
            return encode(f"{prefix}{node_id}".encode()).decode()

        return snapshot_id
    if resolve_id is not node.resolve_id.__func__:  # type: ignore[attr-defined]
        return None
    key = operator.attrgetter(origin.resolve_id_attr())

    def global_id(source: Any) -> Any:
        if not isinstance(source, origin):
            return Undefined
        return encode(f"{prefix}{key(source)}".encode()).decode()

    return global_id
