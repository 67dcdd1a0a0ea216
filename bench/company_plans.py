"""The generated company's plans: metrics, goals, check-ins, observations, allocation.

Metrics are inputs, outputs and financial outputs owned by teams; each input
declares the outputs it is believed to drive (its own team's, else an
ancestor's) with a hypothesis; a few are redefined each year. Goals are set per
plan year on the team's own or an ancestor's metrics, checked in every other
week (mostly GREEN, some sliding, a few GREEN straight to RED: blindsides) and
closed at the year's end. Every metric is observed weekly. Each year has an OP1
before it starts (requests funding the year's goals, review, dissent weighed,
decisions within the envelope, commitments, lock, an amendment) and an OP2 at
mid-year carried forward from it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from bench.company_org import CHIEF, Org
from bench.company_writer import Writer
from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase, cycle_key
from domain.allocation.resources import Resources
from domain.claims import ClaimKind, normalised_name
from domain.goals import CheckInStatus, Goal, GoalOutcome
from domain.metrics import Direction, Metric, MetricKind
from domain.org.team import Team
from domain.people.values import Function, PersonId

WEEKS = 52
CHECK_IN_WEEKS = 2  # every other week
OP2_WEEK = 26
REVISE_WEEK = 20
UNITS = ("count", "percent", "seconds", "USD", "orders", "users")
MOVES = {  # how a check-in's status may move: (next status, probability)
    CheckInStatus.GREEN: ((CheckInStatus.YELLOW, 0.1), (CheckInStatus.RED, 0.01)),
    CheckInStatus.YELLOW: ((CheckInStatus.GREEN, 0.3), (CheckInStatus.RED, 0.1)),
    CheckInStatus.RED: ((CheckInStatus.YELLOW, 0.3), (CheckInStatus.GREEN, 0.05)),
}
OUTCOMES = ((GoalOutcome.ACHIEVED, 0.72), (GoalOutcome.MISSED, 0.2), (GoalOutcome.DROPPED, 0.08))


def week_end(year: int, week: int) -> date:
    """The Sunday that ends the ``week``-th week (from 0) of ``year``."""
    first = date(year, 1, 1)
    return first + timedelta(days=6 - first.weekday() + 7 * week)


def _scaled(resources: Resources, factor: float) -> Resources:
    return Resources.of(
        {f: math.floor(n * factor) for f, n in resources.headcount.items()},
        math.floor(resources.budget * factor),
    )


def _minus(left: Resources, right: Resources) -> Resources:
    return Resources.of(
        {f: max(left.count(f) - right.count(f), 0) for f in Function},
        max(left.budget - right.budget, 0),
    )


@dataclass
class Plans:
    org: Org
    rng: random.Random
    metrics: list[Metric] = field(default_factory=list)
    metrics_of: dict[UUID, list[Metric]] = field(default_factory=dict)
    values: dict[UUID, float] = field(default_factory=dict)  # each metric's latest value
    goals: dict[int, list[Goal]] = field(default_factory=dict)  # by plan year
    cycles: dict[str, AllocationCycle] = field(default_factory=dict)

    @property
    def writer(self) -> Writer:
        return self.org.writer

    # -- metrics ---------------------------------------------------------

    def define_metrics(self, count: int) -> None:
        teams = self.org.teams
        for number in range(count):
            owner = teams[number % len(teams)]
            roll = self.rng.random()
            kind = MetricKind.INPUT if roll < 0.55 else MetricKind.OUTPUT
            financial = kind is MetricKind.OUTPUT and roll > 0.85
            name = f"{owner.name} {'revenue' if financial else kind.value.lower()} {number}"
            with self.writer.command(owner.leader) as work:
                work.touch(owner)
                metric = work.add(
                    Metric.define(
                        name=name,
                        kind=kind,
                        financial=financial,
                        unit="USD" if financial else self.rng.choice(UNITS),
                        direction=Direction.DECREASE
                        if self.rng.random() < 0.2
                        else Direction.INCREASE,
                        definition=f"How {name} is measured, weekly, from the source of record",
                        owner=owner,
                    )
                )
                work.claim(ClaimKind.METRIC_NAME, normalised_name(metric.name), metric.id)
            self.metrics.append(metric)
            self.metrics_of.setdefault(owner.id, []).append(metric)
            self.values[metric.id] = self.rng.uniform(100, 10_000)
        for metric in self.metrics:
            if metric.kind is MetricKind.INPUT:
                self.declare_drivers(metric)

    def nearby_metrics(self, team: Team) -> list[Metric]:
        """The team's own metrics, else its nearest ancestor's."""
        current: Team | None = team
        while current is not None:
            found = self.metrics_of.get(current.id)
            if found:
                return found
            current = self.org.parent_of(current)
        return self.metrics

    def declare_drivers(self, metric: Metric) -> None:
        owner = self.org.by_id[metric.owner_team_id]
        outputs = [m for m in self.nearby_metrics(owner) if m.kind is MetricKind.OUTPUT]
        if not outputs:
            outputs = [m for m in self.rng.sample(self.metrics, 5) if m.kind is MetricKind.OUTPUT]
        for output in self.rng.sample(outputs, k=min(len(outputs), self.rng.randint(1, 2))):
            with self.writer.command(owner.leader) as work:
                work.touch(metric)
                metric.declare_driver(
                    output, f"Moving {metric.name} moves {output.name} within a quarter"
                )

    def redefine_some(self, year: int) -> None:
        for metric in self.rng.sample(self.metrics, k=len(self.metrics) // 20):
            owner = self.org.by_id[metric.owner_team_id]
            with self.writer.command(owner.leader) as work:
                work.touch(metric)
                metric.redefine(
                    f"{metric.definition}; from {year} excluding test traffic",
                    "Test traffic inflated the numbers",
                )

    def observe(self, year: int, week: int) -> None:
        period = week_end(year, week)
        for metric in self.metrics:
            owner = self.org.by_id[metric.owner_team_id]
            value = self.values[metric.id] * self.rng.uniform(0.97, 1.035)
            self.values[metric.id] = value
            with self.writer.command(owner.leader) as work:
                work.year(metric, period).observe(metric, period, Decimal(f"{value:.2f}"))
            if self.rng.random() < 0.002:
                with self.writer.command(owner.leader) as work:
                    work.year(metric, period).correct(
                        metric, period, Decimal(f"{value * 1.01:.2f}"), "A late batch was missing"
                    )

    # -- goals -----------------------------------------------------------

    def set_goals(self, year: int, count: int) -> None:
        teams = self.org.teams
        goals = self.goals.setdefault(year, [])
        for number in range(count):
            team = teams[number % len(teams)]
            metric = self.rng.choice(self.nearby_metrics(team))
            baseline = Decimal(f"{self.values[metric.id]:.2f}")
            change = Decimal(self.rng.choice((5, 10, 15, 20))) / 100
            sign = -1 if metric.direction is Direction.DECREASE else 1
            target = (baseline * (1 + sign * change)).quantize(Decimal("0.01"))
            with self.writer.command(team.leader) as work:
                work.touch(team, metric)
                goal = work.add(
                    Goal.set(
                        team=team,
                        metric=metric,
                        plan_year=year,
                        baseline=baseline,
                        target=target,
                        due_date=date(year, 12, 31),
                        description=f"Move {metric.name} from {baseline} to {target} in {year}",
                    )
                )
                metric.bind_goal(goal.id)
            goals.append(goal)
        for goal in self.rng.sample(goals, k=len(goals) // 100):
            with self.writer.command(CHIEF) as work:
                work.touch(goal)
                goal.flag_top_level()

    def revise_targets(self, year: int) -> None:
        open_goals = [goal for goal in self.goals[year] if not goal.closed]
        for goal in self.rng.sample(open_goals, k=len(open_goals) // 12):
            team = self.org.by_id[goal.team_id]
            with self.writer.command(team.leader) as work:
                work.touch(goal)
                goal.revise_target(
                    (goal.target * Decimal("1.05")).quantize(Decimal("0.01")),
                    "The first months showed more room than planned",
                )

    def check_in(self, year: int, week: int) -> None:
        for index, goal in enumerate(self.goals[year]):
            if goal.closed or (index + week) % CHECK_IN_WEEKS:
                continue
            team = self.org.by_id[goal.team_id]
            members = list(team.members)
            actor = PersonId(members[index % len(members)]) if members else team.leader
            status = self._next_status(goal.status)
            with self.writer.command(actor) as work:
                work.touch(goal)
                goal.check_in(
                    status,
                    f"Week {week + 1}: {status.value.lower()}",
                    None if status is CheckInStatus.GREEN else "Two engineers move onto it",
                )

    def _next_status(self, status: CheckInStatus | None) -> CheckInStatus:
        if status is None:
            return CheckInStatus.GREEN
        roll = self.rng.random()
        for moved, chance in MOVES[status]:
            roll -= chance
            if roll < 0:
                return moved
        return status

    def close_goals(self, year: int) -> None:
        for goal in self.goals[year]:
            if goal.closed or self.rng.random() < 0.04:
                continue  # a few stay open past their year: late closers
            team = self.org.by_id[goal.team_id]
            outcome = self._outcome(goal)
            with self.writer.command(team.leader) as work:
                work.touch(goal)
                goal.close(outcome, f"{outcome.value.lower()} at the end of {year}")

    def _outcome(self, goal: Goal) -> GoalOutcome:
        if goal.status is CheckInStatus.RED:
            return GoalOutcome.MISSED
        roll = self.rng.random()
        for outcome, chance in OUTCOMES:
            roll -= chance
            if roll < 0:
                return outcome
        return GoalOutcome.ACHIEVED

    # -- the yearly allocation ---------------------------------------------

    def _ask(self) -> Resources:
        headcount = {Function.ENGINEERING: self.rng.randint(2, 9)}
        for function in (Function.PRODUCT, Function.DESIGN, Function.DATA_SCIENCE):
            if self.rng.random() < 0.5:
                headcount[function] = self.rng.randint(1, 2)
        return Resources.of(headcount, self.rng.randrange(100_000, 2_000_000, 10_000))

    def _open_goals_by_team(self, year: int) -> dict[UUID, list[Goal]]:
        found: dict[UUID, list[Goal]] = {}
        for goal in self.goals.get(year, []):
            if not goal.closed:
                found.setdefault(goal.team_id, []).append(goal)
        return found

    def _leadership(self, cycle: AllocationCycle, change: str, *args: object) -> None:
        with self.writer.command(CHIEF) as work:
            work.touch(cycle)
            getattr(cycle, change)(*args)

    def op1(self, year: int) -> None:
        """The plan for ``year``: requests fund its goals, set just before."""
        with self.writer.command(CHIEF) as work:
            cycle = work.add(AllocationCycle.open(fiscal_year=year, kind=CycleKind.OP1))
            work.claim(ClaimKind.ALLOCATION_CYCLE, cycle_key(year, CycleKind.OP1), cycle.id)
        self.cycles[cycle_key(year, CycleKind.OP1)] = cycle
        guess = Resources.of({Function.ENGINEERING: 5 * len(self.org.teams)}, 10**9)
        self._leadership(cycle, "set_envelope", guess, f"First envelope for {year}")
        by_team = self._open_goals_by_team(year)
        requesting = [t for t in self.org.teams if t.id in by_team and self.rng.random() < 0.85]
        self._submit(cycle, requesting, by_team, "Grow the team to reach its goals")
        for team in self.rng.sample(requesting, k=len(requesting) // 20):
            self._submit(cycle, [team], by_team, "Revised after the first review")
        self._leadership(cycle, "advance_to", CyclePhase.REVIEW)
        dissents = self._dissent(cycle, requesting)
        requested = Resources.total(r for t in requesting if (r := cycle.request_of(t.id)))
        self._leadership(cycle, "set_envelope", _scaled(requested, 0.95), "What we can afford")
        lean = {t.id: _scaled(cycle.ceiling_of(t.id), 0.8) for t in requesting[:30]}
        if lean:
            self._leadership(cycle, "save_scenario", "Lean", lean)
        self._decide(cycle, requesting, 0.9)
        for dissent_id in dissents:
            self._leadership(cycle, "weigh_dissent", dissent_id, "Heard; the envelope stands")
        self._leadership(cycle, "advance_to", CyclePhase.DECIDED)
        self._commit(cycle, requesting)
        self._leadership(cycle, "advance_to", CyclePhase.LOCKED)
        self._amend(cycle, requesting, amendments=2)

    def op2(self, year: int) -> None:
        """Mid-year: OP2 starts from the locked OP1; some teams ask again."""
        op1 = self.cycles[cycle_key(year, CycleKind.OP1)]
        with self.writer.command(CHIEF) as work:
            work.touch(op1)
            cycle = work.add(AllocationCycle.open(fiscal_year=year, kind=CycleKind.OP2, op1=op1))
            work.claim(ClaimKind.ALLOCATION_CYCLE, cycle_key(year, CycleKind.OP2), cycle.id)
            op1.carry_forward(cycle)
        self.cycles[cycle_key(year, CycleKind.OP2)] = cycle
        by_team = self._open_goals_by_team(year)
        teams = [t for t in self.org.teams if t.id in by_team and self.rng.random() < 0.2]
        self._submit(cycle, teams, by_team, "The first half changed what we need")
        self._leadership(cycle, "advance_to", CyclePhase.REVIEW)
        dissents = self._dissent(cycle, teams, count=2)
        decisions = {t.id: _scaled(cycle.ceiling_of(t.id), 0.9) for t in teams}
        # Decisions land one at a time, so fit the envelope to the largest total on the way.
        funded = {UUID(k): Resources.from_state(v) for k, v in cycle.funding.items()}
        rises = (_minus(decisions[t.id], funded.get(t.id, Resources())) for t in teams)
        peak = Resources.total(funded.values()) + Resources.total(rises)
        envelope = cycle.envelope_resources
        if peak.beyond(envelope):
            needed = envelope + _minus(peak, envelope)
            self._leadership(cycle, "set_envelope", needed, "OP2 adds what the half-year showed")
        self._decide(cycle, teams, 0.9)
        for dissent_id in dissents:
            self._leadership(cycle, "weigh_dissent", dissent_id, "Weighed; we go ahead")
        self._leadership(cycle, "advance_to", CyclePhase.DECIDED)
        self._commit(cycle, teams)
        self._leadership(cycle, "advance_to", CyclePhase.LOCKED)
        self._amend(cycle, teams, amendments=1)

    def _submit(
        self,
        cycle: AllocationCycle,
        teams: list[Team],
        by_team: dict[UUID, list[Goal]],
        rationale: str,
    ) -> None:
        for team in teams:
            goals = by_team[team.id][: self.rng.randint(1, 3)]
            with self.writer.command(team.leader) as work:
                work.touch(cycle)
                cycle.submit_request(team, self._ask(), rationale, goals)

    def _dissent(self, cycle: AllocationCycle, teams: list[Team], count: int = 5) -> list[UUID]:
        dissents: list[UUID] = []
        for team in self.rng.sample(teams, k=min(count, len(teams))):
            dissent_id = uuid4()
            with self.writer.command(team.leader) as work:
                work.touch(cycle)
                cycle.record_dissent(
                    dissent_id,
                    team.leader,
                    team,
                    f"{team.name} cannot reach its goals with less than it asked",
                )
            dissents.append(dissent_id)
        return dissents

    def _decide(self, cycle: AllocationCycle, teams: list[Team], share: float) -> None:
        for team in teams:
            funded = _scaled(cycle.ceiling_of(team.id), share)
            self._leadership(cycle, "decide", team, funded, f"Funded {share:.0%} of the ask")

    def _commit(self, cycle: AllocationCycle, teams: list[Team]) -> None:
        people = {PersonId(d["person"]) for d in cycle.dissents.values()}
        people.update(team.leader for team in teams[:20])
        for person in sorted(people):
            with self.writer.command(person) as work:
                work.touch(cycle)
                cycle.commit(person)

    def _amend(self, cycle: AllocationCycle, teams: list[Team], amendments: int) -> None:
        for team in self.rng.sample(teams, k=min(amendments, len(teams))):
            funded = {UUID(k): Resources.from_state(v) for k, v in cycle.funding.items()}
            slack = _minus(cycle.envelope_resources, Resources.total(funded.values()))
            if slack.count(Function.ENGINEERING) < 1:
                return
            raised = cycle.funding_of(team.id) + Resources.of({Function.ENGINEERING: 1}, 0)
            with self.writer.command(CHIEF) as work:
                work.touch(cycle)
                cycle.amend(team, raised, "An urgent security fix needs one more engineer", CHIEF)
