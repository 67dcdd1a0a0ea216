"""What changed on the roadmaps between two points of the log, and how reliably teams
delivered what they committed at a baseline.

Computed from rows without I/O: the items as of each point (as
:func:`projections.roadmap.queries.items` reads them) and the slips between.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from domain.roadmap import ItemStatus

Row = Mapping[str, Any]
COMMITTED_STATES = (
    ItemStatus.COMMITTED.value,
    ItemStatus.IN_PROGRESS.value,
    ItemStatus.PAUSED.value,
)
OPEN = (ItemStatus.PROPOSED.value, *COMMITTED_STATES)


@dataclass(frozen=True)
class Moved:
    """An item whose target date moved in the window: ``days`` is the net move
    (positive: later), ``slips`` the events."""

    item_id: UUID
    days: int
    slips: list[Row]


@dataclass(frozen=True)
class Overdue:
    item_id: UUID
    baselined_date: date


@dataclass
class Changes:
    added: list[UUID] = field(default_factory=list)
    dropped: list[UUID] = field(default_factory=list)
    delivered: list[UUID] = field(default_factory=list)
    slipped: list[Moved] = field(default_factory=list)
    pulled_in: list[Moved] = field(default_factory=list)
    open_past_baselined_date: list[Overdue] = field(default_factory=list)


def changes_between(
    before: Iterable[Row], after: Iterable[Row], slips: Iterable[Row], today: date
) -> Changes:
    """``before``: every item as of the start; ``after``: the items in scope as of the
    end, in the order to report them; ``slips``: those recorded in between; ``today``:
    the end's date, against which a baselined date is past."""
    then = {row["id"]: row for row in before}
    moves: dict[UUID, list[Row]] = {}
    for slip in slips:
        moves.setdefault(slip["item_id"], []).append(slip)
    found = Changes()
    for row in after:
        item, old = row["id"], then.get(row["id"])
        if old is None:
            found.added.append(item)
        if row["status"] == ItemStatus.DROPPED.value and (old is None or old["status"] in OPEN):
            found.dropped.append(item)
        if row["status"] == ItemStatus.DELIVERED.value and (
            old is None or old["status"] != ItemStatus.DELIVERED.value
        ):
            found.delivered.append(item)
        if item in moves:
            days = sum(slip["days"] for slip in moves[item])
            if days:
                moved = Moved(item, days, moves[item])
                (found.slipped if days > 0 else found.pulled_in).append(moved)
        if (
            old is not None
            and old["target_date"] is not None
            and old["target_date"] < today
            and row["status"] in OPEN
        ):
            found.open_past_baselined_date.append(Overdue(item, old["target_date"]))
    return found


@dataclass(frozen=True)
class Commitment:
    item_id: UUID
    baselined_date: date
    delivered_on: date | None

    @property
    def on_time(self) -> bool:
        return self.delivered_on is not None and self.delivered_on <= self.baselined_date


@dataclass(frozen=True)
class Reliability:
    commitments: list[Commitment]

    @property
    def committed(self) -> int:
        return len(self.commitments)

    @property
    def delivered_on_time(self) -> int:
        return sum(1 for commitment in self.commitments if commitment.on_time)

    @property
    def share(self) -> float | None:
        """Delivered by the baselined date over committed at the baseline; None if none."""
        return self.delivered_on_time / self.committed if self.commitments else None


def reliability(at_baseline: Iterable[Row], now: Iterable[Row]) -> Reliability:
    """``at_baseline``: the items in scope as of the baseline; ``now``: the same items as
    of the read (any extra ignored)."""
    current = {row["id"]: row for row in now}
    commitments = []
    for row in at_baseline:
        if row["status"] not in COMMITTED_STATES or row["target_date"] is None:
            continue
        later = current.get(row["id"])
        delivered = (
            later["closed_at"].date()
            if later is not None and later["status"] == ItemStatus.DELIVERED.value
            else None
        )
        commitments.append(Commitment(row["id"], row["target_date"], delivered))
    return Reliability(commitments)
