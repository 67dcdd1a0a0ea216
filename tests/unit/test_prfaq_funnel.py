"""The PR/FAQ funnel from ring stays, against a hand-counted scenario."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.prfaqs import Ring
from projections.prfaqs.funnel import ring_figures

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)


def stay(ring: str, entered: float, left: float | None, exit: str | None) -> dict[str, Any]:
    return {
        "ring": ring,
        "entered_at": DAY0 + timedelta(days=entered),
        "left_at": None if left is None else DAY0 + timedelta(days=left),
        "exit": exit,
    }


def test_the_funnel_counts_what_the_scenario_did() -> None:
    # A: TEAM 0-2 -> ORG 2-5 -> S_TEAM 5-6 -> CEO 6-10, approved.
    # B: TEAM 0-4, stopped. C: TEAM 1-3 -> ORG 3-, in ORG now. D: TEAM 2-, in TEAM now.
    # E: TEAM 0-1, withdrawn.
    stays = [
        stay("TEAM", 0, 2, "ADVANCED"),
        stay("ORG", 2, 5, "ADVANCED"),
        stay("S_TEAM", 5, 6, "ADVANCED"),
        stay("CEO", 6, 10, "APPROVED"),
        stay("TEAM", 0, 4, "STOPPED"),
        stay("TEAM", 1, 3, "ADVANCED"),
        stay("ORG", 3, None, None),
        stay("TEAM", 2, None, None),
        stay("TEAM", 0, 1, "WITHDRAWN"),
    ]
    figures = {f.ring: f for f in ring_figures(stays)}
    assert [f.ring for f in ring_figures(stays)] == list(Ring)
    team = figures[Ring.TEAM]
    assert (team.reached, team.stopped, team.in_it_now) == (5, 1, 1)
    assert team.median_days == 2.0  # of 2, 4, 2, 1 days: (2 + 2) / 2
    org = figures[Ring.ORG]
    assert (org.reached, org.stopped, org.in_it_now, org.median_days) == (2, 0, 1, 3.0)
    assert (figures[Ring.S_TEAM].reached, figures[Ring.S_TEAM].median_days) == (1, 1.0)
    assert (figures[Ring.CEO].reached, figures[Ring.CEO].median_days) == (1, 4.0)


def test_an_empty_funnel_has_every_ring_at_zero() -> None:
    figures = ring_figures([])
    assert [(f.reached, f.stopped, f.in_it_now, f.median_days) for f in figures] == [
        (0, 0, 0, None)
    ] * 4
