"""Queries generated over the schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graphql import (
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    parse,
)
from graphql.pyutils import Undefined

from services.graphql.cost import MAX_COST, query_cost
from tests.graphql_requests.company import Request, Values, literal


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
            elif name == "last" and any(given.startswith("first:") for given in chosen):
                wanted = self.values.bad()  # with `first`: refused, so only now and then
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
