"""What every decision's commands share: stating an expected outcome.

An approved PR/FAQ and an allocation cycle's decision may each say what they
should achieve (``POST /prfaqs/{id}/expected-outcomes``,
``POST /cycles/{id}/expected-outcomes``); leadership, who decided, states it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Protocol
from uuid import UUID

from msgspec import Meta

from domain.decisions import MAX_NOTE_LENGTH, ExpectedOutcome
from domain.metrics import Metric
from services.api.bodies import CommandBody
from services.commands import UnitOfWork
from services.dates import YEARS, checked_date
from services.metrics.rest import Number


class ExpectOutcome(CommandBody):
    """``{metricId, target, by, note}``: the metric reaching ``target`` by ``by``."""

    metric_id: UUID
    target: Number
    by: Annotated[date, Meta(description=f"Years {YEARS}.")]
    note: Annotated[str, Meta(max_length=MAX_NOTE_LENGTH)] | None = None

    def __post_init__(self) -> None:
        checked_date(self.by, "by")


class Expecting(Protocol):
    def expect(self, outcome: ExpectedOutcome) -> None: ...


def state_outcome(work: UnitOfWork, decision: Expecting, body: ExpectOutcome) -> None:
    """Load the metric (404 if none) and record the outcome on the decision."""
    metric = work.get(Metric, body.metric_id, label="metric")
    decision.expect(ExpectedOutcome.of(metric, body.target, body.by, body.note))
