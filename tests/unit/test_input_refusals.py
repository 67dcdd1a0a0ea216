"""A body with an unknown field names the fields expected there; a bad enum value lists
the values allowed (services/api/problems.py, on msgspec's validation messages)."""

from __future__ import annotations

import enum

import msgspec
import pytest

from services.api.bodies import CommandBody
from services.api.problems import explained


class Kind(enum.Enum):
    INPUT = "INPUT"
    OUTPUT = "OUTPUT"


class Line(CommandBody):
    kind: Kind
    team_id: str = ""


class Body(CommandBody):
    name: str
    kind: Kind = Kind.INPUT
    lines: list[Line] = []
    first: Line | None = None


def refusal(raw: bytes) -> str:
    with pytest.raises(msgspec.ValidationError) as refused:
        msgspec.json.decode(raw, type=Body)
    return explained(str(refused.value), Body)


def test_an_unknown_field_names_the_expected_ones() -> None:
    assert refusal(b'{"name": "n", "colour": 1}').endswith(
        "; expected only `name`, `kind`, `lines`, `first`"
    )
    assert refusal(b'{"name": "n", "first": {"kind": "INPUT", "x": 1}}').endswith(
        "; expected only `kind`, `teamId`"
    )


def test_a_bad_enum_value_lists_the_values() -> None:
    assert refusal(b'{"name": "n", "kind": "SIDEWAYS"}').endswith(
        "; expected one of `INPUT`, `OUTPUT`"
    )
    assert refusal(b'{"name": "n", "lines": [{"kind": "X"}]}').endswith(
        "; expected one of `INPUT`, `OUTPUT`"
    )


def test_the_path_litestar_moved_to_the_key_is_used() -> None:
    assert explained("Invalid enum value 'X'", Body, ".kind").endswith("`INPUT`, `OUTPUT`")


def test_other_messages_are_left_alone() -> None:
    message = "Expected `str`, got `int` - at `$.name`"
    assert explained(message, Body) == message
    assert (
        explained("Object contains unknown field `x`", None) == "Object contains unknown field `x`"
    )
