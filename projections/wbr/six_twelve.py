"""The 6-12 view of one metric for a week, computed from its observations without I/O.

The definitions are wbr-app's (working-backwards/wbr-app, ``src/wbr.py`` and
``src/wbr_utility.py``), written out in ``docs/WBR.md``:

- An observation is a value dated on a day (a daily value, or a weekly one dated on
  the day its week ends). A period's value combines the values dated within it by
  the metric's aggregation (``SUM``, ``MEAN``, ``LAST``, ``MIN``, ``MAX``); a period
  with none has no value (it is never taken as zero).
- **Weeks** end on the week-ending date's weekday: week *k* of the six is the 7 days
  ending ``week_ending - 7 * (5 - k)``. A week's **prior-year week** ends 364 days
  earlier (the same weekday).
- **Months** are calendar months. The last full month is the week-ending date's month
  if that date is its last day, otherwise the month before; the trailing twelve end
  there. When the week does not end on a month's last day, the month under way
  follows, to date (its prior-year value is that whole month a year earlier, as
  wbr-app shows it). A month's prior-year month is the same month a year earlier.
  With ``months=FISCAL_YEAR``, the months are the current fiscal year's instead
  (those not begun have no value).
- **WoW**, **MoM**: a week (month) against the one before it; **YoY**: against its
  prior-year period. **MTD**, **QTD**, **YTD**: from the first day of the month,
  fiscal quarter or fiscal year to the week-ending date, against the same span
  ending a year earlier (``week_ending`` minus one calendar year; 29 February gives
  28 February). Quarters and years follow ``fiscal_year_end_month``.
- A **change** is in percent, ``(value / base - 1) * 100`` (none when the base is
  zero), or for a metric whose unit is a percentage, in basis points:
  ``(value - base) * 100`` for values in percent (``12.5`` meaning 12.5%).
"""

from __future__ import annotations

import bisect
import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from domain.metrics import Aggregation
from domain.wbr import combine

PRIOR_YEAR_WEEK_DAYS = 364
WEEKS = 6
MONTHS = 12
HUNDRED = Decimal(100)


class MonthsMode(StrEnum):
    """Which months the view shows: the trailing twelve (and the month under way), or
    the months of the current fiscal year."""

    TRAILING = "TRAILING"
    FISCAL_YEAR = "FISCAL_YEAR"


class ChangeUnit(StrEnum):
    """How changes are told: in percent, or in basis points for percentage metrics."""

    PERCENT = "PERCENT"
    BASIS_POINTS = "BASIS_POINTS"


@dataclass(frozen=True)
class Observations:
    """A metric's values by day, sorted, for fast sums over spans."""

    days: Sequence[date]
    values: Sequence[Decimal]

    @classmethod
    def of(cls, points: Mapping[date, Decimal] | Sequence[tuple[date, Decimal]]) -> Observations:
        items = sorted(points.items() if isinstance(points, Mapping) else points)
        return cls([day for day, _ in items], [value for _, value in items])

    def within(self, start: date, end: date) -> Sequence[Decimal]:
        """The values dated from ``start`` to ``end``, both included, in date order."""
        low = bisect.bisect_left(self.days, start)
        high = bisect.bisect_right(self.days, end)
        return self.values[low:high]


@dataclass(frozen=True)
class Period:
    """One week or month: its span, value, prior-year value, change against the period
    before (WoW or MoM), change against the prior year (YoY), and target."""

    start: date
    end: date
    value: Decimal | None
    prior_year_start: date
    prior_year_end: date
    prior_year_value: Decimal | None
    change: Decimal | None
    year_over_year: Decimal | None
    target: Decimal | None
    to_date: bool = False  # a month under way, to the week-ending date


@dataclass(frozen=True)
class Total:
    """Month, quarter or year to date, against the same span a year earlier."""

    start: date
    end: date
    value: Decimal | None
    prior_year_start: date
    prior_year_end: date
    prior_year_value: Decimal | None
    year_over_year: Decimal | None


@dataclass(frozen=True)
class SixTwelve:
    week_ending: date
    weeks: list[Period]
    months: list[Period]
    last_week: Decimal | None
    week_over_week: Decimal | None
    year_over_year: Decimal | None
    month_to_date: Total
    quarter_to_date: Total
    year_to_date: Total
    change_unit: ChangeUnit


def last_day_of_month(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier when negative), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def year_earlier(day: date) -> date:
    """One calendar year earlier; 29 February gives 28 February (dateutil's relativedelta)."""
    return add_months(day, -12)


def fiscal_year_start(day: date, fiscal_year_end_month: int) -> date:
    start_month = fiscal_year_end_month % 12 + 1
    year = day.year if day.month >= start_month else day.year - 1
    return date(year, start_month, 1)


def fiscal_quarter_start(day: date, fiscal_year_end_month: int) -> date:
    year_start = fiscal_year_start(day, fiscal_year_end_month)
    months_in = (day.year - year_start.year) * 12 + day.month - year_start.month
    return add_months(year_start, months_in - months_in % 3)


def fiscal_year_of(day: date, fiscal_year_end_month: int) -> int:
    """The fiscal year a day falls in, named by the calendar year it ends in."""
    return day.year if day.month <= fiscal_year_end_month else day.year + 1


def change(value: Decimal | None, base: Decimal | None, unit: ChangeUnit) -> Decimal | None:
    if value is None or base is None:
        return None
    if unit is ChangeUnit.BASIS_POINTS:
        return (value - base) * HUNDRED
    if base == 0:
        return None
    return (value / base - 1) * HUNDRED


def six_twelve(
    observations: Observations,
    aggregation: Aggregation,
    week_ending: date,
    *,
    percentage: bool = False,
    fiscal_year_end_month: int = 12,
    months: MonthsMode = MonthsMode.TRAILING,
    targets: Mapping[int, Decimal] | None = None,
) -> SixTwelve:
    """The 6-12 view; ``targets`` maps a fiscal (plan) year to the target of its goal."""
    if not 1 <= fiscal_year_end_month <= 12:
        raise ValueError("fiscal_year_end_month is 1 to 12")
    unit = ChangeUnit.BASIS_POINTS if percentage else ChangeUnit.PERCENT
    goals = targets or {}

    def value(start: date, end: date) -> Decimal | None:
        return combine(aggregation, observations.within(start, end))

    def target(end: date) -> Decimal | None:
        return goals.get(fiscal_year_of(end, fiscal_year_end_month))

    # Seven weeks: the one before the first gives the first's WoW.
    week_values = []
    for back in range(WEEKS, -1, -1):
        end = week_ending - timedelta(days=7 * back)
        py_end = end - timedelta(days=PRIOR_YEAR_WEEK_DAYS)
        week_values.append(
            (end, value(end - timedelta(days=6), end), py_end, value(py_end - timedelta(6), py_end))
        )
    weeks = [
        Period(
            start=end - timedelta(days=6),
            end=end,
            value=current,
            prior_year_start=py_end - timedelta(days=6),
            prior_year_end=py_end,
            prior_year_value=prior,
            change=change(current, week_values[index][1], unit),
            year_over_year=change(current, prior, unit),
            target=target(end),
        )
        for index, (end, current, py_end, prior) in enumerate(week_values[1:])
    ]

    last_full = (
        week_ending
        if week_ending == last_day_of_month(week_ending)
        else first_of_month(week_ending) - timedelta(days=1)
    )
    if months is MonthsMode.TRAILING:
        first_month = first_of_month(add_months(last_full, -(MONTHS - 1)))
        month_starts = [add_months(first_month, n) for n in range(MONTHS)]
        if last_full != week_ending:
            month_starts.append(first_of_month(week_ending))
    else:
        year_start = fiscal_year_start(week_ending, fiscal_year_end_month)
        month_starts = [add_months(year_start, n) for n in range(MONTHS)]
    before = add_months(month_starts[0], -1)
    previous = value(before, last_day_of_month(before))
    month_periods = []
    for start in month_starts:
        month_end = last_day_of_month(start)
        to_date = start <= week_ending < month_end
        end = week_ending if to_date else month_end
        current = value(start, end) if start <= week_ending else None
        py_start = add_months(start, -12)
        py_end = last_day_of_month(py_start)
        prior = value(py_start, py_end)
        month_periods.append(
            Period(
                start=start,
                end=end,
                value=current,
                prior_year_start=py_start,
                prior_year_end=py_end,
                prior_year_value=prior,
                change=change(current, previous, unit),
                year_over_year=change(current, prior, unit),
                target=target(month_end),
                to_date=to_date,
            )
        )
        previous = current

    def total(start: date, py_start: date) -> Total:
        py_end = year_earlier(week_ending)
        current, prior = value(start, week_ending), value(py_start, py_end)
        return Total(
            start=start,
            end=week_ending,
            value=current,
            prior_year_start=py_start,
            prior_year_end=py_end,
            prior_year_value=prior,
            year_over_year=change(current, prior, unit),
        )

    py_day = year_earlier(week_ending)
    fiscal = fiscal_year_end_month
    last = weeks[-1]
    return SixTwelve(
        week_ending=week_ending,
        weeks=weeks,
        months=month_periods,
        last_week=last.value,
        week_over_week=last.change,
        year_over_year=last.year_over_year,
        month_to_date=total(first_of_month(week_ending), first_of_month(py_day)),
        quarter_to_date=total(
            fiscal_quarter_start(week_ending, fiscal), fiscal_quarter_start(py_day, fiscal)
        ),
        year_to_date=total(
            fiscal_year_start(week_ending, fiscal), fiscal_year_start(py_day, fiscal)
        ),
        change_unit=unit,
    )
