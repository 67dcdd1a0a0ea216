"""The API boundary report and team coupling in GraphQL, for planning tools.

Both are computed documents about one scope (a team, a subtree, or the whole
company) at one position, so their lists are plain lists: a report is read
whole, and its size is bounded by the dependencies of the scope. The objects
they name (services, APIs, teams) are read as of the same position, all at
once when the report is made (one query per kind of row, for the parts of the
report the query selects), so the report's own fields resolve without I/O.

A report about the whole company, or about a scope of ``LARGE_SCOPE_TEAMS`` teams or
more, is a large report: it waits for a place among those the process builds at
once, and keeps it until its answer is encoded (services/graphql/admission.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment

from projections.boundaries import queries as boundaries_queries
from projections.boundaries.report import ApiUse as ReportedApiUse
from projections.boundaries.report import BoundaryReport, Dependency, ViolationKind
from projections.org import queries as org_queries
from services.boundaries.graphql import Api, Service
from services.graphql.common import (
    FlywheelInfo,
    context,
    time_travel,
)
from services.graphql.enums import graphql_enum
from services.graphql.errors import NOT_FOUND, client_error
from services.graphql.relations import team_ids_of
from services.org.graphql import Team

graphql_enum(
    ViolationKind,
    description="`INTERNAL_API_ACROSS_TEAMS`: a service consumes another team's INTERNAL API. "
    "`DEPRECATED_API_IN_USE`: a service consumes a deprecated API. "
    "`ORPHANED_SERVICE`: an active service whose owning team is disbanded. "
    "`API_WITHOUT_CONSUMERS`: an INTERNAL API that no service consumes.",
    INTERNAL_API_ACROSS_TEAMS="A service consumes another team's INTERNAL API.",
    DEPRECATED_API_IN_USE="A service consumes a deprecated API.",
    ORPHANED_SERVICE="An active service whose owning team is disbanded.",
    API_WITHOUT_CONSUMERS="An INTERNAL API that no service consumes.",
)


async def _teams_by_name(
    info: FlywheelInfo, team_ids: Sequence[UUID], at: int | None
) -> list[Team]:
    """The teams, loaded together (one query), ordered by name."""
    teams = await asyncio.gather(*(Team.get(info, team_id, at) for team_id in team_ids))
    return sorted(teams, key=lambda team: (team.name, team.key))


@dataclass
class ReportRows:
    """The services, APIs and teams a report names, read together as of ``at``; each
    made into its GraphQL object once, however often the report names it."""

    at: int | None
    services: dict[UUID, Any] = field(default_factory=dict)
    apis: dict[UUID, Any] = field(default_factory=dict)
    teams: dict[UUID, Any] = field(default_factory=dict)
    made: dict[UUID, Any] = field(default_factory=dict)

    def service(self, service_id: UUID) -> Service:
        found: Service | None = self.made.get(service_id)
        if found is None:
            found = self.made[service_id] = Service.from_row(self.services[service_id], self.at)
        return found

    def api(self, api_id: UUID) -> Api:
        found: Api | None = self.made.get(api_id)
        if found is None:
            found = self.made[api_id] = Api.from_row(self.apis[api_id], self.at)
        return found

    def team(self, team_id: UUID) -> Team:
        found: Team | None = self.made.get(team_id)
        if found is None:
            found = self.made[team_id] = Team.from_row(self.teams[team_id], self.at)
        return found

    @staticmethod
    async def read(
        info: FlywheelInfo,
        at: int | None,
        service_ids: Iterable[UUID],
        api_ids: Iterable[UUID],
        team_ids: Iterable[UUID],
    ) -> ReportRows:
        views = context(info).views
        rows = ReportRows(at)
        if services := sorted(set(service_ids)):
            rows.services = await boundaries_queries.services_by_id(views, services, at)
        if apis := sorted(set(api_ids)):
            rows.apis = await boundaries_queries.apis_by_id(views, apis, at)
        if teams := sorted(set(team_ids)):
            rows.teams = await org_queries.teams_by_id(views, teams, at)
        return rows


def _dependency_ids(
    dependencies: Iterable[Dependency], services: set[UUID], apis: set[UUID], teams: set[UUID]
) -> None:
    for d in dependencies:
        services.update((d.consumer_id, d.provider_id))
        apis.add(d.api_id)
        teams.update((d.consumer_team_id, d.provider_team_id))


async def _report_rows(
    info: FlywheelInfo, report: BoundaryReport, at: int | None, parts: set[str] | None
) -> ReportRows:
    """The rows of what the report names in the parts selected (None: every part)."""
    services: set[UUID] = set()
    apis: set[UUID] = set()
    teams: set[UUID] = set()
    for part, uses in (("provided", report.provided), ("consumed", report.consumed)):
        if parts is None or part in parts:
            for use in uses:
                services.add(use.provider_id)
                apis.add(use.api_id)
                teams.add(use.provider_team_id)
                _dependency_ids(use.dependencies, services, apis, teams)
    if parts is None or "crossTeamDependencies" in parts:
        _dependency_ids(report.cross_team, services, apis, teams)
    if parts is None or "violations" in parts:
        for violation in report.violations:
            services.add(violation.service_id)
            if violation.api_id is not None:
                apis.add(violation.api_id)
    return await ReportRows.read(info, at, services, apis, teams)


def _selected_parts(info: FlywheelInfo) -> set[str] | None:
    """The fields selected on the report, or None when fragments make it unclear."""
    parts: set[str] = set()
    for selected in info.selected_fields:
        for selection in selected.selections:
            if isinstance(selection, FragmentSpread | InlineFragment):
                return None
            parts.add(selection.name)
    return parts


@strawberry.type(description="A consumer service's dependency on an API of a provider service.")
class ServiceDependency:
    cross_team: bool = strawberry.field(
        description="Whether the consumer and the provider belong to different teams."
    )
    edge: strawberry.Private[Dependency]
    rows: strawberry.Private[ReportRows]

    @staticmethod
    def of(edge: Dependency, rows: ReportRows) -> ServiceDependency:
        return ServiceDependency(cross_team=edge.cross_team, edge=edge, rows=rows)

    @strawberry.field(description="The consuming service.")
    def consumer(self) -> Service:
        return self.rows.service(self.edge.consumer_id)

    @strawberry.field(description="The team that owns the consumer.")
    def consumer_team(self) -> Team:
        return self.rows.team(self.edge.consumer_team_id)

    @strawberry.field(description="The API consumed.")
    def api(self) -> Api:
        return self.rows.api(self.edge.api_id)

    @strawberry.field(description="The service that publishes the API.")
    def provider(self) -> Service:
        return self.rows.service(self.edge.provider_id)

    @strawberry.field(description="The team that owns the provider.")
    def provider_team(self) -> Team:
        return self.rows.team(self.edge.provider_team_id)


@strawberry.type(description="An API, who provides it, and the dependencies on it.")
class ApiUse:
    use: strawberry.Private[ReportedApiUse]
    rows: strawberry.Private[ReportRows]

    @strawberry.field(description="The API used.")
    def api(self) -> Api:
        return self.rows.api(self.use.api_id)

    @strawberry.field(description="The service that publishes it.")
    def provider(self) -> Service:
        return self.rows.service(self.use.provider_id)

    @strawberry.field(description="The team that owns the provider.")
    def provider_team(self) -> Team:
        return self.rows.team(self.use.provider_team_id)

    @strawberry.field(description="The dependencies on this API that the report is about.")
    def dependencies(self) -> list[ServiceDependency]:
        return [ServiceDependency.of(edge, self.rows) for edge in self.use.dependencies]


@strawberry.type(description="Something the boundary practice says should not be so.")
class BoundaryViolation:
    kind: ViolationKind = strawberry.field(description="What kind of violation it is.")
    detail: str = strawberry.field(description="What is wrong, in words, naming who and what.")
    service_id: strawberry.Private[UUID]
    api_id: strawberry.Private[UUID | None]
    rows: strawberry.Private[ReportRows]

    @strawberry.field(description="The consuming service, the orphaned one, or the provider.")
    def service(self) -> Service:
        return self.rows.service(self.service_id)

    @strawberry.field(description="The API concerned; null for an orphaned service.")
    def api(self) -> Api | None:
        return None if self.api_id is None else self.rows.api(self.api_id)


@strawberry.type(description="The API boundaries of a team, a subtree or the whole company.")
class ApiBoundaries:
    scope_ids: strawberry.Private[Sequence[UUID] | None]
    provided_uses: strawberry.Private[Sequence[ReportedApiUse]]
    consumed_uses: strawberry.Private[Sequence[ReportedApiUse]]
    cross_team: strawberry.Private[Sequence[Dependency]]
    violation_list: strawberry.Private[list[BoundaryViolation]]
    rows: strawberry.Private[ReportRows]
    at: strawberry.Private[int | None]

    @strawberry.field(description="The teams the report is about; null for the whole company.")
    async def scope(self, info: FlywheelInfo) -> list[Team] | None:
        if self.scope_ids is None:
            return None
        return await _teams_by_name(info, self.scope_ids, self.at)

    @strawberry.field(
        description="The APIs the scope's services publish (not retired), each with every "
        "service that consumes it."
    )
    def provided(self) -> list[ApiUse]:
        return [ApiUse(use=use, rows=self.rows) for use in self.provided_uses]

    @strawberry.field(
        description="The APIs the scope's services consume, with who provides them; "
        "`dependencies` lists the scope's consumers."
    )
    def consumed(self) -> list[ApiUse]:
        return [ApiUse(use=use, rows=self.rows) for use in self.consumed_uses]

    @strawberry.field(
        description="Every dependency between services of different teams that has its "
        "consumer or its provider in the scope."
    )
    def cross_team_dependencies(self) -> list[ServiceDependency]:
        return [ServiceDependency.of(edge, self.rows) for edge in self.cross_team]

    @strawberry.field(description="Boundary violations that touch the scope.")
    def violations(self) -> list[BoundaryViolation]:
        return self.violation_list


@strawberry.type(description="How much one team's services depend on another team's APIs.")
class TeamCoupling:
    dependencies: int = strawberry.field(
        description="Dependencies of the consumer team's services on the provider's APIs."
    )
    apis: int = strawberry.field(description="Distinct provider APIs those dependencies use.")
    internal_dependencies: int = strawberry.field(
        description="Of those dependencies, the ones on INTERNAL APIs (boundary violations)."
    )
    consumer_team_id: strawberry.Private[UUID]
    provider_team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    @strawberry.field(description="The consuming team.")
    async def consumer(self, info: FlywheelInfo) -> Team:
        return await Team.get(info, self.consumer_team_id, self.at)

    @strawberry.field(description="The providing team.")
    async def provider(self, info: FlywheelInfo) -> Team:
        return await Team.get(info, self.provider_team_id, self.at)


@strawberry.type(description="Teams and their dependency counts: draw it as a directed graph.")
class TeamCouplingGraph:
    edges: list[TeamCoupling] = strawberry.field(
        description="One edge per consumer and provider team, the most coupled first."
    )
    team_ids: strawberry.Private[list[UUID]]
    at: strawberry.Private[int | None]

    @strawberry.field(description="Every team at either end of an edge, by name.")
    async def teams(self, info: FlywheelInfo) -> list[Team]:
        return await _teams_by_name(info, self.team_ids, self.at)


async def _scope(
    info: FlywheelInfo, team_id: strawberry.ID | None, include_subteams: bool, at: int | None
) -> list[UUID] | None:
    scope = await team_ids_of(info, team_id, include_subteams, at)
    if scope is not None and not scope:
        raise client_error(f"No team with id {team_id}", NOT_FOUND)
    return scope


# A tenth of the full-scale benchmark company: its report is a tenth of the whole one's.
LARGE_SCOPE_TEAMS = 100


async def _admit_if_large(info: FlywheelInfo, scope: Sequence[UUID] | None) -> None:
    """Wait for a place to build a large report in (held until its answer is encoded)."""
    if scope is None or len(scope) >= LARGE_SCOPE_TEAMS:
        request = context(info)
        await request.runtime.large_reports.admit(request.held)


TeamId = Annotated[
    strawberry.ID | None,
    strawberry.argument(
        description="The team (UUID or global id); leave it out for the whole company."
    ),
]
IncludeSubteams = Annotated[
    bool, strawberry.argument(description="Include every team under `teamId`.")
]


@strawberry.type
class BoundaryReportsQuery:
    @strawberry.field(
        description="APIs provided and consumed, cross-team dependencies and boundary "
        "violations, for a team, its subtree, or the whole company."
    )
    @time_travel
    async def api_boundaries(
        self,
        info: FlywheelInfo,
        team_id: TeamId = None,
        include_subteams: IncludeSubteams = False,
        *,
        at: int | None,
    ) -> ApiBoundaries | None:
        scope = await _scope(info, team_id, include_subteams, at)
        await _admit_if_large(info, scope)
        report = await boundaries_queries.boundary_report(context(info).views, at, scope)
        rows = await _report_rows(info, report, at, _selected_parts(info))
        return ApiBoundaries(
            scope_ids=scope,
            provided_uses=report.provided,
            consumed_uses=report.consumed,
            cross_team=report.cross_team,
            violation_list=[
                BoundaryViolation(
                    kind=v.kind,
                    detail=v.detail,
                    service_id=v.service_id,
                    api_id=v.api_id,
                    rows=rows,
                )
                for v in report.violations
            ],
            rows=rows,
            at=at,
        )

    @strawberry.field(
        description="Team-to-team dependency counts, for a team (or its subtree) or the "
        "whole company."
    )
    @time_travel
    async def team_coupling(
        self,
        info: FlywheelInfo,
        team_id: TeamId = None,
        include_subteams: IncludeSubteams = False,
        *,
        at: int | None,
    ) -> TeamCouplingGraph | None:
        scope = await _scope(info, team_id, include_subteams, at)
        await _admit_if_large(info, scope)
        couplings = await boundaries_queries.team_coupling(context(info).views, at, scope)
        team_ids = {c.consumer_team_id for c in couplings} | {c.provider_team_id for c in couplings}
        return TeamCouplingGraph(
            edges=[
                TeamCoupling(
                    dependencies=c.dependencies,
                    apis=c.apis,
                    internal_dependencies=c.internal_dependencies,
                    consumer_team_id=c.consumer_team_id,
                    provider_team_id=c.provider_team_id,
                    at=at,
                )
                for c in couplings
            ],
            team_ids=sorted(team_ids),
            at=at,
        )
