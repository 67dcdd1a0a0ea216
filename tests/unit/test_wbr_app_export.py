"""The export follows wbr-app's input formats: data CSV, YAML config, annotations CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import yaml

from domain.metrics import Aggregation
from projections.wbr.deck import MetricView, Section
from projections.wbr.six_twelve import Observations, six_twelve
from services.wbr.wbr_app_export import export_files

WEEK = date(2024, 9, 28)


def metric_view(name: str, kind: str, unit: str, aggregation: str, notes: list[Any]) -> MetricView:
    metric: Any = {
        "id": uuid4(),
        "name": name,
        "kind": kind,
        "unit": unit,
        "aggregation": aggregation,
        "financial": False,
    }
    goals: Any = [{"plan_year": 2024, "target": Decimal(95)}]
    view = six_twelve(Observations.of({}), Aggregation(aggregation), WEEK)
    return MetricView(metric, view, notes, goals, 12)


def test_the_three_files_are_in_wbr_apps_formats() -> None:
    speed = metric_view("Speed", "INPUT", "%", "MEAN", [])
    orders = metric_view(
        "Orders", "OUTPUT", "count", "SUM", [{"day": date(2024, 9, 21), "text": "Prime\nDay"}]
    )
    sections = [Section(uuid4(), "Shop", [speed, orders])]
    observations = {
        speed.metric["id"]: [(date(2024, 9, 21), Decimal("12.5"))],
        orders.metric["id"]: [
            (date(2024, 9, 21), Decimal(1200)),
            (date(2024, 9, 28), Decimal("3.25")),
        ],
    }
    files = export_files(sections, observations, WEEK, 12, "WBR")
    rows = list(csv.reader(io.StringIO(files["data.csv"].decode())))
    assert rows[0] == ["Date", "Speed", "Speed__Target", "Orders", "Orders__Target"]
    assert rows[1] == ["Sat, 21-Sep-2024", "0.125", "0.95", "1200", "95"]
    assert rows[2] == ["Sat, 28-Sep-2024", "", "", "3.25", "95"]
    assert datetime.strptime(rows[1][0], "%a, %d-%b-%Y").date() == date(2024, 9, 21)
    config = yaml.safe_load(files["config.yaml"])
    assert config["setup"]["week_ending"] == "28-SEP-2024"
    assert datetime.strptime(config["setup"]["week_ending"], "%d-%b-%Y").date() == WEEK
    assert (
        config["setup"]["week_number"] == 39 and config["setup"]["fiscal_year_end_month"] == "DEC"
    )
    assert config["metrics"]["Orders"] == {"column": "Orders", "aggf": "sum"}
    assert config["metrics"]["Speed"]["metric_comparison_method"] == "bps"
    assert config["metrics"]["Speed"]["aggf"] == "mean"
    assert config["metrics"]["Orders Target"] == {"column": "Orders__Target", "aggf": "last"}
    blocks = [entry["block"] for entry in config["deck"]]
    assert [b["ui_type"] for b in blocks] == [
        "section",
        "6_12Graph",
        "6_12Graph",
        "6_WeeksTable",
        "12_MonthsTable",
    ]
    assert [b["title"] for b in blocks[1:3]] == ["Speed", "Orders"], "inputs first"
    assert set(blocks[2]["metrics"]) == {"Orders", "Orders Target"}
    notes = list(csv.reader(io.StringIO(files["annotations.csv"].decode())))
    assert notes == [
        ["Date", "MetricName", "EventDescription"],
        ["2024-09-21", "Orders", "Prime Day"],
    ]
