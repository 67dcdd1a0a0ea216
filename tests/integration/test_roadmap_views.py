"""Roadmap views against real PostgreSQL: the projector, the queries, the dependency
conflicts, as-of."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import msgspec
import pytest

from domain.boundaries import ApiKind, Visibility
from domain.people.values import Function
from domain.prfaqs import Ring
from domain.roadmap import Health, Horizon
from projections.reading import ReadSession
from projections.roadmap import queries
from projections.roadmap.conflicts import Conflict, conflict_of
from services.api.commands import CommandContext
from services.boundaries.rest_apis import DeprecateApi
from services.boundaries.rest_services import PublishApi, RegisterService
from services.roadmap.rest import (
    AddDependency,
    AddMilestone,
    ChangeHeadcount,
    CheckIn,
    CommitItem,
    DropItem,
    MoveTargetDate,
    ProposeItem,
    RoadmapSettingsBody,
)
from services.runtime import Runtime
from tests.goal_fixtures import Company, company
from tests.people import CEO
from tests.prfaq_fixtures import draft, review

WAIT = 10.0


@dataclass
class Scenario:
    org: Company
    depots: UUID  # Books, from the approved PR/FAQ: committed, slipped, in progress
    stock: UUID  # Finance: committed, due after depots (a conflict)
    legacy: UUID  # Retail: dropped, depots depended on it (a conflict)
    later: UUID  # Books, LATER, proposed
    api: UUID  # deprecated, depots depends on it
    prfaq: UUID
    milestone: UUID
    before_slip: int
    head: int


def item(runtime: Runtime, team: UUID, title: str, horizon: Horizon = Horizon.NOW) -> UUID:
    return runtime.roadmap.propose(
        CommandContext(CEO, "t"),
        ProposeItem(
            team_id=team,
            title=title,
            outcome=f"{title} for readers",
            horizon=horizon,
            goal_ids=[],
            headcount={Function.ENGINEERING: 2, Function.DESIGN: 1},
        ),
    ).id


def build(runtime: Runtime) -> Scenario:
    org = company(runtime)
    prfaq = draft(runtime, org.books, title="Depots")
    for ring in Ring:
        review(runtime, prfaq, ring)
    road = runtime.roadmap
    depots = road.propose(
        CommandContext(CEO, "t"),
        ProposeItem(
            team_id=None,
            title="Depots",
            outcome="Books the same day",
            horizon=Horizon.NOW,
            goal_ids=[],
            headcount={Function.ENGINEERING: 3},
            prfaq_id=prfaq,
        ),
    ).id
    stock, legacy = item(runtime, org.finance, "Stock"), item(runtime, org.retail, "Legacy")
    later = item(runtime, org.books, "Later", Horizon.LATER)
    road.commit(CommandContext(CEO, "t"), depots, CommitItem(target_date=date(2027, 3, 1)))
    road.commit(CommandContext(CEO, "t"), stock, CommitItem(target_date=date(2027, 5, 1)))
    service = runtime.boundaries.register_service(
        CommandContext(CEO, "t"),
        RegisterService(name="depot-svc", owner_team_id=org.finance, description="d"),
    ).id
    api = runtime.boundaries.publish_api(
        CommandContext(CEO, "t"),
        service,
        PublishApi(name="stock", version="v1", kind=ApiKind.REST, visibility=Visibility.PUBLIC),
    ).id
    for target in (stock, legacy):
        road.add_dependency(CommandContext(CEO, "t"), depots, AddDependency(item_id=target))
    road.add_dependency(CommandContext(CEO, "t"), depots, AddDependency(api_id=api))
    runtime.boundaries.deprecate_api(
        CommandContext(CEO, "t"), api, DeprecateApi(sunset=date(2028, 1, 1), reason="v2")
    )
    road.drop(CommandContext(CEO, "t"), legacy, DropItem(reason="Superseded"))
    milestone = road.add_milestone(
        CommandContext(CEO, "t"), depots, AddMilestone(name="Beta", date=date(2027, 2, 1))
    ).id
    road.complete_milestone(CommandContext(CEO, "t"), depots, milestone)
    before_slip = road.start(CommandContext(CEO, "t"), depots).position
    road.move_target_date(
        CommandContext(CEO, "t"),
        depots,
        MoveTargetDate(target_date=date(2027, 3, 15), reason="Vendor late"),
    )
    road.check_in(
        CommandContext(CEO, "t"),
        depots,
        CheckIn(health=Health.ON_TRACK, note="Fine", path_back=None),
    )
    head = road.check_in(
        CommandContext(CEO, "t"),
        depots,
        CheckIn(health=Health.OFF_TRACK, note="Surprise", path_back="Cut scope"),
    ).position
    return Scenario(org, depots, stock, legacy, later, api, prfaq, milestone, before_slip, head)


@pytest.fixture
async def scenario(serving: Runtime) -> Scenario:
    built = build(serving)
    assert await serving.watcher.wait_for(built.head, WAIT)
    return built


@pytest.fixture
async def db(serving: Runtime, scenario: Scenario) -> AsyncIterator[ReadSession]:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        yield session


async def test_an_item_from_a_prfaq_as_it_stands(scenario: Scenario, db: ReadSession) -> None:
    row = (await queries.items_by_id(db, [scenario.depots], None))[scenario.depots]
    assert (row["team_id"], row["prfaq_id"], row["status"], row["horizon"]) == (
        scenario.org.books,
        scenario.prfaq,
        "IN_PROGRESS",
        "NOW",
    )
    assert (row["target_date"], row["health"]) == (date(2027, 3, 15), "OFF_TRACK")
    assert msgspec.json.decode(row["headcount"]) == {"ENGINEERING": 3}
    dropped = (await queries.items_by_id(db, [scenario.legacy], None))[scenario.legacy]
    assert (dropped["status"], dropped["close_note"]) == ("DROPPED", "Superseded")


async def test_slips_check_ins_and_milestones_are_kept(scenario: Scenario, db: ReadSession) -> None:
    slips = (await queries.slips_of(db, [scenario.depots], None))[scenario.depots]
    assert [(s["previous"], s["target_date"], s["days"], s["reason"]) for s in slips] == [
        (date(2027, 3, 1), date(2027, 3, 15), 14, "Vendor late")
    ]
    check_ins = (await queries.check_ins_of(db, [scenario.depots], None))[scenario.depots]
    assert [(c["health"], c["path_back"], c["blindside"]) for c in check_ins] == [
        ("ON_TRACK", None, False),
        ("OFF_TRACK", "Cut scope", True),
    ]
    milestones = (await queries.milestones_of(db, [scenario.depots], None))[scenario.depots]
    assert [(m["id"], m["name"], m["done"]) for m in milestones] == [
        (scenario.milestone, "Beta", True)
    ]


async def test_dependencies_show_their_conflicts(scenario: Scenario, db: ReadSession) -> None:
    edges = (await queries.dependencies_of(db, [scenario.depots], None))[scenario.depots]
    found = {edge["target_id"]: conflict_of(edge) for edge in edges}
    assert found == {
        scenario.stock: Conflict.DUE_AFTER,
        scenario.legacy: Conflict.DROPPED,
        scenario.api: Conflict.DEPRECATED_API,
    }
    dependents = await queries.dependents_of(db, [scenario.stock, scenario.api], None)
    assert [row["item_id"] for row in dependents[scenario.stock]] == [scenario.depots]
    books = await queries.dependency_edges(db, None, [scenario.org.finance])
    assert books == [], "Finance's items depend on nothing"


async def test_a_teams_roadmap_and_the_timeline_window(scenario: Scenario, db: ReadSession) -> None:
    books = (await queries.items_of_teams(db, [scenario.org.books], None))[scenario.org.books]
    assert [row["id"] for row in books] == [scenario.depots, scenario.later], "undated last"
    window = await queries.items(
        db, None, queries.ItemFilter(start=date(2027, 4, 1), end=date(2027, 12, 31))
    )
    assert [row["id"] for row in window] == [scenario.stock]


async def test_as_of_before_the_slip(scenario: Scenario, db: ReadSession) -> None:
    at = scenario.before_slip
    row = (await queries.items_by_id(db, [scenario.depots], at))[scenario.depots]
    assert (row["status"], row["target_date"], row["health"]) == (
        "IN_PROGRESS",
        date(2027, 3, 1),
        None,
    )
    assert await queries.slips_of(db, [scenario.depots], at) == {}


async def test_settings_history_and_items_without_a_prfaq_as_of(
    serving: Runtime, scenario: Scenario
) -> None:
    """The threshold's changes are kept; a headcount change shows; items without a PR/FAQ
    are found (open ones unless closed are asked for), as of any position."""
    road = serving.roadmap
    before = road.set_prfaq_threshold(
        CommandContext(CEO, "t"), RoadmapSettingsBody(prfaq_required_above=2, reason="Big bets")
    ).position
    grown = road.change_headcount(
        CommandContext(CEO, "t"),
        scenario.depots,
        ChangeHeadcount(headcount={Function.ENGINEERING: 5}, reason="Scope"),
    ).position
    head = road.set_prfaq_threshold(
        CommandContext(CEO, "t"), RoadmapSettingsBody(prfaq_required_above=None)
    ).position
    assert await serving.watcher.wait_for(head, WAIT)
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as db:
        history = await queries.settings_history(db, None)
        assert [(h["prfaq_required_above"], h["previous"], h["reason"]) for h in history] == [
            (2, None, "Big bets"),
            (None, 2, None),
        ]
        assert [h["prfaq_required_above"] for h in await queries.settings_history(db, grown)] == [2]
        assert await queries.settings_history(db, before - 1) == []
        row = (await queries.items_by_id(db, [scenario.depots], grown))[scenario.depots]
        assert msgspec.json.decode(row["headcount"]) == {"ENGINEERING": 5}
        row = (await queries.items_by_id(db, [scenario.depots], before))[scenario.depots]
        assert msgspec.json.decode(row["headcount"]) == {"ENGINEERING": 3}
        open_without = await queries.items(
            db, None, queries.ItemFilter(without_prfaq=True, open_only=True)
        )
        assert {r["id"] for r in open_without} == {scenario.stock, scenario.later}
        every_without = await queries.items(db, None, queries.ItemFilter(without_prfaq=True))
        assert {r["id"] for r in every_without} == {scenario.stock, scenario.later, scenario.legacy}
