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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.allocation.cycle import AllocationCycle, CycleKind, cycle_key
from domain.allocation.refusals import AllocationCycleExists
from domain.allocation.resources import Resources
from domain.claims import Claim, ClaimKind, claim_id
from domain.errors import InvalidValue
from domain.goals import Goal
from domain.org.team import Team
from domain.people.values import person_id
from domain.roadmap import RoadmapItem
from services.authorization import require_leader_or_leadership, require_leadership
from services.commands import AreaCommands, Outcome, UnitOfWork

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.allocation.rest import (
        AdvancePhase,
        OpenCycle,
        RecordAmendment,
        RecordDecision,
        RecordDissent,
        SaveScenario,
        ScenarioLine,
        SetEnvelope,
        SubmitRequest,
        WeighDissent,
    )
    from services.api.commands import CommandContext
    from services.decisions import ExpectOutcome
from services.decisions import state_outcome

CycleChange = Callable[[UnitOfWork, AllocationCycle], None]

DISSENT = "Dissent"  # what recording a dissent answers with (a GraphQL node type)


def _cycle_of(work: UnitOfWork, fiscal_year: int, kind: CycleKind) -> AllocationCycle | None:
    """The year's cycle of that kind, found through its claim."""
    claim = work.find(Claim, claim_id(ClaimKind.ALLOCATION_CYCLE, cycle_key(fiscal_year, kind)))
    if claim is None or claim.holder is None:
        return None
    return work.get(AllocationCycle, claim.holder, label="allocation cycle")


def _team(work: UnitOfWork, team_id: UUID) -> Team:
    return work.get(Team, team_id, label="team")


def _scenario_resources(lines: Sequence[ScenarioLine]) -> dict[UUID, Resources]:
    allocations: dict[UUID, Resources] = {}
    for line in lines:
        if line.team_id in allocations:
            raise InvalidValue("allocations", f"Team {line.team_id} is allocated twice")
        allocations[line.team_id] = Resources.of(line.headcount, line.budget)
    return allocations


class AllocationCommands(AreaCommands):
    def open_cycle(self, context: CommandContext, body: OpenCycle) -> Outcome:
        require_leadership(context.principal, "Opening an allocation cycle")

        def open_cycle(work: UnitOfWork) -> AllocationCycle:
            op1 = (
                _cycle_of(work, body.fiscal_year, CycleKind.OP1)
                if body.kind is CycleKind.OP2
                else None
            )
            cycle = work.add(
                AllocationCycle.open(fiscal_year=body.fiscal_year, kind=body.kind, op1=op1)
            )
            key = cycle_key(cycle.fiscal_year, cycle.kind)
            other = work.claim(ClaimKind.ALLOCATION_CYCLE, key, cycle.id)
            if other is not None:
                raise AllocationCycleExists(
                    f"Fiscal year {cycle.fiscal_year} already has an {body.kind.value}",
                    cycle_id=str(other),
                )
            if op1 is not None:
                op1.carry_forward(cycle)
            return cycle

        return self.run(context, open_cycle, versioned=False)

    def _change(self, context: CommandContext, cycle_id: UUID, change: CycleChange) -> Outcome:
        return self.change(
            context,
            AllocationCycle,
            cycle_id,
            lambda cycle, work: change(work, cycle),
            label="allocation cycle",
        )

    def set_envelope(self, context: CommandContext, cycle_id: UUID, body: SetEnvelope) -> Outcome:
        require_leadership(context.principal, "Setting the envelope")
        envelope = Resources.of(body.headcount, body.budget)
        return self._change(
            context, cycle_id, lambda _work, cycle: cycle.set_envelope(envelope, body.reason)
        )

    def submit_request(
        self, context: CommandContext, cycle_id: UUID, body: SubmitRequest
    ) -> Outcome:
        request = Resources.of(body.headcount, body.budget)

        def submit(work: UnitOfWork, cycle: AllocationCycle) -> None:
            team = _team(work, body.team_id)
            require_leader_or_leadership(context.principal, team, "Requesting resources")
            goals = [work.get(Goal, goal_id, label="goal") for goal_id in body.goal_ids]
            items = [
                work.get(RoadmapItem, item_id, label="roadmap item") for item_id in body.item_ids
            ]
            cycle.submit_request(team, request, body.rationale, goals, items)

        return self._change(context, cycle_id, submit)

    def advance_phase(self, context: CommandContext, cycle_id: UUID, body: AdvancePhase) -> Outcome:
        require_leadership(context.principal, "Advancing an allocation cycle")
        return self._change(context, cycle_id, lambda _work, cycle: cycle.advance_to(body.to))

    def decide(self, context: CommandContext, cycle_id: UUID, body: RecordDecision) -> Outcome:
        require_leadership(context.principal, "Recording a decision")
        funded = Resources.of(body.headcount, body.budget)
        return self._change(
            context,
            cycle_id,
            lambda work, cycle: cycle.decide(_team(work, body.team_id), funded, body.rationale),
        )

    def record_dissent(
        self, context: CommandContext, cycle_id: UUID, body: RecordDissent
    ) -> Outcome:
        """Anyone signed in disagrees, with an argument; the answer names the dissent."""
        dissent_id = uuid4()  # the same id on every retry of the command

        def dissent(work: UnitOfWork, cycle: AllocationCycle) -> None:
            team = None if body.team_id is None else _team(work, body.team_id)
            cycle.record_dissent(dissent_id, context.principal.subject, team, body.argument)
            work.answer_with(DISSENT, dissent_id)

        return self._change(context, cycle_id, dissent)

    def weigh_dissent(
        self, context: CommandContext, cycle_id: UUID, dissent_id: UUID, body: WeighDissent
    ) -> Outcome:
        require_leadership(context.principal, "Weighing dissent")
        return self._change(
            context, cycle_id, lambda _work, cycle: cycle.weigh_dissent(dissent_id, body.response)
        )

    def commit(
        self,
        context: CommandContext,
        cycle_id: UUID,
    ) -> Outcome:
        """The caller commits to the cycle's decision."""
        return self._change(
            context, cycle_id, lambda _work, cycle: cycle.commit(context.principal.subject)
        )

    def expect_outcome(
        self, context: CommandContext, cycle_id: UUID, body: ExpectOutcome
    ) -> Outcome:
        """Leadership, who decided, states what the cycle's decision should achieve."""
        require_leadership(context.principal, "Stating an allocation's expected outcome")
        return self._change(context, cycle_id, lambda work, cycle: state_outcome(work, cycle, body))

    def amend(self, context: CommandContext, cycle_id: UUID, body: RecordAmendment) -> Outcome:
        require_leadership(context.principal, "Amending a locked allocation")
        funded = Resources.of(body.headcount, body.budget)
        approved_by = person_id(body.approver, field="approver")
        return self._change(
            context,
            cycle_id,
            lambda work, cycle: cycle.amend(
                _team(work, body.team_id), funded, body.reason, approved_by
            ),
        )

    def save_scenario(self, context: CommandContext, cycle_id: UUID, body: SaveScenario) -> Outcome:
        require_leadership(context.principal, "Saving a scenario")
        numbers = _scenario_resources(body.allocations)

        def save(work: UnitOfWork, cycle: AllocationCycle) -> None:
            for team_id in numbers:
                _team(work, team_id)
            cycle.save_scenario(body.name, numbers)

        return self._change(context, cycle_id, save)

    def adopt_scenario(
        self,
        context: CommandContext,
        cycle_id: UUID,
        name: str,
    ) -> Outcome:
        """The scenario's numbers become the decisions, in one command."""
        require_leadership(context.principal, "Adopting a scenario")

        def adopt(work: UnitOfWork, cycle: AllocationCycle) -> None:
            teams = {team_id: _team(work, team_id) for team_id in cycle.scenario(name)}
            cycle.adopt_scenario(name, teams)

        return self._change(context, cycle_id, adopt)
