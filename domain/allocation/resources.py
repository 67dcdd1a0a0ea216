"""Resources: headcount by function and a budget, the currency of the yearly allocation.

Envelopes, requests, decisions, amendments and scenarios all speak in the same
terms: a whole number of people per :class:`~domain.people.values.Function` and a whole
number of currency units. A function that is left out counts zero; zeros are not
stored, so two equal allocations always compare equal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.errors import InvalidValue
from domain.people.values import Function

MAX_HEADCOUNT = 100_000  # people in one function, in one ask or decision
MAX_BUDGET = 10**13  # currency units in one ask or decision; sums stay exact as floats
BUDGET = "budget"


def _whole_number(field_name: str, value: object, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field_name, f"`{field_name}` must be a whole number")
    if not 0 <= value <= maximum:
        raise InvalidValue(field_name, f"`{field_name}` must be between 0 and {maximum}")
    return value


@dataclass(frozen=True)
class Resources:
    """Headcount by function (zeros left out) and a budget in whole currency units."""

    headcount: Mapping[Function, int] = field(default_factory=dict)
    budget: int = 0

    @classmethod
    def of(cls, headcount: Mapping[Function, int], budget: int) -> Resources:
        """Checked values: whole numbers, none negative, none too large."""
        counts: dict[Function, int] = {}
        for function, count in headcount.items():
            chosen = Function(function)
            number = _whole_number(f"headcount.{chosen.value}", count, MAX_HEADCOUNT)
            if number:
                counts[chosen] = number
        return cls(headcount=counts, budget=_whole_number(BUDGET, budget, MAX_BUDGET))

    @classmethod
    def total(cls, items: Iterable[Resources]) -> Resources:
        result = cls()
        for item in items:
            result = result + item
        return result

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> Resources:
        """Resources as aggregates and events keep them: ``{"headcount": {...}, "budget": n}``."""
        counts = {Function(name): int(count) for name, count in state["headcount"].items()}
        return cls(headcount=counts, budget=int(state["budget"]))

    def to_state(self) -> dict[str, Any]:
        return {"headcount": self.headcount_state(), "budget": self.budget}

    def headcount_state(self) -> dict[str, int]:
        """Headcount keyed by function name, in the functions' order (JSON-simple)."""
        return {f.value: self.headcount[f] for f in Function if self.headcount.get(f)}

    def count(self, function: Function) -> int:
        return self.headcount.get(function, 0)

    @property
    def is_zero(self) -> bool:
        return not self.headcount and not self.budget

    def __add__(self, other: Resources) -> Resources:
        counts = {f: self.count(f) + other.count(f) for f in Function}
        return Resources(
            headcount={f: n for f, n in counts.items() if n}, budget=self.budget + other.budget
        )

    def beyond(self, limit: Resources) -> list[str]:
        """Where these resources exceed ``limit``: function names, then ``budget``."""
        over = [f.value for f in Function if self.count(f) > limit.count(f)]
        if self.budget > limit.budget:
            over.append(BUDGET)
        return over

    def shortfall(self, wanted: Resources) -> Resources:
        """What ``wanted`` asks for beyond these resources, per function and budget."""
        counts = {f: wanted.count(f) - self.count(f) for f in Function}
        return Resources(
            headcount={f: n for f, n in counts.items() if n > 0},
            budget=max(wanted.budget - self.budget, 0),
        )

    def describe(self) -> str:
        """E.g. ``3 ENGINEERING, 1 PRODUCT, budget 250000``."""
        parts = [f"{self.headcount[f]} {f.value}" for f in Function if self.headcount.get(f)]
        parts.append(f"budget {self.budget}")
        return ", ".join(parts)

    def compared(self, limit: Resources, over: list[str]) -> str:
        """Each exceeded figure against its limit, e.g. ``ENGINEERING 5 > 3``."""
        figures = []
        for name in over:
            if name == BUDGET:
                figures.append(f"budget {self.budget} > {limit.budget}")
            else:
                function = Function(name)
                figures.append(f"{name} {self.count(function)} > {limit.count(function)}")
        return ", ".join(figures)
