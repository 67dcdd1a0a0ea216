"""Every refusal of services and APIs, compared whole (rule, text, payload); what is recorded."""

from __future__ import annotations

from datetime import date

import pytest

from domain.boundaries import (
    MAX_API_VERSION_LENGTH,
    MAX_DESCRIPTION_LENGTH,
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
from domain.org.team import MAX_NAME_LENGTH, MAX_REASON_LENGTH
from tests.unit.refusals import blank, invalid, refusal, too_long
from tests.unit.test_boundaries import api, service, team

SUNSET = date(2027, 6, 30)


def recorded(aggregate: Service | Api) -> list[object]:
    return list(aggregate.collect_events())


def test_a_service_keeps_its_values_and_names_the_field_it_refuses() -> None:
    payments = team("Payments")
    ledger = Service.register(name=" Ledger ", description=" Money in ", owner=payments)
    assert (ledger.name, ledger.description, ledger.owner_team_id) == (
        "Ledger",
        "Money in",
        payments.id,
    )
    assert ledger.retired is False and ledger.status is ServiceStatus.ACTIVE

    def register(name: str = "Ledger", description: str = "d") -> object:
        return Service.register(name=name, description=description, owner=payments)

    assert refusal(lambda: register(name=" ")) == blank("name")
    assert refusal(lambda: register(name="n" * (MAX_NAME_LENGTH + 1))) == too_long(
        "name", MAX_NAME_LENGTH
    )
    assert refusal(lambda: register(description="")) == blank("description")
    assert refusal(lambda: register(description="d" * (MAX_DESCRIPTION_LENGTH + 1))) == (
        too_long("description", MAX_DESCRIPTION_LENGTH)
    )


def test_an_api_keeps_its_values_and_names_the_field_it_refuses() -> None:
    ledger = service("Ledger", team("Payments"))
    published = api(ledger, version="v" * MAX_API_VERSION_LENGTH, visibility=Visibility.INTERNAL)
    assert (published.kind, published.visibility) == ("REST", "INTERNAL")
    assert (published.sunset, published.deprecated, published.retired) == (None, False, False)
    assert published.status is ApiStatus.PUBLISHED

    def publish(name: str = "ledger", version: str = "v2") -> object:
        return Api.publish(
            ledger, name=name, version=version, kind=ApiKind.REST, visibility=Visibility.PUBLIC
        )

    assert refusal(lambda: publish(name=" ")) == blank("name")
    assert refusal(lambda: publish(version=" ")) == blank("version")
    assert refusal(lambda: publish(version="v" * (MAX_API_VERSION_LENGTH + 1))) == too_long(
        "version", MAX_API_VERSION_LENGTH
    )
    assert refusal(lambda: publish(version="v 2")) == invalid(
        "version", "`version` must be one word, e.g. v2 or 1.4.0"
    )
    assert refusal(lambda: publish(name="Ledger", version="V" * MAX_API_VERSION_LENGTH)) == (
        ApiAlreadyPublished,
        f"Service 'Ledger' already publishes API 'Ledger' version {'V' * MAX_API_VERSION_LENGTH}",
        {"service_id": str(ledger.id)},
    )


def test_the_transfer_refusals() -> None:
    payments, risk = team("Payments"), team("Risk")
    ledger = service("Ledger", payments)
    assert refusal(
        lambda: ledger.transfer(current_owner=payments, new_owner=payments, reason="Again"), ledger
    ) == (
        ServiceAlreadyOwned,
        "Service 'Ledger' is already owned by team 'Payments'",
        {"service_id": str(ledger.id)},
    )
    with pytest.raises(ValueError, match=r"^current_owner must be the team that owns the service$"):
        ledger.transfer(current_owner=risk, new_owner=payments, reason="Wrong owner")


def test_the_dependency_refusals_name_the_service_and_the_api() -> None:
    ledger, checkout = service("Ledger", team("Payments")), service("Checkout", team("Cart"))
    own = api(ledger)
    assert refusal(lambda: ledger.declare_dependency(own), ledger, own) == (
        ServiceConsumesOwnApi,
        "Service 'Ledger' publishes API 'ledger' v1 itself",
        {"service_id": str(ledger.id), "api_id": str(own.id)},
    )
    checkout.declare_dependency(own)
    checkout.collect_events()
    own.collect_events()
    assert refusal(lambda: checkout.declare_dependency(own), checkout, own) == (
        DependencyAlreadyDeclared,
        "Service 'Checkout' already consumes API 'ledger' v1",
        {"service_id": str(checkout.id), "api_id": str(own.id)},
    )
    other = api(ledger, version="v2")
    assert refusal(lambda: checkout.drop_dependency(other, "Never used"), checkout, other) == (
        NotADependency,
        f"Service 'Checkout' does not consume API {other.id}",
        {"kind": "dependency", "key": str(other.id)},
    )
    long_reason = "r" * (MAX_REASON_LENGTH + 1)
    assert refusal(lambda: checkout.drop_dependency(own, long_reason), checkout, own) == (
        too_long("reason", MAX_REASON_LENGTH)
    )
    checkout.drop_dependency(own, "  Moved off  ")
    [dropped] = recorded(checkout)
    assert isinstance(dropped, Service.DependencyDropped)
    assert (dropped.api_id, dropped.reason) == (own.id, "Moved off")
    checkout.declare_dependency(own)
    checkout.collect_events()
    checkout.drop_dependency(own)
    [dropped] = recorded(checkout)
    assert (dropped.api_id, dropped.reason) == (own.id, "")  # type: ignore[attr-defined]


def test_the_service_retirement_refusals_and_what_retiring_records() -> None:
    ledger, checkout = service("Ledger", team("Payments")), service("Checkout", team("Cart"))
    consumed = api(ledger)
    checkout.declare_dependency(consumed)
    checkout.collect_events()
    assert refusal(lambda: checkout.retire(" ", consumed=[consumed]), checkout) == blank("reason")
    second = api(ledger, version="v2")
    assert refusal(lambda: ledger.retire("Done", consumed=[]), ledger) == (
        ServiceHasActiveApis,
        "Service 'Ledger' still publishes ledger v1, ledger v2; retire those APIs first",
        {"service_id": str(ledger.id), "api_ids": sorted([str(consumed.id), str(second.id)])},
    )
    with pytest.raises(
        ValueError, match=r"^consumed must include every API the service depends on$"
    ):
        checkout.retire("Done", consumed=[])
    checkout.retire(" Replaced ", consumed=[consumed])
    dropped, retired = recorded(checkout)
    assert isinstance(dropped, Service.DependencyDropped) and isinstance(retired, Service.Retired)
    assert (dropped.api_id, dropped.reason, retired.reason) == (
        consumed.id,
        "Service retired: Replaced",
        "Replaced",
    )
    assert checkout.status is ServiceStatus.RETIRED
    assert refusal(lambda: checkout.declare_dependency(consumed), checkout) == (
        ServiceRetired,
        "Service 'Checkout' is retired",
        {"service_id": str(checkout.id)},
    )


def test_the_api_refusals_and_what_retiring_records() -> None:
    ledger, checkout = service("Ledger", team("Payments")), service("Checkout", team("Cart"))
    published = api(ledger)
    published.deprecate(SUNSET, " Use v2 ")
    [deprecated] = recorded(published)
    assert isinstance(deprecated, Api.Deprecated)
    assert (deprecated.sunset, deprecated.reason) == (SUNSET, "Use v2")
    assert refusal(lambda: published.deprecate(SUNSET, "Again"), published) == (
        ApiAlreadyDeprecated,
        "API 'ledger' v1 is already deprecated (sunset 2027-06-30)",
        {"api_id": str(published.id)},
    )
    checkout.declare_dependency(published)
    published.collect_events()
    assert refusal(lambda: published.retire("Done", provider=ledger), published) == (
        ApiHasActiveConsumers,
        "API 'ledger' v1 still has 1 consumer(s)",
        {"api_id": str(published.id), "consumer_ids": [str(checkout.id)]},
    )
    checkout.drop_dependency(published)
    published.collect_events()
    assert refusal(lambda: published.retire("\t", provider=ledger), published) == blank("reason")
    with pytest.raises(ValueError, match=r"^provider must be the service that publishes the API$"):
        published.retire("Done", provider=checkout)
    published.retire(" Sunset passed ", provider=ledger)
    [retired] = recorded(published)
    assert isinstance(retired, Api.Retired) and retired.reason == "Sunset passed"
    assert refusal(lambda: published.deprecate(SUNSET, "Late"), published) == (
        ApiRetired,
        "API 'ledger' v1 is retired",
        {"api_id": str(published.id)},
    )


def test_a_services_description_may_run_over_lines() -> None:
    ledger = Service.register(
        name="Ledger", description=" Money in;\nmoney out ", owner=team("Payments")
    )
    assert ledger.description == "Money in;\nmoney out"
