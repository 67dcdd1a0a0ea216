"""Service, API and dependency commands against a real PostgreSQL event store:
rules, refusals that record nothing, who may do what, and races."""

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
from domain.provenance import acting_as
from domain.teams import Team, TeamDisbanded, TeamOwnsActiveServices
from services.commands import Forbidden, VersionMismatch
from services.principal import Principal, Role
from services.runtime import Runtime
from tests.integration.test_team_commands import (
    RACERS,
    charter,
    event_count,
    race,
    refused_and_nothing_recorded,
)
from tests.people import CEO, principal

SUNSET = date(2030, 6, 30)
PIA = principal("pia@example.com", Role.MEMBER)  # leads Payments
CARL = principal("carl@example.com", Role.MEMBER)  # leads Cart


@dataclass
class Org:
    runtime: Runtime
    payments: UUID
    cart: UUID

    def register(self, name: str, owner: UUID, who: Principal = CEO) -> UUID:
        return self.runtime.boundaries.register_service(
            who, "t", name=name, owner_team_id=owner, description=f"{name} service"
        ).id

    def publish(
        self,
        service: UUID,
        name: str = "ledger",
        version: str = "v1",
        visibility: Visibility = Visibility.PUBLIC,
        who: Principal = CEO,
    ) -> UUID:
        return self.runtime.boundaries.publish_api(
            who, "t", service, name=name, version=version, kind=ApiKind.REST, visibility=visibility
        ).id

    def depend(self, service: UUID, api: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.declare_dependency(who, "t", service, api_id=api).position

    def drop(self, service: UUID, api: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.drop_dependency(
            who, "t", service, api_id=api, reason="Moved off"
        ).position

    def retire_api(self, api: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.retire_api(who, "t", api, reason="Replaced").position

    def retire_service(self, service: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.retire_service(who, "t", service, reason="Sunset").position

    def transfer(self, service: UUID, to: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.transfer_service(
            who, "t", service, to_team_id=to, reason="Reorg"
        ).position

    def get(self, aggregate_id: UUID) -> object:
        return self.runtime.app.repository.get(aggregate_id)


@pytest.fixture
def org(runtime: Runtime) -> Org:
    return Org(
        runtime,
        payments=charter(runtime, "Payments", "pia@example.com"),
        cart=charter(runtime, "Cart", "carl@example.com"),
    )


def test_registering_a_service_saves_it_with_its_team_and_name_claim(org: Org) -> None:
    before = event_count(org.runtime)
    outcome = org.runtime.boundaries.register_service(
        PIA, "corr-1", name="Ledger", owner_team_id=org.payments, description="Double entry"
    )
    assert (outcome.kind, outcome.version) == ("Service", 1)
    assert event_count(org.runtime) == before + 3 == outcome.position
    payments = org.get(org.payments)
    assert isinstance(payments, Team) and payments.services == [outcome.id]
    [registered] = org.runtime.app.events.get(outcome.id)
    assert (registered.actor, registered.correlation_id) == ("pia@example.com", "corr-1")  # type: ignore[attr-defined]


def test_names_of_active_services_are_unique_and_freed_by_retirement(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    refusal = refused_and_nothing_recorded(
        org.runtime, ServiceNameTaken, lambda: org.register(" LEDGER ", org.cart)
    )
    assert "'Ledger' (owned by team 'Payments')" in str(refusal)
    org.retire_service(ledger)
    org.register("ledger", org.cart)


def test_the_owner_must_exist_and_be_active(org: Org) -> None:
    refused_and_nothing_recorded(org.runtime, NotFound, lambda: org.register("Ledger", uuid4()))
    closed = charter(org.runtime, "Closed", "cleo@example.com")
    org.runtime.teams.disband_team(CEO, "t", closed, reason="Closed")
    refused_and_nothing_recorded(org.runtime, TeamDisbanded, lambda: org.register("Ledger", closed))
    refused_and_nothing_recorded(
        org.runtime,
        InvalidValue,
        lambda: org.runtime.boundaries.register_service(
            CEO, "t", name="Ledger", owner_team_id=org.payments, description=" "
        ),
    )


def test_a_team_that_owns_services_cannot_be_disbanded_and_the_error_names_them(
    org: Org,
) -> None:
    ledger = org.register("Ledger", org.payments)
    org.register("Wallet", org.payments)
    refusal = refused_and_nothing_recorded(
        org.runtime,
        TeamOwnsActiveServices,
        lambda: org.runtime.teams.disband_team(CEO, "t", org.payments, reason="Reorg"),
    )
    assert "'Ledger', 'Wallet'" in str(refusal)
    org.transfer(ledger, org.cart)
    refusal = refused_and_nothing_recorded(
        org.runtime,
        TeamOwnsActiveServices,
        lambda: org.runtime.teams.disband_team(CEO, "t", org.payments, reason="Reorg"),
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
        e for e in org.runtime.app.events.get(ledger) if isinstance(e, Service.Transferred)
    ]
    assert [(e.from_team_id, e.to_team_id, e.reason) for e in transferred] == [
        (org.payments, org.cart, "Reorg")
    ]
    refused_and_nothing_recorded(
        org.runtime, ServiceAlreadyOwned, lambda: org.transfer(ledger, org.cart)
    )
    refused_and_nothing_recorded(org.runtime, NotFound, lambda: org.transfer(ledger, uuid4()))
    refused_and_nothing_recorded(org.runtime, NotFound, lambda: org.transfer(uuid4(), org.cart))


def test_an_api_is_published_once_per_name_and_version_of_a_service(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    outcome = org.runtime.boundaries.publish_api(
        PIA,
        "t",
        ledger,
        name="ledger",
        version="v1",
        kind=ApiKind.GRPC,
        visibility=Visibility.INTERNAL,
    )
    assert outcome.kind == "Api"
    api = org.get(outcome.id)
    assert isinstance(api, Api) and (api.kind, api.visibility) == ("GRPC", "INTERNAL")
    refused_and_nothing_recorded(
        org.runtime, ApiAlreadyPublished, lambda: org.publish(ledger, "Ledger", "V1")
    )
    org.publish(ledger, "ledger", "v2")
    wallet = org.register("Wallet", org.cart)
    org.publish(wallet, "ledger", "v1")  # another service may use the same name
    refused_and_nothing_recorded(org.runtime, NotFound, lambda: org.publish(uuid4()))
    refused_and_nothing_recorded(org.runtime, InvalidValue, lambda: org.publish(ledger, "x", "v 1"))


def test_deprecating_an_api_records_the_sunset_once(org: Org) -> None:
    api = org.publish(org.register("Ledger", org.payments))
    org.runtime.boundaries.deprecate_api(PIA, "t", api, sunset=SUNSET, reason="v2 is out")
    loaded = org.get(api)
    assert isinstance(loaded, Api)
    assert (loaded.status, loaded.sunset) == (ApiStatus.DEPRECATED, SUNSET)
    refused_and_nothing_recorded(
        org.runtime,
        ApiAlreadyDeprecated,
        lambda: org.runtime.boundaries.deprecate_api(CEO, "t", api, sunset=SUNSET, reason="r"),
    )


def test_dependencies_are_declared_once_on_published_apis_of_other_services(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    v1, v2 = org.publish(ledger, version="v1"), org.publish(ledger, version="v2")
    before = event_count(org.runtime)
    org.depend(checkout, v1, who=CARL)
    assert event_count(org.runtime) == before + 2, "the service and the API, in one save"
    consumed = org.get(v1)
    assert isinstance(consumed, Api) and consumed.consumers == [checkout]
    refused_and_nothing_recorded(
        org.runtime, DependencyAlreadyDeclared, lambda: org.depend(checkout, v1)
    )
    refused_and_nothing_recorded(org.runtime, ServiceConsumesOwnApi, lambda: org.depend(ledger, v1))
    refused_and_nothing_recorded(org.runtime, NotFound, lambda: org.depend(checkout, uuid4()))
    org.retire_api(v2)
    refused_and_nothing_recorded(org.runtime, ApiRetired, lambda: org.depend(checkout, v2))


def test_a_deprecated_api_can_still_be_consumed(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    api = org.publish(ledger)
    org.runtime.boundaries.deprecate_api(CEO, "t", api, sunset=SUNSET, reason="v2")
    org.depend(checkout, api)
    service = org.get(checkout)
    assert isinstance(service, Service) and service.dependencies == [api]


def test_an_api_with_consumers_cannot_be_retired_and_the_error_names_them(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    api = org.publish(ledger)
    org.depend(checkout, api)
    refusal = refused_and_nothing_recorded(
        org.runtime, ApiHasActiveConsumers, lambda: org.retire_api(api)
    )
    assert "'Checkout'" in str(refusal)
    org.drop(checkout, api, who=CARL)
    refused_and_nothing_recorded(org.runtime, NotADependency, lambda: org.drop(checkout, api))
    org.retire_api(api)
    refused_and_nothing_recorded(org.runtime, ApiRetired, lambda: org.retire_api(api))


def test_a_service_publishing_apis_cannot_be_retired_and_retiring_drops_its_dependencies(
    org: Org,
) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    api = org.publish(ledger, "Ledger", "v1")
    refusal = refused_and_nothing_recorded(
        org.runtime, ServiceHasActiveApis, lambda: org.retire_service(ledger)
    )
    assert "Ledger v1" in str(refusal)
    org.depend(checkout, api)
    org.retire_service(checkout)
    consumed = org.get(api)
    assert isinstance(consumed, Api) and consumed.consumers == []
    cart = org.get(org.cart)
    assert isinstance(cart, Team) and cart.services == []
    refused_and_nothing_recorded(org.runtime, ServiceRetired, lambda: org.publish(checkout))
    org.runtime.teams.disband_team(CEO, "t", org.cart, reason="Its only service is retired")


def test_who_may_change_services_apis_and_dependencies(org: Org) -> None:
    ledger = org.register("Ledger", org.payments, who=PIA)
    checkout = org.register("Checkout", org.cart, who=CARL)
    api = org.publish(ledger, who=PIA)
    planner = principal("pat@example.com", Role.PLANNER)
    for forbidden in [
        lambda: org.register("Wallet", org.payments, who=CARL),
        lambda: org.register("Wallet", org.payments, who=planner),
        lambda: org.publish(ledger, version="v2", who=CARL),
        lambda: org.runtime.boundaries.deprecate_api(CARL, "t", api, sunset=SUNSET, reason="r"),
        lambda: org.retire_api(api, who=CARL),
        lambda: org.depend(checkout, api, who=PIA),
        lambda: org.transfer(ledger, org.cart, who=CARL),
        lambda: org.retire_service(checkout, who=PIA),
    ]:
        refused_and_nothing_recorded(org.runtime, Forbidden, forbidden)
    org.depend(checkout, api, who=CARL)
    refused_and_nothing_recorded(org.runtime, Forbidden, lambda: org.drop(checkout, api, who=PIA))
    org.transfer(ledger, org.cart, who=PIA)
    refused_and_nothing_recorded(
        org.runtime, Forbidden, lambda: org.publish(ledger, version="v2", who=PIA)
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
    org.runtime.app.save(payments)
    refused_and_nothing_recorded(org.runtime, Forbidden, lambda: org.publish(ledger, who=PIA))
    refused_and_nothing_recorded(
        org.runtime, Forbidden, lambda: org.transfer(ledger, org.cart, who=PIA)
    )
    org.transfer(ledger, org.cart)
    service, cart = org.get(ledger), org.get(org.cart)
    assert isinstance(service, Service) and service.owner_team_id == org.cart
    assert isinstance(cart, Team) and cart.services == [ledger]


def test_a_stale_expected_version_is_refused(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    refused_and_nothing_recorded(
        org.runtime,
        VersionMismatch,
        lambda: org.runtime.boundaries.transfer_service(
            CEO, "t", ledger, to_team_id=org.cart, reason="r", expected_version=5
        ),
    )


def test_racing_registrations_of_one_name_let_exactly_one_through(org: Org) -> None:
    wins, losses = race([lambda: org.register("Ledger", org.payments) for _ in range(RACERS)])
    assert len(wins) == 1
    assert all(isinstance(loss, ServiceNameTaken) for loss in losses), losses
    payments = org.get(org.payments)
    assert isinstance(payments, Team) and payments.services == wins


def test_racing_publications_of_one_api_let_exactly_one_through(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    wins, losses = race([lambda: org.publish(ledger, "ledger", "v1") for _ in range(RACERS)])
    assert len(wins) == 1
    assert all(isinstance(loss, ApiAlreadyPublished) for loss in losses), losses


def test_racing_declarations_of_one_dependency_let_exactly_one_through(org: Org) -> None:
    api = org.publish(org.register("Ledger", org.payments))
    checkout = org.register("Checkout", org.cart)
    wins, losses = race([lambda: org.depend(checkout, api) for _ in range(RACERS)])
    assert len(wins) == 1
    assert all(isinstance(loss, DependencyAlreadyDeclared) for loss in losses), losses
    consumed = org.get(api)
    assert isinstance(consumed, Api) and consumed.consumers == [checkout]


def test_registering_for_a_team_races_disbanding_it_and_never_both_succeed(org: Org) -> None:
    for round_ in range(3):
        target = charter(org.runtime, f"Target {round_}", f"t{round_}@example.com")
        wins, losses = race(
            [
                lambda target=target, name=f"Service {round_}": org.register(name, target),
                lambda target=target: org.runtime.teams.disband_team(
                    CEO, "t", target, reason="Closed"
                ),
            ]
        )
        assert len(wins) == 1, losses
        assert isinstance(losses[0], TeamDisbanded | TeamOwnsActiveServices), losses
        team = org.get(target)
        assert isinstance(team, Team)
        assert team.disbanded != bool(team.services), "no active service of a disbanded team"


def test_a_transfer_races_disbanding_the_receiving_team_and_never_both_succeed(org: Org) -> None:
    ledger = org.register("Ledger", org.payments)
    target = charter(org.runtime, "Target", "tara@example.com")
    wins, losses = race(
        [
            lambda: org.transfer(ledger, target),
            lambda: org.runtime.teams.disband_team(CEO, "t", target, reason="Closed"),
        ]
    )
    assert len(wins) == 1
    assert isinstance(losses[0], TeamDisbanded | TeamOwnsActiveServices), losses


def test_declaring_a_dependency_races_retiring_the_api_and_never_both_succeed(
    org: Org,
) -> None:
    ledger = org.register("Ledger", org.payments)
    checkout = org.register("Checkout", org.cart)
    for version in ("v1", "v2", "v3"):
        api = org.publish(ledger, version=version)
        wins, losses = race(
            [lambda api=api: org.depend(checkout, api), lambda api=api: org.retire_api(api)]
        )
        assert len(wins) == 1
        assert isinstance(losses[0], ApiRetired | ApiHasActiveConsumers), losses
        loaded = org.get(api)
        assert isinstance(loaded, Api)
        assert (loaded.status is ApiStatus.RETIRED) != bool(loaded.consumers)


def test_publishing_races_retiring_the_service_and_never_both_succeed(org: Org) -> None:
    for round_ in range(3):
        service = org.register(f"Service {round_}", org.payments)
        wins, losses = race(
            [
                lambda service=service: org.publish(service),
                lambda service=service: org.retire_service(service),
            ]
        )
        assert len(wins) == 1
        assert isinstance(losses[0], ServiceRetired | ServiceHasActiveApis), losses
