"""Where a metric's value for a period is recorded: the metric's year.

The year is found by its id (derived from the metric and the year) and started on
its first value. A year the metric itself holds values for (recorded before values
moved to :class:`~domain.metrics.MetricYear`) starts carrying them, read from the
metric's own events, so the duplicate and correction rules see every value the log
holds for the year, whichever schema recorded it (docs/ARCHITECTURE.md).
"""

from __future__ import annotations

from datetime import date

from domain.metrics import Metric, MetricYear, legacy_values
from services.commands import UnitOfWork


def year_of(work: UnitOfWork, metric: Metric, period_end: date) -> MetricYear:
    """The year holding ``metric``'s value for the period ending ``period_end``."""
    year = period_end.year
    found = work.find(MetricYear, MetricYear.create_id(metric.id, year))
    if found is not None:
        return found
    carried = legacy_values(work.history(metric.id), year) if year in metric.legacy_years else {}
    return work.add(MetricYear.start(metric, year, carried))
