"""A GraphQL executor that resolves trivial fields without the general machinery.

Most fields of an answer are plain attributes of the objects the resolvers
built (``name``, ``status``, ``since``), relay ids, or resolvers that only read
``self`` (``nodes``, ``leader``). graphql-core and strawberry resolve each one
with a resolve-info object, an argument parse and a chain of wrappers, and
complete each object of a list through half a dozen generic steps: several
microseconds a field, most of a large answer's time.

This executor *plans* each schema field once: a field whose value a plain
getter gives (no resolver arguments, no ``info``, no field extensions or
permissions, no schema middleware) gets that getter. Then

* a planned scalar or enum field is read and serialised straight away;
* a value whose whole selection is planned (``nodes { id name status }``,
  ``leader { person { handle } since }``) is completed by a function compiled
  once per request for that selection: no resolve info, no paths, no awaits.

Whenever anything is not as planned (a null where none may be, a getter or a
serialiser failing, an unexpected type, ``@defer`` or ``@stream``), the value
takes graphql-core's own path, so errors, their paths and nulls are exactly as
graphql-core reports them.
"""

from __future__ import annotations

import base64
import functools
import operator
from collections.abc import Callable
from enum import Enum
from types import CodeType
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.execution.executor import gather_with_cancel, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from strawberry import relay
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types import Info
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

Getter = Callable[[Any], Any]
Completer = Callable[[Any], Any]

# Directives that only decide whether a field is collected; others (@defer,
# @stream) change how it is delivered and keep it on graphql-core's path.
COLLECTION_DIRECTIVES = frozenset({"include", "skip"})


class NotAsPlanned(Exception):
    """A compiled completion met a value that graphql-core must complete."""


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
    type keeps the default ``resolve_id`` and ``resolve_typename``."""
    definition = (parent.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    origin = getattr(definition, "origin", None)
    if not isinstance(origin, type) or not issubclass(origin, relay.Node):
        return None
    node = relay.Node
    if origin.resolve_id.__func__ is not node.resolve_id.__func__:  # type: ignore[attr-defined]
        return None
    if origin.resolve_typename.__func__ is not node.resolve_typename.__func__:  # type: ignore[attr-defined]
        return None
    prefix = f"{parent.name}:"
    key = operator.attrgetter(origin.resolve_id_attr())
    encode = base64.b64encode

    def global_id(source: Any) -> Any:
        if not isinstance(source, origin):
            return Undefined
        return encode(f"{prefix}{key(source)}".encode()).decode()

    return global_id


# Values of these scalars that graphql-core would serialise unchanged, by class:
# strings as String and ID, booleans as Boolean, and 32-bit integers as Int.
UNCHANGED = {"String": "str", "ID": "str", "Boolean": "bool"}
INT_RANGE = "-2147483648 <= v <= 2147483647"


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
    wrapped: Any = getattr(leaf, "wrapped_cls", None)
    enum = isinstance(wrapped, type) and issubclass(wrapped, Enum)
    if isinstance(leaf, GraphQLEnumType) and enum:
        # strawberry's enums answer a member's name by searching the values in order
        namespace[f"e{index}"] = {
            member: name
            for name, value in reversed(leaf.values.items())
            for member in wrapped
            if member.value == value.value
        }
        return f"e{index}.get(v) or {serialise}(v)"
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


def _object_of(object_type: GraphQLObjectType, entries: list[Entry], non_null: bool) -> Completer:
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
    complete: Completer = namespace["complete"]
    return complete


@functools.lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """Compiled once per shape of selection (the names live in the namespace)."""
    return compile(source, "<compiled selection>", "exec")


def _leaf_completer(leaf: GraphQLLeafType, non_null: bool) -> Completer:
    serialise = _checked(leaf.coerce_output_value)

    def complete_leaf(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotAsPlanned
            return None
        return serialise(value)

    return complete_leaf


def _list_of(item: Completer, non_null: bool) -> Completer:
    def complete_list(value: Any) -> Any:
        if value is None:
            if non_null:
                raise NotAsPlanned
            return None
        if not isinstance(value, list | tuple):
            raise NotAsPlanned
        return [item(element) for element in value]

    return complete_list


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with planned fields resolved directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._completers: dict[tuple[int, int], tuple[Any, Completer | None]] = {}
        self._arguments: dict[tuple[int, int], tuple[Any, dict[str, Any]]] = {}
        self._planning = not (self.middleware_manager and self.middleware_manager.middlewares)

    def execute_fields(  # type: ignore[override]
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        if not self._planning:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        fields = parent_type.fields
        try:
            for response_name, field_details_list in grouped_field_set.items():
                field_def = fields.get(field_details_list[0].node.name.value)
                plan = None if field_def is None else plan_of(parent_type, field_def)
                if plan is not None and plan.leaf is not None:
                    value = self._leaf(plan, source_value)
                    if value is not Undefined:
                        results[response_name] = value
                        continue
                field_path = Path(path, response_name, parent_type.name)
                if plan is not None and plan.leaf is None and field_def is not None:
                    result = self._execute_planned(
                        plan, field_def, parent_type, source_value, field_details_list, field_path
                    )
                elif field_def is not None and (resolver := resolver_plan_of(field_def)):
                    result = self._execute_resolver(
                        resolver,
                        field_def,
                        parent_type,
                        source_value,
                        field_details_list,
                        field_path,
                        position_context,
                    )
                else:
                    result = self.execute_field(
                        parent_type, source_value, field_details_list, field_path, position_context
                    )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results

        async def get_results() -> dict[str, Any]:
            if len(awaitable_fields) == 1:
                field = awaitable_fields[0]
                results[field] = await results[field]
            else:
                awaited = await gather_with_cancel(*(results[f] for f in awaitable_fields))
                results.update(zip(awaitable_fields, awaited, strict=True))
            return results

        return get_results()

    def complete_value(  # type: ignore[override]
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """A compiled completion when the whole selection is planned, else graphql-core's."""
        if self._planning and not isinstance(result, Exception):
            complete = self._completer(return_type, field_details_list)
            if complete is not None:
                try:
                    return complete(result)
                except Exception:  # noqa: S110 - graphql-core completes it again and reports
                    pass
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _execute_planned(
        self,
        plan: FieldPlan,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
    ) -> Any:
        """``execute_field`` for a planned object or list field: the getter instead of
        the resolver chain, then the completion and graphql-core's error handling."""
        return_type = field_def.type
        try:
            result = plan.getter(source)
            complete = self._completer(return_type, field_details_list)
            if complete is not None:
                try:
                    return complete(result)
                except Exception:  # noqa: S110 - graphql-core completes it again and reports
                    pass
            info = self.build_resolve_info(
                field_def, to_nodes(field_details_list), parent_type, path
            )
            completed = super().complete_value(
                return_type, field_details_list, info, path, result, None
            )
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    def _execute_resolver(
        self,
        plan: ResolverPlan,
        field_def: GraphQLField,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        """``execute_field`` calling the resolver itself, with its arguments converted
        once per request and field node (they are the same for every parent)."""
        details = field_details_list[0]
        arguments = self._converted_arguments(plan, field_def, details)
        if arguments is None:
            return self.execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        return_type = field_def.type
        info = self.build_resolve_info(field_def, to_nodes(field_details_list), parent_type, path)
        try:
            kwargs = dict(arguments)
            if plan.info_name is not None:
                kwargs[plan.info_name] = Info(_raw_info=info, _field=plan.field)
            result = plan.func(source, **kwargs)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type, field_details_list, info, path, result, position_context
                )
            completed = self.complete_value(
                return_type, field_details_list, info, path, result, position_context
            )
            if self.is_awaitable(completed):
                return self._await_completed(completed, return_type, field_details_list, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None
        return completed

    def _converted_arguments(
        self, plan: ResolverPlan, field_def: GraphQLField, details: Any
    ) -> dict[str, Any] | None:
        """The resolver's keyword arguments for this field node, or None to leave the
        field to strawberry (fragment arguments, or arguments that do not convert)."""
        if details.fragment_variable_values is not None:
            return None
        node = details.node
        key = (id(field_def), id(node))
        found = self._arguments.get(key)
        if found is not None:
            return found[1]
        try:
            raw = get_argument_values(
                field_def, node, self.variable_values, None, self.hide_suggestions
            )
            strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
            converted = convert_arguments(
                raw,
                plan.field.arguments,
                scalar_registry=strawberry_schema.schema_converter.scalar_registry,
                config=strawberry_schema.config,
            )
        except Exception:
            return None
        self._arguments[key] = (node, converted)
        return converted

    async def _await_completed(
        self, completed: Any, return_type: Any, field_details_list: Any, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, field_details_list, path)
            return None

    @staticmethod
    def _leaf(plan: FieldPlan, source: Any) -> Any:
        """The completed value of a planned scalar or enum field, or ``Undefined`` to
        let graphql-core resolve it (a null where none may be, a failure)."""
        leaf = plan.leaf
        assert leaf is not None
        try:
            value = plan.getter(source)
            if value is None:
                return Undefined if plan.non_null else None
            if value is Undefined:
                return Undefined
            coerced = leaf.coerce_output_value(value)
        except Exception:
            return Undefined
        return Undefined if coerced is None else coerced

    def _completer(
        self, return_type: GraphQLOutputType, field_details_list: Any
    ) -> Completer | None:
        """The compiled completion of values of ``return_type`` selected by
        ``field_details_list``, or None when part of it is not planned. Made once per
        request and selection (selections depend on the request's variables)."""
        key = (id(return_type), id(field_details_list))
        found = self._completers.get(key)
        if found is not None:
            return found[1]
        complete = self._compile(return_type, field_details_list)
        self._completers[key] = (field_details_list, complete)
        return complete

    def _compile(self, return_type: GraphQLOutputType, field_details_list: Any) -> Completer | None:
        non_null = isinstance(return_type, GraphQLNonNull)
        named = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if is_leaf_type(named):
            return _leaf_completer(named, non_null)  # type: ignore[arg-type]
        if any(_delivers(details.node) for details in field_details_list):
            return None
        if isinstance(named, GraphQLList):
            item = self._completer(named.of_type, field_details_list)
            return None if item is None else _list_of(item, non_null)
        if not isinstance(named, GraphQLObjectType):
            return None  # interfaces and unions resolve their type first
        collected = self.collect_subfields(named, field_details_list)
        if collected.new_defer_usages:
            return None
        entries: list[Entry] = []
        fields = named.fields
        for response_name, sub_details in collected.grouped_field_set.items():
            if any(details.defer_usage is not None for details in sub_details):
                return None
            name = sub_details[0].node.name.value
            if name == "__typename":
                entries.append(Entry(response_name, None))
                continue
            field_def = fields.get(name)
            plan = None if field_def is None else plan_of(named, field_def)
            if plan is None or field_def is None:
                return None
            if plan.leaf is not None:
                if any(_delivers(details.node) for details in sub_details):
                    return None
                entries.append(
                    Entry(response_name, plan.getter, leaf=plan.leaf, non_null=plan.non_null)
                )
                continue
            complete = self._completer(field_def.type, sub_details)
            if complete is None:
                return None
            entries.append(Entry(response_name, plan.getter, complete=complete))
        return _object_of(named, entries, non_null)


def _delivers(node: Any) -> bool:
    """Whether a field node carries a directive that changes how it is delivered."""
    return any(d.name.value not in COLLECTION_DIRECTIVES for d in node.directives or ())
