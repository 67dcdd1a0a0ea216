"""The roadmap as a picture: items on a time axis by team, drawn with matplotlib's SVG
backend.

Each item is a row, grouped by team: a bar from its first target date to its current
one (a slip shows as the hatched stretch it moved, labelled with its days), its
milestones as diamonds (filled when done), and an arrow from each item it depends on
(drawn only when both are on the picture). Items without a target date are listed
at the left edge. Text stays text (``svg.fonttype: none``) and is never read as
mathtext, so titles show as written; each item's group has the id
``roadmap-item-<uuid>``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import matplotlib.dates as mdates
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from services.plotting import plotting, svg_bytes

ROW_HEIGHT = 0.42  # inches per item
STATUS_COLOURS = {
    "PROPOSED": "#b0b7c3",
    "COMMITTED": "#4c78a8",
    "IN_PROGRESS": "#f58518",
    "PAUSED": "#9d755d",
    "DELIVERED": "#54a24b",
    "DROPPED": "#e45756",
}
SLIP_COLOUR = "#e45756"


@dataclass(frozen=True)
class TimelineItem:
    id: UUID
    team: str
    title: str
    status: str
    target_date: date | None
    first_target_date: date | None  # before any slip
    slipped_days: int = 0
    milestones: Sequence[tuple[str, date, bool]] = ()
    depends_on: Sequence[UUID] = field(default_factory=tuple)


def timeline_items(
    rows: Sequence[Mapping[str, Any]],
    team_names: Mapping[UUID, str],
    slips: Mapping[UUID, Sequence[Mapping[str, Any]]],
    milestones: Mapping[UUID, Sequence[Mapping[str, Any]]],
    dependencies: Mapping[UUID, Sequence[Mapping[str, Any]]],
) -> list[TimelineItem]:
    """The items as drawn, by team name then target date (undated last)."""
    items = []
    for row in rows:
        moves = slips.get(row["id"], ())
        items.append(
            TimelineItem(
                id=row["id"],
                team=team_names.get(row["team_id"], "?"),
                title=row["title"],
                status=row["status"],
                target_date=row["target_date"],
                first_target_date=moves[0]["previous"] if moves else row["target_date"],
                slipped_days=sum(move["days"] for move in moves),
                milestones=[
                    (m["name"], m["date"], m["done"]) for m in milestones.get(row["id"], ())
                ],
                depends_on=[
                    d["target_id"] for d in dependencies.get(row["id"], ()) if d["kind"] == "ITEM"
                ],
            )
        )
    return sorted(items, key=lambda i: (i.team, i.target_date or date.max, i.title))


def _span(items: Sequence[TimelineItem]) -> tuple[date, date]:
    days = [d for i in items for d in (i.target_date, i.first_target_date) if d is not None]
    days += [m[1] for i in items for m in i.milestones]
    if not days:
        today = date.today()
        return today - timedelta(days=30), today + timedelta(days=30)
    start, end = min(days), max(days)
    margin = max((end - start).days // 10, 14)
    return start - timedelta(days=margin * 3), end + timedelta(days=margin)


def draw_timeline(items: Sequence[TimelineItem], heading: str) -> bytes:
    """The SVG document of the items, rows from the top in the order given."""
    with plotting():
        figure = Figure(figsize=(11, 1.6 + ROW_HEIGHT * max(len(items), 1)))
        axes = figure.add_subplot()
        start, end = _span(items)
        axes.set_xlim(mdates.date2num(start), mdates.date2num(end))
        axes.set_ylim(max(len(items), 1) - 0.5, -0.5)
        axes.set_yticks(range(len(items)), [f"{i.team} · {i.title}" for i in items])
        for label in axes.get_yticklabels():
            label.set_parse_math(False)
        axes.xaxis.set_major_locator(mdates.AutoDateLocator())
        axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(axes.xaxis.get_major_locator()))
        axes.grid(axis="x", alpha=0.3)
        axes.set_title(heading, parse_math=False)
        rows = {item.id: row for row, item in enumerate(items)}
        for row, item in enumerate(items):
            _draw_item(axes, row, item, start)
        for row, item in enumerate(items):
            for needed in item.depends_on:
                if needed in rows and item.target_date is not None:
                    _draw_dependency(axes, items[rows[needed]], rows[needed], item, row)
        figure.tight_layout()
        return svg_bytes(figure)


def _draw_item(axes: Any, row: int, item: TimelineItem, start: date) -> None:
    colour = STATUS_COLOURS.get(item.status, "#888888")
    group = f"roadmap-item-{item.id}"
    if item.target_date is None:
        status = item.status.lower().replace("_", " ")
        _label(axes, start, row, f"  {status}, no date", colour, gid=group)
        return
    first = item.first_target_date or item.target_date
    begin = min(first, item.target_date) - timedelta(days=21)
    _bar(axes, row, begin, first, color=colour, gid=group)
    if item.slipped_days:
        low, high = sorted((first, item.target_date))
        _bar(
            axes,
            row,
            low,
            high,
            color="none",
            edgecolor=SLIP_COLOUR,
            hatch="///",
            gid=f"{group}-slip",
        )
        _label(axes, high, row, f" {item.slipped_days:+d}d", SLIP_COLOUR)
    for name, day, done in item.milestones:
        axes.plot(
            mdates.date2num(day),
            row,
            marker="D",
            markersize=7,
            color="black",
            markerfacecolor="black" if done else "white",
            gid=f"{group}-milestone",
            label=name,
        )


def _bar(axes: Any, row: int, begin: date, end: date, **style: Any) -> None:
    axes.barh(row, (end - begin).days, left=mdates.date2num(begin), height=0.5, **style)


def _label(axes: Any, day: date, row: int, text: str, colour: str, **style: Any) -> None:
    """Text starting at ``day``, centred on the row, never read as mathtext."""
    axes.text(mdates.date2num(day), row, text, va="center", color=colour, parse_math=False, **style)


def _draw_dependency(
    axes: Any, needed: TimelineItem, needed_row: int, item: TimelineItem, row: int
) -> None:
    """An arrow from the needed item's date to the dependent item's; red when the needed
    item is due after the item that needs it."""
    assert item.target_date is not None
    source = needed.target_date or item.target_date
    late = needed.target_date is not None and needed.target_date > item.target_date
    axes.add_patch(
        FancyArrowPatch(
            (mdates.date2num(source), needed_row),
            (mdates.date2num(item.target_date), row),
            arrowstyle="-|>",
            mutation_scale=12,
            color=SLIP_COLOUR if late else "#555555",
            connectionstyle="arc3,rad=0.2",
            gid=f"roadmap-dependency-{item.id}-{needed.id}",
        )
    )
