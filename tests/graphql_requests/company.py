"""The company requests are bound to, and the values its arguments take."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    get_named_type,
)

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
        if name in ("first", "last"):
            return rng.choice([0, 101]) if self.bad() else rng.choice([1, 2, 3, 5])
        if name == "weeks":
            return rng.choice([0, 1, 2, 52])
        return rng.randint(0, 5)

    def a_string(self, field_type: str, name: str) -> str | None:
        if name in ("after", "before"):
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
