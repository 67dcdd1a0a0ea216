"""A JSON body with an unpaired surrogate is refused naming its field (services/api/bodies.py)."""

from __future__ import annotations

import msgspec
import pytest

from services.api.bodies import unpaired_surrogate


@pytest.mark.parametrize(
    ("body", "field", "where"),
    [
        (b'{"argument": "No \\ud800 way"}', "argument", "U+D800 at character 4"),
        (b'{"a": {"b": [1, "x", "\\udc00"]}}', "a.b[2]", "U+DC00 at character 1"),
        (b'{"headcount": {"E\\ud800": 1}}', "headcount", "U+D800 at character 2"),
    ],
)
def test_the_refusal_names_the_field_and_the_character(body: bytes, field: str, where: str) -> None:
    with pytest.raises(msgspec.DecodeError, match="surrogate"):
        msgspec.json.decode(body)
    refusal = unpaired_surrogate(body)
    assert refusal is not None
    assert refusal.field == field
    assert "unpaired surrogates" in refusal.detail and where in refusal.detail


@pytest.mark.parametrize("body", [b'{"argument": "fine"}', b"not json", b"[" * 100_000])
def test_a_body_without_one_names_nothing(body: bytes) -> None:
    assert unpaired_surrogate(body) is None
