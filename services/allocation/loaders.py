"""The allocation. Paged lists are keyed (cycle id, options); whole lists feed
figures: the area's DataLoaders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.allocation import queries
from projections.paging import Page
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, empty_page, none, per_parent


class AllocationLoaders:
    def __init__(self, session: ReadSession) -> None:
        self.allocation_cycle: ViewLoader[UUID, Any] = ViewLoader(
            session, queries.cycles_by_id, none
        )
        self.cycle_phases: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.phase_history, list
        )
        self.cycle_envelopes: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.envelope_history, list
        )
        self.cycle_requests: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.requests_of_cycles), empty_page
        )
        self.cycle_all_requests: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.all_requests, list
        )
        self.request_versions: ViewLoader[tuple[UUID, UUID], list[Any]] = ViewLoader(
            session, queries.request_versions, list
        )
        self.cycle_decisions: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.decisions_of_cycles), empty_page
        )
        self.cycle_funding: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.funding_of_cycles, list
        )
        self.cycle_dissents: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.dissents_of_cycles), empty_page
        )
        self.dissent: ViewLoader[UUID, Any] = ViewLoader(session, queries.dissents_by_id, none)
        self.cycle_commitments: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.commitments_of_cycles), empty_page
        )
        self.uncommitted_dissenters: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.uncommitted_dissenters, list
        )
        self.cycle_amendments: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.amendments_of_cycles), empty_page
        )
        self.cycle_scenarios: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, per_parent(queries.scenarios_of_cycles), empty_page
        )
        self.cycle_all_scenarios: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.all_scenarios, list
        )
        self.team_allocation: ViewLoader[tuple[UUID, int], list[Any]] = ViewLoader(
            session, queries.team_allocations, list
        )
