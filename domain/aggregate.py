"""The base class of Flywheel's aggregates: events attributed to who made them."""

from __future__ import annotations

from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate, CanInitAggregate, CanMutateAggregate

from domain.provenance import current_provenance


class AttributedAggregate(Aggregate):
    """An aggregate whose every event names its actor and correlation id."""

    class Event(Aggregate.Event):
        actor: str
        correlation_id: str

    class Created(Event, Aggregate.Created):
        pass

    def trigger_event(self, event_class: type[CanMutateAggregate[UUID]], **kwargs: Any) -> None:
        provenance = current_provenance()
        super().trigger_event(
            event_class,
            actor=provenance.actor,
            correlation_id=provenance.correlation_id,
            **kwargs,
        )

    @classmethod
    def _create(
        cls,
        event_class: type[CanInitAggregate[UUID]],
        *,
        id: UUID | None = None,
        **kwargs: Any,
    ) -> Self:
        provenance = current_provenance()
        return super()._create(
            event_class,
            id=id,
            actor=provenance.actor,
            correlation_id=provenance.correlation_id,
            **kwargs,
        )
