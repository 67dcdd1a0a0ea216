"""The deck as wbr-app's inputs: ``data.csv``, ``config.yaml`` and ``annotations.csv``.

- ``data.csv``: ``Date`` (``Sun, 05-Jan-2020``) then a column per metric (its name) with
  the value observed on that date, and a ``<Metric>__Target`` column with the target
  of the metric's goal for the plan year the date falls in. Percentage metrics are
  written as fractions (``12.5`` -> ``0.125``), as wbr-app computes basis points from
  fractions (``metric_comparison_method: bps``), so its figures equal Flywheel's.
- ``config.yaml``: ``setup`` (``week_ending`` as ``DD-MMM-YYYY``, ``week_number``, the
  title, ``fiscal_year_end_month`` as ``DEC``), ``annotations: [./annotations.csv]``,
  a metric per column with the ``aggf`` of its aggregation (targets: ``last``), and
  the ``deck``: per team a ``section``, a ``6_12Graph`` per metric (inputs before
  outputs), then a ``6_WeeksTable`` and a ``12_MonthsTable`` of the team's metrics.
- ``annotations.csv``: ``Date``, ``MetricName``, ``EventDescription``: the variance notes.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from projections.wbr.deck import MetricView, Section
from projections.wbr.six_twelve import fiscal_year_of
from services.wbr.wbr_csv import wbr_date, write_csv

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
TARGET = "__Target"


def column_value(value: Decimal, percentage: bool) -> str:
    number = value / 100 if percentage else value
    return format(number.normalize(), "f") if number == number.to_integral() else str(number)


def export_files(
    sections: list[Section],
    observations: dict[Any, list[tuple[date, Decimal]]],
    week_ending: date,
    fiscal_year_end_month: int,
    title: str,
) -> dict[str, bytes]:
    """The three files, by name."""
    from domain.metrics import is_percentage

    views: list[MetricView] = [view for section in sections for view in section.metrics]
    names = [view.metric["name"] for view in views]
    columns = ["Date"]
    for name in names:
        columns += [name, f"{name}{TARGET}"]
    rows: dict[date, dict[str, str]] = {}
    for view in views:
        metric = view.metric
        percentage = is_percentage(metric["unit"])
        targets = {goal["plan_year"]: goal["target"] for goal in view.goals}
        for day, value in observations.get(metric["id"], []):
            row = rows.setdefault(day, {})
            row[metric["name"]] = column_value(value, percentage)
            target = targets.get(fiscal_year_of(day, fiscal_year_end_month))
            if target is not None:
                row[f"{metric['name']}{TARGET}"] = column_value(target, percentage)
    data = write_csv(
        columns,
        (
            [wbr_date(day), *(rows[day].get(column) for column in columns[1:])]
            for day in sorted(rows)
        ),
    )
    notes = write_csv(
        ["Date", "MetricName", "EventDescription"],
        (
            [note["day"].isoformat(), view.metric["name"], " ".join(note["text"].split())]
            for view in views
            for note in view.notes
        ),
    )
    metrics: dict[str, Any] = {}
    for view in views:
        name = view.metric["name"]
        entry: dict[str, Any] = {"column": name, "aggf": view.metric["aggregation"].lower()}
        if is_percentage(view.metric["unit"]):
            entry["metric_comparison_method"] = "bps"
        metrics[name] = entry
        metrics[f"{name} Target"] = {"column": f"{name}{TARGET}", "aggf": "last"}
    deck: list[dict[str, Any]] = []
    for section in sections:
        deck.append({"block": {"ui_type": "section", "title": section.team_name}})
        for view in section.metrics:
            name = view.metric["name"]
            deck.append(
                {
                    "block": {
                        "ui_type": "6_12Graph",
                        "title": name,
                        "metrics": {
                            name: {"line_style": "primary", "graph_prior_year_flag": True},
                            f"{name} Target": {
                                "line_style": "target",
                                "graph_prior_year_flag": False,
                            },
                        },
                    }
                }
            )
        for ui_type in ("6_WeeksTable", "12_MonthsTable"):
            table_rows: list[dict[str, Any]] = [
                {"row": {"header": section.team_name, "style": "font-weight: bold;"}}
            ]
            for view in section.metrics:
                name = view.metric["name"]
                table_rows += [
                    {"row": {"header": name, "metric": name, "style": "text-align:right;"}},
                    {
                        "row": {
                            "header": "YOY",
                            "metric": f"{name}YOY",
                            "style": "font-style: italic; text-align:right;",
                        }
                    },
                ]
            deck.append(
                {"block": {"ui_type": ui_type, "title": section.team_name, "rows": table_rows}}
            )
    config = {
        "setup": {
            "week_ending": week_ending.strftime("%d-%b-%Y").upper(),
            "week_number": week_ending.isocalendar().week,
            "title": title,
            "fiscal_year_end_month": MONTHS[fiscal_year_end_month - 1],
        },
        "annotations": ["./annotations.csv"],
        "metrics": metrics,
        "deck": deck,
    }
    text = yaml.safe_dump(config, sort_keys=False, allow_unicode=True, width=1000)
    return {
        "data.csv": data.encode(),
        "config.yaml": text.encode(),
        "annotations.csv": notes.encode(),
    }


def write_directory(files: dict[str, bytes], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(content)
        written.append(path)
    return written


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()
