"""How a refusal of text names the character it met, at the edges of each class: the
whole refusal, since a client shows it as it is."""

from __future__ import annotations

import pytest

from domain.values import clean_text
from tests.unit.refusals import invalid, refusal


@pytest.mark.parametrize(
    ("char", "named"),
    [
        ("\x00", "control characters"),
        ("\x9f", "control characters"),
        (chr(0xD800), "unpaired surrogates"),
        (chr(0xDFFF), "unpaired surrogates"),
        ("\t", "tabs or line breaks (it is one line)"),
        ("\r", "tabs or line breaks (it is one line)"),
        ("\u2028", "tabs or line breaks (it is one line)"),
        ("\u2029", "tabs or line breaks (it is one line)"),
        ("\u202a", "bidirectional embedding, override or isolate controls"),
        ("\u202e", "bidirectional embedding, override or isolate controls"),
        ("\u2066", "bidirectional embedding, override or isolate controls"),
        ("\u2069", "bidirectional embedding, override or isolate controls"),
        ("\ufdd0", "noncharacters"),
        ("\U0010ffff", "noncharacters"),
    ],
)
def test_a_refused_character_is_named_by_its_class_its_code_and_where(
    char: str, named: str
) -> None:
    assert refusal(lambda: clean_text("note", f"ab{char}")) == invalid(
        "note", f"`note` must not contain {named}: U+{ord(char):04X} at character 3"
    )
