"""The command side as tests drive it: in memory, or a :class:`~services.runtime.Runtime`.

Rules and roles are tested through the application on the eventsourcing library's
in-memory persistence (``eventsourcing.popo``), as the library's own examples do:
the same :class:`~services.application.Flywheel`, command bus and command classes
as in production, with no I/O. PostgreSQL stays for races, views and HTTP, where
the database itself is what is tested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

import pytest

from services.allocation.commands import AllocationCommands
from services.application import Flywheel
from services.boundaries.commands import BoundaryCommands
from services.commands import CommandBus
from services.excellence.commands import ExcellenceCommands
from services.goals.commands import GoalCommands
from services.hiring.commands import HiringCommands
from services.metrics.commands import MetricCommands
from services.org.commands import OrgCommands
from services.prfaqs.commands import PrFaqCommands
from services.roadmap.commands import RoadmapCommands
from tests.people import CEO

IN_MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


class Commands(Protocol):
    """What a test needs of the write side; a Runtime has it, and so does InMemoryCommands."""

    app: Flywheel
    org: OrgCommands
    boundaries: BoundaryCommands
    metrics: MetricCommands
    goals: GoalCommands
    allocation: AllocationCommands
    prfaqs: PrFaqCommands
    roadmap: RoadmapCommands
    excellence: ExcellenceCommands
    hiring: HiringCommands


@dataclass
class InMemoryCommands:
    app: Flywheel
    org: OrgCommands
    boundaries: BoundaryCommands
    metrics: MetricCommands
    goals: GoalCommands
    allocation: AllocationCommands
    prfaqs: PrFaqCommands
    roadmap: RoadmapCommands
    excellence: ExcellenceCommands
    hiring: HiringCommands

    @classmethod
    def open(cls) -> InMemoryCommands:
        app = Flywheel(env=IN_MEMORY)
        bus = CommandBus(app)
        return cls(
            app=app,
            org=OrgCommands(bus),
            boundaries=BoundaryCommands(bus),
            metrics=MetricCommands(bus),
            goals=GoalCommands(bus),
            allocation=AllocationCommands(bus),
            prfaqs=PrFaqCommands(bus),
            roadmap=RoadmapCommands(bus),
            excellence=ExcellenceCommands(bus),
            hiring=HiringCommands(bus),
        )


def event_count(commands: Commands) -> int:
    """How many events the company's log holds (its last position)."""
    return commands.app.recorder.max_notification_id() or 0


def refused_and_nothing_recorded(
    commands: Commands, error: type[Exception], command: Callable[[], Any]
) -> Exception:
    before = event_count(commands)
    with pytest.raises(error) as refused:
        command()
    assert event_count(commands) == before, "a refused command recorded nothing"
    return refused.value


def charter(commands: Commands, name: str, leader: str, parent: UUID | None = None) -> UUID:
    return commands.org.charter_team(
        CEO, "test", name=name, mission=f"{name} mission", leader=leader, parent_id=parent
    ).id
