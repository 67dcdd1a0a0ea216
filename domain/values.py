"""Small value checks shared by the aggregates."""

from __future__ import annotations

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


def required_text(field: str, value: str, *, max_length: int) -> str:
    """The value stripped of surrounding blanks; refused when blank or too long."""
    text = value.strip()
    if not text:
        raise InvalidValue(field, f"`{field}` must not be blank")
    if len(text) > max_length:
        raise InvalidValue(field, f"`{field}` is longer than {max_length} characters")
    return text
