"""Roadmap commands through the application on in-memory storage: the rules that span
aggregates (PR/FAQs, teams, APIs, other items), refusals that record nothing."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain.boundaries import ApiKind, Visibility
from domain.errors import InvalidValue, NotFound
from domain.org.team import TeamDisbanded
from domain.people.values import Function
from domain.prfaqs import Recommendation, Ring
from domain.roadmap import (
    ROADMAP_GRAPH_ID,
    Horizon,
    ItemStatus,
    RoadmapBaselineNameTaken,
    RoadmapDependencyCycle,
    RoadmapDependencyOnRetiredApi,
    RoadmapGraph,
    RoadmapItem,
    RoadmapItemNeedsPrFaq,
    RoadmapPrFaqNotApproved,
    RoadmapPrFaqTaken,
)
from services.api.commands import CommandContext
from services.boundaries.rest_apis import RetireApi
from services.boundaries.rest_services import PublishApi, RegisterService
from services.commands import Forbidden
from services.org.rest import DisbandTeam
from services.principal import Principal, Role
from services.roadmap.rest import (
    AddDependency,
    ChangeHeadcount,
    CommitItem,
    MoveTargetDate,
    ProposeItem,
    RecordBaseline,
    RoadmapSettingsBody,
    TransferItem,
)
from tests.commands import Commands, refused_and_nothing_recorded
from tests.goal_fixtures import company
from tests.people import CEO, principal
from tests.prfaq_fixtures import draft, review

BO = principal("bo@x.io", Role.MEMBER)  # leads Books
FIN = principal("fin@x.io", Role.MEMBER)  # leads Finance


def item_of(flywheel: Commands, item_id: UUID) -> RoadmapItem:
    found = flywheel.app.repository.get(item_id)
    assert isinstance(found, RoadmapItem)
    return found


def propose(
    flywheel: Commands, team: UUID | None, prfaq: UUID | None = None, who: Principal = CEO
) -> UUID:
    return flywheel.roadmap.propose(
        CommandContext(who, "t"),
        ProposeItem(
            team_id=team,
            title="Same-day books",
            outcome="Books the day you order them",
            horizon=Horizon.NOW,
            headcount={Function.ENGINEERING: 2},
            prfaq_id=prfaq,
        ),
    ).id


def approved(flywheel: Commands, team: UUID) -> UUID:
    prfaq = draft(flywheel, team)
    for ring in Ring:
        review(flywheel, prfaq, ring, Recommendation.ADVANCE)
    return prfaq


def test_the_teams_leader_proposes_an_item_for_an_active_team(flywheel: Commands) -> None:
    org = company(flywheel)
    item = item_of(flywheel, propose(flywheel, org.books, who=BO))
    assert (item.team_id, item.status, item.headcount) == (
        org.books,
        ItemStatus.PROPOSED,
        {"ENGINEERING": 2},
    )
    refused_and_nothing_recorded(flywheel, Forbidden, lambda: propose(flywheel, org.books, who=FIN))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: propose(flywheel, uuid4()))
    refused_and_nothing_recorded(flywheel, InvalidValue, lambda: propose(flywheel, None))
    flywheel.org.disband_team(CommandContext(CEO, "t"), org.finance, DisbandTeam(reason="Merged"))
    refused_and_nothing_recorded(flywheel, TeamDisbanded, lambda: propose(flywheel, org.finance))


def test_an_item_from_a_prfaq_needs_it_approved_belongs_to_its_team_and_is_the_only_one(
    flywheel: Commands,
) -> None:
    org = company(flywheel)
    drafted = draft(flywheel, org.books)
    refused = refused_and_nothing_recorded(
        flywheel, RoadmapPrFaqNotApproved, lambda: propose(flywheel, org.finance, drafted)
    )
    assert refused.context == {"prfaq_id": str(drafted), "state": "DRAFT"}  # type: ignore[attr-defined]
    prfaq = approved(flywheel, org.books)
    item = propose(flywheel, org.finance, prfaq)
    assert item_of(flywheel, item).team_id == org.books, "the PR/FAQ's team owns it"
    taken = refused_and_nothing_recorded(
        flywheel, RoadmapPrFaqTaken, lambda: propose(flywheel, org.books, prfaq)
    )
    assert taken.context == {"prfaq_id": str(prfaq), "item_id": str(item)}  # type: ignore[attr-defined]


def test_a_cycle_across_teams_is_refused_and_records_nothing(flywheel: Commands) -> None:
    org = company(flywheel)
    a, b, c = (propose(flywheel, team) for team in (org.books, org.finance, org.retail))
    flywheel.roadmap.add_dependency(CommandContext(CEO, "t"), a, AddDependency(item_id=b))
    flywheel.roadmap.add_dependency(CommandContext(CEO, "t"), b, AddDependency(item_id=c))
    refused = refused_and_nothing_recorded(
        flywheel,
        RoadmapDependencyCycle,
        lambda: flywheel.roadmap.add_dependency(
            CommandContext(CEO, "t"), c, AddDependency(item_id=a)
        ),
    )
    assert refused.context["cycle"] == [str(c), str(a), str(b), str(c)]  # type: ignore[attr-defined]
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.roadmap.add_dependency(
            CommandContext(CEO, "t"), c, AddDependency(item_id=uuid4())
        ),
    )


def test_an_api_dependency_is_on_a_published_api_never_a_retired_one(flywheel: Commands) -> None:
    org = company(flywheel)
    item = propose(flywheel, org.books)
    service = flywheel.boundaries.register_service(
        CommandContext(CEO, "t"),
        RegisterService(name="depots", owner_team_id=org.finance, description="d"),
    ).id

    def api(name: str) -> UUID:
        return flywheel.boundaries.publish_api(
            CommandContext(CEO, "t"),
            service,
            PublishApi(name=name, version="v1", kind=ApiKind.REST, visibility=Visibility.PUBLIC),
        ).id

    live, retired = api("stock"), api("old-stock")
    flywheel.boundaries.retire_api(CommandContext(CEO, "t"), retired, RetireApi(reason="Replaced"))
    flywheel.roadmap.add_dependency(CommandContext(CEO, "t"), item, AddDependency(api_id=live))
    refused = refused_and_nothing_recorded(
        flywheel,
        RoadmapDependencyOnRetiredApi,
        lambda: flywheel.roadmap.add_dependency(
            CommandContext(CEO, "t"), item, AddDependency(api_id=retired)
        ),
    )
    assert refused.context == {"item_id": str(item), "api_id": str(retired)}  # type: ignore[attr-defined]
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.roadmap.add_dependency(
            CommandContext(CEO, "t"), item, AddDependency(api_id=uuid4())
        ),
    )


def test_a_transfer_is_to_an_active_team_and_the_new_teams_leader_then_acts(
    flywheel: Commands,
) -> None:
    org = company(flywheel)
    item = propose(flywheel, org.books)
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.roadmap.transfer(
            CommandContext(CEO, "t"), item, TransferItem(to_team_id=uuid4(), reason="r")
        ),
    )
    flywheel.roadmap.transfer(
        CommandContext(BO, "t"),
        item,
        TransferItem(to_team_id=org.finance, reason="Finance owns it"),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.roadmap.commit(
            CommandContext(BO, "t"), item, CommitItem(target_date=date(2027, 1, 1))
        ),
    )
    flywheel.roadmap.commit(
        CommandContext(FIN, "t"), item, CommitItem(target_date=date(2027, 1, 1))
    )
    assert item_of(flywheel, item).status is ItemStatus.COMMITTED


def test_a_slip_keeps_the_previous_date_in_the_log(flywheel: Commands) -> None:
    org = company(flywheel)
    item = propose(flywheel, org.books)
    flywheel.roadmap.commit(CommandContext(BO, "t"), item, CommitItem(target_date=date(2027, 3, 1)))
    flywheel.roadmap.move_target_date(
        CommandContext(BO, "t"),
        item,
        MoveTargetDate(target_date=date(2027, 4, 1), reason="Vendor late"),
    )
    moves = [e for e in flywheel.app.events.get(item) if isinstance(e, RoadmapItem.TargetDateMoved)]
    assert [(m.previous, m.target_date, m.days, m.reason) for m in moves] == [
        (date(2027, 3, 1), date(2027, 4, 1), 31, "Vendor late")
    ]
    assert item_of(flywheel, item).target_date == date(2027, 4, 1)


def test_a_baseline_name_is_taken_once_whatever_its_case(flywheel: Commands) -> None:
    first = flywheel.roadmap.record_baseline(
        CommandContext(CEO, "t"), RecordBaseline(name="Mid-year review")
    )
    refused = refused_and_nothing_recorded(
        flywheel,
        RoadmapBaselineNameTaken,
        lambda: flywheel.roadmap.record_baseline(
            CommandContext(CEO, "t"), RecordBaseline(name="mid-YEAR  review")
        ),
    )
    assert refused.context == {"baseline_id": str(first.id)}  # type: ignore[attr-defined]
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: flywheel.roadmap.record_baseline(
            CommandContext(CEO, "t"), RecordBaseline(name=" ")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.roadmap.record_baseline(
            CommandContext(BO, "t"), RecordBaseline(name="Mine")
        ),
    )


def test_a_disbanded_teams_items_are_leaderships_to_act_on(flywheel: Commands) -> None:
    org = company(flywheel)
    item = propose(flywheel, org.finance)
    flywheel.org.disband_team(CommandContext(CEO, "t"), org.finance, DisbandTeam(reason="Merged"))
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.roadmap.transfer(
            CommandContext(FIN, "t"), item, TransferItem(to_team_id=org.books, reason="r")
        ),
    )
    flywheel.roadmap.transfer(
        CommandContext(CEO, "t"),
        item,
        TransferItem(to_team_id=org.books, reason="Books took it on"),
    )
    assert item_of(flywheel, item).team_id == org.books


def test_every_item_dependency_change_is_recorded_on_the_graphs_guard(flywheel: Commands) -> None:
    """Additions and removals of item dependencies write the one guard stream, in the
    same save as the item; API dependencies cannot close a cycle and leave it alone."""
    org = company(flywheel)
    a, b, c = (propose(flywheel, team) for team in (org.books, org.finance, org.retail))
    flywheel.roadmap.add_dependency(CommandContext(CEO, "t"), a, AddDependency(item_id=b))
    flywheel.roadmap.add_dependency(CommandContext(CEO, "t"), a, AddDependency(item_id=c))
    graph = flywheel.app.repository.get(ROADMAP_GRAPH_ID)
    assert isinstance(graph, RoadmapGraph)
    assert graph.edges == {str(a): [str(b), str(c)]} and graph.version == 3
    flywheel.roadmap.remove_dependency(CommandContext(CEO, "t"), a, b, reason="Done differently")
    graph = flywheel.app.repository.get(ROADMAP_GRAPH_ID)
    assert graph.edges == {str(a): [str(c)]} and graph.version == 4
    refused_and_nothing_recorded(
        flywheel,
        RoadmapDependencyCycle,
        lambda: flywheel.roadmap.add_dependency(
            CommandContext(CEO, "t"), c, AddDependency(item_id=a)
        ),
    )


def test_the_guard_reads_an_item_it_has_not_seen_change_from_the_item() -> None:
    """Dependencies recorded before the guard began are read from their items."""
    graph = RoadmapGraph.start()
    a, b = uuid4(), uuid4()
    legacy = {a: [b]}
    assert graph.dependencies_of(a, lambda node: legacy.get(node, [])) == [b]
    item = RoadmapItem.propose(
        team_id=uuid4(), title="t", outcome="o", horizon=Horizon.NOW, goal_ids=[], headcount={}
    )
    graph.record(item)
    assert graph.dependencies_of(item.id, lambda node: [a]) == [], "the guard's own record wins"


def test_leadership_requires_big_items_to_come_from_a_prfaq(flywheel: Commands) -> None:
    """Above the threshold an item is proposed, or given a bigger headcount, only from a
    PR/FAQ; the refusals record nothing; only leadership sets the threshold."""
    org = company(flywheel)
    small = propose(flywheel, org.books)  # 2 engineers, before any threshold
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.roadmap.set_prfaq_threshold(
            CommandContext(BO, "t"), RoadmapSettingsBody(prfaq_required_above=1)
        ),
    )
    flywheel.roadmap.set_prfaq_threshold(
        CommandContext(CEO, "t"), RoadmapSettingsBody(prfaq_required_above=2, reason="Big bets")
    )
    propose(flywheel, org.books)  # 2 is not above 2
    refused_and_nothing_recorded(
        flywheel,
        RoadmapItemNeedsPrFaq,
        lambda: flywheel.roadmap.change_headcount(
            CommandContext(BO, "t"),
            small,
            ChangeHeadcount(headcount={Function.ENGINEERING: 3}, reason="More"),
        ),
    )
    from_prfaq = propose(flywheel, org.books, approved(flywheel, org.books))
    flywheel.roadmap.change_headcount(
        CommandContext(BO, "t"),
        from_prfaq,
        ChangeHeadcount(headcount={Function.ENGINEERING: 9}, reason="More"),
    )
    assert item_of(flywheel, from_prfaq).headcount == {"ENGINEERING": 9}
    flywheel.roadmap.set_prfaq_threshold(
        CommandContext(CEO, "t"), RoadmapSettingsBody(prfaq_required_above=None)
    )
    flywheel.roadmap.change_headcount(
        CommandContext(BO, "t"),
        small,
        ChangeHeadcount(headcount={Function.ENGINEERING: 3}, reason="More"),
    )
    assert item_of(flywheel, small).headcount == {"ENGINEERING": 3}


def test_an_item_above_the_threshold_is_refused_without_a_prfaq(flywheel: Commands) -> None:
    org = company(flywheel)
    flywheel.roadmap.set_prfaq_threshold(
        CommandContext(CEO, "t"), RoadmapSettingsBody(prfaq_required_above=1)
    )
    refused = refused_and_nothing_recorded(
        flywheel, RoadmapItemNeedsPrFaq, lambda: propose(flywheel, org.books)
    )
    assert refused.context["headcount"] == 2  # type: ignore[attr-defined]
