"""The API boundary report and team coupling in GraphQL, for planning tools.

Both are computed documents about one scope (a team, a subtree, or the whole
company) at one position, so their lists are plain lists: a report is read
whole, and its size is bounded by the dependencies of the scope. The objects
they name (services, APIs, teams) are read through the DataLoaders, as of the
same position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Annotated
from uuid import UUID

import strawberry

from projections import boundaries_queries, org_queries
from projections.boundary_report import ApiUse as ReportedApiUse
from projections.boundary_report import Dependency, ViolationKind
from services.graphql.boundaries import Api, Service
from services.graphql.common import AsOf, AtPosition, FlywheelInfo, context, resolve_at, uuid_of
from services.graphql.errors import NOT_FOUND, client_error
from services.graphql.org import Team

strawberry.enum(
    ViolationKind,
    description="`INTERNAL_API_ACROSS_TEAMS`: a service consumes another team's INTERNAL API. "
    "`DEPRECATED_API_IN_USE`: a service consumes a deprecated API. "
    "`ORPHANED_SERVICE`: an active service whose owning team is disbanded. "
    "`API_WITHOUT_CONSUMERS`: an INTERNAL API that no service consumes.",
)


async def _service(info: FlywheelInfo, service_id: UUID, at: int | None) -> Service:
    return Service.from_row(await context(info).load.service.load(service_id, at), at)


async def _api(info: FlywheelInfo, api_id: UUID, at: int | None) -> Api:
    return Api.from_row(await context(info).load.api.load(api_id, at), at)


async def _team(info: FlywheelInfo, team_id: UUID, at: int | None) -> Team:
    return Team.from_row(await context(info).load.team.load(team_id, at), at)


async def _teams_by_name(
    info: FlywheelInfo, team_ids: Sequence[UUID], at: int | None
) -> list[Team]:
    """The teams, loaded together (one query), ordered by name."""
    teams = await asyncio.gather(*(_team(info, team_id, at) for team_id in team_ids))
    return sorted(teams, key=lambda team: (team.name, team.key))


@strawberry.type(description="A consumer service's dependency on an API of a provider service.")
class ServiceDependency:
    cross_team: bool = strawberry.field(
        description="Whether the consumer and the provider belong to different teams."
    )
    edge: strawberry.Private[Dependency]
    at: strawberry.Private[int | None]

    @staticmethod
    def of(edge: Dependency, at: int | None) -> ServiceDependency:
        return ServiceDependency(cross_team=edge.cross_team, edge=edge, at=at)

    @strawberry.field
    async def consumer(self, info: FlywheelInfo) -> Service:
        return await _service(info, self.edge.consumer_id, self.at)

    @strawberry.field
    async def consumer_team(self, info: FlywheelInfo) -> Team:
        return await _team(info, self.edge.consumer_team_id, self.at)

    @strawberry.field
    async def api(self, info: FlywheelInfo) -> Api:
        return await _api(info, self.edge.api_id, self.at)

    @strawberry.field
    async def provider(self, info: FlywheelInfo) -> Service:
        return await _service(info, self.edge.provider_id, self.at)

    @strawberry.field
    async def provider_team(self, info: FlywheelInfo) -> Team:
        return await _team(info, self.edge.provider_team_id, self.at)


@strawberry.type(description="An API, who provides it, and the dependencies on it.")
class ApiUse:
    use: strawberry.Private[ReportedApiUse]
    at: strawberry.Private[int | None]

    @strawberry.field
    async def api(self, info: FlywheelInfo) -> Api:
        return await _api(info, self.use.api_id, self.at)

    @strawberry.field
    async def provider(self, info: FlywheelInfo) -> Service:
        return await _service(info, self.use.provider_id, self.at)

    @strawberry.field
    async def provider_team(self, info: FlywheelInfo) -> Team:
        return await _team(info, self.use.provider_team_id, self.at)

    @strawberry.field(description="The dependencies on this API that the report is about.")
    def dependencies(self) -> list[ServiceDependency]:
        return [ServiceDependency.of(edge, self.at) for edge in self.use.dependencies]


@strawberry.type(description="Something the boundary practice says should not be so.")
class BoundaryViolation:
    kind: ViolationKind
    detail: str = strawberry.field(description="What is wrong, in words, naming who and what.")
    service_id: strawberry.Private[UUID]
    api_id: strawberry.Private[UUID | None]
    at: strawberry.Private[int | None]

    @strawberry.field(description="The consuming service, the orphaned one, or the provider.")
    async def service(self, info: FlywheelInfo) -> Service:
        return await _service(info, self.service_id, self.at)

    @strawberry.field(description="The API concerned; null for an orphaned service.")
    async def api(self, info: FlywheelInfo) -> Api | None:
        return None if self.api_id is None else await _api(info, self.api_id, self.at)


@strawberry.type(description="The API boundaries of a team, a subtree or the whole company.")
class ApiBoundaries:
    scope_ids: strawberry.Private[Sequence[UUID] | None]
    provided_uses: strawberry.Private[Sequence[ReportedApiUse]]
    consumed_uses: strawberry.Private[Sequence[ReportedApiUse]]
    cross_team: strawberry.Private[Sequence[Dependency]]
    violation_list: strawberry.Private[list[BoundaryViolation]]
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
        return [ApiUse(use=use, at=self.at) for use in self.provided_uses]

    @strawberry.field(
        description="The APIs the scope's services consume, with who provides them; "
        "`dependencies` lists the scope's consumers."
    )
    def consumed(self) -> list[ApiUse]:
        return [ApiUse(use=use, at=self.at) for use in self.consumed_uses]

    @strawberry.field(
        description="Every dependency between services of different teams that has its "
        "consumer or its provider in the scope."
    )
    def cross_team_dependencies(self) -> list[ServiceDependency]:
        return [ServiceDependency.of(edge, self.at) for edge in self.cross_team]

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

    @strawberry.field
    async def consumer(self, info: FlywheelInfo) -> Team:
        return await _team(info, self.consumer_team_id, self.at)

    @strawberry.field
    async def provider(self, info: FlywheelInfo) -> Team:
        return await _team(info, self.provider_team_id, self.at)


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
    if team_id is None:
        return None
    root = uuid_of(team_id, "Team", "teamId")
    scope = await org_queries.team_scope(
        context(info).views, root, at, include_subteams=include_subteams
    )
    if not scope:
        raise client_error(f"No team with id {team_id}", NOT_FOUND)
    return scope


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
    async def api_boundaries(
        self,
        info: FlywheelInfo,
        team_id: TeamId = None,
        include_subteams: IncludeSubteams = False,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> ApiBoundaries:
        at = await resolve_at(info, as_of, at_position)
        scope = await _scope(info, team_id, include_subteams, at)
        report = await boundaries_queries.boundary_report(context(info).views, at, scope)
        return ApiBoundaries(
            scope_ids=scope,
            provided_uses=report.provided,
            consumed_uses=report.consumed,
            cross_team=report.cross_team,
            violation_list=[
                BoundaryViolation(
                    kind=v.kind, detail=v.detail, service_id=v.service_id, api_id=v.api_id, at=at
                )
                for v in report.violations
            ],
            at=at,
        )

    @strawberry.field(
        description="Team-to-team dependency counts, for a team (or its subtree) or the "
        "whole company."
    )
    async def team_coupling(
        self,
        info: FlywheelInfo,
        team_id: TeamId = None,
        include_subteams: IncludeSubteams = False,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> TeamCouplingGraph:
        at = await resolve_at(info, as_of, at_position)
        scope = await _scope(info, team_id, include_subteams, at)
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
