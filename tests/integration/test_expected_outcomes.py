"""Expected outcomes and the track record against PostgreSQL, on a hand-counted scenario.

Decisions and their outcomes (the outcomes' dates long past, but one):

- PR/FAQ "Alpha", approved by the CEO, no dissent:
  selection >= 90 by 2025-03-31, observed 95 on 03-30: MET;
  revenue >= 100 by 2025-06-30, observed only on 2025-05-15 (outside the month): UNKNOWN.
- PR/FAQ "Beta", approved by the CFO after a weighed dissent:
  wait time <= 24 (DECREASE) by 2025-03-31, observed 30 on 03-16: MISSED;
  wait time <= 40 by 2025-03-31: MET (same observation).
- OP1 2027, DECIDED by the CEO after a weighed dissent:
  visits >= 10 by 2199-12-31: PENDING.

CEO: 3 outcomes (1 met, 1 unknown, 1 pending), met rate 1.0; CFO: 1 met, 1 missed, 0.5.
With dissent: 1 met, 1 missed, 1 pending; without: 1 met, 1 unknown.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

import pytest

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.decisions import OutcomeStatus
from domain.metrics import Direction, MetricKind
from domain.prfaqs import Recommendation, Ring
from projections.prfaqs import outcomes as report
from projections.prfaqs import queries
from projections.reading import ReadSession
from services.allocation.rest import RecordDissent, WeighDissent
from services.api.commands import CommandContext
from services.decisions import ExpectOutcome
from services.metrics.rest import DefineMetric, RecordObservation
from services.prfaqs.rest import CloseRound, OpenRound
from services.prfaqs.rest import RecordDissent as PrFaqRecordDissent
from services.prfaqs.rest import WeighDissent as PrFaqWeighDissent
from services.principal import Role
from services.runtime import Runtime
from tests.allocation_fixtures import advance, open_cycle
from tests.goal_fixtures import Company, company
from tests.people import CEO, principal
from tests.prfaq_fixtures import OUTSIDER, draft, review

WAIT = 10.0
CFO = principal("cfo@example.com", Role.LEADERSHIP)
TODAY = date(2026, 1, 1)


@dataclass
class Scenario:
    org: Company
    alpha: UUID
    beta: UUID
    cycle: UUID
    head: int


def observe(runtime: Runtime, metric: UUID, day: date, value: int) -> None:
    runtime.metrics.record_observation(
        CommandContext(CEO, "t"), metric, RecordObservation(period_end=day, value=Decimal(value))
    )


def expect(runtime: Runtime, decision: UUID, metric: UUID, target: int, by: date) -> int:
    return runtime.prfaqs.expect_outcome(
        CommandContext(CEO, "t"),
        decision,
        ExpectOutcome(metric_id=metric, target=Decimal(target), by=by, note="n"),
    ).position


def build(runtime: Runtime) -> Scenario:
    org = company(runtime)
    wait = runtime.metrics.define_metric(
        CommandContext(CEO, "t"),
        DefineMetric(
            name="Wait time",
            kind=MetricKind.INPUT,
            financial=False,
            unit="h",
            direction=Direction.DECREASE,
            definition="Hours from order to door",
            owner_team_id=org.books,
        ),
    ).id
    observe(runtime, org.selection, date(2025, 3, 30), 95)
    observe(runtime, org.revenue, date(2025, 5, 15), 500)
    observe(runtime, wait, date(2025, 3, 16), 30)
    alpha = draft(runtime, org.books, title="Alpha")
    for ring in Ring:
        review(runtime, alpha, ring)
    expect(runtime, alpha, org.selection, 90, date(2025, 3, 31))
    expect(runtime, alpha, org.revenue, 100, date(2025, 6, 30))
    beta = draft(runtime, org.books, title="Beta")
    for ring in (Ring.TEAM, Ring.ORG, Ring.S_TEAM):
        review(runtime, beta, ring)
    dissent = runtime.prfaqs.record_dissent(
        CommandContext(OUTSIDER, "t"), beta, PrFaqRecordDissent(argument="Too slow")
    ).id
    runtime.prfaqs.weigh_dissent(
        CommandContext(CFO, "t"), beta, dissent, PrFaqWeighDissent(response="Heard")
    )
    runtime.prfaqs.open_round(
        CommandContext(principal("ann@x.io", Role.MEMBER), "t"),
        beta,
        OpenRound(ring=Ring.CEO, reviewers=["rev@x.io"]),
    )
    runtime.prfaqs.close_round(
        CommandContext(CFO, "t"), beta, 4, CloseRound(outcome=Recommendation.ADVANCE, note=None)
    )
    expect(runtime, beta, wait, 24, date(2025, 3, 31))
    expect(runtime, beta, wait, 40, date(2025, 3, 31))
    cycle = open_cycle(runtime, 2027, CycleKind.OP1)
    cycle_dissent = runtime.allocation.record_dissent(
        CommandContext(OUTSIDER, "t"), cycle, RecordDissent(team_id=None, argument="Too little")
    ).id
    runtime.allocation.weigh_dissent(
        CommandContext(CEO, "t"), cycle, cycle_dissent, WeighDissent(response="Heard")
    )
    advance(runtime, cycle, CyclePhase.REVIEW, CyclePhase.DECIDED)
    head = runtime.allocation.expect_outcome(
        CommandContext(CEO, "t"),
        cycle,
        ExpectOutcome(metric_id=org.visits, target=Decimal(10), by=date(2199, 12, 31), note=""),
    ).position
    return Scenario(org, alpha, beta, cycle, head)


@pytest.fixture
async def scenario(serving: Runtime) -> Scenario:
    built = build(serving)
    assert await serving.watcher.wait_for(built.head, WAIT)
    return built


@pytest.fixture
async def db(serving: Runtime, scenario: Scenario) -> AsyncIterator[ReadSession]:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        yield session


async def test_each_outcome_is_decided_by_its_observations(
    scenario: Scenario, db: ReadSession
) -> None:
    rows = await queries.expected_outcomes(db, None, queries.OutcomeScope())
    found = [(row["title"], float(row["target"]), report.status_of(row, TODAY)) for row in rows]
    assert sorted(found) == sorted(
        [
            ("Alpha", 90.0, OutcomeStatus.MET),
            ("Alpha", 100.0, OutcomeStatus.UNKNOWN),
            ("Beta", 24.0, OutcomeStatus.MISSED),
            ("Beta", 40.0, OutcomeStatus.MET),
            ("OP1 2027", 10.0, OutcomeStatus.PENDING),
        ]
    )
    deciders = {row["title"]: (row["decider"], row["dissents"]) for row in rows}
    assert deciders == {
        "Alpha": ("ceo@example.com", 0),
        "Beta": ("cfo@example.com", 1),
        "OP1 2027": ("ceo@example.com", 1),
    }
    due = await queries.expected_outcomes(db, None, queries.OutcomeScope(by=date(2025, 4, 1)))
    assert len(due) == 3


async def test_the_track_record_adds_up(scenario: Scenario, db: ReadSession) -> None:
    rows = await queries.expected_outcomes(db, None, queries.OutcomeScope())
    deciders = report.by_decider(rows, TODAY)
    ceo, cfo = deciders["ceo@example.com"], deciders["cfo@example.com"]
    assert (ceo.decisions, ceo.outcomes, ceo.met, ceo.missed, ceo.unknown, ceo.pending) == (
        2,
        3,
        1,
        0,
        1,
        1,
    )
    assert ceo.met_rate == 1.0
    assert (cfo.decisions, cfo.met, cfo.missed, cfo.met_rate) == (1, 1, 1, 0.5)
    with_dissent, without = report.dissent_split(rows, TODAY)
    assert (with_dissent.met, with_dissent.missed, with_dissent.pending) == (1, 1, 1)
    assert (without.met, without.unknown, without.met_rate) == (1, 1, 1.0)
    overall = report.figures(rows, TODAY)
    assert overall.outcomes == with_dissent.outcomes + without.outcomes == 5


async def test_as_of_before_the_outcomes(scenario: Scenario, db: ReadSession) -> None:
    before = await queries.expected_outcomes(
        db, scenario.head - 1, queries.OutcomeScope(decision_ids=[scenario.cycle])
    )
    assert before == []
