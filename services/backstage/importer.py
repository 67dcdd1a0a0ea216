"""Running an import: read the current state, plan, run every step in one write.

The state comes from the write side (the name claims and the aggregates they
point at), so a plan never rests on views that lag. The steps are run by the
areas' own command handlers (:class:`~services.org.commands.OrgCommands`,
:class:`~services.boundaries.commands.BoundaryCommands`), built on a
:class:`BatchBus` that runs each command against one shared unit of work instead
of saving it: every rule and role check applies, and the whole import is saved in
one atomic write at the end, or not at all. A lost race re-reads, re-plans and
runs again, as the command bus does for one command.

The same write records what the catalog now maps to (:class:`~domain.backstage.CatalogLink`),
so that the next import knows which teams and services left the catalog.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.backstage import CATALOG_LINK_ID, CatalogLink
from domain.boundaries import Service, api_key
from domain.claims import Claim, ClaimKind, claim_id, normalised_name
from domain.errors import InvalidValue
from domain.org.team import Team
from domain.provenance import acting_as
from services.api.commands import CommandContext
from services.authorization import require_leadership
from services.backstage import plan as steps
from services.backstage.catalog import Catalog, Problem
from services.backstage.mapping import Mapping
from services.backstage.plan import CurrentState, Plan, ServiceState, TeamState, plan_import
from services.boundaries import rest_apis as api_body
from services.boundaries import rest_services as service_body
from services.boundaries.commands import BoundaryCommands
from services.commands import (
    RETRY_BUDGET_SECONDS,
    Command,
    CommandBus,
    ConcurrentChange,
    Outcome,
    UnitOfWork,
    run_unsaved,
)
from services.org import rest as org_body
from services.org.commands import OrgCommands
from services.principal import Principal

IMPORT_PREFIX = "backstage-import:"

S = TypeVar("S", TeamState, ServiceState)
Active = Callable[[Aggregate | None], S | None]  # the state of an active one, else None


class CatalogRefused(InvalidValue):
    """The catalog has problems; nothing was recorded. ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "catalog",
            f"The Backstage catalog has {len(problems)} problem(s); nothing was imported: "
            + "; ".join(str(problem) for problem in problems),
        )
        self.problems = problems


@dataclass
class ImportResult:
    import_id: str
    dry_run: bool
    plan: Plan
    position: int | None = None
    recorded: list[str] = field(default_factory=list)


class BatchBus(CommandBus):
    """A command bus that runs commands against one shared unit of work, unsaved."""

    def __init__(self, bus: CommandBus) -> None:
        super().__init__(bus.app)
        self.work = UnitOfWork(bus.app)
        self.last: Aggregate | None = None

    def run(
        self,
        principal: Principal,
        correlation_id: str,
        command: Command,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        with acting_as(principal.subject, correlation_id):
            self.last = run_unsaved(self.work, command, expected_version)
        return self.work.outcome(self.last, position=0)

    def commit(self) -> int:
        if self.last is None:
            raise RuntimeError("Nothing to save")
        return self.work.save(self.last)


def _find(app_bus: CommandBus, aggregate_id: UUID) -> Aggregate | None:
    try:
        aggregate: Aggregate = app_bus.app.repository.get(aggregate_id)
    except AggregateNotFoundError:
        return None
    return aggregate


def _holder(bus: CommandBus, kind: ClaimKind, name: str) -> UUID | None:
    claim = _find(bus, claim_id(kind, normalised_name(name)))
    return claim.holder if isinstance(claim, Claim) else None


def _active_team(found: Aggregate | None) -> TeamState | None:
    if isinstance(found, Team) and not found.disbanded:
        return TeamState(
            id=found.id,
            name=found.name,
            leader=found.leader,
            parent_id=found.parent_id,
            members=dict(found.members),
        )
    return None


def _active_service(found: Aggregate | None) -> ServiceState | None:
    if isinstance(found, Service) and not found.retired:
        return ServiceState(
            id=found.id,
            name=found.name,
            owner_team_id=found.owner_team_id,
            apis={
                api_key(api_name, version): steps.ApiState(UUID(api_id), api_name, version)
                for api_id, (api_name, version) in found.apis.items()
            },
            dependencies=frozenset(found.dependencies),
        )
    return None


def _by_name(bus: CommandBus, kind: ClaimKind, names: list[str], active: Active[S]) -> dict[str, S]:
    """The active aggregates holding these names' claims, by normalised name."""
    found: dict[str, S] = {}
    for name in names:
        holder = _holder(bus, kind, name)
        state = active(_find(bus, holder) if holder is not None else None)
        if state is not None:
            found[normalised_name(name)] = state
    return found


def _by_id(bus: CommandBus, ids: AbstractSet[UUID], active: Active[S]) -> dict[UUID, S]:
    """The active aggregates among ``ids``, by id."""
    found: dict[UUID, S] = {}
    for aggregate_id in ids:
        state = active(_find(bus, aggregate_id))
        if state is not None:
            found[aggregate_id] = state
    return found


def current_state(
    bus: CommandBus,
    team_names: list[str],
    service_names: list[str],
    link: CatalogLink | None = None,
) -> CurrentState:
    """The active teams and services named like those the catalog holds, and those the
    last import held (``link``) that none of those names match, from the write side."""
    teams = _by_name(bus, ClaimKind.TEAM_NAME, team_names, _active_team)
    services = _by_name(bus, ClaimKind.SERVICE_NAME, service_names, _active_service)
    if link is None:
        return CurrentState(teams=teams, services=services)
    named_teams = {team.id for team in teams.values()}
    named_services = {service.id for service in services.values()}
    return CurrentState(
        teams=teams,
        services=services,
        unlisted_teams=_by_id(bus, link.team_ids - named_teams, _active_team),
        unlisted_services=_by_id(bus, link.service_ids - named_services, _active_service),
    )


def _names(catalog: Catalog) -> tuple[list[str], list[str]]:
    """Every name a Group or Component of the catalog could map to (title, display name, name)."""
    teams: list[str] = []
    services: list[str] = []
    for entity in catalog.entities.values():
        candidates = [
            entity.text("spec", "profile", "displayName"),
            entity.text("metadata", "title"),
            entity.ref.name,
        ]
        names = [name for name in candidates if name]
        if entity.kind == "group":
            teams.extend(names)
        elif entity.kind == "component":
            services.extend(names)
    return teams, services


class BackstageImports:
    """Imports a catalog into the org and its boundaries (leadership only)."""

    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def import_catalog(
        self,
        principal: Principal,
        catalog: Catalog,
        *,
        mapping: Mapping | None = None,
        dry_run: bool = False,
        import_id: str | None = None,
    ) -> ImportResult:
        require_leadership(principal, "Importing a Backstage catalog")
        import_id = import_id or f"{IMPORT_PREFIX}{uuid4()}"
        team_names, service_names = _names(catalog)
        deadline = time.monotonic() + RETRY_BUDGET_SECONDS
        attempts = 0
        while True:
            found = _find(self.bus, CATALOG_LINK_ID)
            link = found if isinstance(found, CatalogLink) else None
            state = current_state(self.bus, team_names, service_names, link)
            plan = plan_import(catalog, state, mapping)
            if not plan.ok:
                raise CatalogRefused(plan.errors)
            result = ImportResult(import_id=import_id, dry_run=dry_run, plan=plan)
            if dry_run or not plan.steps:
                return result
            batch = BatchBus(self.bus)
            result.recorded, made = run_steps(batch, principal, import_id, plan)
            _record_link(batch, principal, import_id, plan, made)
            try:
                result.position = batch.commit()
            except IntegrityError:
                attempts += 1
                if time.monotonic() > deadline:
                    raise ConcurrentChange(
                        f"Gave up after {attempts} attempts: other commands kept changing "
                        "the teams or services this catalog names",
                        attempts=attempts,
                    ) from None
                continue
            return result


def resolved(target: steps.Target, made: dict[str, UUID]) -> UUID:
    """The id of what ``target`` names: an id already, or the ref of what a step made."""
    return target if isinstance(target, UUID) else made[target]


def _record_link(
    batch: BatchBus, principal: Principal, import_id: str, plan: Plan, made: dict[str, UUID]
) -> None:
    """Record, in the import's write, the teams and services the catalog now maps to."""
    teams = [resolved(target, made) for target in plan.teams]
    services = [resolved(target, made) for target in plan.services]
    with acting_as(principal.subject, import_id):
        link = batch.work.find(CatalogLink, CATALOG_LINK_ID)
        if link is None:
            batch.work.add(CatalogLink.link(import_id, teams, services))
        else:
            link.record_import(import_id, teams, services)


def run_steps(
    batch: CommandBus, principal: Principal, import_id: str, plan: Plan
) -> tuple[list[str], dict[str, UUID]]:
    """Run every step through the areas' command handlers on ``batch`` (a
    :class:`BatchBus`; on a plain :class:`CommandBus` each step is its own write).
    Returns what each step did, and the ids of what they made by entity reference."""
    org = OrgCommands(batch)
    boundaries = BoundaryCommands(batch)
    made: dict[str, UUID] = {}
    reason = steps.REASON

    def resolve(target: steps.Target) -> UUID:
        return resolved(target, made)

    context = CommandContext(principal, import_id)
    recorded: list[str] = []
    for step in plan.steps:
        match step:
            case steps.CharterTeam():
                outcome = org.charter_team(
                    context,
                    org_body.CharterTeam(
                        name=step.name,
                        mission=step.mission,
                        leader=step.leader,
                        parent_id=None if step.parent is None else resolve(step.parent),
                    ),
                )
                made[step.ref] = outcome.id
            case steps.AppointLeader():
                org.appoint_leader(
                    context, step.team_id, org_body.AppointLeader(leader=step.leader, reason=reason)
                )
            case steps.MoveTeam():
                org.move_team(
                    context,
                    step.team_id,
                    org_body.MoveTeam(
                        parent_id=None if step.parent is None else resolve(step.parent),
                        reason=reason,
                    ),
                )
            case steps.AddMember():
                org.add_member(
                    context,
                    resolve(step.team),
                    org_body.AddMember(
                        person=step.person, function=step.function, attachment=step.attachment
                    ),
                )
            case steps.RemoveMember():
                org.remove_member(context, step.team_id, step.person, reason)
            case steps.RegisterService():
                outcome = boundaries.register_service(
                    context,
                    service_body.RegisterService(
                        name=step.name,
                        owner_team_id=resolve(step.owner),
                        description=step.description,
                    ),
                )
                made[step.ref] = outcome.id
            case steps.TransferService():
                boundaries.transfer_service(
                    context,
                    step.service_id,
                    service_body.TransferService(to_team_id=resolve(step.to), reason=reason),
                )
            case steps.PublishApi():
                outcome = boundaries.publish_api(
                    context,
                    resolve(step.service),
                    service_body.PublishApi(
                        name=step.name,
                        version=step.version,
                        kind=step.kind,
                        visibility=step.visibility,
                    ),
                )
                made[step.ref] = outcome.id
            case steps.RetireApi():
                boundaries.retire_api(context, step.api_id, api_body.RetireApi(reason=reason))
            case steps.DeclareDependency():
                boundaries.declare_dependency(
                    context,
                    resolve(step.service),
                    service_body.DeclareDependency(api_id=resolve(step.api)),
                )
            case steps.DropDependency():
                boundaries.drop_dependency(context, step.service_id, step.api_id, reason)
            case steps.RetireService():
                boundaries.retire_service(
                    context, step.service_id, service_body.RetireService(reason=reason)
                )
            case steps.DisbandTeam():
                org.disband_team(context, step.team_id, org_body.DisbandTeam(reason=reason))
        recorded.append(step.describe())
    return recorded, made
