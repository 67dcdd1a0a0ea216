"""The 6-12 chart of one metric, drawn with matplotlib (the setup in ``services/plotting.py``).

Six weeks on the left, the months on the right, on one value axis: the current year
as a solid line with round markers, the prior year dashed, targets as diamonds, and
a triangle above each period that has a variance note. SVG groups carry stable ids
for what they show: ``wbr-weeks``, ``wbr-weeks-prior-year``, ``wbr-months``,
``wbr-months-prior-year``, ``wbr-targets``, ``wbr-notes``; each drawn point is one
marker (``<use>``) inside its group.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from matplotlib.figure import Figure

from projections.wbr.deck import MetricView
from projections.wbr.six_twelve import ChangeUnit, Period
from services.plotting import plotting, png_bytes, svg_bytes

CURRENT = "#1f4e9c"
PRIOR = "#8c8c8c"
TARGET = "#d4812a"
NOTE = "#c0392b"
GAP = 1  # an empty slot between the weeks and the months


def week_label(end: date) -> str:
    return f"wk {end.isocalendar().week}"


def month_label(period: Period) -> str:
    label = period.start.strftime("%b")
    return f"{label} (to date)" if period.to_date else label


def _values(periods: Sequence[Period], attribute: str) -> list[float]:
    values: list[float] = []
    for period in periods:
        value: Decimal | None = getattr(period, attribute)
        values.append(math.nan if value is None else float(value))
    return values


def _plot(axes, xs, ys, gid: str, label: str | None = None, **style) -> None:  # type: ignore[no-untyped-def]
    """A line through the points that have a value (gaps stay gaps), markers on each;
    in the legend when ``label`` is given."""
    (line,) = axes.plot(xs, ys, **style)
    line.set_gid(gid)
    if label is not None:
        line.set_label(label)


THIS_YEAR = {"color": CURRENT, "marker": "o", "linewidth": 2}
PRIOR_YEAR = {"color": PRIOR, "marker": "o", "markersize": 4, "linestyle": "--"}


def draw(view: MetricView, title: str) -> Figure:
    computed = view.view
    weeks, months = computed.weeks, computed.months
    week_x = list(range(len(weeks)))
    month_x = [len(weeks) + GAP + n for n in range(len(months))]
    figure = Figure(figsize=(10, 3.6))
    axes = figure.add_subplot()
    for xs, periods, group, in_legend in (
        (week_x, weeks, "wbr-weeks", True),
        (month_x, months, "wbr-months", False),
    ):
        this_year, prior_year = ("This year", "Prior year") if in_legend else (None, None)
        _plot(axes, xs, _values(periods, "value"), group, this_year, **THIS_YEAR)
        prior = _values(periods, "prior_year_value")
        _plot(axes, xs, prior, f"{group}-prior-year", prior_year, **PRIOR_YEAR)
    all_x, all_periods = week_x + month_x, [*weeks, *months]
    targets = _values(all_periods, "target")
    if any(not math.isnan(y) for y in targets):
        _plot(
            axes,
            all_x,
            targets,
            "wbr-targets",
            "Target",
            color=TARGET,
            marker="D",
            linestyle="none",
        )
    noted = {note["day"] for note in view.notes}
    note_x = [
        x
        for x, period in zip(all_x, all_periods, strict=True)
        if any(period.start <= day <= period.end for day in noted)
    ]
    if note_x:
        top = axes.get_ylim()[1]
        _plot(
            axes,
            note_x,
            [top] * len(note_x),
            "wbr-notes",
            "Note",
            color=NOTE,
            marker="v",
            linestyle="none",
        )
    axes.axvline(len(weeks) - 0.5 + GAP / 2, color="#cccccc", linewidth=1)
    axes.set_xticks(
        all_x,
        [week_label(p.end) for p in weeks] + [month_label(p) for p in months],
        rotation=45,
        ha="right",
        fontsize=8,
    )
    unit = "bps" if computed.change_unit is ChangeUnit.BASIS_POINTS else "%"
    axes.set_title(
        f"{title} — week ending {computed.week_ending.isoformat()} "
        f"(changes in {unit}; {view.metric['aggregation'].lower()} of values)",
        fontsize=10,
    )
    axes.grid(axis="y", alpha=0.3)
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def chart_svg(view: MetricView, title: str) -> bytes:
    with plotting():
        return svg_bytes(draw(view, title))


def chart_png(view: MetricView, title: str) -> bytes:
    with plotting():
        return png_bytes(draw(view, title))
