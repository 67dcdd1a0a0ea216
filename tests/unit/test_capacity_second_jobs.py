"""Second jobs take their share of a team's roadmap capacity (no I/O)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from domain.people.values import Function
from projections.roadmap.capacity import team_loads


def test_second_job_shares_reduce_the_capacity_of_their_function() -> None:
    team = uuid4()
    items = [
        {
            "team_id": team,
            "status": "COMMITTED",
            "target_date": date(2027, 6, 1),
            "headcount": {"ENGINEERING": 2},
        }
    ]
    funding = [{"team_id": team, "kind": "OP1", "headcount": {"ENGINEERING": 2}}]
    plain = team_loads(items, funding, 2027)[0].functions[0]
    assert (plain.capacity, plain.over) == (2, 0)
    jobs = [
        {"team_id": team, "function": "ENGINEERING", "share": Decimal("0.1")},
        {"team_id": team, "function": "ENGINEERING", "share": Decimal("0.2")},
        {"team_id": team, "function": "DESIGN", "share": Decimal("0.5")},
    ]
    [load] = team_loads(items, funding, 2027, jobs)[0].functions
    assert load.function is Function.ENGINEERING
    assert round(load.second_jobs, 6) == 0.3 and round(load.capacity, 6) == 1.7
    assert load.over == 1, "0.3 of a person short: one more person is needed"
