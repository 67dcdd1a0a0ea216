"""Values as PostgreSQL can store them: the read side stores whatever the log holds.

PostgreSQL ``text`` and ``jsonb`` cannot hold U+0000, and a lone surrogate is not
text at all (UTF-8 cannot encode it). The write side refuses both
(:func:`domain.values.clean_text`), but a log written before that rule may hold
them, and a projector that cannot store a value would stop every view at that
event for good. So each such character is stored as U+FFFD, the replacement
character: deterministic, so a rebuild writes exactly what the live views hold,
and visible, so a reader can tell that something was replaced. Every other
character is stored as the log holds it.

Only the columns declared to hold text are checked, each with a search for NUL
and, for text that is not ASCII, an encoding to UTF-8 (which fails on a
surrogate): tens of nanoseconds per value, where a rebuild writes millions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_NUL = b"\\u0000"


def unstorable(value: Any) -> bool:
    """Whether ``value`` holds a string PostgreSQL cannot store, at any depth."""
    if isinstance(value, str):
        return "\x00" in value or not (value.isascii() or _encodes(value))
    if isinstance(value, list | tuple):
        return any(unstorable(item) for item in value)
    if isinstance(value, dict):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    return False


def storable(value: Any) -> Any:
    """``value`` with every string in it storable, also inside lists, tuples and dicts
    (keys too); ``value`` itself when it already is (the usual case)."""
    return _replaced(value) if unstorable(value) else value


def storable_record(record: Sequence[Any], positions: Sequence[int]) -> Sequence[Any]:
    """``record`` with the values at ``positions`` (its text columns) storable: itself
    when they are (the usual case), else a storable copy."""
    for position in positions:
        value = record[position]
        if type(value) is str:
            if "\x00" not in value and (value.isascii() or _encodes(value)):
                continue
        elif value is None or not unstorable(value):
            continue
        return [_replaced(value) if i in positions else value for i, value in enumerate(record)]
    return record


def storable_json(value: Any, encode: Callable[[Any], bytes]) -> str:
    """``value`` encoded as JSON that ``jsonb`` accepts: no ``\\u0000`` escape, no
    surrogate. ``encode`` (a msgspec encoder's) runs once on the usual value; only one
    that fails to encode or holds an escaped NUL is made storable first."""
    try:
        encoded = encode(value)
    except UnicodeEncodeError:  # a lone surrogate
        encoded = encode(_replaced(value))
    else:
        if _ESCAPED_NUL in encoded:
            encoded = encode(_replaced(value))
    return encoded.decode()


def _encodes(text: str) -> bool:
    """Whether ``text`` encodes to UTF-8: not when it holds a lone surrogate."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _replaced(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSTORABLE.sub(REPLACEMENT, value)
    if isinstance(value, list):
        return [_replaced(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_replaced(item) for item in value)
    if isinstance(value, dict):
        return {_replaced(key): _replaced(item) for key, item in value.items()}
    return value
