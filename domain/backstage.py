"""What Flywheel holds from the Backstage catalog: the teams and services its imports
brought in or matched.

An import records, in the same write as its steps, the teams and services the
catalog then mapped to. The next import compares: a team or service an earlier
import held that the catalog no longer names was removed from the catalog, so it is
disbanded or retired (through the normal commands, every rule applying). Teams and
services Flywheel keeps on its own, which no import ever held, are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate

CATALOG_NAMESPACE = UUID("8b2d4f6a-1c3e-4a5b-9d7f-2e4c6a8b0d1f")
CATALOG_LINK_ID = uuid5(CATALOG_NAMESPACE, "backstage-catalog")


class CatalogLink(AttributedAggregate):
    """The teams and services the last Backstage import held (one per company)."""

    class Linked(AttributedAggregate.Created):
        import_id: str
        team_ids: list[UUID]
        service_ids: list[UUID]

    class ImportRecorded(AttributedAggregate.Event):
        import_id: str
        team_ids: list[UUID]
        service_ids: list[UUID]

    def __init__(self, import_id: str, team_ids: list[UUID], service_ids: list[UUID]) -> None:
        self.import_id = import_id
        self.team_ids = frozenset(team_ids)
        self.service_ids = frozenset(service_ids)

    @staticmethod
    def create_id(import_id: str, team_ids: list[UUID], service_ids: list[UUID]) -> UUID:
        return CATALOG_LINK_ID

    @classmethod
    def link(cls, import_id: str, teams: Iterable[UUID], services: Iterable[UUID]) -> CatalogLink:
        return cls(import_id=import_id, team_ids=sorted(teams), service_ids=sorted(services))

    def record_import(
        self, import_id: str, teams: Iterable[UUID], services: Iterable[UUID]
    ) -> None:
        """The catalog now holds these; records nothing when they are the same."""
        team_ids, service_ids = frozenset(teams), frozenset(services)
        if (team_ids, service_ids) != (self.team_ids, self.service_ids):
            self._import_recorded(
                import_id=import_id, team_ids=sorted(team_ids), service_ids=sorted(service_ids)
            )

    @event(ImportRecorded)
    def _import_recorded(
        self, import_id: str, team_ids: list[UUID], service_ids: list[UUID]
    ) -> None:
        self.import_id = import_id
        self.team_ids = frozenset(team_ids)
        self.service_ids = frozenset(service_ids)
