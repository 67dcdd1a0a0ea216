"""Logs written before the areas became subpackages still read.

The stored events below were written by the code as it was before the move
(topics ``domain.teams:...``, ``domain.allocation:...``, enums named
``enum:domain.people.Function``), byte for byte. A deployed log holds such
events, and replaying it must give the same aggregates as before.
"""

from __future__ import annotations

from enum import Enum
from uuid import UUID

from eventsourcing.domain import DomainEvent, Snapshot
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from domain.allocation.cycle import AllocationCycle, CycleKind
from domain.org.team import Attachment, Team
from domain.people.values import Function
from services.application import Flywheel
from services.former_topics import FORMER_MODULES

TEAM_ID = UUID("544a5311-e0d9-418c-ade3-619a5868a3fc")
CYCLE_ID = UUID("2f468287-64b8-4831-9ddb-c61825e6325a")

STORED_BEFORE_THE_MOVE = [
    StoredEvent(
        TEAM_ID,
        1,
        "domain.teams:Team.Chartered",
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-05T09:02:39.056481+00:00"},'
        b'"originator_topic":"domain.teams:Team","actor":"ceo@example.com",'
        b'"correlation_id":"c-1","name":"Payments","mission":"m","leader":"a@x",'
        b'"parent_id":null}',
    ),
    StoredEvent(
        TEAM_ID,
        2,
        "domain.teams:Team.MemberAdded",
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-05T09:02:39.056685+00:00"},'
        b'"actor":"ceo@example.com","correlation_id":"c-1","person":"b@x",'
        b'"function":{"_type_":"enum:domain.people.Function","_data_":"DATA_SCIENCE"},'
        b'"attachment":{"_type_":"enum:domain.teams.Attachment","_data_":"DEDICATED"}}',
    ),
    StoredEvent(
        CYCLE_ID,
        1,
        "domain.allocation:AllocationCycle.Opened",
        b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-05T09:02:39.056777+00:00"},'
        b'"originator_topic":"domain.allocation:AllocationCycle","actor":"ceo@example.com",'
        b'"correlation_id":"c-1","fiscal_year":2027,'
        b'"kind":{"_type_":"enum:domain.allocation.CycleKind","_data_":"OP1"},'
        b'"carried_from":null,"carried_envelope":null,"carried_funding":{}}',
    ),
]

SNAPSHOT_BEFORE_THE_MOVE = StoredEvent(
    TEAM_ID,
    2,
    "eventsourcing.domain:Snapshot",
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-12-05T09:02:39.057893+00:00"},'
    b'"topic":"domain.teams:Team","state":{'
    b'"_created_on":{"_type_":"datetime_iso","_data_":"2026-12-05T09:02:39.056481+00:00"},'
    b'"_modified_on":{"_type_":"datetime_iso","_data_":"2026-12-05T09:02:39.056685+00:00"},'
    b'"name":"Payments","mission":"m","leader":"a@x","parent_id":null,'
    b'"members":{"b@x":"DEDICATED"},"subteams":[],"services":[],"disbanded":false,'
    b'"class_version":2}}',
)


def in_memory_app() -> Flywheel:
    return Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_events_stored_under_the_old_topics_decode_to_the_moved_classes() -> None:
    app = in_memory_app()
    chartered, added, opened = (app.mapper.to_domain_event(s) for s in STORED_BEFORE_THE_MOVE)
    assert isinstance(chartered, Team.Chartered)
    assert isinstance(added, Team.MemberAdded)
    assert added.function is Function.DATA_SCIENCE
    assert added.attachment is Attachment.DEDICATED
    assert isinstance(opened, AllocationCycle.Opened)
    assert opened.kind is CycleKind.OP1  # type: ignore[attr-defined]


def test_an_old_log_replays_into_the_same_aggregates() -> None:
    app = in_memory_app()
    app.recorder.insert_events(STORED_BEFORE_THE_MOVE)
    team = app.repository.get(TEAM_ID)
    assert isinstance(team, Team)
    assert (team.name, team.version, team.members) == ("Payments", 2, {"b@x": "DEDICATED"})
    cycle = app.repository.get(CYCLE_ID)
    assert isinstance(cycle, AllocationCycle)
    assert (cycle.fiscal_year, cycle.kind) == (2027, CycleKind.OP1)


def test_an_old_snapshot_loads_as_the_moved_aggregate() -> None:
    app = in_memory_app()
    snapshot = app.mapper.to_domain_event(SNAPSHOT_BEFORE_THE_MOVE)
    assert isinstance(snapshot, Snapshot)
    team = snapshot.mutate(None)
    assert isinstance(team, Team)
    assert (team.name, team.members) == ("Payments", {"b@x": "DEDICATED"})


def test_an_old_stream_continues_under_the_new_topics() -> None:
    app = in_memory_app()
    app.recorder.insert_events(STORED_BEFORE_THE_MOVE)
    team = app.repository.get(TEAM_ID)
    team.add_member("c@x", Function.DESIGN, Attachment.REPORTS)
    app.save(team)
    topics = [stored.topic for stored in app.recorder.select_events(TEAM_ID)]
    assert topics == [
        "domain.teams:Team.Chartered",
        "domain.teams:Team.MemberAdded",
        "domain.org.team:Team.MemberAdded",
    ]
    assert app.repository.get(TEAM_ID).members["c@x"] == "REPORTS"


def test_every_event_of_a_moved_aggregate_resolves_from_its_old_topic() -> None:
    """Beyond the fixture: each moved module's events (``domain.person:Person.Erased``,
    ``domain.org_chart:OrgChart.Moved``...) and enums resolve from their old names."""
    app = in_memory_app()
    checked = 0
    for old, module in FORMER_MODULES.items():
        for cls in vars(module).values():
            if not (isinstance(cls, type) and cls.__module__ == module.__name__):
                continue
            inner = [
                (f"{cls.__qualname__}.{name}", member)
                for name, member in vars(cls).items()
                if isinstance(member, type) and issubclass(member, DomainEvent)
            ]
            for qualname, obj in [(cls.__qualname__, cls), *inner]:
                assert resolve_topic(f"{old}:{qualname}") is obj
                checked += 1
            if issubclass(cls, Enum):
                transcoding = app.mapper.transcoder.names[f"enum:{old}.{cls.__qualname__}"]  # type: ignore[attr-defined]
                assert transcoding.decode(next(iter(cls)).name) is next(iter(cls))
    assert checked > 50
