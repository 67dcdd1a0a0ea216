"""GraphQL requests for the differential test of the executor.

Two sources, both bound to one company (its ids, positions, times and year):

* every GraphQL operation the tests and the README send, found by reading
  them: string constants of ``tests/**/*.py`` that parse as a GraphQL document
  querying the schema, and the README's ``graphql`` blocks, ``"query"`` strings
  and inline queries. Placeholders (``"…"``), plan years and variables get
  values from the company;
* queries generated over the schema by :class:`QueryGenerator`: random fields,
  arguments, aliases, named and inline fragments, ``@include``/``@skip``,
  variables, ``asOf``/``atPosition``, and now and then a bad id, page size,
  cursor or position, so that errors and nulls are exercised too.
"""

from __future__ import annotations

import ast
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    IntValueNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    get_named_type,
    is_leaf_type,
    parse,
    print_ast,
    visit,
)
from graphql.pyutils import Undefined

from services.graphql.cost import MAX_COST, query_cost

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = "…"
YEAR_ARGUMENTS = frozenset({"planYear", "fiscalYear"})

# What the company offers the requests: every kind of node, a few cursors.
POOL_QUERY = """
{
  teams(first: 100) { nodes { id uuid name members { person { id handle } } } }
  twoTeams: teams(first: 2) { pageInfo { endCursor } }
  services(first: 100) { nodes { id uuid name } }
  twoServices: services(first: 2) { pageInfo { endCursor } }
  apis(first: 100) { nodes { id uuid name } }
  metrics(first: 100) { nodes { id uuid name } }
  goals(first: 100) { nodes { id uuid } }
  twoGoals: goals(first: 2) { pageInfo { endCursor } }
  allocationCycles(first: 10) { nodes { id uuid fiscalYear dissents { nodes { id uuid } } } }
}
"""


@dataclass(frozen=True)
class Request:
    """One GraphQL request, and where it came from (to name it when answers differ)."""

    origin: str
    query: str
    variables: dict[str, Any] | None = None


@dataclass
class Company:
    """The values requests are bound to, read from the company's own answers."""

    year: int
    head: int
    times: list[str]
    ids: dict[str, list[str]] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)
    cursors: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    @classmethod
    def from_pool(cls, data: dict[str, Any], *, year: int, head: int, times: list[str]) -> Company:
        company = cls(year=year, head=head, times=times)
        for type_name, connection in [
            ("Team", "teams"),
            ("Service", "services"),
            ("Api", "apis"),
            ("Metric", "metrics"),
            ("Goal", "goals"),
            ("AllocationCycle", "allocationCycles"),
        ]:
            nodes = data[connection]["nodes"]
            company.ids[type_name] = [node["id"] for node in nodes]
            company.keys[type_name] = [node["uuid"] for node in nodes]
            company.names += [node["name"] for node in nodes if "name" in node]
        people = {
            member["person"]["handle"]: member["person"]["id"]
            for team in data["teams"]["nodes"]
            for member in team["members"]
        }
        company.ids["Person"], company.keys["Person"] = list(people.values()), list(people)
        dissents = [d for c in data["allocationCycles"]["nodes"] for d in c["dissents"]["nodes"]]
        company.ids["Dissent"] = [dissent["id"] for dissent in dissents]
        company.keys["Dissent"] = [dissent["uuid"] for dissent in dissents]
        company.cursors = {
            f"{type_name}Connection": data[name]["pageInfo"]["endCursor"]
            for type_name, name in [
                ("Team", "twoTeams"),
                ("Service", "twoServices"),
                ("Goal", "twoGoals"),
            ]
        }
        assert all(company.ids.values()), f"the company lacks some kind of node: {company.ids}"
        return company

    @property
    def every_id(self) -> list[str]:
        return [value for values in self.ids.values() for value in values]


class Values:
    """Argument values from the company, as JSON (enums by name, dates in ISO 8601).

    ``mischief`` is the chance of a value meant to be refused: an id of another
    type or of nothing, a page size out of range, a garbage cursor, a position
    the views have not reached.
    """

    def __init__(self, company: Company, rng: random.Random, mischief: float) -> None:
        self.company = company
        self.rng = rng
        self.mischief = mischief

    def bad(self) -> bool:
        return self.rng.random() < self.mischief

    def of(self, field_type: str, name: str, input_type: GraphQLInputType) -> Any:
        """A value for argument (or input field) ``name`` of a field returning ``field_type``."""
        inner = input_type.of_type if isinstance(input_type, GraphQLNonNull) else input_type
        if isinstance(inner, GraphQLList):
            count = self.rng.randint(1, 3)
            return [self.of(field_type, name, inner.of_type) for _ in range(count)]
        named = get_named_type(input_type)
        if isinstance(named, GraphQLEnumType):
            return self.rng.choice(list(named.values))
        if isinstance(named, GraphQLInputObjectType):
            return self.input_object(field_type, named)
        chooser = {
            "ID": self.an_id,
            "Int": self.an_int,
            "Boolean": lambda _field, _name: self.rng.random() < 0.5,
            "String": self.a_string,
            "DateTime": lambda _field, _name: self.rng.choice(self.company.times),
            "Date": self.a_date,
        }.get(named.name)
        if chooser is None:
            raise LookupError(f"no values for {name}: {input_type}")
        return chooser(field_type, name)

    def input_object(self, field_type: str, input_type: GraphQLInputObjectType) -> dict[str, Any]:
        fields = {}
        for name, input_field in input_type.fields.items():
            if isinstance(input_field.type, GraphQLNonNull) or self.rng.random() < 0.4:
                fields[name] = self.of(field_type, name, input_field.type)
        return fields

    def an_id(self, field_type: str, name: str) -> str:
        rng, company = self.rng, self.company
        if self.bad():
            return rng.choice(["not-an-id", "00000000-0000-0000-0000-000000000000", "VGVhbTo="])
        kind = field_type if name in ("id", "ids") else name.removesuffix("Id").capitalize()
        kind = {"Ownerteam": "Team", "Parent": "Team"}.get(kind, kind)
        if kind not in company.ids:
            return rng.choice(company.every_id)
        if rng.random() < 0.4:
            return rng.choice(company.keys[kind])
        return rng.choice(company.ids[kind])

    def an_int(self, _field_type: str, name: str) -> int:
        rng, company = self.rng, self.company
        if name in YEAR_ARGUMENTS:
            return company.year if rng.random() < 0.8 else company.year - 1
        if name == "atPosition":
            if self.bad():
                return rng.choice([-1, company.head + 1_000])
            return rng.choice([0, 1, company.head // 3, company.head // 2, company.head])
        if name == "first":
            return rng.choice([0, 101]) if self.bad() else rng.choice([1, 2, 3, 5])
        if name == "weeks":
            return rng.choice([0, 1, 2, 52])
        return rng.randint(0, 5)

    def a_string(self, field_type: str, name: str) -> str | None:
        if name == "after":
            cursors = self.company.cursors
            if self.bad():
                return self.rng.choice(["garbage", *cursors.values()])
            return cursors.get(field_type)
        word = self.rng.choice(self.company.names)
        return word[: self.rng.randint(1, len(word))]

    def a_date(self, _field_type: str, name: str) -> str:
        month = 1 if name == "from" else self.rng.randint(1, 12)
        return f"{self.company.year - self.rng.randint(0, 1)}-{month:02d}-01"


def literal(value: Any, input_type: GraphQLInputType) -> str:
    """``value`` (as JSON) written as a GraphQL literal of ``input_type``."""
    inner = input_type.of_type if isinstance(input_type, GraphQLNonNull) else input_type
    if value is None:
        return "null"
    if isinstance(inner, GraphQLList):
        return "[" + ", ".join(literal(item, inner.of_type) for item in value) + "]"
    if isinstance(inner, GraphQLInputObjectType):
        pairs = (f"{k}: {literal(v, inner.fields[k].type)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if isinstance(inner, GraphQLEnumType):
        return str(value)
    return json.dumps(value)


# Collected requests: the tests' and the README's


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


# Generated requests


class QueryGenerator:
    """Random queries over the schema, valid by construction (nearly always: two
    fragments on different types may select one name with different types) and
    under the cost limit, so that they reach the executor."""

    MAX_NESTING = 3

    def __init__(self, schema: GraphQLSchema, values: Values) -> None:
        self.schema = schema
        self.values = values
        self.rng = values.rng

    def requests(self, count: int) -> Iterator[Request]:
        made = 0
        while made < count:
            query, variables = _Document(self).text()
            if query_cost(self.schema, parse(query), None, variables) > MAX_COST:
                continue
            made += 1
            yield Request(f"generated #{made}", query, variables or None)


class _Document:
    """One generated query: its operation, fragments and variables."""

    def __init__(self, generator: QueryGenerator) -> None:
        self.schema = generator.schema
        self.values = generator.values
        self.rng = generator.rng
        self.nesting = generator.MAX_NESTING
        self.definitions: list[str] = []
        self.variables: dict[str, Any] = {}
        self.fragments: list[str] = []
        self.counter = 0

    def name(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def text(self) -> tuple[str, dict[str, Any]]:
        query_type = self.schema.query_type
        assert query_type is not None
        roots = self.rng.sample(sorted(query_type.fields), self.rng.randint(1, 2))
        selection = self.selection_of(query_type, roots, depth=0)
        header = f"query {self.name('Q')}"
        if self.definitions:
            header += "(" + ", ".join(self.definitions) + ")"
        return " ".join([header, "{", selection, "}", *self.fragments]), self.variables

    def variable(self, value: Any, type_text: str) -> str:
        name = self.name("v")
        self.definitions.append(f"${name}: {type_text}")
        self.variables[name] = value
        return f"${name}"

    def argument(self, field_type: str, name: str, input_type: GraphQLInputType) -> str:
        value = self.values.of(field_type, name, input_type)
        if self.rng.random() < 0.3:
            return f"{name}: {self.variable(value, str(input_type))}"
        return f"{name}: {literal(value, input_type)}"

    def arguments(self, field_def: Any) -> str:
        field_type = get_named_type(field_def.type).name
        # as of a past moment often, with both `asOf` and `atPosition` (refused) rarely
        moment = self.rng.choice(["asOf", "atPosition", "now", "now"])
        if self.values.bad():
            moment = "both"
        chosen = []
        for name, argument in field_def.args.items():
            required = (
                isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
            )
            if name in ("asOf", "atPosition"):
                wanted = moment in (name, "both")
            else:
                wanted = required or self.rng.random() < 0.35
            if wanted:
                chosen.append(self.argument(field_type, name, argument.type))
        return f"({', '.join(chosen)})" if chosen else ""

    def directive(self) -> str:
        roll = self.rng.random()
        if roll > 0.1:
            return ""
        condition = self.rng.random() < 0.5
        value = self.variable(condition, "Boolean!") if roll < 0.05 else json.dumps(condition)
        return f" @{self.rng.choice(['include', 'skip'])}(if: {value})"

    def field(self, parent: GraphQLObjectType | GraphQLInterfaceType, name: str, depth: int) -> str:
        if name == "__typename":
            return name
        field_def = parent.fields[name]
        alias = f"{self.name('a')}: " if self.rng.random() < 0.15 else ""
        head = f"{alias}{name}{self.arguments(field_def)}{self.directive()}"
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return head
        return f"{head} {{ {self.selection(named, depth + 1)} }}"

    def selection(self, named: GraphQLNamedType, depth: int) -> str:
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            return self.abstract_selection(named, depth)
        assert isinstance(named, GraphQLObjectType)
        names = sorted(named.fields)
        if depth >= self.nesting:
            leaves = [n for n in names if is_leaf_type(get_named_type(named.fields[n].type))]
            names = leaves or ["__typename"]
        chosen = self.rng.sample(names, min(len(names), self.rng.randint(1, 3)))
        if self.rng.random() < 0.1:
            chosen.append("__typename")
        return self.selection_of(named, chosen, depth)

    def selection_of(self, parent: GraphQLObjectType, names: list[str], depth: int) -> str:
        """The fields ``names`` of ``parent``, some moved into a fragment."""
        fields = [self.field(parent, name, depth) for name in names]
        roll = self.rng.random()
        if len(fields) < 2 or roll > 0.3:
            return " ".join(fields)
        cut = self.rng.randint(1, len(fields) - 1)
        inside, outside = fields[:cut], fields[cut:]
        if roll < 0.15:
            fragment = self.name("F")
            self.fragments.append(f"fragment {fragment} on {parent.name} {{ {' '.join(inside)} }}")
            return " ".join([f"...{fragment}{self.directive()}", *outside])
        condition = f" on {parent.name}" if self.rng.random() < 0.5 else ""
        spread = f"...{condition}{self.directive()} {{ {' '.join(inside)} }}"
        return " ".join([spread, *outside])

    def abstract_selection(self, named: GraphQLInterfaceType | GraphQLUnionType, depth: int) -> str:
        parts = []
        if isinstance(named, GraphQLInterfaceType) and self.rng.random() < 0.7:
            parts.append("id" if "id" in named.fields else "__typename")
        if self.rng.random() < 0.4:
            parts.append("__typename")
        possible = sorted(self.schema.get_possible_types(named), key=lambda t: t.name)
        for object_type in self.rng.sample(possible, min(len(possible), self.rng.randint(1, 3))):
            parts.append(f"... on {object_type.name} {{ {self.selection(object_type, depth)} }}")
        return " ".join(parts)


def requests_of(
    schema: GraphQLSchema,
    company: Company,
    *,
    generated: int,
    seed: int,
) -> tuple[list[Request], list[Request]]:
    """The collected requests, bound to ``company``, and ``generated`` generated ones."""
    rng = random.Random(seed)  # noqa: S311 - reproducible queries, not cryptography
    collected = [
        bind(origin, document, schema, Values(company, rng, mischief=0.0))
        for origin, document in collected_documents(schema)
    ]
    generator = QueryGenerator(schema, Values(company, rng, mischief=0.08))
    return collected, list(generator.requests(generated))
