"""The rules of services, APIs and dependencies, checked on the aggregates alone."""

from __future__ import annotations

from datetime import date

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
    ServiceRetired,
    ServiceStatus,
    Visibility,
)
from domain.errors import InvalidValue, NotFound
from domain.org.team import Team, TeamDisbanded
from domain.people.values import PersonId
from services.application import Flywheel

SUNSET = date(2030, 6, 30)


def team(name: str) -> Team:
    chartered = Team.charter(
        name=name, mission=f"{name} mission", leader=PersonId(f"{name.lower()}@example.com")
    )
    chartered.collect_events()
    return chartered


def service(name: str, owner: Team) -> Service:
    registered = Service.register(name=name, description=f"{name} service", owner=owner)
    registered.collect_events()
    owner.collect_events()
    return registered


def api(
    provider: Service,
    name: str = "ledger",
    version: str = "v1",
    visibility: Visibility = Visibility.PUBLIC,
) -> Api:
    published = Api.publish(
        provider, name=name, version=version, kind=ApiKind.REST, visibility=visibility
    )
    published.collect_events()
    provider.collect_events()
    return published


def names(*aggregates: Service | Api | Team) -> list[str]:
    return [type(event).__name__ for a in aggregates for event in a.collect_events()]


def test_registering_a_service_records_it_on_the_owning_team() -> None:
    payments = team("Payments")
    ledger = Service.register(name=" Ledger ", description="Double entry", owner=payments)
    [registered] = ledger.collect_events()
    assert isinstance(registered, Service.Registered)
    assert (registered.name, registered.owner_team_id) == ("Ledger", payments.id)
    assert (registered.actor, registered.correlation_id) == ("ceo@example.com", "test-correlation")
    assert payments.services == [ledger.id]
    assert names(payments) == ["ServiceAttached"]
    assert ledger.status is ServiceStatus.ACTIVE


@pytest.mark.parametrize(("name", "description"), [("", "d"), ("x" * 121, "d"), ("Ok", "  ")])
def test_a_service_needs_a_name_and_a_description(name: str, description: str) -> None:
    payments = team("Payments")
    with pytest.raises(InvalidValue):
        Service.register(name=name, description=description, owner=payments)
    assert payments.collect_events() == []


def test_the_owner_must_be_an_active_team() -> None:
    payments = team("Payments")
    payments.disband("Closed")
    payments.collect_events()
    with pytest.raises(TeamDisbanded):
        Service.register(name="Ledger", description="d", owner=payments)
    assert payments.collect_events() == []


def test_a_transfer_moves_the_service_between_the_teams_with_a_reason() -> None:
    payments, risk = team("Payments"), team("Risk")
    ledger = service("Ledger", payments)
    ledger.transfer(current_owner=payments, new_owner=risk, reason="Risk owns money movement")
    [transferred] = ledger.collect_events()
    assert isinstance(transferred, Service.Transferred)
    assert (transferred.from_team_id, transferred.to_team_id, transferred.reason) == (
        payments.id,
        risk.id,
        "Risk owns money movement",
    )
    assert ledger.owner_team_id == risk.id
    assert (payments.services, risk.services) == ([], [ledger.id])


def test_a_transfer_needs_a_reason_and_another_active_team() -> None:
    payments, risk = team("Payments"), team("Risk")
    ledger = service("Ledger", payments)
    with pytest.raises(InvalidValue):
        ledger.transfer(current_owner=payments, new_owner=risk, reason="")
    with pytest.raises(ServiceAlreadyOwned):
        ledger.transfer(current_owner=payments, new_owner=payments, reason="again")
    risk.disband("Closed")
    risk.collect_events()
    with pytest.raises(TeamDisbanded):
        ledger.transfer(current_owner=payments, new_owner=risk, reason="to a closed team")
    assert names(ledger, payments, risk) == []


def test_an_api_is_published_once_per_name_and_version() -> None:
    ledger = service("Ledger", team("Payments"))
    v1 = Api.publish(
        ledger, name="Ledger", version="v1", kind=ApiKind.GRPC, visibility=Visibility.INTERNAL
    )
    [published] = v1.collect_events()
    assert isinstance(published, Api.Published)
    assert (published.kind, published.visibility) == (ApiKind.GRPC, Visibility.INTERNAL)
    assert v1.status is ApiStatus.PUBLISHED
    assert ledger.api_names() == ["Ledger v1"]
    with pytest.raises(ApiAlreadyPublished):
        Api.publish(
            ledger, name="ledger", version="V1", kind=ApiKind.REST, visibility=Visibility.PUBLIC
        )
    Api.publish(
        ledger, name="Ledger", version="v2", kind=ApiKind.GRPC, visibility=Visibility.PUBLIC
    )
    assert ledger.api_names() == ["Ledger v1", "Ledger v2"]


@pytest.mark.parametrize(
    ("name", "version"), [("", "v1"), ("x", ""), ("x", "v 1"), ("x", "v" * 41)]
)
def test_an_api_needs_a_name_and_a_one_word_version(name: str, version: str) -> None:
    ledger = service("Ledger", team("Payments"))
    with pytest.raises(InvalidValue):
        Api.publish(
            ledger, name=name, version=version, kind=ApiKind.REST, visibility=Visibility.PUBLIC
        )
    assert ledger.collect_events() == []


def test_a_retired_api_frees_its_name_and_version() -> None:
    ledger = service("Ledger", team("Payments"))
    v1 = api(ledger)
    v1.retire("Replaced", provider=ledger)
    assert ledger.apis == {}
    assert api(ledger).status is ApiStatus.PUBLISHED


def test_deprecating_records_the_sunset_and_reason_once() -> None:
    v1 = api(service("Ledger", team("Payments")))
    v1.deprecate(SUNSET, "v2 is out")
    [deprecated] = v1.collect_events()
    assert isinstance(deprecated, Api.Deprecated)
    assert (deprecated.sunset, deprecated.reason) == (SUNSET, "v2 is out")
    assert (v1.status, v1.sunset) == (ApiStatus.DEPRECATED, SUNSET)
    with pytest.raises(ApiAlreadyDeprecated):
        v1.deprecate(date(2031, 1, 1), "again")
    with pytest.raises(InvalidValue):
        api(service("Wallet", team("Risk"))).deprecate(SUNSET, " ")


def test_a_dependency_is_recorded_on_both_the_consumer_and_the_api() -> None:
    ledger = service("Ledger", team("Payments"))
    checkout = service("Checkout", team("Cart"))
    v1 = api(ledger)
    checkout.declare_dependency(v1)
    assert checkout.dependencies == [v1.id] and v1.consumers == [checkout.id]
    assert names(checkout, v1) == ["DependencyDeclared", "ConsumerAttached"]
    with pytest.raises(DependencyAlreadyDeclared):
        checkout.declare_dependency(v1)
    checkout.drop_dependency(v1, "Moved to v2")
    assert checkout.dependencies == [] and v1.consumers == []
    dropped, detached = checkout.collect_events() + v1.collect_events()
    assert isinstance(dropped, Service.DependencyDropped) and dropped.reason == "Moved to v2"
    assert isinstance(detached, Api.ConsumerDetached)


def test_dropping_a_dependency_that_was_never_declared_is_not_found() -> None:
    checkout = service("Checkout", team("Cart"))
    with pytest.raises(NotADependency) as refused:
        checkout.drop_dependency(api(service("Ledger", team("Payments"))))
    assert isinstance(refused.value, NotFound)


def test_a_service_does_not_depend_on_its_own_api() -> None:
    ledger = service("Ledger", team("Payments"))
    with pytest.raises(ServiceConsumesOwnApi):
        ledger.declare_dependency(api(ledger))


def test_a_retired_api_cannot_be_consumed_but_a_deprecated_one_can() -> None:
    ledger = service("Ledger", team("Payments"))
    checkout = service("Checkout", team("Cart"))
    old, new = api(ledger, version="v1"), api(ledger, version="v2")
    old.retire("Gone", provider=ledger)
    with pytest.raises(ApiRetired):
        checkout.declare_dependency(old)
    new.deprecate(SUNSET, "v3 soon")
    checkout.declare_dependency(new)
    assert checkout.dependencies == [new.id]


def test_an_api_with_consumers_cannot_be_retired_and_the_error_names_them() -> None:
    ledger = service("Ledger", team("Payments"))
    checkout = service("Checkout", team("Cart"))
    v1 = api(ledger)
    checkout.declare_dependency(v1)
    names(checkout, v1)
    with pytest.raises(ApiHasActiveConsumers) as refused:
        v1.retire("Replaced", provider=ledger)
    assert refused.value.context["consumer_ids"] == [str(checkout.id)]
    assert names(v1, ledger) == []
    checkout.drop_dependency(v1)
    v1.retire("Replaced", provider=ledger)
    assert v1.status is ApiStatus.RETIRED
    with pytest.raises(ApiRetired):
        v1.deprecate(SUNSET, "late")


def test_a_service_with_published_apis_cannot_be_retired() -> None:
    ledger = service("Ledger", team("Payments"))
    api(ledger, name="Ledger", version="v1")
    with pytest.raises(ServiceHasActiveApis, match="Ledger v1"):
        ledger.retire("Sunset", consumed=[])
    assert ledger.collect_events() == []


def test_retiring_a_service_drops_its_dependencies() -> None:
    ledger = service("Ledger", team("Payments"))
    checkout = service("Checkout", team("Cart"))
    v1 = api(ledger)
    checkout.declare_dependency(v1)
    names(checkout, v1)
    checkout.retire("Replaced by Checkout 2", consumed=[v1])
    assert names(checkout, v1) == ["DependencyDropped", "Retired", "ConsumerDetached"]
    assert checkout.status is ServiceStatus.RETIRED and v1.consumers == []


def test_retiring_a_service_must_be_given_every_api_it_consumes() -> None:
    checkout = service("Checkout", team("Cart"))
    checkout.declare_dependency(api(service("Ledger", team("Payments"))))
    checkout.collect_events()
    with pytest.raises(ValueError, match="consumed"):
        checkout.retire("Sunset", consumed=[])
    assert checkout.collect_events() == []


@pytest.mark.parametrize(
    "command",
    [
        lambda s, a, t: s.transfer(current_owner=t, new_owner=team("Other"), reason="r"),
        lambda s, a, t: s.retire("again", consumed=[]),
        lambda s, a, t: s.declare_dependency(a),
        lambda s, a, t: Api.publish(
            s, name="x", version="v1", kind=ApiKind.EVENTS, visibility=Visibility.PUBLIC
        ),
    ],
)
def test_a_retired_service_takes_no_more_commands(command: object) -> None:
    payments = team("Payments")
    ledger = service("Ledger", payments)
    other = api(service("Wallet", team("Risk")))
    ledger.retire("Sunset", consumed=[])
    ledger.collect_events()
    with pytest.raises(ServiceRetired):
        command(ledger, other, payments)  # type: ignore[operator]
    assert ledger.collect_events() == []


def test_enums_accept_any_case() -> None:
    assert ApiKind("graphql") is ApiKind.GRAPHQL
    assert Visibility("Internal") is Visibility.INTERNAL


def test_boundary_events_survive_the_event_store_and_snapshots() -> None:
    app = Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    payments = Team.charter(name="Payments", mission="m", leader=PersonId("p@example.com"))
    ledger = Service.register(name="Ledger", description="d", owner=payments)
    v1 = Api.publish(
        ledger, name="ledger", version="v1", kind=ApiKind.EVENTS, visibility=Visibility.INTERNAL
    )
    v1.deprecate(SUNSET, "v2")
    app.save(payments, ledger, v1)
    events = list(app.events.get(v1.id))
    published, deprecated = events
    assert isinstance(published, Api.Published) and isinstance(deprecated, Api.Deprecated)
    assert (published.kind, published.visibility) == (ApiKind.EVENTS, Visibility.INTERNAL)
    assert deprecated.sunset == SUNSET
    assert app.snapshots is not None
    for aggregate in (payments, ledger, v1):
        app.take_snapshot(aggregate.id)
    restored_api = app.repository.get(v1.id)
    assert (restored_api.sunset, restored_api.status) == (SUNSET, ApiStatus.DEPRECATED)
    assert app.repository.get(ledger.id).apis == ledger.apis
    assert app.repository.get(payments.id).services == [ledger.id]
