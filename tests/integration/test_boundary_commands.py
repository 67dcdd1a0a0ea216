"""Boundary commands racing on a real PostgreSQL event store: exactly one wins, and the
recorded state says so. Rules and roles are tested in memory, tests/unit/commands."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import pytest

from domain.boundaries import (
    Api,
    ApiAlreadyPublished,
    ApiHasActiveConsumers,
    ApiKind,
    ApiRetired,
    ApiStatus,
    DependencyAlreadyDeclared,
    Service,
    ServiceHasActiveApis,
    ServiceNameTaken,
    ServiceRetired,
    Visibility,
)
from domain.org.team import Team, TeamDisbanded, TeamOwnsActiveServices
from services.api.commands import CommandContext
from services.boundaries.rest_apis import RetireApi
from services.boundaries.rest_services import (
    DeclareDependency,
    PublishApi,
    RegisterService,
    RetireService,
    TransferService,
)
from services.org.rest import DisbandTeam
from services.principal import Principal
from services.runtime import Runtime
from tests.commands import charter
from tests.integration.test_team_commands import RACERS, race
from tests.people import CEO


@dataclass
class Org:
    runtime: Runtime
    payments: UUID
    cart: UUID

    def register(self, name: str, owner: UUID, who: Principal = CEO) -> UUID:
        return self.runtime.boundaries.register_service(
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
        return self.runtime.boundaries.publish_api(
            CommandContext(who, "t"),
            service,
            PublishApi(name=name, version=version, kind=ApiKind.REST, visibility=visibility),
        ).id

    def depend(self, service: UUID, api: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.declare_dependency(
            CommandContext(who, "t"), service, DeclareDependency(api_id=api)
        ).position

    def drop(self, service: UUID, api: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.drop_dependency(
            CommandContext(who, "t"), service, api_id=api, reason="Moved off"
        ).position

    def retire_api(self, api: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.retire_api(
            CommandContext(who, "t"), api, RetireApi(reason="Replaced")
        ).position

    def retire_service(self, service: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.retire_service(
            CommandContext(who, "t"), service, RetireService(reason="Sunset")
        ).position

    def transfer(self, service: UUID, to: UUID, who: Principal = CEO) -> int:
        return self.runtime.boundaries.transfer_service(
            CommandContext(who, "t"), service, TransferService(to_team_id=to, reason="Reorg")
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
    service = org.get(ledger)
    assert isinstance(service, Service) and list(service.apis) == [str(wins[0])]


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
                lambda target=target: org.runtime.org.disband_team(
                    CommandContext(CEO, "t"), target, DisbandTeam(reason="Closed")
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
            lambda: org.runtime.org.disband_team(
                CommandContext(CEO, "t"), target, DisbandTeam(reason="Closed")
            ),
        ]
    )
    assert len(wins) == 1
    assert isinstance(losses[0], TeamDisbanded | TeamOwnsActiveServices), losses
    service, receiver = org.get(ledger), org.get(target)
    assert isinstance(service, Service) and isinstance(receiver, Team)
    if receiver.disbanded:
        assert service.owner_team_id == org.payments and receiver.services == []
    else:
        assert service.owner_team_id == target and receiver.services == [ledger]


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
        loaded = org.get(service)
        assert isinstance(loaded, Service)
        assert loaded.retired != bool(loaded.apis), "no published API of a retired service"
