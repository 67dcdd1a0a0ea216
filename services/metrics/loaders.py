"""Metrics, their definitions, drivers and observations. Paged lists are keyed
(parent id, options): one query per options: the area's DataLoaders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from projections.metrics import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none, page_loader


class MetricsLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.metric: ViewLoader[UUID, Any] = ViewLoader(session, queries.metrics_by_id, none)
        self.metric_definitions: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.definition_history, list
        )
        self.metric_drives: ViewLoader[UUID, list[Any]] = ViewLoader(session, _drives, list)
        self.metric_driven_by: ViewLoader[UUID, list[Any]] = ViewLoader(session, _driven_by, list)
        self.observations = page_loader(session, queries.observations)
        self.team_metrics = page_loader(session, queries.metrics_owned_by)


async def _drives(session: ReadSession, ids: Sequence[UUID], at: int | None) -> dict[Any, Any]:
    return await queries.drivers(session, ids, at, side="input_id")


async def _driven_by(session: ReadSession, ids: Sequence[UUID], at: int | None) -> dict[Any, Any]:
    return await queries.drivers(session, ids, at, side="output_id")
