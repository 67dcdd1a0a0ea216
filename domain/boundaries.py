"""API boundaries: services owned by one team, the APIs they publish, what they consume.

Teams can only run independently when the code is split into services with
defined APIs. A :class:`Service` has exactly one owning team; ownership moves
only by a transfer with a reason. A service publishes :class:`Api` records
(name, version, kind, visibility) and declares which APIs it consumes.

The rules that span aggregates are kept by saving the aggregates involved
together, so that optimistic concurrency refuses a racing command:

* the owning :class:`~domain.org.team.Team` records the services it owns (it cannot
  be disbanded while it owns any), and is saved with the service it gains or loses;
* a service records its APIs that are not retired (their ``(name, version)`` is
  unique per service, and a service cannot be retired while it has any);
* an API records its consumers (it cannot be retired while it has any), and is
  saved with the consuming service whenever a dependency is declared or dropped.

Retiring a service drops its own dependencies with it; its APIs must be retired
first. Consuming a deprecated API is allowed; the boundary views report it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.claims import normalised_name
from domain.errors import InvalidValue, NotFound, RuleViolation
from domain.org.team import MAX_NAME_LENGTH, Team, optional_reason, reason_text
from domain.values import CaseInsensitiveEnum, required_text

MAX_DESCRIPTION_LENGTH = 2000
MAX_API_VERSION_LENGTH = 40


class ServiceStatus(CaseInsensitiveEnum):
    ACTIVE = "ACTIVE"
    RETIRED = "RETIRED"


class ApiKind(CaseInsensitiveEnum):
    REST = "REST"
    GRAPHQL = "GRAPHQL"
    GRPC = "GRPC"
    EVENTS = "EVENTS"


class Visibility(CaseInsensitiveEnum):
    PUBLIC = "PUBLIC"
    INTERNAL = "INTERNAL"


class ApiStatus(CaseInsensitiveEnum):
    PUBLISHED = "PUBLISHED"
    DEPRECATED = "DEPRECATED"
    RETIRED = "RETIRED"


class ServiceNameTaken(RuleViolation):
    """Names of active services are unique (compared without case), so a name says which
    service, and so which owning team, is meant."""

    rule = "service-name-taken"


class ServiceRetired(RuleViolation):
    """A retired service takes no more commands; register a new service instead."""

    rule = "service-retired"


class ServiceAlreadyOwned(RuleViolation):
    """A transfer moves a service to another team; transferring it to the team that already
    owns it changes nothing and is refused."""

    rule = "service-already-owned"


class ServiceHasActiveApis(RuleViolation):
    """A service cannot be retired while it still publishes APIs: consumers would be left
    pointing at an API nobody provides. Retire its APIs first."""

    rule = "service-has-active-apis"


class ApiAlreadyPublished(RuleViolation):
    """A service publishes each API name and version once (compared without case) while it
    is not retired, so a consumer always knows which contract it depends on."""

    rule = "api-already-published"


class ApiRetired(RuleViolation):
    """A retired API takes no more commands, and no service may start to depend on it:
    a dependency must point at a published, non-retired API."""

    rule = "api-retired"


class ApiAlreadyDeprecated(RuleViolation):
    """An API is deprecated once, with its sunset date and reason."""

    rule = "api-already-deprecated"


class ApiHasActiveConsumers(RuleViolation):
    """An API cannot be retired while services still consume it; they must drop the
    dependency first (deprecate the API with a sunset date to tell them)."""

    rule = "api-has-active-consumers"


class DependencyAlreadyDeclared(RuleViolation):
    """A service declares that it consumes an API once."""

    rule = "dependency-already-declared"


class ServiceConsumesOwnApi(RuleViolation):
    """A dependency is an edge between services; a service does not depend on the APIs it
    publishes itself."""

    rule = "service-consumes-own-api"


class NotADependency(NotFound):
    def __init__(self, service: Service, api_id: UUID) -> None:
        super().__init__("dependency", api_id)
        self.detail = f"Service '{service.name}' does not consume API {api_id}"


def service_name(raw: str) -> str:
    return required_text("name", raw, max_length=MAX_NAME_LENGTH)


def api_name(raw: str) -> str:
    return required_text("name", raw, max_length=MAX_NAME_LENGTH)


def api_version_text(raw: str) -> str:
    text = required_text("version", raw, max_length=MAX_API_VERSION_LENGTH)
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidValue("version", "`version` must be one word, e.g. v2 or 1.4.0")
    return text


def api_key(name: str, version: str) -> str:
    """What makes an API unique within its service: name and version, without case."""
    return f"{normalised_name(name)}@{version.casefold()}"


class Service(AttributedAggregate):
    class Registered(AttributedAggregate.Created):
        name: str
        description: str
        owner_team_id: UUID

    class Transferred(AttributedAggregate.Event):
        from_team_id: UUID
        to_team_id: UUID
        reason: str

    class ApiAttached(AttributedAggregate.Event):
        api_id: UUID
        name: str
        api_version: str

    class ApiDetached(AttributedAggregate.Event):
        api_id: UUID

    class DependencyDeclared(AttributedAggregate.Event):
        api_id: UUID

    class DependencyDropped(AttributedAggregate.Event):
        api_id: UUID
        reason: str

    class Retired(AttributedAggregate.Event):
        reason: str

    def __init__(self, name: str, description: str, owner_team_id: UUID) -> None:
        self.name = name
        self.description = description
        self.owner_team_id = owner_team_id
        self.apis: dict[str, list[str]] = {}  # api id -> [name, version], not retired
        self.dependencies: list[UUID] = []  # the APIs this service consumes
        self.retired = False

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def register(cls, *, name: str, description: str, owner: Team) -> Service:
        """A new service owned by ``owner``, which must be an active team."""
        service = cls(
            name=service_name(name),
            description=required_text(
                "description", description, max_length=MAX_DESCRIPTION_LENGTH, multiline=True
            ),
            owner_team_id=owner.id,
        )
        owner.attach_service(service.id)
        return service

    @property
    def status(self) -> ServiceStatus:
        return ServiceStatus.RETIRED if self.retired else ServiceStatus.ACTIVE

    def api_names(self) -> list[str]:
        """The service's APIs that are not retired, as ``name version``."""
        return sorted(f"{name} {version}" for name, version in self.apis.values())

    def transfer(self, *, current_owner: Team, new_owner: Team, reason: str) -> None:
        """Hand the service to another active team; both teams record the change."""
        self._require_active()
        why = reason_text(reason)
        if current_owner.id != self.owner_team_id:
            raise ValueError("current_owner must be the team that owns the service")
        if new_owner.id == self.owner_team_id:
            raise ServiceAlreadyOwned(
                f"Service '{self.name}' is already owned by team '{new_owner.name}'",
                service_id=str(self.id),
            )
        new_owner.attach_service(self.id)
        current_owner.detach_service(self.id)
        self._transferred(from_team_id=current_owner.id, to_team_id=new_owner.id, reason=why)

    def attach_api(self, api_id: UUID, name: str, version: str) -> None:
        self._require_active()
        key = api_key(name, version)
        if any(api_key(*published) == key for published in self.apis.values()):
            raise ApiAlreadyPublished(
                f"Service '{self.name}' already publishes API '{name}' version {version}",
                service_id=str(self.id),
            )
        self._api_attached(api_id=api_id, name=name, api_version=version)

    def detach_api(self, api_id: UUID) -> None:
        if str(api_id) in self.apis:
            self._api_detached(api_id=api_id)

    def declare_dependency(self, api: Api) -> None:
        """Start consuming ``api``, which must be published and not retired."""
        self._require_active()
        if api.service_id == self.id:
            raise ServiceConsumesOwnApi(
                f"Service '{self.name}' publishes API '{api.name}' {api.api_version} itself",
                service_id=str(self.id),
                api_id=str(api.id),
            )
        if api.id in self.dependencies:
            raise DependencyAlreadyDeclared(
                f"Service '{self.name}' already consumes API '{api.name}' {api.api_version}",
                service_id=str(self.id),
                api_id=str(api.id),
            )
        api.attach_consumer(self.id)
        self._dependency_declared(api_id=api.id)

    def drop_dependency(self, api: Api, reason: str = "") -> None:
        self._require_active()
        self._drop(api, optional_reason(reason))

    def retire(self, reason: str, *, consumed: Sequence[Api]) -> None:
        """Retire the service, dropping the dependencies it still has.

        ``consumed`` are the APIs it depends on, so that each forgets this consumer.
        """
        self._require_active()
        why = reason_text(reason)
        if self.apis:
            raise ServiceHasActiveApis(
                f"Service '{self.name}' still publishes {', '.join(self.api_names())}; "
                "retire those APIs first",
                service_id=str(self.id),
                api_ids=sorted(self.apis),
            )
        by_id = {api.id: api for api in consumed}
        if set(self.dependencies) - set(by_id):
            raise ValueError("consumed must include every API the service depends on")
        for api_id in list(self.dependencies):
            self._drop(by_id[api_id], f"Service retired: {why}")
        self._retired(reason=why)

    def _drop(self, api: Api, reason: str) -> None:
        if api.id not in self.dependencies:
            raise NotADependency(self, api.id)
        api.detach_consumer(self.id)
        self._dependency_dropped(api_id=api.id, reason=reason)

    def _require_active(self) -> None:
        if self.retired:
            raise ServiceRetired(f"Service '{self.name}' is retired", service_id=str(self.id))

    @event(Transferred)
    def _transferred(self, from_team_id: UUID, to_team_id: UUID, reason: str) -> None:
        self.owner_team_id = to_team_id

    @event(ApiAttached)
    def _api_attached(self, api_id: UUID, name: str, api_version: str) -> None:
        self.apis[str(api_id)] = [name, api_version]

    @event(ApiDetached)
    def _api_detached(self, api_id: UUID) -> None:
        del self.apis[str(api_id)]

    @event(DependencyDeclared)
    def _dependency_declared(self, api_id: UUID) -> None:
        self.dependencies.append(api_id)

    @event(DependencyDropped)
    def _dependency_dropped(self, api_id: UUID, reason: str) -> None:
        self.dependencies.remove(api_id)

    @event(Retired)
    def _retired(self, reason: str) -> None:
        self.retired = True


class Api(AttributedAggregate):
    class Published(AttributedAggregate.Created):
        service_id: UUID
        name: str
        api_version: str
        kind: ApiKind
        visibility: Visibility

    class Deprecated(AttributedAggregate.Event):
        sunset: date
        reason: str

    class Retired(AttributedAggregate.Event):
        reason: str

    class ConsumerAttached(AttributedAggregate.Event):
        service_id: UUID

    class ConsumerDetached(AttributedAggregate.Event):
        service_id: UUID

    def __init__(
        self, service_id: UUID, name: str, api_version: str, kind: ApiKind, visibility: Visibility
    ) -> None:
        self.service_id = service_id
        self.name = name
        self.api_version = api_version
        self.kind = ApiKind(kind).value
        self.visibility = Visibility(visibility).value
        self.sunset: date | None = None
        self.deprecated = False
        self.retired = False
        self.consumers: list[UUID] = []  # the services that consume this API

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def publish(
        cls, service: Service, *, name: str, version: str, kind: ApiKind, visibility: Visibility
    ) -> Api:
        """A new API of ``service``, which must be active and not already publish it."""
        api = cls(
            service_id=service.id,
            name=api_name(name),
            api_version=api_version_text(version),
            kind=kind,
            visibility=visibility,
        )
        service.attach_api(api.id, api.name, api.api_version)
        return api

    @property
    def status(self) -> ApiStatus:
        if self.retired:
            return ApiStatus.RETIRED
        return ApiStatus.DEPRECATED if self.deprecated else ApiStatus.PUBLISHED

    def deprecate(self, sunset: date, reason: str) -> None:
        """Announce the API's end: consumers should move off it by ``sunset``."""
        self._require_not_retired()
        why = reason_text(reason)
        if self.deprecated:
            raise ApiAlreadyDeprecated(
                f"API '{self.name}' {self.api_version} is already deprecated "
                f"(sunset {self.sunset})",
                api_id=str(self.id),
            )
        self._deprecated(sunset=sunset, reason=why)

    def retire(self, reason: str, *, provider: Service) -> None:
        """Retire the API; refused while any service still consumes it."""
        self._require_not_retired()
        why = reason_text(reason)
        if provider.id != self.service_id:
            raise ValueError("provider must be the service that publishes the API")
        if self.consumers:
            raise ApiHasActiveConsumers(
                f"API '{self.name}' {self.api_version} still has {len(self.consumers)} consumer(s)",
                api_id=str(self.id),
                consumer_ids=[str(consumer) for consumer in self.consumers],
            )
        provider.detach_api(self.id)
        self._retired(reason=why)

    def attach_consumer(self, service_id: UUID) -> None:
        self._require_not_retired()
        if service_id not in self.consumers:
            self._consumer_attached(service_id=service_id)

    def detach_consumer(self, service_id: UUID) -> None:
        if service_id in self.consumers:
            self._consumer_detached(service_id=service_id)

    def _require_not_retired(self) -> None:
        if self.retired:
            raise ApiRetired(
                f"API '{self.name}' {self.api_version} is retired", api_id=str(self.id)
            )

    @event(Deprecated)
    def _deprecated(self, sunset: date, reason: str) -> None:
        self.deprecated = True
        self.sunset = sunset

    @event(Retired)
    def _retired(self, reason: str) -> None:
        self.retired = True

    @event(ConsumerAttached)
    def _consumer_attached(self, service_id: UUID) -> None:
        self.consumers.append(service_id)

    @event(ConsumerDetached)
    def _consumer_detached(self, service_id: UUID) -> None:
        self.consumers.remove(service_id)
