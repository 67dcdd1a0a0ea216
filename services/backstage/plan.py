"""The import's plan: a catalog and the current state in, the commands to run out.

:func:`plan_import` is a pure function. It reads what the catalog wants (teams
from Groups, members from Users, services from Components, APIs from the
Components that provide them, dependencies from ``consumesApis``), reports every
problem it finds (dangling references, duplicates, groups without a leader),
and compares the result with :class:`CurrentState`: only the differences become
steps, each one of the normal commands. Steps come in an order the rules accept:
removals and leader changes first, then new teams parents first, moves, members,
services, transfers, dropped dependencies, retired APIs, new APIs, new dependencies,
and last what the catalog no longer names: the services an earlier import held are
retired (their APIs first), then its teams are disbanded, subteams first.
"""

from __future__ import annotations

import json
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from uuid import UUID

from domain.boundaries import ApiKind, Visibility, api_key
from domain.claims import normalised_name
from domain.errors import InvalidValue
from domain.org.team import Attachment
from domain.people.values import Function, PersonId, person_id
from services.backstage import mapping as keys
from services.backstage.catalog import Catalog, Entity, EntityRef, Problem, parse_ref
from services.backstage.mapping import Mapping

REASON = "imported from Backstage"

Target = UUID | str  # an id that exists, or the entity reference of what the plan creates


@dataclass(frozen=True)
class TeamState:
    id: UUID
    name: str
    leader: str
    parent_id: UUID | None
    members: MappingType[str, str]  # person -> Attachment value


@dataclass(frozen=True)
class ApiState:
    id: UUID
    name: str
    version: str


@dataclass(frozen=True)
class ServiceState:
    id: UUID
    name: str
    owner_team_id: UUID
    apis: MappingType[str, ApiState]  # api_key(name, version) -> the API, not retired
    dependencies: frozenset[UUID]


@dataclass(frozen=True)
class CurrentState:
    """The active teams and services the catalog's names match, keyed by normalised name;
    and those an earlier import held that none of its names match (``unlisted``), by id."""

    teams: MappingType[str, TeamState] = field(default_factory=dict)
    services: MappingType[str, ServiceState] = field(default_factory=dict)
    unlisted_teams: MappingType[UUID, TeamState] = field(default_factory=dict)
    unlisted_services: MappingType[UUID, ServiceState] = field(default_factory=dict)


# --- steps -------------------------------------------------------------------------


@dataclass(frozen=True)
class CharterTeam:
    ref: str
    name: str
    mission: str
    leader: str
    parent: Target | None
    action = "add"

    def describe(self) -> str:
        return f"charter team '{self.name}' led by {self.leader}"


@dataclass(frozen=True)
class AppointLeader:
    team_id: UUID
    team: str
    leader: str
    action = "change"

    def describe(self) -> str:
        return f"appoint {self.leader} to lead team '{self.team}'"


@dataclass(frozen=True)
class MoveTeam:
    team_id: UUID
    team: str
    parent: Target | None
    parent_name: str | None
    action = "change"

    def describe(self) -> str:
        where = f"under '{self.parent_name}'" if self.parent_name else "to the root"
        return f"move team '{self.team}' {where}"


@dataclass(frozen=True)
class AddMember:
    team: Target
    team_name: str
    person: str
    function: Function
    attachment: Attachment
    action = "add"

    def describe(self) -> str:
        return (
            f"add {self.person} to team '{self.team_name}' "
            f"({self.function.value}, {self.attachment.value})"
        )


@dataclass(frozen=True)
class RemoveMember:
    team_id: UUID
    team: str
    person: str
    action = "remove"

    def describe(self) -> str:
        return f"remove {self.person} from team '{self.team}'"


@dataclass(frozen=True)
class RegisterService:
    ref: str
    name: str
    description: str
    owner: Target
    owner_name: str
    action = "add"

    def describe(self) -> str:
        return f"register service '{self.name}' owned by team '{self.owner_name}'"


@dataclass(frozen=True)
class TransferService:
    service_id: UUID
    service: str
    to: Target
    to_name: str
    action = "change"

    def describe(self) -> str:
        return f"transfer service '{self.service}' to team '{self.to_name}'"


@dataclass(frozen=True)
class PublishApi:
    ref: str
    service: Target
    service_name: str
    name: str
    version: str
    kind: ApiKind
    visibility: Visibility
    action = "add"

    def describe(self) -> str:
        return (
            f"publish API '{self.name}' {self.version} ({self.kind.value}, "
            f"{self.visibility.value}) from service '{self.service_name}'"
        )


@dataclass(frozen=True)
class RetireApi:
    api_id: UUID
    name: str
    version: str
    service_name: str
    action = "remove"

    def describe(self) -> str:
        return f"retire API '{self.name}' {self.version} of service '{self.service_name}'"


@dataclass(frozen=True)
class DeclareDependency:
    service: Target
    service_name: str
    api: Target
    api_name: str
    action = "add"

    def describe(self) -> str:
        return f"service '{self.service_name}' consumes API '{self.api_name}'"


@dataclass(frozen=True)
class DropDependency:
    service_id: UUID
    service_name: str
    api_id: UUID
    api_name: str
    action = "remove"

    def describe(self) -> str:
        return f"service '{self.service_name}' no longer consumes API '{self.api_name}'"


@dataclass(frozen=True)
class RetireService:
    service_id: UUID
    name: str
    action = "remove"

    def describe(self) -> str:
        return f"retire service '{self.name}' (no longer in the catalog)"


@dataclass(frozen=True)
class DisbandTeam:
    team_id: UUID
    name: str
    action = "remove"

    def describe(self) -> str:
        return f"disband team '{self.name}' (no longer in the catalog)"


Step = (
    CharterTeam
    | AppointLeader
    | MoveTeam
    | AddMember
    | RemoveMember
    | RegisterService
    | TransferService
    | PublishApi
    | RetireApi
    | DeclareDependency
    | DropDependency
    | RetireService
    | DisbandTeam
)


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    # What the catalog maps to once the steps ran (an id, or the ref of what a step makes).
    teams: list[Target] = field(default_factory=list)
    services: list[Target] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- what the catalog wants ------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    function: Function
    attachment: Attachment


@dataclass
class WantedTeam:
    entity: Entity
    name: str
    mission: str
    leader: PersonId | None
    parent: EntityRef | None = None
    members: dict[str, Membership] = field(default_factory=dict)


@dataclass
class WantedApi:
    entity: Entity
    name: str
    version: str
    kind: ApiKind
    visibility: Visibility
    provider: EntityRef | None = None


@dataclass
class WantedService:
    entity: Entity
    name: str
    description: str
    owner: EntityRef | None
    consumes: list[EntityRef] = field(default_factory=list)


class _Reader:
    """Turns the catalog's entities into what Flywheel should hold, collecting problems."""

    def __init__(self, catalog: Catalog, mapping: Mapping) -> None:
        self.catalog = catalog
        self.mapping = mapping
        self.errors: list[Problem] = list(catalog.errors)
        self.notes: list[Problem] = list(catalog.notes)
        self.handles: dict[EntityRef, PersonId] = {}
        self.teams: dict[EntityRef, WantedTeam] = {}
        self.services: dict[EntityRef, WantedService] = {}
        self.apis: dict[EntityRef, WantedApi] = {}

    def error(self, entity: Entity, message: str) -> None:
        self.errors.append(Problem(entity.source, str(entity.ref), message))

    def note(self, entity: Entity, message: str) -> None:
        self.notes.append(Problem(entity.source, str(entity.ref), message))

    def resolve(self, entity: Entity, key: str, kind: str) -> list[EntityRef]:
        """``spec.<key>``'s references that name an entity of ``kind`` in the catalog;
        each one that does not is a dangling reference."""
        found: list[EntityRef] = []
        for text, ref in entity.refs(key, default_kind=kind):
            if ref is None:
                self.error(entity, f"spec.{key}: {text!r} is not an entity reference")
            elif ref not in self.catalog.entities:
                self.error(entity, f"spec.{key}: {ref} is not in the catalog (dangling reference)")
            elif ref.kind != kind:
                self.error(entity, f"spec.{key}: {ref} is a {ref.kind}, not a {kind}")
            else:
                found.append(ref)
        return found

    def read(self) -> None:
        self._users_handles()
        for entity in self.catalog.of_kind("group"):
            self._group(entity)
        self._tree()
        for entity in self.catalog.of_kind("user"):
            self._memberships(entity)
        for entity in self.catalog.of_kind("group"):
            for ref in self.resolve(entity, "members", "user"):
                user = self.catalog.entities[ref]
                self._join(user, ref, entity.ref)
        for entity in self.catalog.of_kind("api"):
            self._api(entity)
        for entity in self.catalog.of_kind("component"):
            self._component(entity)
        for api in self.apis.values():
            if api.provider is None:
                self.note(api.entity, "not imported: no Component lists it in `providesApis`")
        self._duplicates()

    def _users_handles(self) -> None:
        for entity in self.catalog.of_kind("user"):
            raw = (
                entity.annotation(keys.HANDLE)
                or entity.text("spec", "profile", "email")
                or entity.ref.name
            )
            try:
                self.handles[entity.ref] = person_id(raw, field="handle")
            except InvalidValue as error:
                self.error(entity, f"no usable handle: {error.detail}")

    def _leader(self, entity: Entity) -> PersonId | None:
        raw = self.mapping.leaders.get(str(entity.ref)) or entity.annotation(keys.LEADER)
        if raw is None:
            self.error(
                entity,
                f"the group has no leader: set the `{keys.LEADER}` annotation "
                "or `leaders` in the mapping file",
            )
            return None
        try:
            ref: EntityRef | None = parse_ref(
                raw, default_kind="user", default_namespace=entity.ref.namespace
            )
        except ValueError:
            ref = None
        if ref is not None and ref in self.handles:
            return self.handles[ref]
        if ":" in raw:
            self.error(entity, f"{keys.LEADER}: {raw} is not in the catalog (dangling reference)")
            return None
        try:
            return person_id(raw, field="leader")
        except InvalidValue as error:
            self.error(entity, f"{keys.LEADER}: {error.detail}")
            return None

    def _group(self, entity: Entity) -> None:
        name = (
            entity.text("spec", "profile", "displayName")
            or entity.text("metadata", "title")
            or entity.ref.name
        )
        mission = (
            entity.text("metadata", "description") or f"Imported from Backstage ({entity.ref})"
        )
        self.teams[entity.ref] = WantedTeam(
            entity=entity, name=name, mission=mission, leader=self._leader(entity)
        )

    def _tree(self) -> None:
        for team in self.teams.values():
            parents = self.resolve(team.entity, "parent", "group")
            if parents:
                team.parent = parents[0]
        for ref, team in self.teams.items():
            for child in self.resolve(team.entity, "children", "group"):
                wanted = self.teams[child]
                if wanted.parent is not None and wanted.parent != ref:
                    self.error(
                        team.entity,
                        f"spec.children names {child}, whose spec.parent is {wanted.parent}",
                    )
                wanted.parent = ref
        for ref in self.teams:
            seen = [ref]
            parent = self.teams[ref].parent
            while parent is not None and parent not in seen:
                seen.append(parent)
                parent = self.teams[parent].parent
            if parent == ref:
                chain = " > ".join(str(r) for r in reversed(seen))
                self.error(self.teams[ref].entity, f"the groups' parents form a loop: {chain}")

    def _membership(self, user: Entity, group: EntityRef) -> Membership:
        given: dict[str, str] = {}
        raw = user.annotation(keys.MEMBERSHIPS)
        if raw is not None:
            try:
                parsed = json.loads(raw)
                if isinstance(parsed, dict):
                    for key, value in parsed.items():
                        if str(key).casefold() == str(group) and isinstance(value, dict):
                            given = {str(k): str(v) for k, v in value.items()}
            except json.JSONDecodeError:
                self.error(user, f"{keys.MEMBERSHIPS} must be JSON")
        mapped = self.mapping.members.get(str(user.ref), {})
        function = (
            mapped.get("function")
            or given.get("function")
            or user.annotation(keys.FUNCTION)
            or self.mapping.defaults.function.value
        )
        attachment = (
            mapped.get("attachment")
            or given.get("attachment")
            or user.annotation(keys.ATTACHMENT)
            or self.mapping.defaults.attachment.value
        )
        try:
            return Membership(Function(function), Attachment(attachment))
        except ValueError as error:
            self.error(user, f"membership of {group}: {error}")
            return Membership(self.mapping.defaults.function, self.mapping.defaults.attachment)

    def _memberships(self, user: Entity) -> None:
        for group in self.resolve(user, "memberOf", "group"):
            self._join(user, user.ref, group)

    def _join(self, user: Entity, ref: EntityRef, group: EntityRef) -> None:
        handle = self.handles.get(ref)
        team = self.teams.get(group)
        if handle is None or team is None or handle == team.leader:
            return  # the leader leads the team: a member of it, in Backstage's terms
        team.members[handle] = self._membership(user, group)

    def _api(self, entity: Entity) -> None:
        mapped = self.mapping.apis.get(str(entity.ref), {})
        api_type = (entity.text("spec", "type") or "").casefold()
        kind_text = mapped.get("kind") or entity.annotation(keys.API_KIND)
        try:
            kind = ApiKind(kind_text) if kind_text else keys.API_TYPES[api_type]
        except (ValueError, KeyError):
            self.error(
                entity,
                f"API type {api_type or '(none)'} has no Flywheel kind: set "
                f"`{keys.API_KIND}` (REST, GRAPHQL, GRPC or EVENTS) or `apis` in the mapping file",
            )
            kind = ApiKind.REST
        visibility_text = (
            mapped.get("visibility")
            or entity.annotation(keys.VISIBILITY)
            or self.mapping.defaults.visibility.value
        )
        try:
            visibility = Visibility(visibility_text)
        except ValueError:
            self.error(entity, f"visibility {visibility_text!r} is neither PUBLIC nor INTERNAL")
            visibility = Visibility.INTERNAL
        self.apis[entity.ref] = WantedApi(
            entity=entity,
            name=entity.text("metadata", "title") or entity.ref.name,
            version=mapped.get("version")
            or entity.annotation(keys.API_VERSION)
            or self.mapping.defaults.api_version,
            kind=kind,
            visibility=visibility,
        )

    def _component(self, entity: Entity) -> None:
        owners = self.resolve(entity, "owner", "group") if "owner" in entity.spec else []
        if "owner" not in entity.spec:
            self.error(entity, "the component has no spec.owner")
        service = WantedService(
            entity=entity,
            name=entity.text("metadata", "title") or entity.ref.name,
            description=entity.text("metadata", "description")
            or f"Imported from Backstage ({entity.ref})",
            owner=owners[0] if owners else None,
        )
        self.services[entity.ref] = service
        for api_ref in self.resolve(entity, "providesApis", "api"):
            api = self.apis[api_ref]
            if api.provider is not None and api.provider != entity.ref:
                self.error(
                    entity,
                    f"{api_ref} is already provided by {api.provider}: "
                    "a Flywheel API belongs to one service",
                )
            api.provider = entity.ref
        service.consumes = self.resolve(entity, "consumesApis", "api")

    def _duplicates(self) -> None:
        for label, named in (("team", self.teams), ("service", self.services)):
            seen: dict[str, Entity] = {}
            for wanted in named.values():
                key = normalised_name(wanted.name)
                if key in seen:
                    self.error(
                        wanted.entity,
                        f"{label} name '{wanted.name}' is also the name of {seen[key].ref} "
                        f"({seen[key].source})",
                    )
                else:
                    seen[key] = wanted.entity
        owners: dict[str, EntityRef] = {}
        for ref, handle in self.handles.items():
            if handle in owners:
                self.error(
                    self.catalog.entities[ref],
                    f"handle {handle} is also the handle of {owners[handle]}",
                )
            owners[handle] = ref
        leaders: dict[str, WantedTeam] = {}
        for team in self.teams.values():
            if team.leader is None:
                continue
            if team.leader in leaders:
                self.error(
                    team.entity,
                    f"{team.leader} would lead both '{leaders[team.leader].name}' and "
                    f"'{team.name}'; a person leads at most one team",
                )
            leaders[team.leader] = team
        for api in self.apis.values():
            for other in self.apis.values():
                if (
                    other is not api
                    and other.provider == api.provider
                    and api.provider is not None
                    and api_key(other.name, other.version) == api_key(api.name, api.version)
                    and str(other.entity.ref) < str(api.entity.ref)
                ):
                    self.error(
                        api.entity,
                        f"{other.entity.ref} has the same name and version in the same service",
                    )


# --- the difference --------------------------------------------------------------


def plan_import(catalog: Catalog, state: CurrentState, mapping: Mapping | None = None) -> Plan:
    """The steps that bring ``state`` to what ``catalog`` says, or the problems found."""
    reader = _Reader(catalog, mapping or Mapping())
    reader.read()
    plan = Plan(errors=reader.errors, notes=reader.notes)
    if not plan.ok:
        return plan
    _Differ(reader, state, plan).run()
    return plan


def _freeing_first(appointments: list[AppointLeader], state: CurrentState) -> list[Step]:
    """Appointments ordered so that a person's current team gets its new leader before
    the person is appointed elsewhere (a person leads one team at a time). A cycle (two
    leaders swapping teams) stays in catalog order, and the rule refuses it."""
    leading = {team.leader: team.id for team in state.teams.values()}
    pending = list(appointments)
    ordered: list[Step] = []
    while pending:
        waiting = {step.team_id for step in pending}
        ready = [step for step in pending if leading.get(step.leader) not in waiting]
        if not ready:
            ordered.extend(pending)
            break
        ordered.extend(ready)
        pending = [step for step in pending if step not in ready]
    return ordered


class _Differ:
    def __init__(self, reader: _Reader, state: CurrentState, plan: Plan) -> None:
        self.reader = reader
        self.state = state
        self.plan = plan
        self.existing_teams = {
            ref: state.teams.get(normalised_name(team.name)) for ref, team in reader.teams.items()
        }
        self.api_labels = {
            api.id: f"{api.name} {api.version}"
            for service in [*state.services.values(), *state.unlisted_services.values()]
            for api in service.apis.values()
        }
        self.existing_services = {
            ref: state.services.get(normalised_name(service.name))
            for ref, service in reader.services.items()
        }

    def team_target(self, ref: EntityRef) -> Target:
        existing = self.existing_teams[ref]
        return existing.id if existing is not None else str(ref)

    def service_target(self, ref: EntityRef) -> Target:
        existing = self.existing_services[ref]
        return existing.id if existing is not None else str(ref)

    def api_target(self, ref: EntityRef) -> tuple[Target, str]:
        api = self.reader.apis[ref]
        assert api.provider is not None
        service = self.existing_services[api.provider]
        existing = service.apis.get(api_key(api.name, api.version)) if service is not None else None
        label = f"{api.name} {api.version}"
        return (existing.id if existing is not None else str(ref)), label

    def run(self) -> None:
        removals: list[Step] = []
        appointments: list[AppointLeader] = []
        charters: list[Step] = []
        moves: list[Step] = []
        additions: list[Step] = []
        teams = self.reader.teams
        for ref, wanted in teams.items():
            existing = self.existing_teams[ref]
            assert wanted.leader is not None
            parent_name = teams[wanted.parent].name if wanted.parent is not None else None
            parent = self.team_target(wanted.parent) if wanted.parent is not None else None
            if existing is None:
                continue
            for person, attachment in existing.members.items():
                member = wanted.members.get(person)
                if person == wanted.leader:
                    continue  # appointing them ends their membership
                if member is None or member.attachment.value != attachment:
                    removals.append(RemoveMember(existing.id, existing.name, person))
            if existing.leader != wanted.leader:
                appointments.append(AppointLeader(existing.id, existing.name, wanted.leader))
            if parent != existing.parent_id:
                moves.append(MoveTeam(existing.id, existing.name, parent, parent_name))
        for ref in self._parents_first([r for r in teams if self.existing_teams[r] is None]):
            wanted = teams[ref]
            assert wanted.leader is not None
            charters.append(
                CharterTeam(
                    ref=str(ref),
                    name=wanted.name,
                    mission=wanted.mission,
                    leader=wanted.leader,
                    parent=self.team_target(wanted.parent) if wanted.parent else None,
                )
            )
        for ref, wanted in teams.items():
            existing = self.existing_teams[ref]
            current = existing.members if existing is not None else {}
            for person, member in sorted(wanted.members.items()):
                if current.get(person) != member.attachment.value:
                    additions.append(
                        AddMember(
                            self.team_target(ref),
                            wanted.name,
                            person,
                            member.function,
                            member.attachment,
                        )
                    )
        self.plan.steps.extend(
            [*removals, *_freeing_first(appointments, self.state), *charters, *moves, *additions]
        )
        self._boundaries()

    def _parents_first(self, refs: list[EntityRef]) -> list[EntityRef]:
        ordered: list[EntityRef] = []
        pending = set(refs)

        def visit(ref: EntityRef) -> None:
            if ref not in pending:
                return
            pending.discard(ref)
            parent = self.reader.teams[ref].parent
            if parent is not None:
                visit(parent)
            ordered.append(ref)

        for ref in refs:
            visit(ref)
        return ordered

    def _boundaries(self) -> None:
        teams = self.reader.teams
        registrations: list[Step] = []
        transfers: list[Step] = []
        drops: list[Step] = []
        retirements: list[Step] = []
        publications: list[Step] = []
        declarations: list[Step] = []
        provided: dict[EntityRef, list[WantedApi]] = {}
        for api in self.reader.apis.values():
            if api.provider is not None:
                provided.setdefault(api.provider, []).append(api)
        for ref, wanted in self.reader.services.items():
            assert wanted.owner is not None
            owner = self.team_target(wanted.owner)
            owner_name = teams[wanted.owner].name
            existing = self.existing_services[ref]
            if existing is None:
                registrations.append(
                    RegisterService(str(ref), wanted.name, wanted.description, owner, owner_name)
                )
            elif existing.owner_team_id != owner:
                transfers.append(TransferService(existing.id, existing.name, owner, owner_name))
            wanted_keys = {api_key(a.name, a.version) for a in provided.get(ref, [])}
            if existing is not None:
                for key, held in sorted(existing.apis.items()):
                    if key not in wanted_keys:
                        retirements.append(
                            RetireApi(held.id, held.name, held.version, existing.name)
                        )
            for api in provided.get(ref, []):
                if existing is None or api_key(api.name, api.version) not in existing.apis:
                    publications.append(
                        PublishApi(
                            str(api.entity.ref),
                            self.service_target(ref),
                            wanted.name,
                            api.name,
                            api.version,
                            api.kind,
                            api.visibility,
                        )
                    )
            wanted_apis: dict[Target, str] = {}
            for api_ref in wanted.consumes:
                if self.reader.apis[api_ref].provider is None:
                    self.plan.errors.append(
                        Problem(
                            wanted.entity.source,
                            str(ref),
                            f"spec.consumesApis: {api_ref} is provided by no Component, "
                            "and a dependency must point at a published API",
                        )
                    )
                    continue
                target, label = self.api_target(api_ref)
                wanted_apis[target] = label
            current: frozenset[UUID] = frozenset()
            if existing is not None:
                current = existing.dependencies
                for api_id in sorted(current - wanted_apis.keys(), key=str):
                    label = self.api_labels.get(api_id, str(api_id))
                    drops.append(DropDependency(existing.id, existing.name, api_id, label))
            for target, label in wanted_apis.items():
                if target not in current:
                    declarations.append(
                        DeclareDependency(self.service_target(ref), wanted.name, target, label)
                    )
        if self.plan.errors:
            self.plan.steps.clear()
            return
        self.plan.steps.extend(
            [*registrations, *transfers, *drops, *retirements, *publications, *declarations]
        )
        self.plan.steps.extend(self._unlisted())
        self.plan.teams = [self.team_target(ref) for ref in teams]
        self.plan.services = [self.service_target(ref) for ref in self.reader.services]

    def _unlisted(self) -> list[Step]:
        """Retire the services and disband the teams an earlier import held that the
        catalog no longer names: a service's APIs first, a team's subteams first."""
        removals: list[Step] = []
        for service in sorted(self.state.unlisted_services.values(), key=lambda s: s.name):
            for held in sorted(service.apis.values(), key=lambda a: (a.name, a.version)):
                removals.append(RetireApi(held.id, held.name, held.version, service.name))
            removals.append(RetireService(service.id, service.name))
        unlisted = self.state.unlisted_teams
        done: set[UUID] = set()

        def disband(team: TeamState) -> None:
            if team.id in done:
                return
            done.add(team.id)
            for child in sorted(unlisted.values(), key=lambda t: t.name):
                if child.parent_id == team.id:
                    disband(child)
            removals.append(DisbandTeam(team.id, team.name))

        for team in sorted(unlisted.values(), key=lambda t: t.name):
            disband(team)
        return removals
