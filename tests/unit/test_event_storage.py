"""Events survive the round trip through the event store's encoding, in memory."""

from __future__ import annotations

from uuid import UUID

from domain.org.team import Attachment, Team
from domain.people.values import Function, PersonId
from services.application import SNAPSHOT_INTERVAL, Flywheel


def in_memory_app() -> Flywheel:
    return Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_enums_and_ids_come_back_as_themselves() -> None:
    app = in_memory_app()
    parent = UUID("00000000-0000-4000-8000-000000000001")
    team = Team.charter(name="Payments", mission="m", leader=PersonId("a@x"), parent_id=parent)
    team.add_member(PersonId("b@x"), Function.DATA_SCIENCE, Attachment.DEDICATED)
    app.save(team)
    events = list(app.events.get(team.id))
    added = events[1]
    assert isinstance(added, Team.MemberAdded)
    assert added.function is Function.DATA_SCIENCE
    assert added.attachment is Attachment.DEDICATED
    assert events[0].parent_id == parent  # type: ignore[attr-defined]
    assert (added.actor, added.correlation_id) == ("ceo@example.com", "test-correlation")


def test_snapshots_rebuild_the_same_team() -> None:
    app = in_memory_app()
    team = Team.charter(name="Payments", mission="m", leader=PersonId("a@x"))
    for n in range(SNAPSHOT_INTERVAL // 2):
        team.add_member(PersonId(f"p{n}@x"), Function.ENGINEERING, Attachment.REPORTS)
        team.remove_member(PersonId(f"p{n}@x"))
    team.add_member(PersonId("kept@x"), Function.DESIGN, Attachment.DEDICATED)
    app.save(team)
    assert app.snapshots is not None
    assert list(app.snapshots.get(team.id)), "a snapshot was taken"
    loaded = app.repository.get(team.id)
    assert loaded.members == team.members == {"kept@x": "DEDICATED"}
    assert loaded.version == team.version
