"""The schema's custom scalars, each with a description and ``@specifiedBy``.

``DateTime``, ``Date`` and ``UUID`` are strawberry's own, described here through
``scalar_overrides``; ``Money`` is ours: budgets are exact whole currency units that
may exceed 32 bits, so they travel as strings of digits (as Shopify sends money),
never as floats.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import uuid
from typing import Any, NewType

from strawberry.schema.types.base_scalars import (
    DateDefinition,
    DateTimeDefinition,
    DecimalDefinition,
    UUIDDefinition,
)
from strawberry.types.scalar import ScalarDefinition

MONEY_SPEC = "https://www.rfc-editor.org/rfc/rfc8259#section-6"


def _parse_money(value: Any) -> int:
    text = str(value)
    if not (text.isascii() and text.lstrip("-").isdigit()):
        raise ValueError(f'Money is a string of digits, e.g. "5000000", not {value!r}')
    return int(text)


Money = NewType("Money", int)

MONEY = ScalarDefinition(
    name="Money",
    description="An exact whole amount of money in the organisation's currency, as a string "
    'of decimal digits with an optional leading minus (e.g. `"5000000"`): the `int` '
    "grammar of RFC 8259, section 6, in a string so no client reads it as a float.",
    specified_by_url=MONEY_SPEC,
    serialize=lambda value: str(int(value)),
    parse_value=_parse_money,
    parse_literal=None,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    Money: MONEY,
    dt.datetime: dataclasses.replace(
        DateTimeDefinition,
        description="A date and time with its UTC offset, in RFC 3339 / ISO 8601 form "
        "(e.g. `2026-01-31T09:30:00+00:00`).",
        specified_by_url="https://scalars.graphql.org/andimarek/date-time",
    ),
    dt.date: dataclasses.replace(
        DateDefinition,
        description="A calendar date in ISO 8601 form (e.g. `2026-01-31`).",
        specified_by_url="https://scalars.graphql.org/andimarek/local-date",
    ),
    decimal.Decimal: dataclasses.replace(
        DecimalDefinition,
        description='An exact decimal number as a string (e.g. `"0.25"`), never a float: '
        "a second job's share of a person's time.",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc8259#section-6",
    ),
    uuid.UUID: dataclasses.replace(
        UUIDDefinition,
        description="A UUID in its hyphenated text form (e.g. "
        "`3f2504e0-4f89-11d3-9a0c-0305e82c3301`), as the REST API uses ids.",
        specified_by_url="https://www.rfc-editor.org/rfc/rfc9562",
    ),
}
