"""Commands of the yearly allocation: open a cycle, set its envelope, request, move
through the phases, decide, dissent and weigh it, commit, amend, and save and adopt
scenarios.

Who may: leadership opens cycles, sets envelopes, advances phases, decides, weighs
dissent, amends, and saves and adopts scenarios. A team's request comes from the
team's leader (read from the team as it stands on the write side, never from the
token) or from leadership. Anyone signed in may dissent and commit; the caller is
the person who dissents or commits.

Opening a cycle takes the ``allocation-cycle`` claim of its year and kind in the
same save, so racing openings of one year's OP1 cannot both succeed. An OP2 is also
recorded on the year's OP1 (``CarriedForward``), so an OP1 amendment racing the
OP2's opening conflicts with it and is run again against the carried-forward OP1.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase, cycle_key
from domain.allocation.refusals import AllocationCycleExists
from domain.allocation.resources import Resources
from domain.claims import Claim, ClaimKind, claim_id
from domain.errors import InvalidValue
from domain.goals import Goal
from domain.org.team import Team
from domain.people.values import Function, person_id
from domain.roadmap import RoadmapItem
from services.authorization import require_leader_or_leadership, require_leadership
from services.commands import CommandBus, Outcome, UnitOfWork
from services.decisions import state_outcome
from services.principal import Principal

CycleChange = Callable[[UnitOfWork, AllocationCycle], None]

DISSENT = "Dissent"  # what recording a dissent answers with (a GraphQL node type)


@dataclass(frozen=True)
class TeamNumbers:
    """One team's line in a scenario."""

    team_id: UUID
    headcount: Mapping[Function, int]
    budget: int


def _cycle_of(work: UnitOfWork, fiscal_year: int, kind: CycleKind) -> AllocationCycle | None:
    """The year's cycle of that kind, found through its claim."""
    claim = work.find(Claim, claim_id(ClaimKind.ALLOCATION_CYCLE, cycle_key(fiscal_year, kind)))
    if claim is None or claim.holder is None:
        return None
    return work.get(AllocationCycle, claim.holder, label="allocation cycle")


def _team(work: UnitOfWork, team_id: UUID) -> Team:
    return work.get(Team, team_id, label="team")


def _scenario_resources(lines: Sequence[TeamNumbers]) -> dict[UUID, Resources]:
    allocations: dict[UUID, Resources] = {}
    for line in lines:
        if line.team_id in allocations:
            raise InvalidValue("allocations", f"Team {line.team_id} is allocated twice")
        allocations[line.team_id] = Resources.of(line.headcount, line.budget)
    return allocations


class AllocationCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def open_cycle(
        self, principal: Principal, correlation_id: str, *, fiscal_year: int, kind: CycleKind
    ) -> Outcome:
        require_leadership(principal, "Opening an allocation cycle")

        def open_cycle(work: UnitOfWork) -> AllocationCycle:
            op1 = _cycle_of(work, fiscal_year, CycleKind.OP1) if kind is CycleKind.OP2 else None
            cycle = work.add(AllocationCycle.open(fiscal_year=fiscal_year, kind=kind, op1=op1))
            key = cycle_key(cycle.fiscal_year, cycle.kind)
            other = work.claim(ClaimKind.ALLOCATION_CYCLE, key, cycle.id)
            if other is not None:
                raise AllocationCycleExists(
                    f"Fiscal year {cycle.fiscal_year} already has an {kind.value}",
                    cycle_id=str(other),
                )
            if op1 is not None:
                op1.carry_forward(cycle)
            return cycle

        return self.bus.run(principal, correlation_id, open_cycle)

    def _change(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        change: CycleChange,
        expected_version: int | None,
    ) -> Outcome:
        def run(work: UnitOfWork) -> AllocationCycle:
            cycle = work.get(AllocationCycle, cycle_id, label="allocation cycle")
            change(work, cycle)
            return cycle

        return self.bus.run(principal, correlation_id, run, expected_version=expected_version)

    def set_envelope(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        headcount: Mapping[Function, int],
        budget: int,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Setting the envelope")
        envelope = Resources.of(headcount, budget)
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda _work, cycle: cycle.set_envelope(envelope, reason),
            expected_version,
        )

    def submit_request(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        team_id: UUID,
        headcount: Mapping[Function, int],
        budget: int,
        rationale: str,
        goal_ids: Sequence[UUID],
        item_ids: Sequence[UUID] = (),
        expected_version: int | None = None,
    ) -> Outcome:
        request = Resources.of(headcount, budget)

        def submit(work: UnitOfWork, cycle: AllocationCycle) -> None:
            team = _team(work, team_id)
            require_leader_or_leadership(principal, team, "Requesting resources")
            goals = [work.get(Goal, goal_id, label="goal") for goal_id in goal_ids]
            items = [work.get(RoadmapItem, item_id, label="roadmap item") for item_id in item_ids]
            cycle.submit_request(team, request, rationale, goals, items)

        return self._change(principal, correlation_id, cycle_id, submit, expected_version)

    def advance_phase(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        to: CyclePhase,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Advancing an allocation cycle")
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda _work, cycle: cycle.advance_to(to),
            expected_version,
        )

    def decide(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        team_id: UUID,
        headcount: Mapping[Function, int],
        budget: int,
        rationale: str,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Recording a decision")
        funded = Resources.of(headcount, budget)
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda work, cycle: cycle.decide(_team(work, team_id), funded, rationale),
            expected_version,
        )

    def record_dissent(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        team_id: UUID | None,
        argument: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """Anyone signed in disagrees, with an argument; the answer names the dissent."""
        dissent_id = uuid4()  # the same id on every retry of the command

        def dissent(work: UnitOfWork, cycle: AllocationCycle) -> None:
            team = None if team_id is None else _team(work, team_id)
            cycle.record_dissent(dissent_id, principal.subject, team, argument)
            work.answer_with(DISSENT, dissent_id)

        return self._change(principal, correlation_id, cycle_id, dissent, expected_version)

    def weigh_dissent(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        dissent_id: UUID,
        *,
        response: str,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Weighing dissent")
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda _work, cycle: cycle.weigh_dissent(dissent_id, response),
            expected_version,
        )

    def commit(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        """The caller commits to the cycle's decision."""
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda _work, cycle: cycle.commit(principal.subject),
            expected_version,
        )

    def expect_outcome(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        metric_id: UUID,
        target: Decimal,
        by: date,
        note: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Leadership, who decided, states what the cycle's decision should achieve."""
        require_leadership(principal, "Stating an allocation's expected outcome")
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda work, cycle: state_outcome(
                work, cycle, metric_id=metric_id, target=target, by=by, note=note
            ),
            expected_version,
        )

    def amend(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        team_id: UUID,
        headcount: Mapping[Function, int],
        budget: int,
        reason: str,
        approver: str,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Amending a locked allocation")
        funded = Resources.of(headcount, budget)
        approved_by = person_id(approver, field="approver")
        return self._change(
            principal,
            correlation_id,
            cycle_id,
            lambda work, cycle: cycle.amend(_team(work, team_id), funded, reason, approved_by),
            expected_version,
        )

    def save_scenario(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        name: str,
        allocations: Sequence[TeamNumbers],
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Saving a scenario")
        numbers = _scenario_resources(allocations)

        def save(work: UnitOfWork, cycle: AllocationCycle) -> None:
            for team_id in numbers:
                _team(work, team_id)
            cycle.save_scenario(name, numbers)

        return self._change(principal, correlation_id, cycle_id, save, expected_version)

    def adopt_scenario(
        self,
        principal: Principal,
        correlation_id: str,
        cycle_id: UUID,
        *,
        name: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """The scenario's numbers become the decisions, in one command."""
        require_leadership(principal, "Adopting a scenario")

        def adopt(work: UnitOfWork, cycle: AllocationCycle) -> None:
            teams = {team_id: _team(work, team_id) for team_id in cycle.scenario(name)}
            cycle.adopt_scenario(name, teams)

        return self._change(principal, correlation_id, cycle_id, adopt, expected_version)
