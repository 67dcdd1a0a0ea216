"""Figures, their baselines and goals; medians and percentiles; the report.

The machine is shared and noisy, so every figure is a median over repeated runs
and is printed beside a baseline measured in the same run, with their ratio.
A goal is a bound on the ratio or on the value; quick mode reports whether it
was met but never fails on it.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Literal

Bound = Literal["<=", ">="]


@dataclass(frozen=True)
class Goal:
    """``ratio >= 0.7`` or ``value <= 25``: what a figure should reach."""

    on: Literal["ratio", "value"]
    bound: Bound
    limit: float

    def met(self, figure: Figure) -> bool | None:
        observed = figure.ratio if self.on == "ratio" else figure.value
        if observed is None or math.isnan(observed):
            return None
        return observed >= self.limit if self.bound == ">=" else observed <= self.limit

    def __str__(self) -> str:
        subject = "ratio" if self.on == "ratio" else "value"
        return f"{subject} {self.bound} {self.limit:g}"


def at_least(limit: float, on: Literal["ratio", "value"] = "ratio") -> Goal:
    return Goal(on, ">=", limit)


def at_most(limit: float, on: Literal["ratio", "value"] = "ratio") -> Goal:
    return Goal(on, "<=", limit)


@dataclass
class Figure:
    """One measured figure beside its same-run baseline.

    ``ratio`` is ``value / baseline`` (so for rates higher is better, for times
    lower is better; the goal says which way it should go).
    """

    name: str
    value: float
    unit: str
    baseline: float | None = None
    baseline_name: str | None = None
    goal: Goal | None = None
    runs: int = 1
    detail: dict[str, float | int | str] = field(default_factory=dict)
    benchmark: str = ""  # the module that measured it, set by Report.add

    @property
    def ratio(self) -> float | None:
        if self.baseline is None or self.baseline == 0:
            return None
        return self.value / self.baseline

    @property
    def goal_met(self) -> bool | None:
        return None if self.goal is None else self.goal.met(self)

    def as_json(self) -> dict[str, object]:
        data = asdict(self)
        data["goal"] = None if self.goal is None else str(self.goal)
        # four significant figures: a small ratio keeps its precision
        data["ratio"] = None if self.ratio is None else float(f"{self.ratio:.4g}")
        data["goal_met"] = self.goal_met
        return data

    def line(self) -> str:
        text = f"{self.name}: {_number(self.value)} {self.unit}"
        if self.baseline is not None:
            text += f" | baseline {self.baseline_name or ''} {_number(self.baseline)} {self.unit}"
        if self.ratio is not None:
            text += f" | ratio {self.ratio:.3f}"
        if self.goal is not None:
            verdict = {True: "met", False: "NOT met", None: "n/a"}[self.goal_met]
            text += f" | goal {self.goal}: {verdict}"
        text += f" | median of {self.runs}"
        return text


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.4f}"


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def repeat(times: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(times)]


@contextmanager
def stopwatch() -> Iterator[Callable[[], float]]:
    """``with stopwatch() as elapsed: ...; elapsed()`` gives seconds (frozen on exit)."""
    started = time.perf_counter()
    ended: list[float] = []
    yield lambda: (ended[0] if ended else time.perf_counter()) - started
    ended.append(time.perf_counter())


class Report:
    """Collects figures, prints each as it is measured, ends with one JSON line."""

    def __init__(self, mode: str, machine: dict[str, object]) -> None:
        self.mode = mode
        self.machine = machine
        self.figures: list[Figure] = []
        self.errors: dict[str, str] = {}
        self.running = ""

    def add(self, figure: Figure) -> Figure:
        figure.benchmark = figure.benchmark or self.running
        self.figures.append(figure)
        say(figure.line())
        return figure

    def failed(self, benchmark: str, error: BaseException) -> None:
        self.errors[benchmark] = f"{type(error).__name__}: {error}"
        say(f"{benchmark}: FAILED {self.errors[benchmark]}")

    def summary(self) -> dict[str, object]:
        return {
            "mode": self.mode,
            "machine": self.machine,
            "figures": [figure.as_json() for figure in self.figures],
            "goals_met": sum(1 for figure in self.figures if figure.goal_met is True),
            "goals_missed": [figure.name for figure in self.figures if figure.goal_met is False],
            "errors": self.errors,
        }

    def json_line(self) -> str:
        return json.dumps(self.summary(), separators=(",", ":"))


def say(text: str) -> None:
    """Progress and figures go to standard error; the JSON line alone to standard output."""
    print(text, file=sys.stderr, flush=True)
