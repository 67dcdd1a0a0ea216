"""People and the functions they work in.

A person is known by a stable handle, usually their e-mail address; it is the
subject of their access token. Handles are compared case-insensitively, so they
are stored lower-case.
"""

from __future__ import annotations

import unicodedata
from typing import NewType

from domain.errors import InvalidValue
from domain.values import CaseInsensitiveEnum, clean_text

PersonId = NewType("PersonId", str)

MAX_PERSON_ID_LENGTH = 254


def person_id(raw: str, *, field: str = "person") -> PersonId:
    """A handle: one word of text (:func:`~domain.values.clean_text`), lower-case, in NFC."""
    handle = unicodedata.normalize("NFC", clean_text(field, raw).lower())
    if not handle:
        raise InvalidValue(field, f"`{field}` must name a person, e.g. alice@example.com")
    if len(handle) > MAX_PERSON_ID_LENGTH:
        raise InvalidValue(field, f"`{field}` is longer than {MAX_PERSON_ID_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in handle):
        raise InvalidValue(field, f"`{field}` must not contain spaces or control characters")
    return PersonId(handle)


class Function(CaseInsensitiveEnum):
    """The functions a single-threaded team may need (DOMAIN.md)."""

    ENGINEERING = "ENGINEERING"
    PRODUCT = "PRODUCT"
    DESIGN = "DESIGN"
    DATA_SCIENCE = "DATA_SCIENCE"
    OPERATIONS = "OPERATIONS"
    QUALITY = "QUALITY"
    MARKETING = "MARKETING"
    FINANCE = "FINANCE"
    RECRUITING = "RECRUITING"
