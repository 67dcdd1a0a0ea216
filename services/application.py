"""The one eventsourcing Application: one ordered event log for the company.

Every aggregate is saved through this application, so the whole company shares
one notification sequence that projections follow and auditors replay.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import JSONTranscoder, Mapper, Transcoding

from domain.values import CaseInsensitiveEnum
from services.former_topics import former_enum_names
from services.personal_data import PostgresKeyStore, SealedAsJSON, SealingMapper
from services.recorder import APPLICATION_NAME, FlywheelRecorder
from services.registry import AREAS

SNAPSHOT_INTERVAL = 50
MIGRATION_LOCK_KEY = 0x466C7977_6D696772  # "Flywmigr"

# Every aggregate class the areas save (services/registry.py); each is snapshotted.
AGGREGATES: tuple[type, ...] = tuple(
    dict.fromkeys(aggregate for area in AREAS for aggregate in area.aggregates)
)


class EnumByName(Transcoding):
    """Stores an enum member by its name; one transcoding per enum type."""

    def __init__(self, enum_type: type[Enum]) -> None:
        self.type = enum_type
        self.enum_type = enum_type
        self.name = f"enum:{enum_type.__module__}.{enum_type.__qualname__}"

    def encode(self, obj: Enum) -> str:
        return obj.name

    def decode(self, data: str) -> Enum:
        return self.enum_type[data]


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _domain_enums() -> list[type[Enum]]:
    found: list[type[Enum]] = []
    pending: list[type[Enum]] = [CaseInsensitiveEnum]
    while pending:
        enum_type = pending.pop()
        found.append(enum_type)
        pending.extend(enum_type.__subclasses__())
    return found[1:]


class Flywheel(Application[UUID]):
    name = APPLICATION_NAME
    snapshotting_intervals = dict.fromkeys(AGGREGATES, SNAPSHOT_INTERVAL)

    def __init__(self, env: dict[str, Any] | None = None) -> None:
        super().__init__(env=env)
        if isinstance(self.recorder, FlywheelRecorder):
            assert isinstance(self.mapper, SealingMapper)
            self.mapper.keys = PostgresKeyStore(self.recorder.datastore)

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """One snapshot per aggregate and save, at the last interval the save crossed.
        (The library takes one at every interval crossed, each rebuilt from the store:
        thousands of observations saved at once rebuilt the metric a hundred times,
        over half of a bulk upload's time.)"""
        if not self.snapshots:
            return
        crossed: dict[UUID, int] = {}
        for event in processing_event.events:
            aggregate = processing_event.aggregates.get(event.originator_id)
            if aggregate is None:
                continue
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval and event.originator_version % interval == 0:
                crossed[event.originator_id] = event.originator_version
        for aggregate_id, version in crossed.items():
            self.take_snapshot(aggregate_id=aggregate_id, version=version)

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, sealing personal fields with their person's key
        (``services.personal_data``); the keys live beside the events, in PostgreSQL
        when the events do."""
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=SealingMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())
        transcoder.register(SealedAsJSON())
        for enum_type in _domain_enums():
            transcoder.register(EnumByName(enum_type))
        # Decode-only: logs written before a move name the enum by its old module.
        for name, enum_type in former_enum_names().items():
            transcoder.names[name] = transcoder.names[EnumByName(enum_type).name]


def open_application(env: dict[str, Any]) -> Flywheel:
    return Flywheel(env=env)


def create_event_tables(app: Flywheel, url: str) -> None:
    """Create the event store's tables once, even when replicas start together."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        try:
            app.recorder.create_table()  # type: ignore[attr-defined]
            if app.snapshots is not None:
                app.snapshots.recorder.create_table()  # type: ignore[attr-defined]
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))
