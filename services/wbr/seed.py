"""The demo's weekly business review: two years of weekly values for the demo's metrics,
in one bulk upload, and a few variance notes, so the deck shows something real."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from services.api.commands import CommandContext
from services.principal import Principal
from services.wbr.commands import BulkValue
from services.wbr.rest import WriteNote

if TYPE_CHECKING:
    from services.runtime import Runtime

WEEKS = 104
# name -> (first value, weekly growth, seasonal swing); metrics the demo already
# observed elsewhere (Selection, Delivery speed) keep their own few values.
SHAPES: Mapping[str, tuple[float, float, float]] = {
    "Revenue": (1_200_000.0, 0.004, 0.12),
    "Active customers": (48_000.0, 0.003, 0.05),
}
PERCENT_SHAPE = (62.0, 0.0008, 0.02)
COUNT_SHAPE = (400.0, 0.002, 0.08)
NOTES = (
    (0, "Revenue", "Prime Day moved into this week"),
    (3, "Active customers", "Sign-up outage on Tuesday: about 1,200 fewer new customers"),
    (9, "Revenue", "Price changes on electronics took effect"),
)
SKIP = frozenset({"Selection", "Delivery speed"})


def last_saturday(today: date) -> date:
    return today - timedelta(days=(today.weekday() - 5) % 7 or 7)


def value_of(shape: tuple[float, float, float], week: int, percentage: bool) -> Decimal:
    first, growth, swing = shape
    value = first * (1 + growth) ** week * (1 + swing * math.sin(2 * math.pi * week / 52))
    if percentage:
        return Decimal(f"{min(value, 99.9):.2f}")
    return Decimal(round(value))


def seed_review(
    runtime: Runtime,
    leadership: Principal,
    correlation: str,
    metrics: Mapping[str, UUID],
    units: Mapping[str, str],
    today: date,
) -> tuple[int, int, int]:
    """Records the values and notes; returns (values recorded, notes, last position)."""
    from domain.metrics import is_percentage

    end = last_saturday(today)
    values = []
    for name, metric_id in metrics.items():
        if name in SKIP:
            continue
        percentage = is_percentage(units[name])
        shape = SHAPES.get(name, PERCENT_SHAPE if percentage else COUNT_SHAPE)
        values += [
            BulkValue(
                period_end=end - timedelta(weeks=WEEKS - 1 - week),
                value=value_of(shape, week, percentage),
                where=f"{name} week {week}",
                metric_id=metric_id,
            )
            for week in range(WEEKS)
        ]
    lead = CommandContext(leadership, correlation)
    outcome = runtime.wbr.record_observations(lead, values)
    position = outcome.position or 0
    notes = 0
    for weeks_back, name, text in NOTES:
        if name in metrics:
            written = runtime.wbr.write_note(
                lead, metrics[name], WriteNote(day=end - timedelta(weeks=weeks_back), text=text)
            )
            position = max(position, written.position)
            notes += 1
    return outcome.recorded, notes, position
