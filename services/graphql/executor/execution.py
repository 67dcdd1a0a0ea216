"""The execution context: strawberry's, with planned fields resolved directly and
planned selections completed by generated code; anything else goes the usual way."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfoHelpers,
    Visitor,
    is_leaf_type,
    visit,
)
from graphql.execution.executor import gather_with_cancel, to_nodes
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types import Info
from strawberry.types.arguments import convert_arguments

from services.graphql.executor.codegen import Completer, Entry, leaf_completer, list_of, object_of
from services.graphql.executor.plans import FieldPlan, ResolverPlan, plan_of, resolver_plan_of

Completions = dict[tuple[int, ...], tuple[Any, Completer | None]]

# Directives that only decide whether a field is collected; others (@defer,
# @stream) change how it is delivered and keep it on graphql-core's path.
COLLECTION_DIRECTIVES = frozenset({"include", "skip"})


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, with planned fields resolved directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = GraphQLResolveInfoHelpers(
            gather=_gather, track=_tracking(weakref.ref(self))
        )
        self._completers = _shared_completers(self.schema, self.operation, self.fragments)
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
        selection: the selection is its field nodes, which the parsed document (cached
        per query text) keeps from request to request."""
        if len(field_details_list) == 1:  # the usual case, kept cheap: this runs per value
            key: tuple[int, ...] = (id(return_type), id(field_details_list[0].node))
        else:
            key = (id(return_type), *(id(details.node) for details in field_details_list))
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
            return leaf_completer(named, non_null)  # type: ignore[arg-type]
        if any(_delivers(details.node) for details in field_details_list):
            return None
        if isinstance(named, GraphQLList):
            item = self._completer(named.of_type, field_details_list)
            return None if item is None else list_of(item, non_null)
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
        return object_of(named, entries, non_null)


# Compiled completions per operation, kept across requests while the operation's
# parsed document is cached: (schema, operation) -> completions by selection.
SHARED_OPERATIONS = 512
_SHARED: OrderedDict[tuple[int, int], tuple[Any, Any, Completions | None]] = OrderedDict()


def _shared_completers(schema: Any, operation: Any, fragments: dict[str, Any]) -> Completions:
    """The completions compiled for ``operation`` so far, shared by every request that
    runs it; a fresh table when the request's variables steer which fields are
    selected (``@include(if: $v)``, fragment arguments), as the selection may differ."""
    key = (id(schema), id(operation))
    found = _SHARED.get(key)
    if found is None or found[0] is not schema or found[1] is not operation:
        shared: Completions | None = None if _variables_steer(operation, fragments) else {}
        found = _SHARED[key] = (schema, operation, shared)  # held, so the ids stay theirs
        if len(_SHARED) > SHARED_OPERATIONS:
            _SHARED.popitem(last=False)
    else:
        _SHARED.move_to_end(key)
    return {} if found[2] is None else found[2]


def _variables_steer(operation: Any, fragments: dict[str, Any]) -> bool:
    """Whether a variable appears in a directive or a fragment spread's arguments of
    the operation or its fragments (what could make one selection differ by request)."""
    steered = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
            nonlocal steered
            steered = steered or _has_variable(node)

        def enter_fragment_spread(self, node: Any, *_: Any) -> None:
            nonlocal steered
            steered = steered or bool(getattr(node, "arguments", None))

    if any(details.variable_signatures for details in fragments.values()):
        return True
    for node in (operation, *(details.definition for details in fragments.values())):
        visit(node, Finder())
    return steered


def _has_variable(node: Any) -> bool:
    found = False

    class Finder(Visitor):
        def enter_variable(self, *_: Any) -> None:
            nonlocal found
            found = True

    visit(node, Finder())
    return found


def _delivers(node: Any) -> bool:
    """Whether a field node carries a directive that changes how it is delivered."""
    return any(d.name.value not in COLLECTION_DIRECTIVES for d in node.directives or ())


# graphql-core's resolver helpers are bound methods of the execution context, which
# holds them: a reference cycle that kept each request's context (and what it read)
# alive until the cycle collector's next pass. The same helpers, holding it weakly.
def _gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    return gather_with_cancel(*values)


def _tracking(executor: weakref.ref[FastExecutor]) -> Callable[[Sequence[Any]], None]:
    def track(values: Sequence[Any]) -> None:
        alive = executor()
        if alive is not None:
            alive.track_async_work(values)

    return track
