"""The PR/FAQ funnel, computed from ring stays without I/O.

A stay is one PR/FAQ's time in one ring: it *reached* the ring when it entered,
*stopped* there if a decider shelved it in that ring, and is *in it now* if it has
not left. Days spent are counted over the stays that have left the ring (a stay
still going has no length yet); the median is the middle of them, or the mean of
the two middle ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import median
from typing import Any

from domain.prfaqs import Ring

SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class RingFigures:
    ring: Ring
    reached: int
    stopped: int
    in_it_now: int
    median_days: float | None


def ring_figures(stays: Iterable[Mapping[str, Any]]) -> list[RingFigures]:
    """Per ring, in order: how many stays reached it, stopped in it, are in it now, and
    the median days of the stays that left it."""
    by_ring: dict[str, list[Mapping[str, Any]]] = {ring.value: [] for ring in Ring}
    for stay in stays:
        by_ring[stay["ring"]].append(stay)
    figures = []
    for ring in Ring:
        ring_stays = by_ring[ring.value]
        days = [
            _days(stay["entered_at"], stay["left_at"])
            for stay in ring_stays
            if stay["left_at"] is not None
        ]
        figures.append(
            RingFigures(
                ring=ring,
                reached=len(ring_stays),
                stopped=sum(1 for stay in ring_stays if stay["exit"] == "STOPPED"),
                in_it_now=sum(1 for stay in ring_stays if stay["left_at"] is None),
                median_days=round(median(days), 2) if days else None,
            )
        )
    return figures


def _days(entered: datetime, left: datetime) -> float:
    return (left - entered).total_seconds() / SECONDS_PER_DAY
