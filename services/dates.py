"""The years Flywheel accepts in any date or date-time it is given.

Plans and fiscal years run from 2000 to 2100 (``domain/goals.py``,
``domain/allocation/cycle.py``); dates around them (a history imported from before,
a due date or a sunset after) get a margin of a century on each side. Anything
outside 1900-2199 is a typo (``20277``, ``0.5`` read as a Unix time) rather
than a plan, and stays far from the ends of Python's and PostgreSQL's ranges,
where a date-time with an offset cannot even be turned into UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TypeVar

from domain.errors import InvalidValue

FIRST_YEAR = 1900
LAST_YEAR = 2199
YEARS = f"between {FIRST_YEAR} and {LAST_YEAR}"

D = TypeVar("D", bound=date)


def in_range(value: date) -> bool:
    return FIRST_YEAR <= value.year <= LAST_YEAR


def checked_date(value: D, field: str) -> D:
    """``value`` if its year is in range; else :class:`InvalidValue` naming ``field``."""
    if not in_range(value):
        raise InvalidValue(field, f"`{field}`: the year must be {YEARS}")
    return value


def parse_moment(text: str, field: str) -> datetime:
    """An ISO 8601 date-time (UTC when it has no offset) in range; nothing else, so a
    number such as ``0.5`` is refused rather than read as seconds since 1970."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidValue(
            field, f"`{field}` must be an ISO 8601 date-time, e.g. 2027-01-31T09:00:00Z"
        ) from None
    return checked_date(moment if moment.tzinfo else moment.replace(tzinfo=UTC), field)
