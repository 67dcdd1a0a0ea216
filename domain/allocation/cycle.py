"""The yearly allocation (OP1 / OP2), refereed by leadership, with disagree and commit.

Senior leadership referees resource allocation once or twice a year instead of
every roadmap item every day. A cycle belongs to a fiscal year and is ``OP1`` or
``OP2`` (at most one of each per year, held by a claim); OP2 opens only once that
year's OP1 is LOCKED and starts from OP1's envelope and funding. A cycle moves
forward through ``OPEN`` (teams request) -> ``REVIEW`` (leadership decides) ->
``DECIDED`` (people commit) -> ``LOCKED``, one phase at a time, never back.

Everything that must hold together lives in this one aggregate, so optimistic
concurrency keeps it true under racing commands: the envelope, every team's
request, the decisions, dissent and whether it was weighed, commitments, draft
scenarios and amendments. A team is never funded beyond its request, and the sum
of what teams are funded never exceeds the envelope. After the lock nothing
changes except an amendment: a recorded exception with a reason and an approver.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.allocation.refusals import (
    AllocationCycleExists,
    CycleCarriedForward,
    CycleDecided,
    CycleLocked,
    CycleNotDecided,
    CycleNotLocked,
    EnvelopeExceeded,
    FundedBeyondRequest,
    GoalOfAnotherTeam,
    Op1NotLocked,
    PhaseOutOfOrder,
    RequestsClosed,
    ReviewNotStarted,
    RoadmapItemClosedForFunding,
    RoadmapItemOfAnotherTeam,
)
from domain.allocation.resources import Resources
from domain.decisions import Deliberation, ExpectedOutcome
from domain.errors import InvalidValue, NotFound
from domain.goals import Goal, GoalClosed
from domain.org.team import Team, TeamDisbanded
from domain.people.values import PersonId
from domain.values import CaseInsensitiveEnum, required_text

MIN_FISCAL_YEAR = 2000
MAX_FISCAL_YEAR = 2100
MAX_RATIONALE_LENGTH = 4000
MAX_REASON_LENGTH = 2000
MAX_SCENARIO_NAME_LENGTH = 120
MAX_GOALS_PER_REQUEST = 100
MAX_ITEMS_PER_REQUEST = 100
MAX_SCENARIO_TEAMS = 1000


class CycleKind(CaseInsensitiveEnum):
    """``OP1``: the plan for the fiscal year. ``OP2``: its revision, starting from OP1."""

    OP1 = "OP1"
    OP2 = "OP2"


class CyclePhase(CaseInsensitiveEnum):
    """``OPEN`` for requests, ``REVIEW`` for decisions, ``DECIDED`` for commitment, ``LOCKED``."""

    OPEN = "OPEN"
    REVIEW = "REVIEW"
    DECIDED = "DECIDED"
    LOCKED = "LOCKED"

    @property
    def next(self) -> CyclePhase | None:
        phases = list(CyclePhase)
        index = phases.index(self)
        return phases[index + 1] if index + 1 < len(phases) else None


def checked_fiscal_year(value: int) -> int:
    if not MIN_FISCAL_YEAR <= value <= MAX_FISCAL_YEAR:
        raise InvalidValue(
            "fiscalYear", f"`fiscalYear` must be between {MIN_FISCAL_YEAR} and {MAX_FISCAL_YEAR}"
        )
    return value


def cycle_key(fiscal_year: int, kind: CycleKind) -> str:
    """The natural key of a cycle, e.g. ``2027:OP1``."""
    return f"{fiscal_year}:{kind.value}"


def scenario_name(raw: str) -> str:
    return required_text("name", raw, max_length=MAX_SCENARIO_NAME_LENGTH)


def rationale_text(raw: str) -> str:
    return required_text("rationale", raw, max_length=MAX_RATIONALE_LENGTH, multiline=True)


class FundedItem(Protocol):
    """A roadmap item as a request names it (the roadmap builds on the allocation, so the
    allocation knows items only by this shape)."""

    @property
    def id(self) -> UUID: ...

    @property
    def team_id(self) -> UUID: ...

    @property
    def is_open(self) -> bool: ...


ResourcesState = dict[str, Any]  # Resources.to_state(): {"headcount": {...}, "budget": n}


class AllocationCycle(AttributedAggregate, Deliberation):
    class Opened(AttributedAggregate.Created):
        fiscal_year: int
        kind: CycleKind
        carried_from: UUID | None
        carried_envelope: ResourcesState | None
        carried_funding: dict[str, ResourcesState]

    class CarriedForward(AttributedAggregate.Event):
        op2_id: UUID

    class EnvelopeSet(AttributedAggregate.Event):
        headcount: dict[str, int]
        budget: int
        reason: str

    class RequestSubmitted(AttributedAggregate.Event):
        team_id: UUID
        version: int
        headcount: dict[str, int]
        budget: int
        rationale: str
        goal_ids: list[UUID]
        item_ids: list[UUID]

        # Version 2 names the roadmap items the request funds; a request recorded before
        # named none.
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["item_ids"] = []

    class PhaseAdvanced(AttributedAggregate.Event):
        phase: CyclePhase
        previous_phase: CyclePhase

    class DecisionRecorded(AttributedAggregate.Event):
        team_id: UUID
        headcount: dict[str, int]
        budget: int
        rationale: str

    class DissentRecorded(AttributedAggregate.Event):
        dissent_id: UUID
        person: PersonId
        team_id: UUID | None
        argument: str

    class DissentWeighed(AttributedAggregate.Event):
        dissent_id: UUID
        response: str

    class Committed(AttributedAggregate.Event):
        person: PersonId

    class OutcomeExpected(AttributedAggregate.Event):
        metric_id: UUID
        target: Decimal
        by: date
        note: str

    class AmendmentRecorded(AttributedAggregate.Event):
        number: int
        team_id: UUID
        headcount: dict[str, int]
        budget: int
        reason: str
        approver: PersonId

    class ScenarioSaved(AttributedAggregate.Event):
        name: str
        allocations: dict[str, ResourcesState]  # team id -> resources

    class ScenarioAdopted(AttributedAggregate.Event):
        name: str
        decisions: dict[str, ResourcesState]  # team id -> resources
        withdrawn: list[UUID]  # teams funded before whose decisions end

    def __init__(
        self,
        fiscal_year: int,
        kind: CycleKind,
        carried_from: UUID | None,
        carried_envelope: ResourcesState | None,
        carried_funding: dict[str, ResourcesState],
    ) -> None:
        self.fiscal_year = fiscal_year
        self.kind = kind
        self.phase = CyclePhase.OPEN
        self.carried_from = carried_from
        self.carried_into: UUID | None = None
        self.envelope = carried_envelope
        self.requests: dict[str, dict[str, Any]] = {}  # team -> {"version", "resources"}
        self.carried_funding = dict(carried_funding)  # OP2: what OP1 funded, per team
        self.funding = dict(carried_funding)  # team -> resources: decisions, then amendments
        self._start_deliberation()
        self.amendments = 0
        self.scenarios: dict[str, dict[str, ResourcesState]] = {}  # name -> team -> resources

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def open(
        cls, *, fiscal_year: int, kind: CycleKind, op1: AllocationCycle | None = None
    ) -> AllocationCycle:
        """Open a cycle for requests. OP2 needs the year's locked OP1 and starts from its
        envelope and funding; the caller records the OP2 on the OP1
        (:meth:`carry_forward`) in the same save."""
        year = checked_fiscal_year(fiscal_year)
        if kind is CycleKind.OP1:
            return cls(
                fiscal_year=year,
                kind=kind,
                carried_from=None,
                carried_envelope=None,
                carried_funding={},
            )
        if op1 is None or op1.phase is not CyclePhase.LOCKED:
            state = "has no OP1" if op1 is None else f"has its OP1 in {op1.phase.value}"
            raise Op1NotLocked(
                f"Fiscal year {year} {state}; OP2 opens once OP1 is LOCKED",
                fiscal_year=year,
            )
        if op1.fiscal_year != year or op1.kind is not CycleKind.OP1:
            raise ValueError(f"{op1.label} is not the OP1 of fiscal year {year}")
        if op1.carried_into is not None:
            raise AllocationCycleExists(
                f"Fiscal year {year} already has an OP2", cycle_id=str(op1.carried_into)
            )
        return cls(
            fiscal_year=year,
            kind=kind,
            carried_from=op1.id,
            carried_envelope=op1.envelope,
            carried_funding=op1.funding,
        )

    @property
    def label(self) -> str:
        return f"{self.kind.value} {self.fiscal_year}"

    @property
    def envelope_resources(self) -> Resources:
        return Resources() if self.envelope is None else Resources.from_state(self.envelope)

    def request_of(self, team_id: UUID) -> Resources | None:
        request = self.requests.get(str(team_id))
        return None if request is None else Resources.from_state(request["resources"])

    def funding_of(self, team_id: UUID) -> Resources:
        funded = self.funding.get(str(team_id))
        return Resources() if funded is None else Resources.from_state(funded)

    def ceiling_of(self, team_id: UUID) -> Resources:
        """The most a team may be funded: its request, else (in OP2) what OP1 funded."""
        request = self.request_of(team_id)
        if request is not None:
            return request
        carried = self.carried_funding.get(str(team_id))
        return Resources() if carried is None else Resources.from_state(carried)

    def carry_forward(self, op2: AllocationCycle) -> None:
        """Record that the year's OP2 now carries this OP1's numbers."""
        if self.carried_into is not None:
            raise AllocationCycleExists(
                f"Fiscal year {self.fiscal_year} already has an OP2",
                cycle_id=str(self.carried_into),
            )
        self._carried_forward(op2_id=op2.id)

    def set_envelope(self, envelope: Resources, reason: str) -> None:
        """Headcount by function and a budget, with why; changes until the cycle is DECIDED."""
        self._require_undecided("the envelope changes")
        why = required_text("reason", reason, max_length=MAX_REASON_LENGTH, multiline=True)
        funded = self._funded_total()
        over = funded.beyond(envelope)
        if over:
            raise EnvelopeExceeded(
                f"Teams in {self.label} are already funded beyond that envelope "
                f"({funded.compared(envelope, over)}); lower the decisions first",
                cycle_id=str(self.id),
                exceeded=over,
            )
        self._envelope_set(headcount=envelope.headcount_state(), budget=envelope.budget, reason=why)

    def submit_request(
        self,
        team: Team,
        request: Resources,
        rationale: str,
        goals: Sequence[Goal],
        items: Sequence[FundedItem] = (),
    ) -> None:
        """The team's ask, the goals it funds and the team's own open roadmap items it
        funds (if it names any); a new submission revises the previous one."""
        self._require_unlocked()
        if self.phase is not CyclePhase.OPEN:
            raise RequestsClosed(
                f"{self.label} is in {self.phase.value}; requests are submitted while it is OPEN",
                cycle_id=str(self.id),
            )
        if team.disbanded:
            raise TeamDisbanded(
                f"Team '{team.name}' is disbanded and cannot request resources",
                team_id=str(team.id),
            )
        why = rationale_text(rationale)
        self._check_funded_goals(team, goals)
        self._check_funded_items(team, items)
        previous = self.requests.get(str(team.id))
        self._request_submitted(
            team_id=team.id,
            version=1 if previous is None else previous["version"] + 1,
            headcount=request.headcount_state(),
            budget=request.budget,
            rationale=why,
            goal_ids=[goal.id for goal in goals],
            item_ids=[item.id for item in items],
        )

    def advance_to(self, phase: CyclePhase) -> None:
        """Move to the next phase; DECIDED needs every dissent weighed."""
        expected = self.phase.next
        if phase is not expected:
            after = "it is the last phase" if expected is None else f"the next is {expected.value}"
            raise PhaseOutOfOrder(
                f"{self.label} is in {self.phase.value}; {after}, so it cannot move to "
                f"{phase.value}",
                cycle_id=str(self.id),
                phase=self.phase.value,
            )
        if phase is CyclePhase.DECIDED:
            self._refuse_unweighed(self.label, cycle_id=str(self.id))
        self._phase_advanced(phase=phase, previous_phase=self.phase)

    def decide(self, team: Team, funded: Resources, rationale: str) -> None:
        """Fund a team, within its request and the envelope; revisable until DECIDED."""
        self._require_review("decisions are recorded")
        why = rationale_text(rationale)
        self._check_funding(team, funded)
        self._check_envelope({str(team.id): funded})
        self._decision_recorded(
            team_id=team.id,
            headcount=funded.headcount_state(),
            budget=funded.budget,
            rationale=why,
        )

    def record_dissent(
        self, dissent_id: UUID, person: PersonId, team: Team | None, argument: str
    ) -> None:
        """Disagree, with the argument, on the cycle or on one team's decision."""
        self._require_undecided("dissent is recorded")
        text = self._checked_dissent(dissent_id, argument)
        self._dissent_recorded(
            dissent_id=dissent_id,
            person=person,
            team_id=None if team is None else team.id,
            argument=text,
        )

    def weigh_dissent(self, dissent_id: UUID, response: str) -> None:
        """Leadership's response: the dissent was heard, understood and weighed."""
        self._require_undecided("dissent is weighed")
        text = self._checked_weighing(dissent_id, response)
        self._dissent_weighed(dissent_id=dissent_id, response=text)

    def commit(self, person: PersonId) -> None:
        """The person commits to the decision, whether or not they agreed."""
        self._require_unlocked()
        if self.phase is not CyclePhase.DECIDED:
            raise CycleNotDecided(
                f"{self.label} is in {self.phase.value}; commitment follows the decision, "
                "once the cycle is DECIDED",
                cycle_id=str(self.id),
            )
        self._refuse_second_commitment(person, self.label, cycle_id=str(self.id))
        self._committed(person=person)

    def expect(self, outcome: ExpectedOutcome) -> None:
        """State what the cycle's decision should achieve: a metric reaching a value by a date."""
        if self.phase not in (CyclePhase.DECIDED, CyclePhase.LOCKED):
            raise CycleNotDecided(
                f"{self.label} is in {self.phase.value}; an expected outcome belongs to the "
                "decision, once the cycle is DECIDED",
                cycle_id=str(self.id),
            )
        self._outcome_expected(
            metric_id=outcome.metric_id, target=outcome.target, by=outcome.by, note=outcome.note
        )

    @event(OutcomeExpected)
    def _outcome_expected(self, metric_id: UUID, target: Decimal, by: date, note: str) -> None:
        pass

    def amend(self, team: Team, funded: Resources, reason: str, approver: PersonId) -> None:
        """A recorded exception after the lock: the team's funding becomes ``funded``."""
        if self.carried_into is not None:
            raise CycleCarriedForward(
                f"{self.label} was carried into the year's OP2 ({self.carried_into}); "
                "amend OP2 instead",
                cycle_id=str(self.id),
                op2_id=str(self.carried_into),
            )
        if self.phase is not CyclePhase.LOCKED:
            raise CycleNotLocked(
                f"{self.label} is in {self.phase.value}; amendments are exceptions to a locked "
                "plan, so revise the decision instead",
                cycle_id=str(self.id),
            )
        why = required_text("reason", reason, max_length=MAX_REASON_LENGTH, multiline=True)
        self._check_active(team, funded)
        self._check_envelope({str(team.id): funded})
        self._amendment_recorded(
            number=self.amendments + 1,
            team_id=team.id,
            headcount=funded.headcount_state(),
            budget=funded.budget,
            reason=why,
            approver=approver,
        )

    def save_scenario(self, name: str, allocations: Mapping[UUID, Resources]) -> None:
        """A named draft of every team's numbers; saving under a name again replaces it.
        Drafts may break the rules (that is what comparing them shows); adopting may not."""
        self._require_undecided("scenarios are saved")
        chosen = scenario_name(name)
        if not allocations:
            raise InvalidValue("allocations", "A scenario allocates to at least one team")
        if len(allocations) > MAX_SCENARIO_TEAMS:
            raise InvalidValue(
                "allocations", f"A scenario allocates to at most {MAX_SCENARIO_TEAMS} teams"
            )
        self._scenario_saved(
            name=chosen,
            allocations={str(team): funded.to_state() for team, funded in allocations.items()},
        )

    def scenario(self, name: str) -> dict[UUID, Resources]:
        saved = self.scenarios.get(scenario_name(name))
        if saved is None:
            raise NotFound("scenario", name)
        return {UUID(team): Resources.from_state(funded) for team, funded in saved.items()}

    def adopt_scenario(self, name: str, teams: Mapping[UUID, Team]) -> None:
        """The scenario's numbers become the decisions, all at once: every team it names is
        funded as it says, and every other team's decision ends. ``teams`` are the teams
        the scenario names."""
        self._require_review("a scenario is adopted")
        chosen = scenario_name(name)
        allocations = self.scenario(chosen)
        for team_id, funded in allocations.items():
            self._check_funding(teams[team_id], funded, scenario=chosen)
        self._check_envelope(
            {str(team): funded for team, funded in allocations.items()},
            replace_all=True,
            scenario=chosen,
        )
        named = {str(team) for team in allocations}
        self._scenario_adopted(
            name=chosen,
            decisions={str(team): funded.to_state() for team, funded in allocations.items()},
            withdrawn=[UUID(team) for team in self.funding if team not in named],
        )

    def _check_funded_goals(self, team: Team, goals: Sequence[Goal]) -> None:
        if not goals:
            raise InvalidValue("goalIds", "A request names at least one goal it funds")
        if len(goals) > MAX_GOALS_PER_REQUEST:
            raise InvalidValue("goalIds", f"A request funds at most {MAX_GOALS_PER_REQUEST} goals")
        if len({goal.id for goal in goals}) != len(goals):
            raise InvalidValue("goalIds", "`goalIds` names a goal more than once")
        for goal in goals:
            if goal.team_id != team.id:
                raise GoalOfAnotherTeam(
                    f"Goal {goal.id} ('{goal.description}') belongs to another team; "
                    f"team '{team.name}' requests for its own goals",
                    goal_id=str(goal.id),
                    team_id=str(goal.team_id),
                )
            if goal.outcome is not None:
                raise GoalClosed(
                    f"Goal {goal.id} ('{goal.description}') was closed as {goal.outcome.value}; "
                    "a request funds open goals",
                    goal_id=str(goal.id),
                )

    def _check_funded_items(self, team: Team, items: Sequence[FundedItem]) -> None:
        if len(items) > MAX_ITEMS_PER_REQUEST:
            raise InvalidValue("itemIds", f"A request funds at most {MAX_ITEMS_PER_REQUEST} items")
        if len({item.id for item in items}) != len(items):
            raise InvalidValue("itemIds", "`itemIds` names an item more than once")
        for item in items:
            if item.team_id != team.id:
                raise RoadmapItemOfAnotherTeam(
                    f"Roadmap item {item.id} belongs to another team; team '{team.name}' "
                    "requests for its own items (a subteam requests for its own)",
                    item_id=str(item.id),
                    team_id=str(item.team_id),
                )
            if not item.is_open:
                raise RoadmapItemClosedForFunding(
                    f"Roadmap item {item.id} is delivered or dropped; a request funds open items",
                    item_id=str(item.id),
                )

    def _check_active(self, team: Team, funded: Resources) -> None:
        if team.disbanded and not funded.is_zero:
            raise TeamDisbanded(
                f"Team '{team.name}' is disbanded and cannot be funded", team_id=str(team.id)
            )

    def _check_funding(self, team: Team, funded: Resources, *, scenario: str = "") -> None:
        self._check_active(team, funded)
        ceiling = self.ceiling_of(team.id)
        over = funded.beyond(ceiling)
        if over:
            asked = "asked for nothing" if ceiling.is_zero else f"asked for {ceiling.describe()}"
            source = f"Scenario '{scenario}' funds" if scenario else "Funding"
            raise FundedBeyondRequest(
                f"Team '{team.name}' {asked} in {self.label}; {source} "
                f"{funded.compared(ceiling, over)}, beyond its request",
                team_id=str(team.id),
                exceeded=over,
            )

    def _check_envelope(
        self,
        changes: Mapping[str, Resources],
        *,
        replace_all: bool = False,
        scenario: str = "",
    ) -> None:
        """The funding with ``changes`` applied (or, ``replace_all``, only ``changes``) fits."""
        kept = {} if replace_all else dict(self.funding)
        for team, funded in changes.items():
            kept[team] = funded.to_state()
        total = Resources.total(Resources.from_state(funded) for funded in kept.values())
        envelope = self.envelope_resources
        over = total.beyond(envelope)
        if over:
            what = f"Scenario '{scenario}' would fund" if scenario else "Teams would be funded"
            unset = "" if self.envelope is not None else " (no envelope is set yet)"
            raise EnvelopeExceeded(
                f"{what} {total.compared(envelope, over)} in {self.label}, beyond the "
                f"envelope{unset}",
                cycle_id=str(self.id),
                exceeded=over,
            )

    def _funded_total(self) -> Resources:
        return Resources.total(Resources.from_state(funded) for funded in self.funding.values())

    def _require_unlocked(self) -> None:
        if self.phase is CyclePhase.LOCKED:
            raise CycleLocked(
                f"{self.label} is LOCKED; nothing changes except an amendment",
                cycle_id=str(self.id),
            )

    def _require_undecided(self, action: str) -> None:
        """``action`` (e.g. "dissent is recorded") happens before the decision only."""
        self._require_unlocked()
        if self.phase is CyclePhase.DECIDED:
            raise CycleDecided(
                f"{self.label} is DECIDED; {action} only before the decision",
                cycle_id=str(self.id),
            )

    def _require_review(self, action: str) -> None:
        """``action`` (e.g. "decisions are recorded") happens in REVIEW only."""
        self._require_unlocked()
        if self.phase is not CyclePhase.REVIEW:
            rule = CycleDecided if self.phase is CyclePhase.DECIDED else ReviewNotStarted
            raise rule(
                f"{self.label} is {self.phase.value}; {action} only in REVIEW",
                cycle_id=str(self.id),
            )

    @event(CarriedForward)
    def _carried_forward(self, op2_id: UUID) -> None:
        self.carried_into = op2_id

    @event(EnvelopeSet)
    def _envelope_set(self, headcount: dict[str, int], budget: int, reason: str) -> None:
        self.envelope = {"headcount": headcount, "budget": budget}

    @event(RequestSubmitted)
    def _request_submitted(
        self,
        team_id: UUID,
        version: int,
        headcount: dict[str, int],
        budget: int,
        rationale: str,
        goal_ids: list[UUID],
        item_ids: list[UUID],
    ) -> None:
        self.requests[str(team_id)] = {
            "version": version,
            "resources": {"headcount": headcount, "budget": budget},
        }

    @event(PhaseAdvanced)
    def _phase_advanced(self, phase: CyclePhase, previous_phase: CyclePhase) -> None:
        self.phase = phase

    @event(DecisionRecorded)
    def _decision_recorded(
        self, team_id: UUID, headcount: dict[str, int], budget: int, rationale: str
    ) -> None:
        self.funding[str(team_id)] = {"headcount": headcount, "budget": budget}

    @event(DissentRecorded)
    def _dissent_recorded(
        self, dissent_id: UUID, person: PersonId, team_id: UUID | None, argument: str
    ) -> None:
        self._note_dissent(dissent_id, person)

    @event(DissentWeighed)
    def _dissent_weighed(self, dissent_id: UUID, response: str) -> None:
        self._note_weighed(dissent_id)

    @event(Committed)
    def _committed(self, person: PersonId) -> None:
        self._note_commitment(person)

    @event(AmendmentRecorded)
    def _amendment_recorded(
        self,
        number: int,
        team_id: UUID,
        headcount: dict[str, int],
        budget: int,
        reason: str,
        approver: PersonId,
    ) -> None:
        self.amendments = number
        self.funding[str(team_id)] = {"headcount": headcount, "budget": budget}

    @event(ScenarioSaved)
    def _scenario_saved(self, name: str, allocations: dict[str, ResourcesState]) -> None:
        self.scenarios[name] = allocations

    @event(ScenarioAdopted)
    def _scenario_adopted(
        self, name: str, decisions: dict[str, ResourcesState], withdrawn: list[UUID]
    ) -> None:
        self.funding = dict(decisions)
