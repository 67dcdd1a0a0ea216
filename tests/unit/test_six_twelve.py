"""The 6-12 view against figures worked out by hand (see docs/WBR.md for the definitions)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.metrics import Aggregation
from projections.wbr.six_twelve import (
    ChangeUnit,
    MonthsMode,
    Observations,
    fiscal_quarter_start,
    fiscal_year_of,
    fiscal_year_start,
    six_twelve,
    year_earlier,
)

D = Decimal


def weekly(first: date, count: int, value_of: object) -> Observations:
    """``count`` weekly values dated on Saturdays from ``first``; ``value_of(n)`` gives the nth."""
    return Observations.of(
        {first + timedelta(weeks=n): D(value_of(n)) for n in range(count)}  # type: ignore[operator]
    )


# Two years of weekly values, Saturdays 2023-01-07 .. 2024-12-28: week n has value n + 1.
FIRST = date(2023, 1, 7)
TWO_YEARS = weekly(FIRST, 104, lambda n: n + 1)
WEEK_ENDING = date(2024, 9, 28)  # a Saturday; week index 90 -> value 91


def test_six_weeks_with_their_prior_year_weeks_and_week_over_week() -> None:
    view = six_twelve(TWO_YEARS, Aggregation.SUM, WEEK_ENDING)
    assert [w.end for w in view.weeks] == [
        WEEK_ENDING - timedelta(weeks=k) for k in range(5, -1, -1)
    ]
    assert [w.value for w in view.weeks] == [D(v) for v in (86, 87, 88, 89, 90, 91)]
    # 364 days earlier is 52 weeks earlier: value 91 - 52 = 39
    assert view.weeks[-1].prior_year_end == date(2023, 9, 30)
    assert view.weeks[-1].prior_year_value == D(39)
    assert view.last_week == D(91)
    assert view.week_over_week == (D(91) / D(90) - 1) * 100
    assert view.year_over_year == (D(91) / D(39) - 1) * 100
    assert view.weeks[0].change == (D(86) / D(85) - 1) * 100, (
        "the first week against the one before"
    )
    assert view.change_unit is ChangeUnit.PERCENT


def saturdays(start: date, end: date) -> list[int]:
    """The week numbers (value - 1) of the Saturdays from start to end."""
    return [n for n in range(104) if start <= FIRST + timedelta(weeks=n) <= end]


def test_twelve_months_the_month_under_way_and_month_over_month() -> None:
    view = six_twelve(TWO_YEARS, Aggregation.SUM, WEEK_ENDING)
    starts = [m.start for m in view.months]
    assert starts[0] == date(2023, 9, 1) and starts[11] == date(2024, 8, 1)
    assert starts[12] == date(2024, 9, 1) and view.months[12].to_date, "September to date"
    august = sum(n + 1 for n in saturdays(date(2024, 8, 1), date(2024, 8, 31)))
    july = sum(n + 1 for n in saturdays(date(2024, 7, 1), date(2024, 7, 31)))
    assert august == 83 + 84 + 85 + 86 + 87  # five Saturdays: 3, 10, 17, 24, 31 August
    assert view.months[11].value == D(august)
    assert view.months[11].change == (D(august) / D(july) - 1) * 100
    august_2023 = sum(n + 1 for n in saturdays(date(2023, 8, 1), date(2023, 8, 31)))
    assert view.months[11].prior_year_value == D(august_2023)
    assert view.months[11].year_over_year == (D(august) / D(august_2023) - 1) * 100
    # The first month, September 2023, has no prior year: the data starts in January 2023.
    assert view.months[0].prior_year_value is None and view.months[0].year_over_year is None


def test_month_quarter_and_year_to_date_against_the_prior_year() -> None:
    view = six_twelve(TWO_YEARS, Aggregation.SUM, WEEK_ENDING)
    mtd = sum(n + 1 for n in saturdays(date(2024, 9, 1), WEEK_ENDING))
    py_mtd = sum(n + 1 for n in saturdays(date(2023, 9, 1), date(2023, 9, 28)))
    assert view.month_to_date.value == D(mtd) == D(88 + 89 + 90 + 91)
    assert view.month_to_date.prior_year_value == D(py_mtd) == D(35 + 36 + 37 + 38)
    assert view.month_to_date.year_over_year == (D(mtd) / D(py_mtd) - 1) * 100
    qtd = sum(n + 1 for n in saturdays(date(2024, 7, 1), WEEK_ENDING))
    assert view.quarter_to_date.start == date(2024, 7, 1)
    assert view.quarter_to_date.value == D(qtd)
    ytd = sum(range(53, 92))  # 2024-01-06 is week 52 (value 53) .. value 91
    py_ytd = sum(range(1, 39))  # 2023-01-07 .. 2023-09-23 (value 38)
    assert view.year_to_date.value == D(ytd)
    assert view.year_to_date.prior_year_value == D(py_ytd)
    assert view.year_to_date.year_over_year == (D(ytd) / D(py_ytd) - 1) * 100


def test_missing_weeks_have_no_value_and_no_change() -> None:
    gappy = Observations.of(
        {
            day: value
            for day, value in zip(TWO_YEARS.days, TWO_YEARS.values, strict=True)
            if day not in (date(2024, 9, 14), date(2023, 9, 30))
        }
    )
    view = six_twelve(gappy, Aggregation.SUM, WEEK_ENDING)
    by_end = {w.end: w for w in view.weeks}
    missing = by_end[date(2024, 9, 14)]
    assert missing.value is None and missing.change is None and missing.year_over_year is None
    assert by_end[date(2024, 9, 21)].change is None, "no base the week after a gap"
    assert view.last_week == D(91) and view.year_over_year is None, "its prior-year week is missing"
    # The month to date adds up what there is: 88 + 90 + 91
    assert view.month_to_date.value == D(88 + 90 + 91)


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        (Aggregation.SUM, D(83 + 84 + 85 + 86 + 87)),
        (Aggregation.MEAN, D(85)),
        (Aggregation.LAST, D(87)),
        (Aggregation.MIN, D(83)),
        (Aggregation.MAX, D(87)),
    ],
)
def test_each_aggregation_combines_a_month(aggregation: Aggregation, expected: Decimal) -> None:
    view = six_twelve(TWO_YEARS, aggregation, WEEK_ENDING)
    assert view.months[11].value == expected


def test_daily_values_add_up_into_weeks() -> None:
    daily = Observations.of({date(2024, 9, 1) + timedelta(days=n): D(1) for n in range(28)})
    view = six_twelve(daily, Aggregation.SUM, date(2024, 9, 28))
    assert [w.value for w in view.weeks] == [None, None, D(7), D(7), D(7), D(7)]
    assert view.months[-1].value == D(28) and view.months[-1].to_date


def test_a_percentage_metric_changes_in_basis_points() -> None:
    rates = Observations.of({date(2024, 9, 21): D("12.5"), date(2024, 9, 28): D("12.75")})
    view = six_twelve(rates, Aggregation.MEAN, date(2024, 9, 28), percentage=True)
    assert view.change_unit is ChangeUnit.BASIS_POINTS
    assert view.week_over_week == D(25), "12.75% - 12.5% = 0.25 points = 25 bps"


def test_a_leap_year() -> None:
    """29 February 2024: its prior-year week ends 2 March 2023 (364 days); the year to date
    ends 28 February 2023; February 2024 has 29 days and is the last full month."""
    daily = Observations.of(
        {
            date(2023, 1, 1) + timedelta(days=n): D(1)
            for n in range((date(2024, 3, 31) - date(2023, 1, 1)).days + 1)
        }
    )
    view = six_twelve(daily, Aggregation.SUM, date(2024, 2, 29))
    assert view.weeks[-1].prior_year_end == date(2023, 3, 2)
    assert view.months[-1].start == date(2024, 2, 1) and not view.months[-1].to_date
    assert len(view.months) == 12, "the week ends on the month's last day: no month under way"
    assert view.months[-1].value == D(29) and view.months[-1].prior_year_value == D(28)
    assert view.month_to_date.value == D(29) and view.month_to_date.prior_year_value == D(28)
    assert view.year_to_date.prior_year_end == date(2023, 2, 28)
    assert view.year_to_date.value == D(60) and view.year_to_date.prior_year_value == D(59)
    assert year_earlier(date(2024, 2, 29)) == date(2023, 2, 28)
    # A week ending 28 February 2024 is not the month's end: February to date follows January.
    before = six_twelve(daily, Aggregation.SUM, date(2024, 2, 28))
    assert before.months[11].start == date(2024, 1, 1) and before.months[12].value == D(28)
    assert before.months[12].prior_year_value == D(28), "the whole of February 2023"


def test_fiscal_quarters_and_years() -> None:
    assert fiscal_year_start(date(2024, 9, 28), 6) == date(2024, 7, 1)
    assert fiscal_year_start(date(2024, 3, 2), 6) == date(2023, 7, 1)
    assert fiscal_quarter_start(date(2024, 9, 28), 6) == date(2024, 7, 1)
    assert fiscal_quarter_start(date(2024, 3, 2), 1) == date(2024, 2, 1)
    assert fiscal_quarter_start(date(2024, 1, 15), 1) == date(2023, 11, 1)
    assert fiscal_year_of(date(2024, 9, 28), 6) == 2025
    view = six_twelve(TWO_YEARS, Aggregation.SUM, WEEK_ENDING, fiscal_year_end_month=6)
    assert view.year_to_date.start == date(2024, 7, 1)
    assert view.year_to_date.value == view.quarter_to_date.value


def test_the_months_of_the_fiscal_year_and_targets_by_plan_year() -> None:
    view = six_twelve(
        TWO_YEARS,
        Aggregation.SUM,
        WEEK_ENDING,
        fiscal_year_end_month=3,
        months=MonthsMode.FISCAL_YEAR,
        targets={2025: D(500), 2024: D(400)},
    )
    assert view.months[0].start == date(2024, 4, 1)
    assert view.months[-1].start == date(2025, 3, 1) and view.months[-1].value is None
    assert view.months[5].to_date and view.months[5].start == date(2024, 9, 1)
    assert {m.target for m in view.months} == {D(500)}
    assert view.weeks[-1].target == D(500)


def test_the_last_weeks_equal_wbr_apps_own_test_figures() -> None:
    """wbr-app's scenario 1 (src/unit_test_case/scenario_1: daily PageViews, week ending
    25-SEP-2021) expects the last two weeks 460207741 and 470759324, the prior-year week
    383306638, WoW 2.29278694379893% and YoY 22.81533303%. These are its daily values for
    those three weeks."""
    daily = {
        # 12-18 September 2021
        date(2021, 9, 12): 70269317, date(2021, 9, 13): 66943157, date(2021, 9, 14): 64096406,
        date(2021, 9, 15): 63780627, date(2021, 9, 16): 60948712, date(2021, 9, 17): 65993907,
        date(2021, 9, 18): 68175615,
        # 19-25 September 2021
        date(2021, 9, 19): 68560425, date(2021, 9, 20): 72837125, date(2021, 9, 21): 66645138,
        date(2021, 9, 22): 64994522, date(2021, 9, 23): 64459594, date(2021, 9, 24): 67114574,
        date(2021, 9, 25): 66147946,
        # 20-26 September 2020, 364 days earlier
        date(2020, 9, 20): 57418548, date(2020, 9, 21): 58767694, date(2020, 9, 22): 53656238,
        date(2020, 9, 23): 51407209, date(2020, 9, 24): 54068552, date(2020, 9, 25): 53540323,
        date(2020, 9, 26): 54448074,
    }  # fmt: skip
    view = six_twelve(
        Observations.of({day: D(value) for day, value in daily.items()}),
        Aggregation.SUM,
        date(2021, 9, 25),
    )
    assert [w.value for w in view.weeks[-2:]] == [D(460207741), D(470759324)]
    assert view.weeks[-1].prior_year_value == D(383306638)
    assert float(view.week_over_week or 0) == pytest.approx(2.29278694379893)
    assert float(view.year_over_year or 0) == pytest.approx(22.81533303)
