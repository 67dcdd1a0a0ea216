"""Small value checks shared by the aggregates."""

from __future__ import annotations

import re
import unicodedata
from enum import Enum

from domain.errors import InvalidValue


class CaseInsensitiveEnum(Enum):
    """An enum whose members are UPPER_CASE strings, accepted in any case.

    Deliberately not a ``str`` subclass: the event transcoder then sees the enum
    type and stores it tagged, so replayed events carry enum members, not strings.
    """

    @classmethod
    def _missing_(cls, value: object) -> CaseInsensitiveEnum | None:
        if isinstance(value, str):
            return cls.__members__.get(value.strip().upper())
        return None


# The one rule for every text a command records (names, reasons, notes, arguments...).
# Refused anywhere: C0 and C1 control characters (tab, line feed and carriage return only
# in multi-line text), unpaired surrogates (not text; not even UTF-8), the 66
# noncharacters (never for interchange) and the bidirectional embedding, override and
# isolate controls (they reorder what a reader sees, "Trojan Source"). The marks LRM, RLM
# and ALM, private-use characters and every other format character (ZWJ in emoji, ZWNJ
# in Persian) are accepted. Each set is fixed by Unicode's stability policies, so the
# ranges are written out rather than read from this Python's (older) Unicode tables.
_CONTROLS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"  # C0 and C1, less tab, LF and CR
_LINE_BREAKS = r"\t\n\r\u2028\u2029"
_SURROGATES = r"\ud800-\udfff"
_NONCHARACTERS = r"\ufdd0-\ufdef" + "".join(
    rf"\U{plane + 0xFFFE:08x}\U{plane + 0xFFFF:08x}" for plane in range(0, 0x110000, 0x10000)
)
_BIDI_CONTROLS = r"\u202a-\u202e\u2066-\u2069"
_REFUSED = _CONTROLS + _SURROGATES + _NONCHARACTERS + _BIDI_CONTROLS
_REFUSED_IN_ONE_LINE = re.compile(f"[{_REFUSED}{_LINE_BREAKS}]")
_REFUSED_IN_MULTI_LINE = re.compile(f"[{_REFUSED}]")
# Whitespace and Unicode's Default_Ignorable_Code_Point set (zero-width spaces and
# joiners, U+FEFF, variation selectors, fillers, tags...), plus the blank braille
# pattern: text made only of these shows nothing, so it counts as blank.
_INVISIBLE = re.compile(
    r"[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    r"\U0001d173-\U0001d17a\U000e0000-\U000e0fff]*"
)


def _describe(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "unpaired surrogates"
    if char in "\t\n\r\u2028\u2029":
        return "tabs or line breaks (it is one line)"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "bidirectional embedding, override or isolate controls"
    if code <= 0x9F:
        return "control characters"
    return "noncharacters"


def clean_text(field: str, value: str, *, multiline: bool = False) -> str:
    """The text a command may record: checked, stripped of surrounding blanks, in NFC.

    ``multiline`` allows tabs and line breaks (a carriage return, alone or before a
    line feed, becomes a line feed). Text that shows nothing (only whitespace and
    invisible characters) comes back empty. Refused text raises :class:`InvalidValue`
    naming ``field`` and the first offending character.
    """
    refused = (_REFUSED_IN_MULTI_LINE if multiline else _REFUSED_IN_ONE_LINE).search(value)
    if refused is not None:
        char = refused.group()
        raise InvalidValue(
            field,
            f"`{field}` must not contain {_describe(char)}: U+{ord(char):04X} at character "
            f"{refused.start() + 1}",
        )
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", value).strip()
    return "" if _INVISIBLE.fullmatch(text) else text


def required_text(field: str, value: str, *, max_length: int, multiline: bool = False) -> str:
    """Text that must show something (see :func:`clean_text`), at most ``max_length`` long."""
    text = clean_text(field, value, multiline=multiline)
    if not text:
        raise InvalidValue(field, f"`{field}` must not be blank")
    return _bounded(field, text, max_length)


def optional_text(
    field: str, value: str | None, *, max_length: int, multiline: bool = False
) -> str:
    """Text that may be left out: None or blank gives ``""``; otherwise as :func:`required_text`."""
    text = "" if value is None else clean_text(field, value, multiline=multiline)
    return _bounded(field, text, max_length)


def _bounded(field: str, text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise InvalidValue(field, f"`{field}` is longer than {max_length} characters")
    return text
