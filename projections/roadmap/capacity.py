"""Capacity: the headcount a team's committed and in-progress items of a fiscal year
need, by function, against what the year's latest decided allocation funds.

Computed from rows without I/O: the items (as :mod:`projections.roadmap.queries`
reads them) and each team's funding (OP2 over OP1, amendments included).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec

from domain.people.values import Function
from domain.roadmap import ItemStatus

COMMITTING = (ItemStatus.COMMITTED.value, ItemStatus.IN_PROGRESS.value)
_counts = msgspec.json.Decoder(dict[str, int])


@dataclass(frozen=True)
class FunctionLoad:
    function: Function
    needed: int
    funded: int
    second_jobs: float = 0.0  # the members' second-job shares, taken from the capacity

    @property
    def capacity(self) -> float:
        """The funding less the time its members give to second jobs."""
        return self.funded - self.second_jobs

    @property
    def over(self) -> int:
        """Whole people needed beyond the capacity; 0 when it fits."""
        return max(math.ceil(round(self.needed - self.capacity, 6)), 0)


@dataclass(frozen=True)
class TeamLoad:
    team_id: UUID
    funded_by: str | None  # the cycle kind funding it (OP1, OP2); None if unfunded
    functions: list[FunctionLoad]

    @property
    def over_committed(self) -> list[FunctionLoad]:
        return [load for load in self.functions if load.over]


def _decoded(value: Any) -> dict[str, int]:
    return _counts.decode(value) if isinstance(value, str | bytes) else dict(value)


def team_loads(
    items: Iterable[Mapping[str, Any]],
    funding: Iterable[Mapping[str, Any]],
    fiscal_year: int,
    second_jobs: Iterable[Mapping[str, Any]] = (),
) -> list[TeamLoad]:
    """Each team with committed items in the year or funding, by team id; per function
    with a need or a funding, in the functions' order. ``second_jobs`` (team, function,
    share rows: the members' active second jobs) reduce the capacity of their function."""
    shares: dict[tuple[UUID, str], float] = {}
    for job in second_jobs:
        key = (job["team_id"], job["function"])
        shares[key] = shares.get(key, 0.0) + float(job["share"])
    needed: dict[UUID, dict[str, int]] = {}
    for item in items:
        target = item["target_date"]
        if item["status"] in COMMITTING and target is not None and target.year == fiscal_year:
            counts = needed.setdefault(item["team_id"], {})
            for name, count in _decoded(item["headcount"]).items():
                counts[name] = counts.get(name, 0) + count
    funded: dict[UUID, tuple[str, dict[str, int]]] = {}
    for row in funding:  # OP2 first: the first row of a team is its latest decision
        funded.setdefault(row["team_id"], (row["kind"], _decoded(row["headcount"])))
    loads = []
    for team_id in sorted({*needed, *funded}, key=str):
        need = needed.get(team_id, {})
        kind, fund = funded.get(team_id, (None, {}))
        loads.append(
            TeamLoad(
                team_id=team_id,
                funded_by=kind,
                functions=[
                    FunctionLoad(
                        f,
                        need.get(f.value, 0),
                        fund.get(f.value, 0),
                        shares.get((team_id, f.value), 0.0),
                    )
                    for f in Function
                    if need.get(f.value) or fund.get(f.value)
                ],
            )
        )
    return loads
