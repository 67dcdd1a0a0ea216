"""The allocation. Paged lists are keyed (cycle id, options); whole lists feed
figures: the area's DataLoaders."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from projections.allocation import queries
from projections.reading import ReadSession
from services.graphql.view_loader import ViewLoader, none, page_loader


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
        self.cycle_requests = page_loader(session, queries.requests_of_cycles)
        self.cycle_all_requests: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.all_requests, list
        )
        self.request_versions: ViewLoader[tuple[UUID, UUID], list[Any]] = ViewLoader(
            session, queries.request_versions, list
        )
        self.cycle_decisions = page_loader(session, queries.decisions_of_cycles)
        self.cycle_funding: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.funding_of_cycles, list
        )
        self.cycle_dissents = page_loader(session, queries.dissents_of_cycles)
        self.dissent: ViewLoader[UUID, Any] = ViewLoader(session, queries.dissents_by_id, none)
        self.cycle_commitments = page_loader(session, queries.commitments_of_cycles)
        self.uncommitted_dissenters: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.uncommitted_dissenters, list
        )
        self.cycle_amendments = page_loader(session, queries.amendments_of_cycles)
        self.cycle_scenarios = page_loader(session, queries.scenarios_of_cycles)
        self.cycle_all_scenarios: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, queries.all_scenarios, list
        )
        self.team_allocation: ViewLoader[tuple[UUID, int], list[Any]] = ViewLoader(
            session, queries.team_allocations, list
        )
