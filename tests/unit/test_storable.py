"""Values as PostgreSQL can store them (projections/storable.py), without a database."""

from __future__ import annotations

import json
from uuid import uuid4

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from projections.storable import storable, storable_json, storable_record, unstorable

ENCODE = msgspec.json.Encoder().encode


def test_nul_and_unpaired_surrogates_become_the_replacement_character() -> None:
    assert storable("a\x00b\ud800c\udfff") == "a\ufffdb\ufffdc\ufffd"
    assert storable("\U0001f600 \ufffd ok") == "\U0001f600 \ufffd ok"
    team = uuid4()
    assert storable({"k\x00": ["x\ud800", (1, "y\x00")], "n": team}) == {
        "k\ufffd": ["x\ufffd", (1, "y\ufffd")],
        "n": team,
    }


def test_storable_values_are_returned_as_they_are() -> None:
    value = {"name": "Payments", "ids": [uuid4()], "note": "Zürich"}
    assert storable(value) is value
    record = [uuid4(), "Payments", None, 3]
    assert storable_record(record, (1, 2)) is record


def test_only_the_text_columns_of_a_record_are_made_storable() -> None:
    assert storable_record(("a\x00", "b\x00", None), (0, 2)) == ["a\ufffd", "b\x00", None]


def test_json_for_jsonb_holds_no_escaped_nul_and_no_surrogate() -> None:
    assert storable_json({"a": "x"}, ENCODE) == '{"a":"x"}'
    assert json.loads(storable_json({"a\x00": "x\ud800"}, ENCODE)) == {"a\ufffd": "x\ufffd"}
    assert storable_json({"a": "\\u0000"}, ENCODE) == '{"a":"\\\\u0000"}', "a backslash is text"


@given(st.recursive(st.text(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_anything_made_storable_encodes_to_utf8_without_nul(value: object) -> None:
    stored = storable(value)
    assert not unstorable(stored)
    encoded = storable_json(value, ENCODE)
    assert "\\u0000" not in encoded.replace("\\\\", "")
    encoded.encode()
