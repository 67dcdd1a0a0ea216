"""What every benchmark is given: the mode, its scale, the server and the shared company."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from bench.environment import fresh_database, note

# The generated company plans these years; "this year" is the last one, under way.
PLAN_YEARS = (2025, 2026, 2027)
THIS_YEAR = PLAN_YEARS[-1]


@dataclass(frozen=True)
class Scale:
    """The size of the generated company and how often each measurement repeats."""

    teams: int
    depth: int
    services: int
    apis: int
    metrics: int
    goals: int
    plan_years: int
    repeats: int
    seconds: float  # how long a load-driven measurement runs

    @property
    def label(self) -> str:
        return f"{self.teams} teams, {self.services} services, {self.goals} goals"


FULL = Scale(
    teams=1_000,
    depth=6,
    services=5_000,
    apis=8_000,
    metrics=2_000,
    goals=20_000,
    plan_years=3,
    repeats=5,
    seconds=10.0,
)
QUICK = Scale(
    teams=60,
    depth=4,
    services=300,
    apis=480,
    metrics=120,
    goals=1_200,
    plan_years=3,
    repeats=3,
    seconds=4.0,
)


@dataclass
class Context:
    quick: bool
    server_url: str
    scale: Scale
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _company_url: str | None = None
    company_events: int = 0

    @property
    def mode(self) -> str:
        return "quick" if self.quick else "full"

    def database(self, label: str) -> contextlib.AbstractContextManager[str]:
        """A new, empty database for one benchmark, dropped when it ends."""
        return fresh_database(self.server_url, label)

    def company(self) -> str:
        """The database holding the generated company with its views built (made once a run)."""
        if self._company_url is None:
            from bench.company import load_company

            url = self._stack.enter_context(fresh_database(self.server_url, "company"))
            note(f"generating the company ({self.scale.label}) into {url.rsplit('/', 1)[-1]}")
            self.company_events = load_company(url, self.scale)
            self._company_url = url
        return self._company_url

    def close(self) -> None:
        self._stack.close()

    @contextlib.contextmanager
    def session(self) -> Iterator[Context]:
        try:
            yield self
        finally:
            self.close()
