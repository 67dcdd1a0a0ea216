"""The boundary and org-tree views against real PostgreSQL: projections, queries,
time travel, nested pages, the boundary report, and rebuilds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

import asyncpg
import pytest

from domain.boundaries import ApiKind, Visibility
from domain.org.team import Team
from domain.provenance import acting_as
from projections.boundaries import queries as q
from projections.boundaries.report import ViolationKind
from projections.org import queries as org_queries
from projections.paging import Order, PageRequest
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.boundaries.rest_apis import DeprecateApi
from services.boundaries.rest_services import (
    DeclareDependency,
    PublishApi,
    RegisterService,
    TransferService,
)
from services.org.rest import CharterTeam, MoveTeam
from services.runtime import Runtime
from tests.integration.test_projections import snapshot
from tests.people import CEO

WAIT = 10.0


@dataclass
class Scenario:
    """Commerce > Cart and Payments > Risk; five services; dependencies across teams."""

    runtime: Runtime
    teams: dict[str, UUID] = field(default_factory=dict)
    services: dict[str, UUID] = field(default_factory=dict)
    apis: dict[str, UUID] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)
    head: int = 0

    def team(self, name: str, leader: str, parent: str | None = None) -> None:
        outcome = self.runtime.org.charter_team(
            CommandContext(CEO, "s"),
            CharterTeam(
                name=name,
                mission=f"{name} mission",
                leader=leader,
                parent_id=None if parent is None else self.teams[parent],
            ),
        )
        self.teams[name] = outcome.id
        self.head = outcome.position

    def service(self, name: str, team: str) -> None:
        outcome = self.runtime.boundaries.register_service(
            CommandContext(CEO, "s"),
            RegisterService(
                name=name, owner_team_id=self.teams[team], description=f"{name} service"
            ),
        )
        self.services[name] = outcome.id
        self.head = outcome.position

    def api(self, service: str, name: str, visibility: Visibility) -> None:
        outcome = self.runtime.boundaries.publish_api(
            CommandContext(CEO, "s"),
            self.services[service],
            PublishApi(name=name, version="v1", kind=ApiKind.REST, visibility=visibility),
        )
        self.apis[name] = outcome.id
        self.head = outcome.position

    def depend(self, service: str, api: str) -> None:
        self.head = self.runtime.boundaries.declare_dependency(
            CommandContext(CEO, "s"),
            self.services[service],
            DeclareDependency(api_id=self.apis[api]),
        ).position

    def mark(self, name: str) -> None:
        self.positions[name] = self.head


def build(runtime: Runtime) -> Scenario:
    s = Scenario(runtime)
    s.team("Commerce", "cora@x.io")
    s.team("Cart", "carl@x.io", parent="Commerce")
    s.team("Payments", "pia@x.io")
    s.team("Risk", "rita@x.io", parent="Payments")
    for service, team in [
        ("Shop", "Commerce"),
        ("Checkout", "Cart"),
        ("Ledger", "Payments"),
        ("Scoring", "Risk"),
        ("Basket", "Cart"),
    ]:
        s.service(service, team)
    s.api("Shop", "catalogue", Visibility.INTERNAL)
    s.api("Checkout", "orders", Visibility.PUBLIC)
    s.api("Ledger", "ledger", Visibility.PUBLIC)
    s.api("Ledger", "ledger-admin", Visibility.INTERNAL)
    s.api("Scoring", "scores", Visibility.INTERNAL)
    s.api("Basket", "basket", Visibility.INTERNAL)
    s.depend("Checkout", "ledger")
    s.depend("Checkout", "ledger-admin")
    s.depend("Checkout", "basket")  # INTERNAL, but within Cart
    s.depend("Ledger", "scores")
    s.depend("Shop", "orders")
    s.head = runtime.boundaries.deprecate_api(
        CommandContext(CEO, "s"),
        s.apis["orders"],
        DeprecateApi(sunset=date(2030, 6, 30), reason="orders v2 is coming"),
    ).position
    s.mark("before transfer")
    s.head = runtime.boundaries.transfer_service(
        CommandContext(CEO, "s"),
        s.services["Scoring"],
        TransferService(to_team_id=s.teams["Payments"], reason="Scoring joins"),
    ).position
    s.mark("before reorg")
    s.head = runtime.org.move_team(
        CommandContext(CEO, "s"),
        s.teams["Risk"],
        MoveTeam(parent_id=s.teams["Commerce"], reason="Risk serves shoppers"),
    ).position
    return s


@pytest.fixture
async def scenario(serving: Runtime) -> Scenario:
    built = build(serving)
    assert await serving.watcher.wait_for(built.head, WAIT)
    return built


@pytest.fixture
async def db(serving: Runtime) -> AsyncIterator[ReadSession]:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        yield session


ALL = PageRequest(size=100)


async def test_services_and_their_owners_over_time(scenario: Scenario, db: ReadSession) -> None:
    scoring = scenario.services["Scoring"]
    payments, risk = scenario.teams["Payments"], scenario.teams["Risk"]
    now = (await q.services_by_id(db, [scoring], None))[scoring]
    assert (now["name"], now["owner_team_id"], now["status"]) == ("Scoring", payments, "ACTIVE")
    history = (await q.ownership_history(db, [scoring], None))[scoring]
    assert [(h["team_id"], h["reason"], h["until"] is None) for h in history] == [
        (risk, None, False),
        (payments, "Scoring joins", True),
    ]
    then = scenario.positions["before transfer"]
    assert (await q.services_by_id(db, [scoring], then))[scoring]["owner_team_id"] == risk
    [owner_then] = (await q.ownership_history(db, [scoring], then))[scoring]
    assert (owner_then["team_id"], owner_then["until"]) == (risk, None)


async def test_a_transfer_seen_from_both_teams(scenario: Scenario, db: ReadSession) -> None:
    payments, risk = scenario.teams["Payments"], scenario.teams["Risk"]

    async def owned(at: int | None) -> dict[UUID, list[str]]:
        pages = await q.services_of_teams(db, [payments, risk], at, ALL, None)
        return {team: [row["name"] for row in page.rows] for team, page in pages.items()}

    assert await owned(None) == {payments: ["Ledger", "Scoring"]}
    assert await owned(scenario.positions["before transfer"]) == {
        payments: ["Ledger"],
        risk: ["Scoring"],
    }
    teams = await org_queries.teams_by_id(db, [payments, risk], None)
    assert teams[payments]["version"] > 1, "the team's version moves with its services"


async def test_apis_dependencies_and_consumers(scenario: Scenario, db: ReadSession) -> None:
    ledger, checkout = scenario.services["Ledger"], scenario.services["Checkout"]
    apis = (await q.apis_of_services(db, [ledger], None, ALL, None))[ledger]
    assert [(row["name"], row["visibility"]) for row in apis.rows] == [
        ("ledger", "PUBLIC"),
        ("ledger-admin", "INTERNAL"),
    ]
    orders = (await q.apis_by_id(db, [scenario.apis["orders"]], None))[scenario.apis["orders"]]
    assert (orders["status"], orders["sunset"], orders["deprecation_reason"]) == (
        "DEPRECATED",
        date(2030, 6, 30),
        "orders v2 is coming",
    )
    consumed = (await q.dependencies_of_services(db, [checkout], None, ALL))[checkout]
    assert [row["name"] for row in consumed.rows] == ["basket", "ledger", "ledger-admin"]
    assert all(row["depended_since"] is not None for row in consumed.rows)
    ledger_api = scenario.apis["ledger"]
    consumers = (await q.consumers_of_apis(db, [ledger_api], None, ALL))[ledger_api]
    assert [row["name"] for row in consumers.rows] == ["Checkout"]
    team_apis = await q.apis_of_teams(db, [scenario.teams["Payments"]], None, ALL, None)
    assert [row["name"] for row in team_apis[scenario.teams["Payments"]].rows] == [
        "ledger",
        "ledger-admin",
        "scores",
    ]


async def test_nested_pages_for_many_parents_in_one_query(
    scenario: Scenario, db: ReadSession
) -> None:
    cart, payments = scenario.teams["Cart"], scenario.teams["Payments"]
    first = await q.services_of_teams(db, [cart, payments], None, PageRequest(size=1), None)
    assert {team: (page.total, page.has_next) for team, page in first.items()} == {
        cart: (2, True),
        payments: (2, True),
    }
    assert [row["name"] for row in first[cart].rows] == ["Basket"]
    last = first[cart].rows[-1]
    rest = await q.services_of_teams(
        db, [cart], None, PageRequest(size=1, after=(last["name"], last["id"])), None
    )
    assert [row["name"] for row in rest[cart].rows] == ["Checkout"]
    assert (rest[cart].total, rest[cart].has_next) == (2, False)
    active = await q.services_of_teams(db, [cart], None, ALL, "RETIRED")
    assert active == {}


async def test_nested_pages_backwards_for_many_parents_in_one_query(
    scenario: Scenario, db: ReadSession
) -> None:
    cart, payments = scenario.teams["Cart"], scenario.teams["Payments"]
    last = await q.services_of_teams(
        db, [cart, payments], None, PageRequest(size=1, from_end=True), None
    )
    assert {team: [row["name"] for row in page.rows] for team, page in last.items()} == {
        cart: ["Checkout"],
        payments: ["Scoring"],
    }
    assert all(page.has_previous and not page.has_next for page in last.values())
    checkout = last[cart].rows[0]
    before = PageRequest(size=5, before=(checkout["name"], checkout["id"]), from_end=True)
    earlier = await q.services_of_teams(db, [cart, payments], None, before, None)
    assert [row["name"] for row in earlier[cart].rows] == ["Basket"]
    # one cursor for every parent: none of Payments' services comes before Checkout,
    # and its page still has its total
    assert (earlier[payments].rows, earlier[payments].total) == ([], 2)
    assert (earlier[cart].total, earlier[cart].has_previous, earlier[cart].has_next) == (
        2,
        False,
        True,
    )


async def test_a_root_list_pages_backwards_and_in_another_order(
    scenario: Scenario, db: ReadSession
) -> None:
    everything = q.ServiceFilter()
    last = await q.service_page(db, None, everything, PageRequest(size=2, from_end=True))
    assert [row["name"] for row in last.rows] == ["Scoring", "Shop"]
    assert (last.total, last.has_previous, last.has_next) == (5, True, False)
    first = last.rows[0]
    before = PageRequest(size=10, before=(first["name"], first["id"]), from_end=True)
    earlier = await q.service_page(db, None, everything, before)
    assert [row["name"] for row in earlier.rows] == ["Basket", "Checkout", "Ledger"]
    assert (earlier.has_previous, earlier.has_next) == (False, True)
    descending = PageRequest(size=2, order=Order(("name", "id"), descending=True))
    assert [
        row["name"] for row in (await q.service_page(db, None, everything, descending)).rows
    ] == [
        "Shop",
        "Scoring",
    ]


async def test_root_lists_filter_and_page(scenario: Scenario, db: ReadSession) -> None:
    everything = await q.service_page(db, None, q.ServiceFilter(), PageRequest(size=2))
    assert (everything.total, everything.has_next) == (5, True)
    assert [row["name"] for row in everything.rows] == ["Basket", "Checkout"]
    last = everything.rows[-1]
    after = await q.service_page(
        db, None, q.ServiceFilter(), PageRequest(size=10, after=(last["name"], last["id"]))
    )
    assert [row["name"] for row in after.rows] == ["Ledger", "Scoring", "Shop"]
    mine = await q.service_page(
        db, None, q.ServiceFilter(owner_team_id=scenario.teams["Cart"]), ALL
    )
    assert [row["name"] for row in mine.rows] == ["Basket", "Checkout"]
    named = await q.service_page(db, None, q.ServiceFilter(name_contains="_o%"), ALL)
    assert named.total == 0, "LIKE wildcards in a filter are literal"
    internal = await q.api_page(db, None, q.ApiFilter(visibility="INTERNAL"), ALL)
    assert [row["name"] for row in internal.rows] == [
        "basket",
        "catalogue",
        "ledger-admin",
        "scores",
    ]
    payments_then = await q.api_page(
        db,
        scenario.positions["before transfer"],
        q.ApiFilter(owner_team_id=scenario.teams["Payments"]),
        ALL,
    )
    assert [row["name"] for row in payments_then.rows] == ["ledger", "ledger-admin"]
    deprecated = await q.api_page(db, None, q.ApiFilter(status="DEPRECATED", kind="REST"), ALL)
    assert [row["name"] for row in deprecated.rows] == ["orders"]


async def test_the_org_tree_after_a_reorganisation_and_before_it(
    scenario: Scenario, db: ReadSession
) -> None:
    t = scenario.teams
    tree = await org_queries.org_tree(db, None, None, include_disbanded=False)
    assert [(row["name"], row["depth"]) for row in tree] == [
        ("Commerce", 0),
        ("Cart", 1),
        ("Risk", 1),
        ("Payments", 0),
    ]
    before = await org_queries.org_tree(
        db, scenario.positions["before reorg"], None, include_disbanded=False
    )
    assert [(row["name"], row["depth"]) for row in before] == [
        ("Commerce", 0),
        ("Cart", 1),
        ("Payments", 0),
        ("Risk", 1),
    ]
    subtree = await org_queries.org_tree(db, None, t["Commerce"], include_disbanded=False)
    assert [row["name"] for row in subtree] == ["Commerce", "Cart", "Risk"]
    scope = await org_queries.team_scope(db, t["Commerce"], None, include_subteams=True)
    assert set(scope) == {t["Commerce"], t["Cart"], t["Risk"]}
    assert await org_queries.team_scope(db, t["Risk"], None, include_subteams=False) == [t["Risk"]]
    ancestors = await org_queries.ancestors_of(db, [t["Risk"], t["Commerce"]], None)
    assert [row["name"] for row in ancestors[t["Risk"]]] == ["Commerce"]
    assert t["Commerce"] not in ancestors
    then = await org_queries.ancestors_of(db, [t["Risk"]], scenario.positions["before reorg"])
    assert [row["name"] for row in then[t["Risk"]]] == ["Payments"]

    async def children(at: int | None) -> dict[object, list[str]]:
        found = await org_queries.children_of(db, [t["Commerce"], t["Payments"]], at)
        return {team: [row["name"] for row in rows] for team, rows in found.items()}

    assert await children(None) == {t["Commerce"]: ["Cart", "Risk"]}
    assert await children(scenario.positions["before reorg"]) == {
        t["Commerce"]: ["Cart"],
        t["Payments"]: ["Risk"],
    }


async def test_the_boundary_report_lists_exactly_the_scenarios_edges_and_violations(
    scenario: Scenario, db: ReadSession
) -> None:
    report = await q.boundary_report(db, None, None)
    cross = {(d.consumer_name, d.api_name, d.provider_team_name) for d in report.cross_team}
    assert cross == {
        ("Checkout", "ledger", "Payments"),
        ("Checkout", "ledger-admin", "Payments"),
        ("Shop", "orders", "Cart"),
    }
    assert [(v.kind, v.detail) for v in report.violations] == [
        (
            ViolationKind.INTERNAL_API_ACROSS_TEAMS,
            "The service 'Checkout' (team 'Cart') consumes the INTERNAL API 'ledger-admin' v1 "
            "of service 'Ledger' (team 'Payments')",
        ),
        (
            ViolationKind.DEPRECATED_API_IN_USE,
            "The service 'Shop' (team 'Commerce') consumes the deprecated API 'orders' v1 "
            "of service 'Checkout' (team 'Cart'), sunset 2030-06-30",
        ),
        (
            ViolationKind.API_WITHOUT_CONSUMERS,
            "The INTERNAL API 'catalogue' v1 of service 'Shop' (team 'Commerce') has no consumers",
        ),
    ]
    before = await q.boundary_report(db, scenario.positions["before transfer"], None)
    assert ("Ledger", "scores", "Risk") in {
        (d.consumer_name, d.api_name, d.provider_team_name) for d in before.cross_team
    }, "Ledger used Risk's INTERNAL scores before Scoring moved to Payments"
    assert [v.kind for v in before.violations].count(ViolationKind.INTERNAL_API_ACROSS_TEAMS) == 2


async def test_the_boundary_reports_dependencies_share_their_equal_values(
    scenario: Scenario, db: ReadSession
) -> None:
    """The whole company's report holds every dependency while its answer is made: a
    name or id it repeats is one object, not one per row (issue 21, item 6)."""
    report = await q.boundary_report(db, None, None)
    ledger, admin = sorted(
        (d for d in report.cross_team if d.consumer_name == "Checkout"), key=lambda d: d.api_name
    )
    assert (ledger.api_name, admin.api_name) == ("ledger", "ledger-admin")
    assert ledger.consumer_name is admin.consumer_name
    assert ledger.consumer_id is admin.consumer_id
    assert ledger.consumer_team_name is admin.consumer_team_name
    assert ledger.provider_team_id is admin.provider_team_id
    assert ledger.api_id is not admin.api_id


async def test_the_boundary_report_for_a_team_and_for_a_subtree(
    scenario: Scenario, db: ReadSession
) -> None:
    cart = await org_queries.team_scope(db, scenario.teams["Cart"], None, include_subteams=False)
    report = await q.boundary_report(db, None, cart)
    assert [use.api_id for use in report.provided] == [
        scenario.apis["basket"],
        scenario.apis["orders"],
    ]
    assert {use.api_id for use in report.consumed} == {
        scenario.apis["basket"],
        scenario.apis["ledger"],
        scenario.apis["ledger-admin"],
    }
    assert len(report.cross_team) == 3
    commerce = await org_queries.team_scope(
        db, scenario.teams["Commerce"], None, include_subteams=True
    )
    subtree = await q.boundary_report(db, None, commerce)
    assert ("Shop", "orders") in {(d.consumer_name, d.api_name) for d in subtree.cross_team}
    coupling = await q.team_coupling(db, None, None)
    names = {scenario.teams[name]: name for name in scenario.teams}
    assert {
        (names[c.consumer_team_id], names[c.provider_team_id]): c.dependencies for c in coupling
    } == {("Cart", "Payments"): 2, ("Commerce", "Cart"): 1}


async def test_a_service_left_by_a_disbanded_team_is_reported_as_orphaned(
    scenario: Scenario, serving: Runtime
) -> None:
    """The commands refuse to disband a team that owns services, so this history is
    written straight to the event store, as a log from before that rule would hold."""
    fax = serving.boundaries.register_service(
        CommandContext(CEO, "s"),
        RegisterService(
            name="Fax", owner_team_id=scenario.teams["Risk"], description="Fax gateway"
        ),
    ).id
    legacy = serving.app.repository.get(scenario.teams["Risk"])
    assert isinstance(legacy, Team)
    with acting_as("legacy-import@example.com", "legacy"):
        legacy._disbanded(reason="Disbanded before services were tracked")
    [recording] = serving.app.save(legacy)
    assert await serving.watcher.wait_for(recording.notification.id, WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        report = await q.boundary_report(db, None, None)
    orphans = [v for v in report.violations if v.kind is ViolationKind.ORPHANED_SERVICE]
    assert [(v.service_id, v.detail) for v in orphans] == [
        (fax, "Service 'Fax' is owned by team 'Risk', which is disbanded")
    ]


@pytest.fixture
async def pool(runtime: Runtime) -> AsyncIterator[asyncpg.Pool]:
    created = await asyncpg.create_pool(runtime.database.url, min_size=1, max_size=3)
    yield created
    await created.close()


async def test_a_rebuild_from_the_log_gives_the_same_views(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    build(runtime)
    async with pool.acquire() as conn:
        runner = runtime.projection_runner(batch_size=7)
        cursor = await runner.prepare(conn)
        await runner.catch_up(conn, cursor)
    incremental = await snapshot(pool)
    assert incremental["service_dependencies"] and incremental["service_owners"]
    async with pool.acquire() as conn:
        await runtime.projection_runner().rebuild(conn)
    assert await snapshot(pool) == incremental
