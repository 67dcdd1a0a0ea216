"""The schema explains itself (issue 20, item 7): every type, field, argument, enum
value and input field has a description, and every custom scalar says where it is
specified (``@specifiedBy``). A new field without a description fails here, in
whichever area it is added.

And every connection pages both ways (issue 20, item 2): a connection field without
``first``/``after`` and ``last``/``before`` fails here too."""

from __future__ import annotations

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
