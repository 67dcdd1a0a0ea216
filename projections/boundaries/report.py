"""The API boundary report and team coupling, computed from view rows without I/O.

A *scope* is a set of teams (one team, a subtree, or ``None`` for the whole
company). A dependency *touches* the scope when its consumer's team or its
provider's team is in it. The report lists:

* the APIs the scope's services provide (not retired), with every consumer;
* the APIs the scope's services consume, with who provides them;
* the cross-team dependencies touching the scope (consumer team != provider team);
* the violations touching the scope:

  - ``INTERNAL_API_ACROSS_TEAMS``: a service consumes another team's INTERNAL API;
  - ``DEPRECATED_API_IN_USE``: a service consumes a deprecated API;
  - ``ORPHANED_SERVICE``: an active service whose owning team is disbanded. The
    commands refuse to disband a team that owns active services, so this only
    shows for history recorded before that rule; the report keeps checking;
  - ``API_WITHOUT_CONSUMERS``: an INTERNAL API (not retired) that no service
    consumes: dead weight nobody outside may use either. PUBLIC APIs without
    consumers are not reported, since their consumers may be outside the company.

Team coupling counts the dependencies from each consumer team to each provider
team (a team's services depending on each other are not coupling).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from domain.boundaries import ApiStatus, Visibility


class ViolationKind(Enum):
    INTERNAL_API_ACROSS_TEAMS = "INTERNAL_API_ACROSS_TEAMS"
    DEPRECATED_API_IN_USE = "DEPRECATED_API_IN_USE"
    ORPHANED_SERVICE = "ORPHANED_SERVICE"
    API_WITHOUT_CONSUMERS = "API_WITHOUT_CONSUMERS"


@dataclass(frozen=True)
class Dependency:
    """A consumer service's dependency on an API of a provider service."""

    consumer_id: UUID
    consumer_name: str
    consumer_team_id: UUID
    consumer_team_name: str
    api_id: UUID
    api_name: str
    api_version: str
    visibility: Visibility
    api_status: ApiStatus
    sunset: date | None
    provider_id: UUID
    provider_name: str
    provider_team_id: UUID
    provider_team_name: str

    def __post_init__(self) -> None:
        # Views store enums by name; the report compares members.
        object.__setattr__(self, "visibility", Visibility(self.visibility))
        object.__setattr__(self, "api_status", ApiStatus(self.api_status))

    @property
    def cross_team(self) -> bool:
        return self.consumer_team_id != self.provider_team_id

    @property
    def consumer(self) -> str:
        return f"service '{self.consumer_name}' (team '{self.consumer_team_name}')"

    @property
    def api(self) -> str:
        return (
            f"API '{self.api_name}' {self.api_version} of service '{self.provider_name}' "
            f"(team '{self.provider_team_name}')"
        )


@dataclass(frozen=True)
class ProvidedApi:
    """An API that is not retired, with its provider."""

    api_id: UUID
    api_name: str
    api_version: str
    visibility: Visibility
    provider_id: UUID
    provider_name: str
    provider_team_id: UUID
    provider_team_name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "visibility", Visibility(self.visibility))


@dataclass(frozen=True)
class ActiveService:
    service_id: UUID
    name: str
    team_id: UUID
    team_name: str
    team_active: bool


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    detail: str
    service_id: UUID
    api_id: UUID | None = None


@dataclass(frozen=True)
class ApiUse:
    """An API and the dependencies on it that the report is about."""

    api_id: UUID
    provider_id: UUID
    provider_team_id: UUID
    dependencies: tuple[Dependency, ...]


@dataclass(frozen=True)
class BoundaryReport:
    scope: frozenset[UUID] | None  # None: the whole company
    provided: tuple[ApiUse, ...]
    consumed: tuple[ApiUse, ...]
    cross_team: tuple[Dependency, ...]
    violations: tuple[Violation, ...]


@dataclass(frozen=True)
class Coupling:
    """How much one team's services depend on another team's APIs."""

    consumer_team_id: UUID
    provider_team_id: UUID
    dependencies: int
    apis: int
    internal_dependencies: int


def _order(dependency: Dependency) -> tuple[str, str, str, str, str]:
    return (
        dependency.consumer_name,
        dependency.provider_name,
        dependency.api_name,
        dependency.api_version,
        str(dependency.api_id),
    )


def analyse(
    scope: Collection[UUID] | None,
    dependencies: Sequence[Dependency],
    apis: Sequence[ProvidedApi],
    services: Sequence[ActiveService],
) -> BoundaryReport:
    """The report for ``scope`` from the current dependencies, APIs and services."""
    teams = None if scope is None else frozenset(scope)

    def inside(team_id: UUID) -> bool:
        return teams is None or team_id in teams

    touching = sorted(
        (d for d in dependencies if inside(d.consumer_team_id) or inside(d.provider_team_id)),
        key=_order,
    )
    on_api: dict[UUID, list[Dependency]] = defaultdict(list)
    for dependency in touching:
        on_api[dependency.api_id].append(dependency)

    provided_apis = sorted(
        (api for api in apis if inside(api.provider_team_id)),
        key=lambda a: (a.provider_name, a.api_name, a.api_version, str(a.api_id)),
    )
    provided = tuple(
        ApiUse(api.api_id, api.provider_id, api.provider_team_id, tuple(on_api[api.api_id]))
        for api in provided_apis
    )
    consumed_by_scope: dict[UUID, list[Dependency]] = defaultdict(list)
    for dependency in touching:
        if inside(dependency.consumer_team_id):
            consumed_by_scope[dependency.api_id].append(dependency)
    consumed = tuple(
        ApiUse(uses[0].api_id, uses[0].provider_id, uses[0].provider_team_id, tuple(uses))
        for uses in sorted(
            consumed_by_scope.values(),
            key=lambda uses: (uses[0].provider_name, uses[0].api_name, uses[0].api_version),
        )
    )
    violations = [
        *_dependency_violations(touching),
        *_orphans(service for service in services if inside(service.team_id)),
        *_unconsumed(api for api in provided_apis if not on_api[api.api_id]),
    ]
    return BoundaryReport(
        scope=teams,
        provided=provided,
        consumed=consumed,
        cross_team=tuple(d for d in touching if d.cross_team),
        violations=tuple(
            sorted(violations, key=lambda v: (list(ViolationKind).index(v.kind), v.detail))
        ),
    )


def _dependency_violations(dependencies: Sequence[Dependency]) -> list[Violation]:
    found = []
    for d in dependencies:
        if d.cross_team and d.visibility is Visibility.INTERNAL:
            found.append(
                Violation(
                    ViolationKind.INTERNAL_API_ACROSS_TEAMS,
                    f"The {d.consumer} consumes the INTERNAL {d.api}",
                    d.consumer_id,
                    d.api_id,
                )
            )
        if d.api_status is ApiStatus.DEPRECATED:
            found.append(
                Violation(
                    ViolationKind.DEPRECATED_API_IN_USE,
                    f"The {d.consumer} consumes the deprecated {d.api}, sunset {d.sunset}",
                    d.consumer_id,
                    d.api_id,
                )
            )
    return found


def _orphans(services: Iterable[ActiveService]) -> list[Violation]:
    return [
        Violation(
            ViolationKind.ORPHANED_SERVICE,
            f"Service '{service.name}' is owned by team '{service.team_name}', which is disbanded",
            service.service_id,
        )
        for service in services
        if not service.team_active
    ]


def _unconsumed(apis: Iterable[ProvidedApi]) -> list[Violation]:
    return [
        Violation(
            ViolationKind.API_WITHOUT_CONSUMERS,
            f"The INTERNAL API '{api.api_name}' {api.api_version} of service "
            f"'{api.provider_name}' (team '{api.provider_team_name}') has no consumers",
            api.provider_id,
            api.api_id,
        )
        for api in apis
        if api.visibility is Visibility.INTERNAL
    ]


def coupling(scope: Collection[UUID] | None, dependencies: Sequence[Dependency]) -> list[Coupling]:
    """Dependency counts between teams, for the edges touching ``scope``."""
    teams = None if scope is None else frozenset(scope)
    edges: dict[tuple[UUID, UUID], list[Dependency]] = defaultdict(list)
    for d in dependencies:
        touches = teams is None or d.consumer_team_id in teams or d.provider_team_id in teams
        if d.cross_team and touches:
            edges[(d.consumer_team_id, d.provider_team_id)].append(d)
    names = {d.consumer_team_id: d.consumer_team_name for d in dependencies} | {
        d.provider_team_id: d.provider_team_name for d in dependencies
    }
    return [
        Coupling(
            consumer_team_id=consumer,
            provider_team_id=provider,
            dependencies=len(uses),
            apis=len({d.api_id for d in uses}),
            internal_dependencies=sum(d.visibility is Visibility.INTERNAL for d in uses),
        )
        for (consumer, provider), uses in sorted(
            edges.items(),
            key=lambda item: (-len(item[1]), names[item[0][0]], names[item[0][1]]),
        )
    ]
