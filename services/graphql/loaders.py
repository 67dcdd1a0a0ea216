"""DataLoaders over the view queries: one query per kind of row per request tick.

Keys are ``(at, key)``: the same entity read as of two positions is two keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from strawberry.dataloader import DataLoader

from projections.allocation import queries as allocation_queries
from projections.boundaries import queries as boundaries_queries
from projections.goals import queries as goals_queries
from projections.metrics import queries as metrics_queries
from projections.org import queries as org_queries
from projections.paging import EMPTY_PAGE, Page
from projections.reading import ReadSession
from services.personal_data import keys_of

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

Fetch = Callable[[ReadSession, Sequence[Any], int | None], Awaitable[dict[Any, Any]]]


class ViewLoader(Generic[K, V]):
    """Batches ``load(key, at)`` calls into one view query per position."""

    def __init__(self, session: ReadSession, fetch: Fetch, missing: Callable[[], V]) -> None:
        self._session = session
        self._fetch = fetch
        self._missing = missing
        self._loader: DataLoader[tuple[int | None, K], V] = DataLoader(load_fn=self._load_batch)

    async def load(self, key: K, at: int | None) -> V:
        return await self._loader.load((at, key))

    async def _load_batch(self, keys: list[tuple[int | None, K]]) -> list[V]:
        by_position: dict[int | None, list[K]] = defaultdict(list)
        for at, key in keys:
            by_position[at].append(key)
        found: dict[tuple[int | None, K], V] = {}
        for at, group in by_position.items():
            rows = await self._fetch(self._session, group, at)
            found.update({(at, key): rows[key] for key in group if key in rows})
        return [found[key] if key in found else self._missing() for key in keys]


class Loaders:
    def __init__(self, session: ReadSession) -> None:
        self.team: ViewLoader[UUID, Any] = ViewLoader(session, org_queries.teams_by_id, _none)
        self.children: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, org_queries.children_of, list
        )
        self.leader_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, org_queries.leader_history, list
        )
        self.members: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, org_queries.members_of, list
        )
        self.memberships: ViewLoader[str, list[Any]] = ViewLoader(
            session, org_queries.memberships_of, list
        )
        self.team_led_by: ViewLoader[str, Any] = ViewLoader(
            session, org_queries.teams_led_by, _none
        )
        self.person_known: ViewLoader[str, bool] = ViewLoader(session, _known_people, _false)
        self.person: ViewLoader[str, Any] = ViewLoader(session, org_queries.people_by_handle, _none)
        self.person_key: ViewLoader[str, bytes | None] = ViewLoader(session, keys_of, _none)
        self.ancestors: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, org_queries.ancestors_of, list
        )
        # API boundaries. Keys of nested pages are (parent id, page request[, status]).
        self.service: ViewLoader[UUID, Any] = ViewLoader(
            session, boundaries_queries.services_by_id, _none
        )
        self.api: ViewLoader[UUID, Any] = ViewLoader(session, boundaries_queries.apis_by_id, _none)
        self.ownership_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, boundaries_queries.ownership_history, list
        )
        self.services_of_team: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(boundaries_queries.services_of_teams), _empty_page
        )
        self.apis_of_team: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(boundaries_queries.apis_of_teams), _empty_page
        )
        self.apis_of_service: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(boundaries_queries.apis_of_services), _empty_page
        )
        self.dependencies_of_service: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(boundaries_queries.dependencies_of_services), _empty_page
        )
        self.consumers_of_api: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(boundaries_queries.consumers_of_apis), _empty_page
        )
        # Metrics and goals. Paged lists are keyed (parent id, options): one query per options.
        self.metric: ViewLoader[UUID, Any] = ViewLoader(
            session, metrics_queries.metrics_by_id, _none
        )
        self.metric_definitions: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, metrics_queries.definition_history, list
        )
        self.metric_drives: ViewLoader[UUID, list[Any]] = ViewLoader(session, _drives, list)
        self.metric_driven_by: ViewLoader[UUID, list[Any]] = ViewLoader(session, _driven_by, list)
        self.observations: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(metrics_queries.observations), _empty_page
        )
        self.team_metrics: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(metrics_queries.metrics_owned_by), _empty_page
        )
        self.goal: ViewLoader[UUID, Any] = ViewLoader(session, goals_queries.goals_by_id, _none)
        self.team_goals: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(goals_queries.goals_of_teams), _empty_page
        )
        self.target_history: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, goals_queries.target_history, list
        )
        self.check_ins: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(goals_queries.check_ins), _empty_page
        )
        # The allocation. Paged lists are keyed (cycle id, options); whole lists feed figures.
        q = allocation_queries
        self.allocation_cycle: ViewLoader[UUID, Any] = ViewLoader(session, q.cycles_by_id, _none)
        self.cycle_phases: ViewLoader[UUID, list[Any]] = ViewLoader(session, q.phase_history, list)
        self.cycle_envelopes: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, q.envelope_history, list
        )
        self.cycle_requests: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(q.requests_of_cycles), _empty_page
        )
        self.cycle_all_requests: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, q.all_requests, list
        )
        self.request_versions: ViewLoader[tuple[UUID, UUID], list[Any]] = ViewLoader(
            session, q.request_versions, list
        )
        self.cycle_decisions: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(q.decisions_of_cycles), _empty_page
        )
        self.cycle_funding: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, q.funding_of_cycles, list
        )
        self.cycle_dissents: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(q.dissents_of_cycles), _empty_page
        )
        self.dissent: ViewLoader[UUID, Any] = ViewLoader(session, q.dissents_by_id, _none)
        self.cycle_commitments: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(q.commitments_of_cycles), _empty_page
        )
        self.uncommitted_dissenters: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, q.uncommitted_dissenters, list
        )
        self.cycle_amendments: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(q.amendments_of_cycles), _empty_page
        )
        self.cycle_scenarios: ViewLoader[tuple[Any, ...], Page] = ViewLoader(
            session, _per_parent(q.scenarios_of_cycles), _empty_page
        )
        self.cycle_all_scenarios: ViewLoader[UUID, list[Any]] = ViewLoader(
            session, q.all_scenarios, list
        )
        self.team_allocation: ViewLoader[tuple[UUID, int], list[Any]] = ViewLoader(
            session, q.team_allocations, list
        )


def _none() -> None:
    return None


def _false() -> bool:
    return False


def _empty_page() -> Page:
    return EMPTY_PAGE


def _per_parent(fetch_pages: Callable[..., Awaitable[dict[Any, Page]]]) -> Fetch:
    """Adapts a query of one page per parent to keys ``(parent id, *arguments)``: one
    query per distinct set of arguments (page size, cursor, filter) in a tick."""

    async def fetch(
        session: ReadSession, keys: Sequence[tuple[Any, ...]], at: int | None
    ) -> dict[tuple[Any, ...], Page]:
        parents_by_arguments: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
        for parent, *rest in keys:
            parents_by_arguments[tuple(rest)].append(parent)
        found: dict[tuple[Any, ...], Page] = {}
        for arguments, parents in parents_by_arguments.items():
            pages = await fetch_pages(session, parents, at, *arguments)
            found.update(
                {(parent, *arguments): pages[parent] for parent in parents if parent in pages}
            )
        return found

    return fetch


async def _known_people(
    session: ReadSession, people: Sequence[str], at: int | None
) -> dict[str, bool]:
    return dict.fromkeys(await org_queries.known_people(session, people, at), True)


async def _drives(session: ReadSession, ids: Sequence[UUID], at: int | None) -> dict[Any, Any]:
    return await metrics_queries.drivers(session, ids, at, side="input_id")


async def _driven_by(session: ReadSession, ids: Sequence[UUID], at: int | None) -> dict[Any, Any]:
    return await metrics_queries.drivers(session, ids, at, side="output_id")
