"""Expected outcomes and the track record, computed from rows without I/O.

An outcome is ``PENDING`` until its ``by`` has passed; then the metric's latest
value in the month up to ``by`` decides it (``domain/decisions.py``). A track
record counts a decision-maker's outcomes by status; its met rate is met over
met and missed (unknown and pending outcomes say nothing yet). The company's
record is split by whether the decision met dissent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.decisions import OutcomeStatus, outcome_status
from domain.metrics import Direction


def status_of(row: Mapping[str, Any], today: date) -> OutcomeStatus:
    return outcome_status(
        Direction(row["direction"]), row["target"], row["by"], row["observed"], today
    )


@dataclass(frozen=True)
class Figures:
    decisions: int
    outcomes: int
    met: int
    missed: int
    unknown: int
    pending: int

    @property
    def met_rate(self) -> float | None:
        decided = self.met + self.missed
        return None if decided == 0 else round(self.met / decided, 4)


def figures(rows: Iterable[Mapping[str, Any]], today: date) -> Figures:
    counted = list(rows)
    statuses = [status_of(row, today) for row in counted]
    return Figures(
        decisions=len({row["decision_id"] for row in counted}),
        outcomes=len(counted),
        met=statuses.count(OutcomeStatus.MET),
        missed=statuses.count(OutcomeStatus.MISSED),
        unknown=statuses.count(OutcomeStatus.UNKNOWN),
        pending=statuses.count(OutcomeStatus.PENDING),
    )


def by_decider(rows: Iterable[Mapping[str, Any]], today: date) -> dict[str, Figures]:
    """Each decision-maker's figures, by handle."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["decider"], []).append(row)
    return {person: figures(found, today) for person, found in sorted(grouped.items())}


def dissent_split(rows: Iterable[Mapping[str, Any]], today: date) -> tuple[Figures, Figures]:
    """The figures of decisions that met dissent, and of those that did not."""
    counted = list(rows)
    return (
        figures((row for row in counted if row["dissents"] > 0), today),
        figures((row for row in counted if row["dissents"] == 0), today),
    )
