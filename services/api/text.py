"""What a command body's strings may hold, as the OpenAPI document states it.

Every text a command records passes :func:`domain.values.clean_text`; a person's
handle passes :func:`domain.people.values.person_id` besides. Their rules become
``pattern``s here, built from the very expressions the domain checks with (and from
the running Python's Unicode tables for "printable"), so that the document refuses
exactly what the server refuses.

A string field of a command body is multi-line text unless its type is marked
(``Annotated[str, Meta(...), LINE]``): most are reasons, notes and descriptions.

* :data:`TEXT`: multi-line text (tabs and line breaks allowed).
* :data:`LINE`: one line of text (a name, a title).
* :data:`HANDLE`: a person's handle, one word (``alice@example.com``); :data:`WORD`
  for another word of printable characters (an API's version).
* :data:`VERBATIM`: a string the domain checks in its own way (a URL, an event
  type); its own ``pattern``, if any, is the document's.

Text that must show something (``min_length`` of 1 or more) needs one visible
character, since text of blanks and invisible characters counts as blank.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Callable
from functools import cache

from msgspec import Meta

from domain import values

KIND = "x-flywheel-text"  # read by services/api/openapi.py; Litestar leaves it out
TEXT = Meta(extra_json_schema={KIND: "text"})
LINE = Meta(extra_json_schema={KIND: "line"})
HANDLE = Meta(extra_json_schema={KIND: "word"})
WORD = HANDLE  # one word of printable text, as a handle is (an API's version)
VERBATIM = Meta(extra_json_schema={KIND: "verbatim"})

SIZE = sys.maxunicode + 1

# A set of characters is a mask: an int whose byte ``n`` (from the top) is 1 when code
# point ``n`` is in the set, else 0, so that unions are one `|` and runs are found by a
# regular expression over its bytes, not by a loop.
Mask = int
_ONES: Mask = int.from_bytes(b"\x01" * SIZE, "big")
_SURROGATES: Mask = int.from_bytes(bytes(0xD800) + b"\x01" * 0x800 + bytes(SIZE - 0xE000), "big")


@cache
def _every_character() -> str:
    return array("I", range(SIZE)).tobytes().decode("utf-32-le", "surrogatepass")


def _matching(expression: re.Pattern[str]) -> Mask:
    marks = bytearray(SIZE)
    for match in expression.finditer(_every_character()):
        marks[match.start()] = 1
    return int.from_bytes(marks, "big")


def _where(predicate: Callable[[str], bool]) -> Mask:
    return int.from_bytes(bytes(map(predicate, _every_character())), "big")


def _char(point: int) -> str:
    # Outside the Basic Multilingual Plane the character itself: `\U` is Python's only.
    return f"\\u{point:04x}" if point <= 0xFFFF else chr(point)


def _class_of(mask: Mask, *, negated: bool) -> str:
    # Surrogates are left out: a JSON Schema string is Unicode scalar values, and a
    # validator such as jsonschema-rs refuses a class naming them. (The server refuses
    # an unpaired one wherever it is: services/api/bodies.py.)
    mask &= ~_SURROGATES
    runs = re.finditer(b"\x01+", mask.to_bytes(SIZE, "big"))
    parts = "".join(
        _char(run.start())
        if run.end() - run.start() == 1
        else f"{_char(run.start())}-{_char(run.end() - 1)}"
        for run in runs
    )
    return f"[{'^' if negated else ''}{parts}]"


@cache
def _sets() -> dict[str, Mask]:
    one_line = _matching(values._REFUSED_IN_ONE_LINE)
    invisible = _matching(re.compile(values._INVISIBLE.pattern.removesuffix("*")))
    spaces = _matching(re.compile(r"\s"))  # str.isspace, as `\s` and strip() read it
    not_printable = _where(lambda char: not char.isprintable())
    return {
        "one_line": one_line,
        "multi_line": _matching(values._REFUSED_IN_MULTI_LINE),
        "invisible": invisible,
        "not_in_handle": one_line | not_printable | spaces,
        "spaces": spaces & ~one_line,
    }


@cache
def pattern(kind: str, *, required: bool) -> str | None:
    """The pattern of a string of ``kind`` (``text``, ``line`` or ``word``); whether
    it must show a visible character (``required``; a word always must). None for
    ``verbatim``."""
    sets = _sets()
    if kind == "word":
        # Written as the characters allowed, since those refused (every unassigned code
        # point) are far more: a generator such as Hypothesis walks each one. The big
        # class is written once: quiet (invisible) characters, then visible ones each
        # followed by quiet ones.
        spaces = _class_of(sets["spaces"], negated=False)
        in_word = _ONES ^ sets["not_in_handle"]
        quiet = _class_of(in_word & sets["invisible"], negated=False)
        visible = _class_of(in_word & ~sets["invisible"], negated=False)
        return f"^{spaces}*{quiet}*(?:{visible}{quiet}*)+{spaces}*$"
    if kind not in ("text", "line"):
        return None
    refused = sets["multi_line"] if kind == "text" else sets["one_line"]
    any_char = _class_of(refused, negated=True)
    if not required:
        return f"^{any_char}*$"
    shown = _class_of(refused | sets["invisible"], negated=True)
    return f"^{any_char}*{shown}{any_char}*$"
