"""The GraphQL requests the tests and the README send, found by reading them and
bound to the company."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLInputType,
    GraphQLSchema,
    IntValueNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    get_named_type,
    parse,
    print_ast,
    visit,
)

from tests.graphql_requests.company import YEAR_ARGUMENTS, Request, Values

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = "…"


def _operations(text: str, schema: GraphQLSchema) -> DocumentNode | None:
    """``text`` parsed, if it is a GraphQL document asking the schema for something
    (not a path template such as ``"{team_id}"`` that happens to parse)."""
    try:
        document = parse(text)
    except GraphQLError:
        return None
    query_type = schema.query_type
    assert query_type is not None
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            for selection in definition.selection_set.selections:
                if isinstance(selection, FieldNode) and (
                    selection.name.value in query_type.fields
                    or selection.name.value.startswith("__")
                ):
                    return document
    return None


def _string_constants(path: Path) -> Iterator[tuple[int, str]]:
    """The strings of a Python file; in f-strings, each replacement field becomes
    the placeholder (an id interpolated into a query is bound like the README's)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            parts = [
                value.value if isinstance(value, ast.Constant) else PLACEHOLDER
                for value in node.values
            ]
            yield node.lineno, "".join(str(part) for part in parts)


README_QUERY = re.compile(r'"query": "((?:[^"\\]|\\.)*)"')
README_FENCE = re.compile(r"```graphql\n(.*?)```", re.DOTALL)
README_INLINE = re.compile(r"`([a-zA-Z]+\([^`]*\{[^`]*\})`")


def _readme_texts(readme: str) -> Iterator[str]:
    yield from README_FENCE.findall(readme)
    yield from (json.loads(f'"{query}"') for query in README_QUERY.findall(readme))
    yield from (f"{{ {query} }}" for query in README_INLINE.findall(readme))


def collected_documents(schema: GraphQLSchema) -> list[tuple[str, DocumentNode]]:
    """Every GraphQL document in ``tests/`` and ``README.md``, with where it is."""
    found: list[tuple[str, DocumentNode]] = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for line, text in _string_constants(path):
            document = _operations(text, schema)
            if document is not None:
                found.append((f"{path.relative_to(ROOT)}:{line}", document))
    readme = (ROOT / "README.md").read_text()
    for number, text in enumerate(_readme_texts(readme), start=1):
        document = _operations(text, schema)
        if document is not None:
            found.append((f"README.md query {number}", document))
    return found


class _Binder(Visitor):
    """Gives placeholders and plan years the company's values, and collects what
    each variable is used for."""

    def __init__(self, type_info: TypeInfo, values: Values) -> None:
        super().__init__()
        self.type_info = type_info
        self.values = values
        self.names: list[str] = []
        self.usages: dict[str, tuple[str, str, GraphQLInputType]] = {}

    def _where(self) -> tuple[str, str, GraphQLInputType]:
        field_def = self.type_info.get_field_def()
        field_type = get_named_type(field_def.type).name if field_def else ""
        input_type = self.type_info.get_input_type()
        assert input_type is not None
        return field_type, self.names[-1], input_type

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self.names.append(node.name.value)

    def leave_argument(self, *_args: Any) -> None:
        self.names.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
        self.names.append(node.name.value)

    def leave_object_field(self, *_args: Any) -> None:
        self.names.pop()

    def enter_variable(self, node: VariableNode, *_args: Any) -> None:
        if self.names:
            self.usages.setdefault(node.name.value, self._where())

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> Any:
        if node.value != PLACEHOLDER:
            return None
        field_type, name, input_type = self._where()
        return StringValueNode(value=self.values.of(field_type, name, input_type))

    def enter_int_value(self, node: IntValueNode, *_args: Any) -> Any:
        if not self.names or self.names[-1] not in YEAR_ARGUMENTS:
            return None
        return IntValueNode(value=str(self.values.company.year))


def bind(origin: str, document: DocumentNode, schema: GraphQLSchema, values: Values) -> Request:
    """The document as a request on the company: placeholders and plan years
    replaced, and a value for each variable without a default."""
    type_info = TypeInfo(schema)
    binder = _Binder(type_info, values)
    bound = visit(document, TypeInfoVisitor(type_info, binder))
    variables: dict[str, Any] = {}
    for definition in bound.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        for variable in definition.variable_definitions or ():
            name = variable.variable.name.value
            if variable.default_value is not None or name not in binder.usages:
                continue
            field_type, argument, input_type = binder.usages[name]
            variables[name] = values.of(field_type, argument, input_type)
    return Request(origin, print_ast(bound), variables or None)
