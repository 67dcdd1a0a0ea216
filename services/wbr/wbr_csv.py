"""wbr-app's data file, read and written: a ``Date`` column, then one column per metric.

wbr-app reads its CSV with pandas (``parse_dates=['Date'], thousands=','``): dates
such as ``Sun, 05-Jan-2020``, ``05-Jan-2020`` or ``2020-01-05``, numbers with
thousands separators (``"523,419"``), an empty cell for no value, usually a row
per day, sometimes several rows for one date (combined by each metric's
aggregation). Columns named ``<Metric>__Target`` hold targets: Flywheel's targets
come from goals, so on import they are left out (and named in the answer).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from domain.errors import InvalidValue

DATE_FORMATS = ("%a, %d-%b-%Y", "%d-%b-%Y", "%Y-%m-%d", "%a, %d %b %Y", "%d %b %Y", "%m/%d/%Y")
TARGET_SUFFIX = "__Target"
MAX_ROWS = 200_000


@dataclass(frozen=True)
class CsvValue:
    """One cell: the metric (by its column's name), the date of its row, the number, and
    the row's line in the file (for refusals)."""

    metric_name: str
    day: date
    value: Decimal
    line: int


@dataclass(frozen=True)
class CsvData:
    values: list[CsvValue]
    target_columns: list[str]


def parse_date(text: str, line: int) -> date:
    cleaned = text.strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise InvalidValue(
        "Date", f"Line {line}: `{text}` is not a date wbr-app reads (`Sun, 05-Jan-2020`)"
    )


def parse_number(text: str, column: str, line: int) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    if cleaned == "" or cleaned.casefold() in {"nan", "na", "n/a", "null"}:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidValue(column, f"Line {line}: `{text}` in `{column}` is not a number") from None
    if not number.is_finite():
        raise InvalidValue(column, f"Line {line}: `{column}` must be a finite number")
    return number


def read_csv(text: str) -> CsvData:
    """The values of a wbr-app data file, in file order; refused (400) if malformed."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidValue("body", "The CSV is empty: it needs a `Date` column") from None
    names = [name.strip() for name in header]
    if not names or names[0] != "Date":
        raise InvalidValue("Date", "The CSV's first column must be `Date`, as in wbr-app")
    if len(set(names)) != len(names):
        raise InvalidValue("body", "The CSV names a column twice")
    targets = [name for name in names[1:] if name.endswith(TARGET_SUFFIX)]
    values: list[CsvValue] = []
    for number, row in enumerate(reader, start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if number > MAX_ROWS:
            raise InvalidValue("body", f"At most {MAX_ROWS} rows in one upload")
        if len(row) != len(names):
            raise InvalidValue(
                "body", f"Line {number} has {len(row)} cells; the header has {len(names)}"
            )
        day = parse_date(row[0], number)
        for name, cell in zip(names[1:], row[1:], strict=True):
            if name in targets:
                continue
            value = parse_number(cell, name, number)
            if value is not None:
                values.append(CsvValue(name, day, value, number))
    return CsvData(values=values, target_columns=targets)


def wbr_date(day: date) -> str:
    """A date as wbr-app's files show it: ``Sun, 05-Jan-2020``."""
    return day.strftime("%a, %d-%b-%Y")


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue()
