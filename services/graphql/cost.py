"""Query cost, computed before execution, in the manner of GitHub's and Shopify's APIs.

Every field that returns an object costs 1, plus the cost of what it selects
times how many objects it can return: a connection's page size (its ``first``
or ``last`` argument, the larger if both are given, or the default page size), or
:data:`ASSUMED_LIST_SIZE` for a plain list. Scalars are free. A query over
:data:`MAX_COST` is refused with ``QUERY_TOO_COMPLEX`` before anything runs; every
answer reports ``extensions.cost``. The cost is also what the operation spends of the caller's
rate limit (``services/graphql/rate_limit.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    value_from_ast,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

from services.graphql.common import DEFAULT_PAGE_SIZE
from services.graphql.context import FlywheelContext, RateLimitStatus
from services.graphql.errors import QUERY_TOO_COMPLEX, RATE_LIMITED
from services.graphql.rate_limit import spend

MAX_COST = 25_000
ASSUMED_LIST_SIZE = 10
PAGE_ARGUMENTS = ("first", "last")


class Coster:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]):
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def of_operation(self, document: DocumentNode, operation_name: str | None) -> int:
        operation = get_operation_ast(document, operation_name)
        root = self.schema.query_type
        if operation is None or root is None:
            return 0
        return self._selection(operation.selection_set, root, in_page=False)

    def _selection(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, *, in_page: bool
    ) -> int:
        return sum(
            self._field(field, field_type, in_page=in_page)
            for field, field_type in self._fields(selection_set, parent)
        )

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterator[tuple[FieldNode, GraphQLField]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                definition = fields.get(selection.name.value)
                if definition is not None:
                    yield selection, definition
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                if target is not None:
                    yield from self._fields(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    if target is not None:
                        yield from self._fields(fragment.selection_set, target)

    def _field(self, node: FieldNode, definition: GraphQLField, *, in_page: bool) -> int:
        if node.selection_set is None:
            return 0
        named = get_named_type(definition.type)
        if not isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)) and not hasattr(
            named, "types"
        ):
            return 0
        page = self._page_size(node, definition)
        children = self._selection(node.selection_set, named, in_page=page is not None)
        if page is not None:
            return 1 + page * children
        if _is_list(definition.type) and not in_page:
            return 1 + ASSUMED_LIST_SIZE * children
        return 1 + children

    def _page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        if not any(name in definition.args for name in PAGE_ARGUMENTS):
            return None
        sizes = []
        for given in node.arguments or ():
            argument = definition.args.get(given.name.value)
            if given.name.value in PAGE_ARGUMENTS and argument is not None:
                value = value_from_ast(given.value, argument.type, self.variables)
                if value is not None:
                    sizes.append(value if isinstance(value, int) and value > 0 else 1)
        return max(sizes, default=DEFAULT_PAGE_SIZE)


def _is_list(field_type: Any) -> bool:
    unwrapped = field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type
    return isinstance(unwrapped, GraphQLList)


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> int:
    return Coster(schema, document, variables or {}).of_operation(document, operation_name)


class CostLimit(SchemaExtension):
    """Refuses queries over the cost limit before they run, spends the cost from the
    caller's rate limit (refusing it when the budget is spent), and reports both."""

    cost = 0
    rate_limit: RateLimitStatus | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            self.cost = query_cost(
                context.schema._schema, document, context.operation_name, context.variables
            )
            if self.cost > MAX_COST:
                context.result = _refusal(
                    f"This query would cost {self.cost} points; the limit is {MAX_COST}. "
                    "Ask for smaller pages or fewer nested lists.",
                    QUERY_TOO_COMPLEX,
                )
            elif isinstance(context.context, FlywheelContext):
                self.rate_limit = await spend(context.context, self.cost)
                context.context.rate_limit = self.rate_limit
                if self.rate_limit is not None and self.rate_limit.exceeded:
                    context.result = _refusal(
                        f"Over the rate limit of {self.rate_limit.limit} points a minute; "
                        f"the budget is whole again at {self.rate_limit.report()['resetAt']}",
                        RATE_LIMITED,
                    )
        yield

    def get_results(self) -> dict[str, Any]:
        results: dict[str, Any] = {"cost": {"requested": self.cost, "limit": MAX_COST}}
        if self.rate_limit is not None:
            results["rateLimit"] = self.rate_limit.report()
        return results


def _refusal(message: str, code: str) -> GraphQLExecutionResult:
    return GraphQLExecutionResult(
        data=None, errors=[GraphQLError(message, extensions={"code": code})]
    )
