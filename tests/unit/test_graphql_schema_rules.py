"""The schema explains itself (issue 20, item 7): every type, field, argument, enum
value and input field has a description, and every custom scalar says where it is
specified (``@specifiedBy``). A new field without a description fails here, in
whichever area it is added. And people are ``Person`` objects: a field whose name says
it is a person (``by``, ``decidedBy``, ``author``, ``leader``...) answers a ``Person``,
never a bare handle.

And every connection pages both ways (issue 20, item 2): a connection field without
``first``/``after`` and ``last``/``before`` fails here too."""

from __future__ import annotations

import re

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    GraphQLUnionType,
    get_named_type,
    specified_scalar_types,
)

from services.graphql.schema import build_schema


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Every schema coordinate (``Type.field(argument:)``) that has no description."""
    missing: list[str] = []

    def check(coordinate: str, description: str | None) -> None:
        if not (description or "").strip():
            missing.append(coordinate)

    for name, named in schema.type_map.items():
        if name.startswith("__") or name in specified_scalar_types:
            continue
        check(name, named.description)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name}:)", arg.description)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                check(f"{name}.{field_name}", input_field.description)
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                check(f"{name}.{value_name}", value.description)
    return missing


PAGING_ARGUMENTS = {"first": "Int", "after": "String", "last": "Int", "before": "String"}


def one_way_connections(schema: GraphQLSchema) -> list[str]:
    """Every field returning a connection (a type with ``pageInfo``) that lacks one of
    the paging arguments, or takes it of another type."""
    found: list[str] = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in named.fields.items():
            returned = get_named_type(field.type)
            if not (isinstance(returned, GraphQLObjectType) and "pageInfo" in returned.fields):
                continue
            given = {arg_name: str(arg.type) for arg_name, arg in field.args.items()}
            if any(given.get(arg) != kind for arg, kind in PAGING_ARGUMENTS.items()):
                found.append(f"{name}.{field_name}")
    return found


def custom_scalars(schema: GraphQLSchema) -> list[GraphQLScalarType]:
    return [
        named
        for name, named in schema.type_map.items()
        if isinstance(named, GraphQLScalarType)
        and name not in specified_scalar_types
        and not name.startswith("__")
    ]


def test_every_type_field_argument_enum_value_and_input_field_has_a_description() -> None:
    assert undescribed(build_schema()._schema) == []


def test_every_custom_scalar_says_where_it_is_specified() -> None:
    scalars = custom_scalars(build_schema()._schema)
    assert {scalar.name for scalar in scalars} >= {"DateTime", "UUID"}
    assert [s.name for s in scalars if not (s.specified_by_url or "").startswith("https://")] == []


def test_every_connection_pages_forwards_and_backwards() -> None:
    schema = build_schema()._schema
    assert one_way_connections(schema) == []


def test_a_connection_that_pages_one_way_is_caught() -> None:
    page_info = GraphQLObjectType("PageInfo", {"hasNextPage": GraphQLField(GraphQLInt)})
    things = GraphQLObjectType("ThingConnection", {"pageInfo": GraphQLField(page_info)})
    forwards = {"first": GraphQLArgument(GraphQLInt), "after": GraphQLArgument(GraphQLString)}
    both = {
        **forwards,
        "last": GraphQLArgument(GraphQLInt),
        "before": GraphQLArgument(GraphQLString),
    }
    root = GraphQLObjectType(
        "Query",
        {
            "onward": GraphQLField(things, args=forwards),
            "both": GraphQLField(things, args=both),
            "count": GraphQLField(GraphQLInt, args=forwards),
        },
    )
    assert one_way_connections(GraphQLSchema(query=root)) == ["Query.onward"]


def test_the_walk_finds_what_is_missing() -> None:
    """The check itself can fail: a schema with undescribed parts is caught."""
    bare: GraphQLNamedType = GraphQLEnumType("Bare", {"ONE": 1})
    thing = GraphQLObjectType(
        "Thing",
        lambda: {"bare": GraphQLField(bare, args={"x": GraphQLArgument(GraphQLInt)})},
        description="A thing.",
    )
    schema = GraphQLSchema(query=thing, types=[GraphQLUnionType("Either", [thing])])
    assert sorted(undescribed(schema)) == [
        "Bare",
        "Bare.ONE",
        "Either",
        "Thing.bare",
        "Thing.bare(x:)",
    ]


# Names that say "a person": `by` and every `...By`, and the roles people play.
PERSON_NAME = re.compile(
    r"^(by|\w+By|author|reviewers?|leaders?|person|people|approver|actor|recruiter"
    r"|hiringManager|barRaiser|interviewers?|\w*[dD]issenters|candidate|hired)$"
)
# Fields so named that keep a handle on purpose, and why.
HANDLES_ON_PURPOSE = {
    # Candidates are not people of the org until hired: the loop names them by handle,
    # and their name is for the loop's participants and leadership (`candidateName`;
    # `Person.displayName` keeps the same rule for a candidate).
    "InterviewLoop.candidate",
    # The subscription sends each event as `/api/v1/events` and the webhooks do.
    "FeedEvent.actor",
    # The leader's quote in the press release: text, not a person.
    "Quotes.leader",
}


def people_as_strings(schema: GraphQLSchema) -> list[str]:
    """Every output field named for a person whose type is a string or an id."""
    found: list[str] = []
    for name, named in schema.type_map.items():
        if name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            continue
        for field_name, field in named.fields.items():
            if PERSON_NAME.match(field_name) and get_named_type(field.type).name in (
                "String",
                "ID",
            ):
                found.append(f"{name}.{field_name}")
    return found


def test_a_field_named_for_a_person_answers_a_person() -> None:
    schema = build_schema()._schema
    assert sorted(set(people_as_strings(schema)) - HANDLES_ON_PURPOSE) == []
    assert set(people_as_strings(schema)) >= HANDLES_ON_PURPOSE, "an exemption no longer needed"
    person = schema.type_map["Person"]
    for coordinate in ("AllocationDecision.decidedBy", "Tenure.appointedBy", "PrFaq.author"):
        type_name, field_name = coordinate.split(".")
        parent = schema.type_map[type_name]
        assert isinstance(parent, GraphQLObjectType)
        assert get_named_type(parent.fields[field_name].type) is person, coordinate


def test_the_person_rule_finds_a_handle() -> None:
    """The check itself can fail: people typed `String` are caught, other strings not."""
    thing = GraphQLObjectType(
        "Thing",
        {
            name: GraphQLField(GraphQLString)
            for name in ("decidedBy", "by", "reviewers", "barRaiser", "title", "byline")
        },
    )
    assert sorted(people_as_strings(GraphQLSchema(query=thing))) == [
        "Thing.barRaiser",
        "Thing.by",
        "Thing.decidedBy",
        "Thing.reviewers",
    ]
