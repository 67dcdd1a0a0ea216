"""Boundary commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.boundaries import (
    Api,
    ApiAlreadyDeprecated,
    ApiAlreadyPublished,
    ApiHasActiveConsumers,
    ApiKind,
    ApiRetired,
    ApiStatus,
    DependencyAlreadyDeclared,
    NotADependency,
    Service,
    ServiceAlreadyOwned,
    ServiceConsumesOwnApi,
    ServiceHasActiveApis,
    ServiceNameTaken,
    ServiceRetired,
    Visibility,
)
from domain.errors import InvalidValue, NotFound
from domain.org.team import Team, TeamDisbanded, TeamOwnsActiveServices
from domain.provenance import acting_as
from services.api.commands import CommandContext
from services.boundaries.rest_apis import DeprecateApi, RetireApi
from services.boundaries.rest_services import (
    DeclareDependency,
    PublishApi,
    RegisterService,
    RetireService,
    TransferService,
)
from services.commands import Forbidden, VersionMismatch
from services.org.rest import DisbandTeam
from services.principal import Principal, Role
from tests.commands import (
    Commands,
    charter,
    event_count,
    refused_and_nothing_recorded,
)
from tests.people import CEO, principal

SUNSET = date(2030, 6, 30)


PIA = principal("pia@example.com", Role.MEMBER)  # leads Payments


CARL = principal("carl@example.com", Role.MEMBER)  # leads Cart


@dataclass
class Org:
    flywheel: Commands
    payments: UUID
    cart: UUID

    def register(self, name: str, owner: UUID, who: Principal = CEO) -> UUID:
        return self.flywheel.boundaries.register_service(
            CommandContext(who, "t"),
            RegisterService(name=name, owner_team_id=owner, description=f"{name} service"),
        ).id

    def publish(
        self,
        service: UUID,
        name: str = "ledger",
        version: str = "v1",
        visibility: Visibility = Visibility.PUBLIC,
        who: Principal = CEO,
    ) -> UUID:
        return self.flywheel.boundaries.publish_api(
            CommandContext(who, "t"),
            service,
            PublishApi(name=name, version=version, kind=ApiKind.REST, visibility=visibility),
        ).id

    def depend(self, service: UUID, api: UUID, who: Principal = CEO) -> int:
        return self.flywheel.boundaries.declare_dependency(
            CommandContext(who, "t"), service, DeclareDependency(api_id=api)
        ).position

    def drop(self, service: UUID, api: UUID, who: Principal = CEO) -> int:
        return self.flywheel.boundaries.drop_dependency(
            CommandContext(who, "t"), service, api_id=api, reason="Moved off"
        ).position

    def retire_api(self, api: UUID, who: Principal = CEO) -> int:
        return self.flywheel.boundaries.retire_api(
            CommandContext(who, "t"), api, RetireApi(reason="Replaced")
        ).position

    def retire_service(self, service: UUID, who: Principal = CEO) -> int:
        return self.flywheel.boundaries.retire_service(
            CommandContext(who, "t"), service, RetireService(reason="Sunset")
        ).position

    def transfer(self, service: UUID, to: UUID, who: Principal = CEO) -> int:
        return self.flywheel.boundaries.transfer_service(
            CommandContext(who, "t"), service, TransferService(to_team_id=to, reason="Reorg")
        ).position

    def get(self, aggregate_id: UUID) -> object:
        return self.flywheel.app.repository.get(aggregate_id)


@pytest.fixture
def org(flywheel: Commands) -> Org:
    return Org(
        flywheel,
        payments=charter(flywheel, "Payments", "pia@example.com"),
        cart=charter(flywheel, "Cart", "carl@example.com"),
    )


def test_registering_a_service_saves_it_with_its_team_and_name_claim(org: Org) -> None:
    before = event_count(org.flywheel)
    outcome = org.flywheel.boundaries.register_service(
        CommandContext(PIA, "corr-1"),
        RegisterService(name="Ledger", owner_team_id=org.payments, description="Double entry"),
    )
    assert (outcome.kind, outcome.version) == ("Service", 1)
    assert event_count(org.flywheel) == before + 3 == outcome.position
    payments = org.get(org.payments)
    assert isinstance(payments, Team) and payments.services == [outcome.id]
    [registered] = org.flywheel.app.events.get(outcome.id)
    assert (registered.actor, registered.correlation_id) == ("pia@example.com", "corr-1")  # type: ignore[attr-defined]


def test_names_of_active_services_are_unique_and_freed_by_retirement(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    refusal = refused_and_nothing_recorded(
        org.flywheel, ServiceNameTaken, lambda: org.register(" LEDGER ", org.cart)
    )
    assert "'Ledger' (owned by team 'Payments')" in str(refusal)
    org.retire_service(ledger)
    org.register("ledger", org.cart)


def test_the_owner_must_exist_and_be_active(org: Org) -> None:
    refused_and_nothing_recorded(org.flywheel, NotFound, lambda: org.register("Ledger", uuid4()))
    closed = charter(org.flywheel, "Closed", "cleo@example.com")
    org.flywheel.org.disband_team(CommandContext(CEO, "t"), closed, DisbandTeam(reason="Closed"))
    refused_and_nothing_recorded(
        org.flywheel, TeamDisbanded, lambda: org.register("Ledger", closed)
    )
    refused_and_nothing_recorded(
        org.flywheel,
        InvalidValue,
        lambda: org.flywheel.boundaries.register_service(
            CommandContext(CEO, "t"),
            RegisterService(name="Ledger", owner_team_id=org.payments, description=" "),
        ),
    )


def test_a_team_that_owns_services_cannot_be_disbanded_and_the_error_names_them(
    org: Org,
) -> None:
    ledger = org.register("Ledger", org.payments)
    org.register("Wallet", org.payments)
    refusal = refused_and_nothing_recorded(
        org.flywheel,
        TeamOwnsActiveServices,
        lambda: org.flywheel.org.disband_team(
            CommandContext(CEO, "t"), org.payments, DisbandTeam(reason="Reorg")
        ),
    )
    assert "'Ledger', 'Wallet'" in str(refusal)
    org.transfer(ledger, org.cart)
    refusal = refused_and_nothing_recorded(
        org.flywheel,
        TeamOwnsActiveServices,
        lambda: org.flywheel.org.disband_team(
            CommandContext(CEO, "t"), org.payments, DisbandTeam(reason="Reorg")
        ),
    )
    assert "'Wallet'" in str(refusal) and "Ledger" not in str(refusal)


def test_a_transfer_changes_both_teams_and_keeps_the_history(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    org.transfer(ledger, org.cart, who=PIA)
    service = org.get(ledger)
    assert isinstance(service, Service) and service.owner_team_id == org.cart
    payments, cart = org.get(org.payments), org.get(org.cart)
    assert isinstance(payments, Team) and isinstance(cart, Team)
    assert (payments.services, cart.services) == ([], [ledger])
    transferred = [
        e for e in org.flywheel.app.events.get(ledger) if isinstance(e, Service.Transferred)
    ]
    assert [(e.from_team_id, e.to_team_id, e.reason) for e in transferred] == [
        (org.payments, org.cart, "Reorg")
    ]
    refused_and_nothing_recorded(
        org.flywheel, ServiceAlreadyOwned, lambda: org.transfer(ledger, org.cart)
    )
    refused_and_nothing_recorded(org.flywheel, NotFound, lambda: org.transfer(ledger, uuid4()))
    refused_and_nothing_recorded(org.flywheel, NotFound, lambda: org.transfer(uuid4(), org.cart))


def test_an_api_is_published_once_per_name_and_version_of_a_service(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    outcome = org.flywheel.boundaries.publish_api(
        CommandContext(PIA, "t"),
        ledger,
        PublishApi(name="ledger", version="v1", kind=ApiKind.GRPC, visibility=Visibility.INTERNAL),
    )
    assert outcome.kind == "Api"
    api = org.get(outcome.id)
    assert isinstance(api, Api) and (api.kind, api.visibility) == ("GRPC", "INTERNAL")
    refused_and_nothing_recorded(
        org.flywheel, ApiAlreadyPublished, lambda: org.publish(ledger, "Ledger", "V1")
    )
    org.publish(ledger, "ledger", "v2")
    wallet = org.register("Wallet", org.cart)
    org.publish(wallet, "ledger", "v1")  # another service may use the same name
    refused_and_nothing_recorded(org.flywheel, NotFound, lambda: org.publish(uuid4()))
    refused_and_nothing_recorded(
        org.flywheel, InvalidValue, lambda: org.publish(ledger, "x", "v 1")
    )


def test_deprecating_an_api_records_the_sunset_once(org: Org) -> None:
    api = org.publish(org.register("Ledger", org.payments))
    org.flywheel.boundaries.deprecate_api(
        CommandContext(PIA, "t"), api, DeprecateApi(sunset=SUNSET, reason="v2 is out")
    )
    loaded = org.get(api)
    assert isinstance(loaded, Api)
    assert (loaded.status, loaded.sunset) == (ApiStatus.DEPRECATED, SUNSET)
    refused_and_nothing_recorded(
        org.flywheel,
        ApiAlreadyDeprecated,
        lambda: org.flywheel.boundaries.deprecate_api(
            CommandContext(CEO, "t"), api, DeprecateApi(sunset=SUNSET, reason="r")
        ),
    )


def test_dependencies_are_declared_once_on_published_apis_of_other_services(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    v1, v2 = org.publish(ledger, version="v1"), org.publish(ledger, version="v2")
    before = event_count(org.flywheel)
    org.depend(checkout, v1, who=CARL)
    assert event_count(org.flywheel) == before + 2, "the service and the API, in one save"
    consumed = org.get(v1)
    assert isinstance(consumed, Api) and consumed.consumers == [checkout]
    refused_and_nothing_recorded(
        org.flywheel, DependencyAlreadyDeclared, lambda: org.depend(checkout, v1)
    )
    refused_and_nothing_recorded(
        org.flywheel, ServiceConsumesOwnApi, lambda: org.depend(ledger, v1)
    )
    refused_and_nothing_recorded(org.flywheel, NotFound, lambda: org.depend(checkout, uuid4()))
    org.retire_api(v2)
    refused_and_nothing_recorded(org.flywheel, ApiRetired, lambda: org.depend(checkout, v2))


def test_a_deprecated_api_can_still_be_consumed(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    api = org.publish(ledger)
    org.flywheel.boundaries.deprecate_api(
        CommandContext(CEO, "t"), api, DeprecateApi(sunset=SUNSET, reason="v2")
    )
    org.depend(checkout, api)
    service = org.get(checkout)
    assert isinstance(service, Service) and service.dependencies == [api]


def test_an_api_with_consumers_cannot_be_retired_and_the_error_names_them(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    api = org.publish(ledger)
    org.depend(checkout, api)
    refusal = refused_and_nothing_recorded(
        org.flywheel, ApiHasActiveConsumers, lambda: org.retire_api(api)
    )
    assert "'Checkout'" in str(refusal)
    org.drop(checkout, api, who=CARL)
    refused_and_nothing_recorded(org.flywheel, NotADependency, lambda: org.drop(checkout, api))
    org.retire_api(api)
    refused_and_nothing_recorded(org.flywheel, ApiRetired, lambda: org.retire_api(api))


def test_a_service_publishing_apis_cannot_be_retired_and_retiring_drops_its_dependencies(
    org: Org,
) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    api = org.publish(ledger, "Ledger", "v1")
    refusal = refused_and_nothing_recorded(
        org.flywheel, ServiceHasActiveApis, lambda: org.retire_service(ledger)
    )
    assert "Ledger v1" in str(refusal)
    org.depend(checkout, api)
    org.retire_service(checkout)
    consumed = org.get(api)
    assert isinstance(consumed, Api) and consumed.consumers == []
    cart = org.get(org.cart)
    assert isinstance(cart, Team) and cart.services == []
    refused_and_nothing_recorded(org.flywheel, ServiceRetired, lambda: org.publish(checkout))
    org.flywheel.org.disband_team(
        CommandContext(CEO, "t"), org.cart, DisbandTeam(reason="Its only service is retired")
    )


def test_who_may_change_services_apis_and_dependencies(org: Org) -> None:
    ledger = org.register("Ledger", org.payments, who=PIA)
    checkout = org.register("Checkout", org.cart, who=CARL)
    api = org.publish(ledger, who=PIA)
    planner = principal("pat@example.com", Role.PLANNER)
    for forbidden in [
        lambda: org.register("Wallet", org.payments, who=CARL),
        lambda: org.register("Wallet", org.payments, who=planner),
        lambda: org.publish(ledger, version="v2", who=CARL),
        lambda: org.flywheel.boundaries.deprecate_api(
            CommandContext(CARL, "t"), api, DeprecateApi(sunset=SUNSET, reason="r")
        ),
        lambda: org.retire_api(api, who=CARL),
        lambda: org.depend(checkout, api, who=PIA),
        lambda: org.transfer(ledger, org.cart, who=CARL),
        lambda: org.retire_service(checkout, who=PIA),
    ]:
        refused_and_nothing_recorded(org.flywheel, Forbidden, forbidden)
    org.depend(checkout, api, who=CARL)
    refused_and_nothing_recorded(org.flywheel, Forbidden, lambda: org.drop(checkout, api, who=PIA))
    org.transfer(ledger, org.cart, who=PIA)
    refused_and_nothing_recorded(
        org.flywheel, Forbidden, lambda: org.publish(ledger, version="v2", who=PIA)
    )
    org.publish(ledger, version="v2", who=CARL)


def test_only_leadership_acts_on_the_services_a_disbanded_team_left_behind(org: Org) -> None:
    """History from before the disband rule can leave an active service with a disbanded
    owner (written straight to the store here). Its former leader may no longer act on
    it; leadership may transfer it to an active team."""
    ledger = org.register("Ledger", org.payments)
    payments = org.get(org.payments)
    assert isinstance(payments, Team)
    with acting_as("legacy-import@example.com", "legacy"):
        payments._disbanded(reason="Disbanded before services were tracked")
    org.flywheel.app.save(payments)
    refused_and_nothing_recorded(org.flywheel, Forbidden, lambda: org.publish(ledger, who=PIA))
    refused_and_nothing_recorded(
        org.flywheel, Forbidden, lambda: org.transfer(ledger, org.cart, who=PIA)
    )
    org.transfer(ledger, org.cart)
    service, cart = org.get(ledger), org.get(org.cart)
    assert isinstance(service, Service) and service.owner_team_id == org.cart
    assert isinstance(cart, Team) and cart.services == [ledger]


def test_a_stale_expected_version_is_refused(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    refused_and_nothing_recorded(
        org.flywheel,
        VersionMismatch,
        lambda: org.flywheel.boundaries.transfer_service(
            CommandContext(CEO, "t").at_version(5),
            ledger,
            TransferService(to_team_id=org.cart, reason="r"),
        ),
    )
