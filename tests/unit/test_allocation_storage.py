"""Allocation cycles survive the event store's encoding and snapshots, in memory."""

from __future__ import annotations

import json
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase
from domain.allocation.resources import Resources
from domain.org.team import Team
from domain.people.values import Function, PersonId
from services.application import SNAPSHOT_INTERVAL, Flywheel
from tests.unit.test_allocation import goal_of


def in_memory_app() -> Flywheel:
    return Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_a_cycle_comes_back_as_itself_from_events_and_from_a_snapshot() -> None:
    app = in_memory_app()
    retail = Team.charter(name="Retail", mission="Sell", leader=PersonId("rita@x.io"))
    goal = goal_of(retail)
    cycle = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP1)
    envelope = Resources.of({Function.ENGINEERING: 10, Function.DATA_SCIENCE: 2}, 10**12)
    for revision in range(SNAPSHOT_INTERVAL):
        cycle.set_envelope(envelope, f"Revision {revision}")
    ask = Resources.of({Function.ENGINEERING: 4, Function.DATA_SCIENCE: 1}, 5 * 10**11)
    cycle.submit_request(retail, ask, "Selection", [goal])
    dissent = uuid4()
    cycle.record_dissent(dissent, PersonId("ann@x.io"), retail, "Too little")
    cycle.save_scenario("Lean", {retail.id: ask})
    cycle.advance_to(CyclePhase.REVIEW)
    cycle.adopt_scenario("Lean", {retail.id: retail})
    cycle.weigh_dissent(dissent, "Heard")
    cycle.advance_to(CyclePhase.DECIDED)
    cycle.commit(PersonId("ann@x.io"))
    app.save(cycle)
    assert app.snapshots is not None and list(app.snapshots.get(cycle.id))

    loaded = app.repository.get(cycle.id)
    assert isinstance(loaded, AllocationCycle)
    assert (loaded.kind, loaded.phase) == (CycleKind.OP1, CyclePhase.DECIDED)
    assert loaded.envelope_resources == envelope
    assert loaded.request_of(retail.id) == ask and loaded.funding_of(retail.id) == ask
    assert loaded.scenario("Lean") == {retail.id: ask}
    assert loaded.unweighed_dissents == [] and loaded.committed == ["ann@x.io"]

    opened, *_ = app.events.get(cycle.id)
    assert isinstance(opened, AllocationCycle.Opened) and opened.kind is CycleKind.OP1
    submitted = [
        e for e in app.events.get(cycle.id) if isinstance(e, AllocationCycle.RequestSubmitted)
    ]
    assert [(e.goal_ids, e.headcount) for e in submitted] == [
        ([goal.id], {"ENGINEERING": 4, "DATA_SCIENCE": 1})
    ]


def test_a_request_recorded_before_requests_named_items_still_loads_naming_none() -> None:
    """Version 1 of ``RequestSubmitted`` had no ``item_ids``: such an event, as stored
    then, is upcast to name no items, and the cycle replays from it."""
    app = in_memory_app()
    retail = Team.charter(name="Retail", mission="Sell", leader=PersonId("rita@x.io"))
    goal = goal_of(retail)
    cycle = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP1)
    ask = Resources.of({Function.ENGINEERING: 4}, 100)
    cycle.submit_request(retail, ask, "Selection", [goal])
    app.save(cycle)
    stored = list(app.recorder.select_events(cycle.id))
    written_then = []
    for record in stored:
        state = json.loads(record.state)
        if record.topic.endswith("AllocationCycle.RequestSubmitted"):
            assert state.pop("class_version") == 2 and state.pop("item_ids") == []
        written_then.append(
            StoredEvent(
                record.originator_id,
                record.originator_version,
                record.topic,
                json.dumps(state).encode(),
            )
        )
    old = in_memory_app()
    old.recorder.insert_events(written_then)
    submitted = [
        e for e in old.events.get(cycle.id) if isinstance(e, AllocationCycle.RequestSubmitted)
    ]
    assert [(e.goal_ids, e.item_ids) for e in submitted] == [([goal.id], [])]
    loaded = old.repository.get(cycle.id)
    assert isinstance(loaded, AllocationCycle) and loaded.request_of(retail.id) == ask
