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


def _plot(axes, xs, ys, gid: str, **style) -> None:  # type: ignore[no-untyped-def]
    """A line through the points that have a value (gaps stay gaps), markers on each."""
    (line,) = axes.plot(xs, ys, **style)
    line.set_gid(gid)


def draw(view: MetricView, title: str) -> Figure:
    computed = view.view
    weeks, months = computed.weeks, computed.months
    week_x = list(range(len(weeks)))
    month_x = [len(weeks) + GAP + n for n in range(len(months))]
    figure = Figure(figsize=(10, 3.6))
    axes = figure.add_subplot()
    _plot(
        axes,
        week_x,
        _values(weeks, "value"),
        "wbr-weeks",
        color=CURRENT,
        marker="o",
        linewidth=2,
        label="This year",
    )
    _plot(
        axes,
        week_x,
        _values(weeks, "prior_year_value"),
        "wbr-weeks-prior-year",
        color=PRIOR,
        marker="o",
        markersize=4,
        linestyle="--",
        label="Prior year",
    )
    _plot(
        axes,
        month_x,
        _values(months, "value"),
        "wbr-months",
        color=CURRENT,
        marker="o",
        linewidth=2,
    )
    _plot(
        axes,
        month_x,
        _values(months, "prior_year_value"),
        "wbr-months-prior-year",
        color=PRIOR,
        marker="o",
        markersize=4,
        linestyle="--",
    )
    target_x = week_x + month_x
    target_y = _values(weeks, "target") + _values(months, "target")
    if any(not math.isnan(y) for y in target_y):
        _plot(
            axes,
            target_x,
            target_y,
            "wbr-targets",
            color=TARGET,
            marker="D",
            linestyle="none",
            label="Target",
        )
    noted = {note["day"] for note in view.notes}
    note_x = [
        x
        for x, period in zip(week_x, weeks, strict=True)
        if any(period.start <= day <= period.end for day in noted)
    ]
    note_x += [
        x
        for x, period in zip(month_x, months, strict=True)
        if any(period.start <= day <= period.end for day in noted)
    ]
    if note_x:
        top = axes.get_ylim()[1]
        _plot(
            axes,
            note_x,
            [top] * len(note_x),
            "wbr-notes",
            color=NOTE,
            marker="v",
            linestyle="none",
            label="Note",
        )
    axes.axvline(len(weeks) - 0.5 + GAP / 2, color="#cccccc", linewidth=1)
    axes.set_xticks(
        week_x + month_x,
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
