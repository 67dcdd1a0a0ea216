"""Values as PostgreSQL can store them: the read side stores whatever the log holds.

PostgreSQL ``text`` and ``jsonb`` cannot hold U+0000, and a lone surrogate is not
text at all (UTF-8 cannot encode it). The write side refuses both
(:func:`domain.values.clean_text`), but a log written before that rule may hold
them, and a projector that cannot store a value would stop every view at that
event for good. So each such character is stored as U+FFFD, the replacement
character: deterministic, so a rebuild writes exactly what the live views hold,
and visible, so a reader can tell that something was replaced. Every other
character is stored as the log holds it.

Checking costs a few tens of nanoseconds per string (a rebuild writes millions):
a search for NUL, and for text that is not ASCII an encoding to UTF-8, which fails
on a surrogate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_ESCAPED_NUL = b"\\u0000"


def unstorable(value: Any) -> bool:
    """Whether ``value`` holds a string PostgreSQL cannot store, at any depth."""
    if type(value) is str:
        if "\x00" in value:
            return True
        if value.isascii():
            return False
        try:
            value.encode()
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, list | tuple):
        return any(unstorable(item) for item in value)
    if isinstance(value, dict):
        return any(unstorable(key) or unstorable(item) for key, item in value.items())
    return isinstance(value, str) and unstorable(str(value))


def storable(value: Any) -> Any:
    """``value`` with every string in it storable, also inside lists, tuples and dicts
    (keys too); ``value`` itself when it already is (the usual case)."""
    return _replaced(value) if unstorable(value) else value


def storable_row(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` itself when every value is storable, else a storable copy."""
    for value in row.values():
        if unstorable(value):
            return {name: storable(value) for name, value in row.items()}
    return row


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
