"""The yearly allocation in GraphQL: cycles and their phases, envelopes, requests and their
versions, decisions, the figures, dissent and commitment, amendments, scenarios, and
what each team asked for and got in a fiscal year.

Every object remembers ``at``, the log position it was read as of (``None`` for the
current state), and reads its relations as of the same position.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import strawberry

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.allocation.resources import Resources
from projections.allocation import queries as allocation_queries
from projections.allocation.projector import DecisionSource
from projections.allocation.report import (
    Request,
    compare,
    resources,
    resources_of,
    scenario_allocations,
    totals,
    unfunded_asks,
)
from projections.allocation.report import (
    Scenario as ScenarioFigures,
)
from projections.paging import Page
from services.allocation.graphql_figures import (
    BudgetFigures,
    FunctionCount,
    FunctionTotalFigures,
    LazyRoadmapItem,
    ResourceFigures,
    ScenarioComparison,
    UnfundedAsk,
    function_counts,
    function_totals,
    items_of,
)
from services.audit.graphql import (
    HISTORY_DESCRIPTION,
    HistoryConnection,
    Recorded,
    history,
    position_cursor,
)
from services.goals.graphql import Goal
from services.graphql.common import (
    AsOf,
    AtPosition,
    FlywheelInfo,
    context,
    decode_cursor,
    resolve_at,
    time_travel,
    uuid_of,
)
from services.graphql.connections import Connection, Paging, connection, paged
from services.graphql.enums import graphql_enum
from services.graphql.errors import client_error
from services.graphql.lists import nested_list_field
from services.graphql.nodes import AggregateNode
from services.graphql.relations import related_list, team_field
from services.graphql.rows import FromRow
from services.graphql.scalars import Money
from services.org.graphql import Person

graphql_enum(
    CycleKind,
    description="`OP1`: the plan for the fiscal year. `OP2`: its revision from OP1.",
    OP1="The plan for the fiscal year.",
    OP2="The revision of the fiscal year's OP1.",
)
graphql_enum(
    CyclePhase,
    description="`OPEN` for requests, `REVIEW` for decisions, `DECIDED` for commitment, then "
    "`LOCKED`: nothing changes but amendments.",
    OPEN="Teams submit requests.",
    REVIEW="Leadership decides allocations.",
    DECIDED="Decisions made; teams commit.",
    LOCKED="Nothing changes but amendments.",
)
graphql_enum(
    DecisionSource,
    description="Where a decision came from: `CARRIED` from OP1 into OP2, `DECIDED` by "
    "leadership, or adopted from a `SCENARIO`.",
    CARRIED="Carried from OP1 into OP2.",
    DECIDED="Decided by leadership.",
    SCENARIO="Adopted from a scenario.",
)

MAX_COMPARED = 10


def _team_cursor(cursor: str, argument: str) -> tuple[str, UUID]:
    name, key = decode_cursor(cursor, 2, argument)
    return name, uuid_of(key, "Team", argument)


def _name_cursor(cursor: str, argument: str) -> tuple[str]:
    return (decode_cursor(cursor, 1, argument)[0],)


BY_TEAM = ("team_name", "team_id")
BY_POSITION = ("position",)


if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader
    from services.prfaqs.graphql_outcomes import ExpectedOutcome

LazyExpectedOutcome = Annotated[
    "ExpectedOutcome", strawberry.lazy("services.prfaqs.graphql_outcomes")
]


@strawberry.type(description="A phase the cycle entered, when and by whom.")
class PhaseChange(FromRow):
    COLUMNS: ClassVar = {"by": "actor"}

    phase: CyclePhase = strawberry.field(description="The phase entered.")
    at: datetime = strawberry.field(description="When the cycle entered it.")
    by: Person = strawberry.field(description="Who moved the cycle.")


@strawberry.type(description="The headcount by function and the budget the decisions share.")
class Envelope:
    budget: Money = strawberry.field(description="The budget, in whole currency units.")
    reason: str = strawberry.field(description="Why the envelope was set so.")
    set_at: datetime = strawberry.field(description="When leadership set the envelope.")
    set_by: Person = strawberry.field(description="Who set it.")
    figures: strawberry.Private[Resources]

    @strawberry.field(description="People per function, every function listed.")
    def headcount(self) -> list[FunctionCount]:
        return function_counts(self.figures)

    @staticmethod
    def from_row(row: Any, at: int | None) -> Envelope:
        figures = resources_of(row)
        return Envelope(
            budget=Money(figures.budget),
            reason=row["reason"],
            set_at=row["at"],
            set_by=Person(key=row["actor"], at=at),
            figures=figures,
        )


@strawberry.type(description="A team's request: what it needs, why, and the goals it funds.")
class AllocationRequest:
    version: int = strawberry.field(description="1 for the first submission, then 2, 3...")
    requested: ResourceFigures = strawberry.field(description="What the team asks for.")
    rationale: str = strawberry.field(description="Why the team needs it.")
    submitted_at: datetime = strawberry.field(description="When the request was submitted.")
    submitted_by: Person = strawberry.field(description="Who submitted it.")
    cycle_id: strawberry.Private[UUID]
    team_id: strawberry.Private[UUID]
    goal_ids: strawberry.Private[list[UUID]]
    item_ids: strawberry.Private[list[UUID]]
    at: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: Any, at: int | None) -> AllocationRequest:
        return AllocationRequest(
            version=row["version"],
            requested=ResourceFigures.of(resources_of(row)),
            rationale=row["rationale"],
            submitted_at=row["submitted_at"],
            submitted_by=Person(key=row["actor"], at=at),
            cycle_id=row["cycle_id"],
            team_id=row["team_id"],
            goal_ids=list(row["goal_ids"]),
            item_ids=list(row["item_ids"]),
            at=at,
        )

    team = team_field("The requesting team.", nullable=False)

    @strawberry.field(description="The goals the request funds.")
    async def goals(self, info: FlywheelInfo) -> list[Goal]:
        return await Goal.find_all(info, self.goal_ids, self.at)

    @strawberry.field(
        description="The team's roadmap items the request funds, as named; empty when it "
        "names none."
    )
    async def items(self, info: FlywheelInfo) -> list[LazyRoadmapItem]:
        return await items_of(info, self.item_ids, self.at)

    versions = related_list(
        "AllocationRequest",
        lambda load: load.allocation.request_versions,
        "Every version of the team's request, oldest first.",
        key=lambda request: (request.cycle_id, request.team_id),
    )


@strawberry.type(description="A page of current requests, by team name.")
class AllocationRequestConnection(Connection[AllocationRequest]):
    pass


@strawberry.type(description="What leadership decided to fund a team with, and why.")
class AllocationDecision:
    funded: ResourceFigures = strawberry.field(
        description="As decided; amendments after the lock are listed on their own."
    )
    rationale: str = strawberry.field(description="Why leadership decided so.")
    source: DecisionSource = strawberry.field(description="Where the decision came from.")
    scenario: str | None = strawberry.field(description="The scenario adopted, if one.")
    decided_at: datetime = strawberry.field(description="When the decision was recorded.")
    decided_by: Person = strawberry.field(description="Who decided.")
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: Any, at: int | None) -> AllocationDecision:
        return AllocationDecision(
            funded=ResourceFigures.of(resources_of(row)),
            rationale=row["rationale"],
            source=DecisionSource(row["source"]),
            scenario=row["scenario"],
            decided_at=row["decided_at"],
            decided_by=Person(key=row["actor"], at=at),
            team_id=row["team_id"],
            at=at,
        )

    team = team_field("The funded team.", nullable=False)


@strawberry.type(description="A page of decisions, by team name.")
class AllocationDecisionConnection(Connection[AllocationDecision]):
    pass


@strawberry.type(
    description="Disagreement with an allocation, and whether leadership weighed it: "
    "disagreeing is an obligation, and its purpose is to bring new information."
)
class Dissent(AggregateNode, Recorded):
    argument: str = strawberry.field(description="The argument: the new information.")
    recorded_at: datetime = strawberry.field(description="When the dissent was recorded.")
    weighed: bool = strawberry.field(description="Leadership heard and weighed it.")
    response: str | None = strawberry.field(description="Leadership's response, once weighed.")
    weighed_at: datetime | None = strawberry.field(
        description="When leadership weighed it; null until then."
    )
    person_handle: strawberry.Private[str]
    weighed_by_handle: strawberry.Private[str | None]
    cycle_id: strawberry.Private[UUID]
    team_id: strawberry.Private[UUID | None]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.allocation.dissent

    @classmethod
    def from_row(cls, row: Any, at: int | None) -> Dissent:
        return cls(
            key=str(row["id"]),
            argument=row["argument"],
            recorded_at=row["recorded_at"],
            weighed=row["weighed_at"] is not None,
            response=row["response"],
            weighed_at=row["weighed_at"],
            person_handle=row["person"],
            weighed_by_handle=row["weighed_by"],
            cycle_id=row["cycle_id"],
            team_id=row["team_id"],
            at=at,
        )

    @strawberry.field(description="Who disagreed.")
    def by(self) -> Person:
        return Person(key=self.person_handle, at=self.at)

    @strawberry.field(description="Who weighed it, once weighed.")
    def weighed_by(self) -> Person | None:
        return (
            None
            if self.weighed_by_handle is None
            else Person(key=self.weighed_by_handle, at=self.at)
        )

    team = team_field("The team whose decision it is about; null for the cycle.")

    @strawberry.field(description="The cycle the dissent is about.")
    async def cycle(self, info: FlywheelInfo) -> AllocationCycle:
        return await AllocationCycle.get(info, self.cycle_id, self.at)

    @strawberry.field(description=HISTORY_DESCRIPTION)
    @paged
    async def history(self, info: FlywheelInfo, paging: Paging) -> HistoryConnection | None:
        return await history(
            info,
            paging,
            at=self.at,
            aggregate_id=self.cycle_id,
            concerning=("dissent_id", self.key),
        )


@strawberry.type(description="A page of dissent, in the order recorded.")
class DissentConnection(Connection[Dissent]):
    pass


@strawberry.type(description="A person's commitment to the decision, agreeing or not.")
class Commitment(FromRow):
    COLUMNS: ClassVar = {"person_handle": "person"}

    committed_at: datetime = strawberry.field(description="When the person committed.")
    person_handle: strawberry.Private[str]
    at: strawberry.Private[int | None]

    @strawberry.field(description="Who committed.")
    def person(self) -> Person:
        return Person(key=self.person_handle, at=self.at)


@strawberry.type(description="A page of commitments, in the order made.")
class CommitmentConnection(Connection[Commitment]):
    pass


@strawberry.type(
    description="An exception to a locked allocation: the team's funding became `funded`, "
    "for a reason, approved by someone."
)
class Amendment:
    number: int = strawberry.field(description="1 for the cycle's first amendment, then 2...")
    funded: ResourceFigures = strawberry.field(
        description="What the team is funded with after the amendment."
    )
    reason: str = strawberry.field(description="Why the funding was amended.")
    approver: Person = strawberry.field(description="Who approved it.")
    recorded_at: datetime = strawberry.field(description="When the amendment was recorded.")
    recorded_by: Person = strawberry.field(description="Who recorded it.")
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: Any, at: int | None) -> Amendment:
        return Amendment(
            number=row["number"],
            funded=ResourceFigures.of(resources_of(row)),
            reason=row["reason"],
            approver=Person(key=row["approver"], at=at),
            recorded_at=row["at"],
            recorded_by=Person(key=row["actor"], at=at),
            team_id=row["team_id"],
            at=at,
        )

    team = team_field("The team whose funding was amended.", nullable=False)


@strawberry.type(description="A page of amendments, in the order recorded.")
class AmendmentConnection(Connection[Amendment]):
    pass


@strawberry.type(description="What a scenario gives one team.")
class ScenarioAllocation:
    allocated: ResourceFigures = strawberry.field(description="What the scenario gives the team.")
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    team = team_field("The team.", nullable=False)


@strawberry.type(description="A named draft allocation: a full set of per-team numbers.")
class Scenario:
    name: str = strawberry.field(description="The scenario's name, unique in its cycle.")
    saved_at: datetime = strawberry.field(description="When the scenario was last saved.")
    saved_by: Person = strawberry.field(description="Who saved it.")
    adopted_at: datetime | None = strawberry.field(
        description="When it was adopted as the decisions; null if it was not."
    )
    figures: strawberry.Private[dict[UUID, Resources]]
    at: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: Any, at: int | None) -> Scenario:
        return Scenario(
            name=row["name"],
            saved_at=row["saved_at"],
            saved_by=Person(key=row["saved_by"], at=at),
            adopted_at=row["adopted_at"],
            figures=scenario_allocations(row["allocations"]),
            at=at,
        )

    @strawberry.field(description="Per team, in the order saved.")
    def allocations(self) -> list[ScenarioAllocation]:
        return [
            ScenarioAllocation(allocated=ResourceFigures.of(given), team_id=team, at=self.at)
            for team, given in self.figures.items()
        ]

    @strawberry.field(description="What the scenario allocates in all.")
    def total(self) -> ResourceFigures:
        return ResourceFigures.of(Resources.total(self.figures.values()))


@strawberry.type(description="A page of scenarios, by name.")
class ScenarioConnection(Connection[Scenario]):
    pass


@strawberry.type(
    description="A fiscal year's OP1 or OP2: leadership referees resources once or twice a "
    "year instead of every roadmap item every day."
)
class AllocationCycle(AggregateNode, Recorded):
    fiscal_year: int = strawberry.field(description="The fiscal year the cycle plans.")
    kind: CycleKind = strawberry.field(description="OP1 or OP2.")
    phase: CyclePhase = strawberry.field(description="Where the cycle stands.")
    opened_at: datetime = strawberry.field(description="When the cycle was opened.")
    amendment_count: int = strawberry.field(
        description="Amendments after the lock: how far the organisation fell back into daily "
        "resource contention."
    )
    version: int = strawberry.field(
        description="The cycle's version; send it as `If-Match` to guard a command."
    )
    carried_from_id: strawberry.Private[UUID | None]
    carried_into_id: strawberry.Private[UUID | None]
    envelope_figures: strawberry.Private[Resources]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.allocation.allocation_cycle

    @classmethod
    def from_row(cls, row: Any, at: int | None) -> AllocationCycle:
        return cls(
            key=str(row["id"]),
            fiscal_year=row["fiscal_year"],
            kind=CycleKind(row["kind"]),
            phase=CyclePhase(row["phase"]),
            opened_at=row["opened_at"],
            amendment_count=row["amendments"],
            version=row["version"],
            carried_from_id=row["carried_from"],
            carried_into_id=row["carried_into"],
            envelope_figures=resources(row["envelope_headcount"], row["envelope_budget"]),
            at=at,
        )

    @property
    def cycle_id(self) -> UUID:
        return UUID(self.key)

    @strawberry.field(description="For an OP2, the OP1 it started from.")
    async def carried_from(self, info: FlywheelInfo) -> AllocationCycle | None:
        if self.carried_from_id is None:
            return None
        return await AllocationCycle.get(info, self.carried_from_id, self.at)

    @strawberry.field(description="For an OP1, the OP2 that carried its numbers forward.")
    async def carried_into(self, info: FlywheelInfo) -> AllocationCycle | None:
        if self.carried_into_id is None:
            return None
        return await AllocationCycle.get(info, self.carried_into_id, self.at)

    phase_history = related_list(
        PhaseChange,
        lambda load: load.allocation.cycle_phases,
        "Every phase the cycle entered, OPEN first.",
        key=lambda cycle: cycle.cycle_id,
    )

    @strawberry.field(description="The envelope in force; null until leadership sets one.")
    async def envelope(self, info: FlywheelInfo) -> Envelope | None:
        rows = await context(info).load.allocation.cycle_envelopes.load(self.cycle_id, self.at)
        return Envelope.from_row(rows[-1], self.at) if rows else None

    envelope_history = related_list(
        Envelope,
        lambda load: load.allocation.cycle_envelopes,
        "Every envelope the cycle had, oldest first, with reasons.",
        key=lambda cycle: cycle.cycle_id,
    )

    requests = nested_list_field(
        AllocationRequestConnection,
        AllocationRequest.from_row,
        lambda load: load.allocation.cycle_requests,
        description="The current request of each team, by team name.",
        order=BY_TEAM,
        cursor=_team_cursor,
    )

    @strawberry.field(description="One team's current request, with its versions; null if none.")
    async def request(
        self,
        info: FlywheelInfo,
        team_id: Annotated[
            strawberry.ID, strawberry.argument(description="The team: a UUID or a Team global id.")
        ],
    ) -> AllocationRequest | None:
        key = (self.cycle_id, uuid_of(team_id, "Team", "teamId"))
        rows = await context(info).load.allocation.request_versions.load(key, self.at)
        return AllocationRequest.from_row(rows[-1], self.at) if rows else None

    decisions = nested_list_field(
        AllocationDecisionConnection,
        AllocationDecision.from_row,
        lambda load: load.allocation.cycle_decisions,
        description="What each team was decided, by team name.",
        order=BY_TEAM,
        cursor=_team_cursor,
    )

    async def _requests(self, info: FlywheelInfo) -> list[Request]:
        rows = await context(info).load.allocation.cycle_all_requests.load(self.cycle_id, self.at)
        return [
            Request(row["team_id"], resources_of(row), list(row["goal_ids"]), list(row["item_ids"]))
            for row in rows
        ]

    async def _funding(self, info: FlywheelInfo) -> dict[UUID, Resources]:
        rows = await context(info).load.allocation.cycle_funding.load(self.cycle_id, self.at)
        return {row["team_id"]: resources_of(row) for row in rows}

    async def _totals(self, info: FlywheelInfo) -> Any:
        requests, funding = await self._requests(info), await self._funding(info)
        return totals(self.envelope_figures, [r.asked for r in requests], list(funding.values()))

    @strawberry.field(
        description="One entry per function: the envelope, the current requests, what teams "
        "are funded with (amendments included once locked) and what remains."
    )
    async def totals(self, info: FlywheelInfo) -> list[FunctionTotalFigures]:
        return function_totals(await self._totals(info))

    @strawberry.field(
        description="The budget: the envelope, the current requests, what teams are funded "
        "with (amendments included once locked) and what remains."
    )
    async def budget(self, info: FlywheelInfo) -> BudgetFigures:
        return BudgetFigures.of((await self._totals(info)).budget)

    @strawberry.field(
        description="Teams funded short of their current request, by team name, with the goals "
        "those requests fund."
    )
    async def unfunded_asks(self, info: FlywheelInfo) -> list[UnfundedAsk]:
        asks = unfunded_asks(await self._requests(info), await self._funding(info))
        return [UnfundedAsk.of(ask, self.at) for ask in asks]

    @strawberry.field(description="Dissent in the order recorded; `weighed` narrows it.")
    @paged
    async def dissents(
        self,
        info: FlywheelInfo,
        paging: Paging,
        weighed: Annotated[
            bool | None,
            strawberry.argument(
                description="Only dissents weighed (true) or not yet weighed (false)."
            ),
        ] = None,
    ) -> DissentConnection | None:
        request = paging.request(position_cursor)
        page: Page = await context(info).load.allocation.cycle_dissents.load(
            (self.cycle_id, weighed, request), self.at
        )
        return connection(
            DissentConnection,
            page,
            lambda row: Dissent.from_row(row, self.at),
            BY_POSITION,
        )

    commitments = nested_list_field(
        CommitmentConnection,
        Commitment.from_row,
        lambda load: load.allocation.cycle_commitments,
        description="Commitments in the order made.",
        order=BY_POSITION,
        cursor=position_cursor,
    )

    @strawberry.field(description="People who dissented and have not committed, by handle.")
    async def uncommitted_dissenters(self, info: FlywheelInfo) -> list[Person]:
        rows = await context(info).load.allocation.uncommitted_dissenters.load(
            self.cycle_id, self.at
        )
        return [Person(key=row["person"], at=self.at) for row in rows]

    @strawberry.field(description="What the cycle's decision is expected to achieve.")
    async def expected_outcomes(self, info: FlywheelInfo) -> list[LazyExpectedOutcome]:
        from services.prfaqs.graphql_outcomes import outcomes_of_decision

        return await outcomes_of_decision(info, self.cycle_id, self.at)

    amendments = nested_list_field(
        AmendmentConnection,
        Amendment.from_row,
        lambda load: load.allocation.cycle_amendments,
        description="Amendments after the lock, in the order recorded.",
        order=("number",),
        cursor=position_cursor,
    )

    scenarios = nested_list_field(
        ScenarioConnection,
        Scenario.from_row,
        lambda load: load.allocation.cycle_scenarios,
        description="The saved scenarios, by name.",
        order=("name",),
        cursor=_name_cursor,
    )

    @strawberry.field(
        description="Scenarios side by side against the requests and the envelope: those named "
        f"(up to {MAX_COMPARED}, in that order), or every saved one by name."
    )
    async def scenario_comparison(
        self,
        info: FlywheelInfo,
        names: Annotated[
            list[str] | None,
            strawberry.argument(description="The scenarios to compare, by name (at most 10)."),
        ] = None,
    ) -> ScenarioComparison | None:
        rows = await context(info).load.allocation.cycle_all_scenarios.load(self.cycle_id, self.at)
        saved = {row["name"]: row for row in rows}
        chosen = list(saved) if names is None else names
        if len(chosen) > MAX_COMPARED:
            raise client_error(f"Compare at most {MAX_COMPARED} scenarios; name them in `names`")
        missing = [name for name in chosen if name not in saved]
        if missing:
            raise client_error(f"No scenario named {', '.join(map(repr, missing))}")
        scenarios = [
            ScenarioFigures(name, scenario_allocations(saved[name]["allocations"]))
            for name in chosen
        ]
        comparison = compare(self.envelope_figures, await self._requests(info), scenarios)
        return await ScenarioComparison.of(info, comparison, self.at)


@strawberry.type(description="A page of allocation cycles, by fiscal year, OP1 before OP2.")
class AllocationCycleConnection(Connection[AllocationCycle]):
    pass


@strawberry.type(description="A team's part in one cycle.")
class TeamCycleAllocation:
    requested: ResourceFigures | None = strawberry.field(
        description="Its current request; null if it did not ask in this cycle."
    )
    decided: ResourceFigures | None = strawberry.field(
        description="What was decided; null without a decision."
    )
    funded: ResourceFigures = strawberry.field(
        description="What it is funded with: the decision, or the latest amendment."
    )
    amendments: list[Amendment] = strawberry.field(
        description="The amendments to the team's funding after the cycle locked, oldest first."
    )
    cycle_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @staticmethod
    def of(part: allocation_queries.TeamInCycle, at: int | None) -> TeamCycleAllocation:
        return TeamCycleAllocation(
            requested=None
            if part.request is None
            else ResourceFigures.of(resources_of(part.request)),
            decided=None
            if part.decision is None
            else ResourceFigures.of(resources_of(part.decision)),
            funded=ResourceFigures.of(
                Resources() if part.funding is None else resources_of(part.funding)
            ),
            amendments=[Amendment.from_row(row, at) for row in part.amendments],
            cycle_id=part.cycle["id"],
            at=at,
        )

    @strawberry.field(description="The cycle.")
    async def cycle(self, info: FlywheelInfo) -> AllocationCycle:
        return await AllocationCycle.get(info, self.cycle_id, self.at)


@strawberry.type(
    description="What a team requested and was funded with in a fiscal year: OP1, OP2 and "
    "their amendments."
)
class TeamAllocation:
    fiscal_year: int = strawberry.field(description="The fiscal year.")
    op1: TeamCycleAllocation | None = strawberry.field(description="Null if no OP1 is open.")
    op2: TeamCycleAllocation | None = strawberry.field(description="Null if no OP2 is open.")

    @strawberry.field(
        description="What the team is funded with for the year now: the latest cycle's funding."
    )
    def funded(self) -> ResourceFigures:
        latest = self.op2 or self.op1
        return latest.funded if latest is not None else ResourceFigures.of(Resources())


async def team_allocation(
    info: FlywheelInfo, team_id: UUID, fiscal_year: int, at: int | None
) -> TeamAllocation:
    """``Team.allocation``: the team's part in the year's OP1 and OP2."""
    parts = await context(info).load.allocation.team_allocation.load((team_id, fiscal_year), at)
    by_kind = {part.cycle["kind"]: TeamCycleAllocation.of(part, at) for part in parts}
    return TeamAllocation(
        fiscal_year=fiscal_year,
        op1=by_kind.get(CycleKind.OP1.value),
        op2=by_kind.get(CycleKind.OP2.value),
    )


def _cycle_cursor(cursor: str, argument: str) -> tuple[int, str, UUID]:
    year, kind, key = decode_cursor(cursor, 3, argument)
    if not year.isdigit():
        raise client_error(f"`{argument}` is not a cursor from this API")
    return int(year), kind, uuid_of(key, "AllocationCycle", argument)


@strawberry.type
class AllocationQuery:
    @strawberry.field(description="The fiscal year's OP1 or OP2.")
    @time_travel
    async def allocation_cycle(
        self,
        info: FlywheelInfo,
        fiscal_year: Annotated[int, strawberry.argument(description="The fiscal year, e.g. 2027.")],
        kind: Annotated[CycleKind, strawberry.argument(description="OP1 or OP2.")],
        at: int | None,
    ) -> AllocationCycle | None:
        row = await allocation_queries.cycle_of_year(
            context(info).views, fiscal_year, kind.value, at
        )
        return None if row is None else AllocationCycle.from_row(row, at)

    @strawberry.field(description="Allocation cycles by fiscal year, OP1 before OP2.")
    @paged
    async def allocation_cycles(
        self,
        info: FlywheelInfo,
        fiscal_year: Annotated[
            int | None, strawberry.argument(description="Only the cycles of this fiscal year.")
        ] = None,
        *,
        paging: Paging,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> AllocationCycleConnection | None:
        request = paging.request(_cycle_cursor)
        at = await resolve_at(info, as_of, at_position)
        page = await allocation_queries.cycle_page(context(info).views, at, fiscal_year, request)
        return connection(
            AllocationCycleConnection,
            page,
            lambda row: AllocationCycle.from_row(row, at),
            ("fiscal_year", "kind", "id"),
        )
