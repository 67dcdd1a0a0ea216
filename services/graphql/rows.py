"""Objects made from view rows: ``FromRow``.

Most GraphQL types are a view row's columns under the same names. A type that
subclasses ``FromRow`` gets ``from_row(row, at)``: each dataclass field from the
row's column of the same name (or the one ``COLUMNS`` names), converted to the
field's type: enums by value, numbers as floats or decimals, and a person's handle
to a ``Person`` read as of ``at`` like the object naming them. A private field
named ``at`` (or ``POSITION_FIELD``) holds the position ``at`` itself. A value the
row does not hold as is is given by keyword: ``Edge.from_row(row, at, cross_team=...)``.

``from_fields(source, at)`` does the same from an object's attributes (a report's
figures, a computed period).

Objects are made from rows by the thousand in one answer (a team page makes about a
thousand), so each type's making is compiled once (:func:`maker`): one call with the
fields as keywords, no loop over the steps and no dict of values per object.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, NamedTuple, Self

from strawberry.types.base import StrawberryOptional
from strawberry.types.enum import StrawberryEnumDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.lazy_type import LazyType

from services.graphql.common import member_of
from services.graphql.people import person_at

Converter = Callable[[Any], Any]


class Step(NamedTuple):
    """How one field is read: from ``column``, through ``convert`` if any; a person
    field (``person``) is read as of the object's position."""

    name: str
    column: str
    convert: Converter | None
    person: bool


def _plain_converter(inner: Any) -> Converter | None:
    if isinstance(inner, StrawberryEnumDefinition) and issubclass(inner.wrapped_cls, Enum):
        return member_of(inner.wrapped_cls)
    if inner is float:
        return float
    if inner is Decimal:
        return Decimal
    return None


def _is_person(inner: Any) -> bool:
    """A ``Person`` field: ``LazyPerson``, which resolves to ``Person`` itself in its own
    module."""
    from services.org.graphql import Person

    return inner is Person or (isinstance(inner, LazyType) and inner.type_name == "Person")


def step(name: str, column: str, field_type: Any) -> Step:
    """The step reading a field of ``field_type`` (``None`` for a private field)."""
    optional = isinstance(field_type, StrawberryOptional)
    inner = field_type.of_type if optional else field_type
    if _is_person(inner):
        return Step(name, column, None, True)
    convert = _plain_converter(inner)
    if convert is None or not optional:
        return Step(name, column, convert, False)
    plain = convert
    return Step(name, column, lambda value: None if value is None else plain(value), False)


def steps_of(cls: type, columns: dict[str, str], skip: Iterable[str] = ()) -> list[Step]:
    """The steps making ``cls`` from a row: one per dataclass field but ``skip``."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    types = {field.python_name: field.type for field in definition.fields}
    skipped = set(skip)
    return [
        step(field.name, columns.get(field.name, field.name), types.get(field.name))
        for field in dataclasses.fields(cls)  # type: ignore[arg-type]
        if field.name not in skipped and field.init
    ]


def read(steps: list[Step], row: Any, at: int | None) -> dict[str, Any]:
    """The field values ``steps`` read from ``row``, people as of ``at``."""
    values: dict[str, Any] = {}
    for name, column, convert, person in steps:
        value = row[column]
        if person:
            value = None if value is None else person_at(value, at)
        elif convert is not None:
            value = convert(value)
        values[name] = value
    return values


Maker = Callable[[Any, int | None], Any]


def _person_or_none(handle: Any, at: int | None) -> Any:
    return None if handle is None else person_at(handle, at)


def maker(cls: type, steps: list[Step], **leading: str) -> Maker:
    """``make(row, at)``: ``cls`` made from ``row`` as ``read(steps, row, at)`` reads it,
    compiled. ``leading`` gives further keywords as expressions of ``row`` and ``at``,
    passed first (``key="str(row[key_column])"``)."""
    namespace: dict[str, Any] = {"cls": cls, "person": _person_or_none}
    arguments = [f"{name}={expression}" for name, expression in leading.items()]
    for index, (name, column, convert, is_person) in enumerate(steps):
        namespace[f"n{index}"] = column
        value = f"row[n{index}]"
        if is_person:
            value = f"person({value}, at)"
        elif convert is not None:
            namespace[f"c{index}"] = convert
            value = f"c{index}({value})"
        arguments.append(f"{name}={value}")
    source = f"def make(row, at):\n    return cls({', '.join(arguments)})\n"
    exec(compile(source, f"<make {cls.__name__}>", "exec"), namespace)  # noqa: S102 - names from the type's fields
    make: Maker = namespace.pop("make")  # out of its own globals: no reference cycle
    return make


class _Attributes:
    """An object's attributes read as a row's columns."""

    __slots__ = ("source",)

    def __init__(self, source: Any) -> None:
        self.source = source

    def __getitem__(self, name: str) -> Any:
        return getattr(self.source, name)


class FromRow:
    """A type made from a view row: see the module's docstring."""

    # Field name -> column name, for the fields whose column is named otherwise.
    COLUMNS: ClassVar[dict[str, str]] = {}
    # The private field holding the position the object was read at, if it has one.
    POSITION_FIELD: ClassVar[str] = "at"
    _steps: ClassVar[dict[type, tuple[list[Step], bool]]] = {}
    _makers: ClassVar[dict[type, Maker]] = {}

    @classmethod
    def _steps_for(cls, given: Iterable[str]) -> tuple[list[Step], bool]:
        found = FromRow._steps.get(cls)
        if found is None:
            position = cls.POSITION_FIELD
            keeps_position = any(
                field.name == position and not isinstance(field, StrawberryField)
                for field in dataclasses.fields(cls)  # type: ignore[arg-type]
            )
            skip = (position,) if keeps_position else ()
            found = (steps_of(cls, cls.COLUMNS, skip), keeps_position)
            FromRow._steps[cls] = found
        steps, keeps_position = found
        skipped = set(given)
        if skipped:
            steps = [s for s in steps if s.name not in skipped]
        return steps, keeps_position

    @classmethod
    def from_row(cls, row: Any, at: int | None, **given: Any) -> Self:
        """The object ``row`` describes, read as of ``at``; ``given`` values as they are."""
        if not given:
            make = FromRow._makers.get(cls)
            if make is None:
                steps, keeps_position = cls._steps_for(())
                position = {cls.POSITION_FIELD: "at"} if keeps_position else {}
                make = FromRow._makers[cls] = maker(cls, steps, **position)
            return make(row, at)  # type: ignore[no-any-return]
        steps, keeps_position = cls._steps_for(given)
        values = read(steps, row, at)
        if keeps_position:
            values[cls.POSITION_FIELD] = at
        return cls(**values, **given)

    @classmethod
    def from_rows(cls, rows: Iterable[Any], at: int | None) -> list[Self]:
        """``from_row`` of each row."""
        return [cls.from_row(row, at) for row in rows]

    @classmethod
    def from_fields(cls, source: Any, at: int | None = None, **given: Any) -> Self:
        """The object made from ``source``'s attributes as ``from_row`` makes it from a row."""
        return cls.from_row(_Attributes(source), at, **given)
