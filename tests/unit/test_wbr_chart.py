"""The 6-12 chart: well-formed SVG with a marker per week and month that has a value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from domain.metrics import Aggregation
from projections.wbr.deck import MetricView
from projections.wbr.six_twelve import Observations, six_twelve
from services.wbr.chart import chart_png, chart_svg

SVG_NS = "{http://www.w3.org/2000/svg}"


def view(week_ending: date) -> MetricView:
    values = Observations.of(
        {date(2023, 1, 7) + timedelta(weeks=n): Decimal(n + 1) for n in range(104)}
    )
    metric: Any = {"id": uuid4(), "name": "Orders <all> $x$", "aggregation": "SUM"}
    notes: Any = [{"day": week_ending - timedelta(days=3), "text": "Prime Day"}]
    computed = six_twelve(values, Aggregation.SUM, week_ending, targets={2024: Decimal(90)})
    return MetricView(metric, computed, notes, [], 12)


def markers(root: ET.Element, gid: str) -> int:
    group = next(element for element in root.iter() if element.get("id") == gid)
    return sum(1 for element in group.iter() if element.tag == f"{SVG_NS}use")


def test_the_svg_shows_six_weeks_twelve_months_prior_year_targets_and_notes() -> None:
    root = ET.fromstring(chart_svg(view(date(2024, 8, 31)), "Orders <all> $x$"))  # noqa: S314
    assert markers(root, "wbr-weeks") == 6
    assert markers(root, "wbr-weeks-prior-year") == 6
    assert markers(root, "wbr-months") == 12, "31 August ends the month: no month under way"
    assert markers(root, "wbr-months-prior-year") == 8, "the data starts in January 2023"
    assert markers(root, "wbr-targets") >= 6
    assert markers(root, "wbr-notes") == 2, "the note's week and its month"
    text = "".join(root.itertext())
    assert "Orders <all> $x$" in text, "titles are text, never mathtext"


def test_the_month_under_way_is_a_thirteenth_point() -> None:
    root = ET.fromstring(chart_svg(view(date(2024, 9, 28)), "Orders"))  # noqa: S314
    assert markers(root, "wbr-months") == 13


def test_the_png_is_a_png() -> None:
    assert chart_png(view(date(2024, 9, 28)), "Orders").startswith(b"\x89PNG\r\n\x1a\n")
