"""The boundary report and team coupling, computed from rows alone (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

from projections.boundaries.report import (
    ActiveService,
    Dependency,
    ProvidedApi,
    ViolationKind,
    analyse,
    coupling,
)

COMMERCE, CART, PAYMENTS, RISK = uuid4(), uuid4(), uuid4(), uuid4()
TEAM_NAMES = {COMMERCE: "Commerce", CART: "Cart", PAYMENTS: "Payments", RISK: "Risk"}
SERVICES = {"Shop": COMMERCE, "Checkout": CART, "Ledger": PAYMENTS, "Scoring": RISK}
SERVICE_IDS = {name: uuid4() for name in SERVICES}


def provided(service: str, name: str, visibility: str) -> ProvidedApi:
    team = SERVICES[service]
    return ProvidedApi(
        api_id=uuid4(),
        api_name=name,
        api_version="v1",
        visibility=visibility,
        provider_id=SERVICE_IDS[service],
        provider_name=service,
        provider_team_id=team,
        provider_team_name=TEAM_NAMES[team],
    )


def depends(consumer: str, api: ProvidedApi, status: str = "PUBLISHED") -> Dependency:
    team = SERVICES[consumer]
    return Dependency(
        consumer_id=SERVICE_IDS[consumer],
        consumer_name=consumer,
        consumer_team_id=team,
        consumer_team_name=TEAM_NAMES[team],
        api_id=api.api_id,
        api_name=api.api_name,
        api_version=api.api_version,
        visibility=api.visibility,
        api_status=status,
        sunset=date(2030, 6, 30) if status == "DEPRECATED" else None,
        provider_id=api.provider_id,
        provider_name=api.provider_name,
        provider_team_id=api.provider_team_id,
        provider_team_name=api.provider_team_name,
    )


def active(service: str, *, team_active: bool = True) -> ActiveService:
    team = SERVICES[service]
    return ActiveService(SERVICE_IDS[service], service, team, TEAM_NAMES[team], team_active)


LEDGER_PUBLIC = provided("Ledger", "ledger", "PUBLIC")
LEDGER_INTERNAL = provided("Ledger", "ledger-admin", "INTERNAL")
SCORING = provided("Scoring", "scores", "INTERNAL")
CHECKOUT_EVENTS = provided("Checkout", "orders", "PUBLIC")
SHOP_INTERNAL = provided("Shop", "catalogue", "INTERNAL")
APIS = [LEDGER_PUBLIC, LEDGER_INTERNAL, SCORING, CHECKOUT_EVENTS, SHOP_INTERNAL]
DEPENDENCIES = [
    depends("Checkout", LEDGER_PUBLIC),
    depends("Checkout", LEDGER_INTERNAL),  # INTERNAL across teams
    depends("Scoring", CHECKOUT_EVENTS, status="DEPRECATED"),
    depends("Ledger", SCORING),  # INTERNAL across teams
    depends("Shop", CHECKOUT_EVENTS, status="DEPRECATED"),
]
ALL_ACTIVE = [active(name) for name in SERVICES]


def edges(dependencies: tuple[Dependency, ...]) -> set[tuple[str, str]]:
    return {(d.consumer_name, f"{d.provider_name}/{d.api_name}") for d in dependencies}


def test_the_whole_company_lists_every_cross_team_edge_and_violation() -> None:
    report = analyse(None, DEPENDENCIES, APIS, ALL_ACTIVE)
    assert report.scope is None
    assert edges(report.cross_team) == {
        ("Checkout", "Ledger/ledger"),
        ("Checkout", "Ledger/ledger-admin"),
        ("Scoring", "Checkout/orders"),
        ("Ledger", "Scoring/scores"),
        ("Shop", "Checkout/orders"),
    }
    assert [(v.kind, v.service_id, v.api_id) for v in report.violations] == [
        (ViolationKind.INTERNAL_API_ACROSS_TEAMS, SERVICE_IDS["Checkout"], LEDGER_INTERNAL.api_id),
        (ViolationKind.INTERNAL_API_ACROSS_TEAMS, SERVICE_IDS["Ledger"], SCORING.api_id),
        (ViolationKind.DEPRECATED_API_IN_USE, SERVICE_IDS["Scoring"], CHECKOUT_EVENTS.api_id),
        (ViolationKind.DEPRECATED_API_IN_USE, SERVICE_IDS["Shop"], CHECKOUT_EVENTS.api_id),
        (ViolationKind.API_WITHOUT_CONSUMERS, SERVICE_IDS["Shop"], SHOP_INTERNAL.api_id),
    ]
    internal = report.violations[0].detail
    assert internal == (
        "The service 'Checkout' (team 'Cart') consumes the INTERNAL API 'ledger-admin' v1 "
        "of service 'Ledger' (team 'Payments')"
    )
    assert "sunset 2030-06-30" in report.violations[2].detail
    assert len(report.provided) == len(APIS)


def test_a_team_sees_the_edges_and_violations_that_touch_it() -> None:
    report = analyse([CART], DEPENDENCIES, APIS, ALL_ACTIVE)
    assert edges(report.cross_team) == {
        ("Checkout", "Ledger/ledger"),
        ("Checkout", "Ledger/ledger-admin"),
        ("Scoring", "Checkout/orders"),
        ("Shop", "Checkout/orders"),
    }
    [orders] = report.provided
    assert orders.api_id == CHECKOUT_EVENTS.api_id
    assert {d.consumer_name for d in orders.dependencies} == {"Scoring", "Shop"}
    assert {use.api_id for use in report.consumed} == {
        LEDGER_PUBLIC.api_id,
        LEDGER_INTERNAL.api_id,
    }
    assert all(use.provider_team_id == PAYMENTS for use in report.consumed)
    assert [v.kind for v in report.violations] == [
        ViolationKind.INTERNAL_API_ACROSS_TEAMS,
        ViolationKind.DEPRECATED_API_IN_USE,
        ViolationKind.DEPRECATED_API_IN_USE,
    ]


def test_edges_inside_a_subtree_still_cross_teams() -> None:
    report = analyse([COMMERCE, CART], DEPENDENCIES, APIS, ALL_ACTIVE)
    assert ("Shop", "Checkout/orders") in edges(report.cross_team)
    assert {use.api_id for use in report.consumed} == {
        LEDGER_PUBLIC.api_id,
        LEDGER_INTERNAL.api_id,
        CHECKOUT_EVENTS.api_id,
    }


def test_a_service_consuming_its_own_teams_internal_api_is_no_violation() -> None:
    basket_api = provided("Checkout", "basket", "INTERNAL")
    same_team = replace(
        depends("Checkout", basket_api), consumer_id=uuid4(), consumer_name="Basket"
    )
    report = analyse([CART], [same_team], [basket_api], [])
    assert report.cross_team == () and report.violations == ()
    assert [d.consumer_name for d in report.provided[0].dependencies] == ["Basket"]


def test_an_active_service_of_a_disbanded_team_is_orphaned() -> None:
    report = analyse(None, [], [], [active("Ledger", team_active=False), active("Shop")])
    [orphan] = report.violations
    assert orphan.kind is ViolationKind.ORPHANED_SERVICE
    assert orphan.service_id == SERVICE_IDS["Ledger"]
    assert orphan.detail == "Service 'Ledger' is owned by team 'Payments', which is disbanded"


def test_public_apis_without_consumers_are_not_reported() -> None:
    report = analyse(None, [], [LEDGER_PUBLIC, SHOP_INTERNAL], [])
    assert [v.api_id for v in report.violations] == [SHOP_INTERNAL.api_id]


def test_team_coupling_counts_dependencies_between_teams() -> None:
    second = depends("Checkout", provided("Ledger", "ledger", "PUBLIC"))
    counts = coupling(None, [*DEPENDENCIES, second])
    by_edge = {
        (TEAM_NAMES[c.consumer_team_id], TEAM_NAMES[c.provider_team_id]): (
            c.dependencies,
            c.apis,
            c.internal_dependencies,
        )
        for c in counts
    }
    assert by_edge == {
        ("Cart", "Payments"): (3, 3, 1),
        ("Risk", "Cart"): (1, 1, 0),
        ("Payments", "Risk"): (1, 1, 1),
        ("Commerce", "Cart"): (1, 1, 0),
    }
    assert (counts[0].consumer_team_id, counts[0].provider_team_id) == (CART, PAYMENTS)


def test_team_coupling_for_a_team_keeps_the_edges_that_touch_it() -> None:
    counts = coupling([RISK], DEPENDENCIES)
    pairs = {(c.consumer_team_id, c.provider_team_id) for c in counts}
    assert pairs == {(RISK, CART), (PAYMENTS, RISK)}


def test_an_empty_scope_sees_nothing() -> None:
    nobody: list[UUID] = []
    report = analyse(nobody, DEPENDENCIES, APIS, ALL_ACTIVE)
    assert report.provided == report.consumed == report.cross_team == report.violations == ()
    assert coupling(nobody, DEPENDENCIES) == []
