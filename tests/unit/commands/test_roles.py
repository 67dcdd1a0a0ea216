"""Who may run each command, in memory: every allowed caller succeeds, everyone else is
refused as Forbidden and nothing is recorded.

The same matrix runs over HTTP in tests/e2e/test_authorization_matrix.py; here it runs
through the command classes on in-memory storage, each allowed caller on a world of its
own, so a command that changes something once succeeds for each of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.boundaries import ApiKind, Visibility
from domain.goals import CheckInStatus, GoalOutcome
from domain.metrics import Direction, MetricKind
from domain.org.team import Attachment
from domain.people.values import Function
from domain.prfaqs import Recommendation, Ring, content_of
from domain.roadmap import Health, Horizon
from services.allocation.commands import TeamNumbers
from services.commands import Forbidden, Outcome
from services.principal import Principal, Role
from tests.commands import InMemoryCommands, event_count
from tests.people import principal

ENG = Function.ENGINEERING
CALLERS = {
    "member of the team": principal("mia@example.com", Role.MEMBER),
    "planner": principal("pat@example.com", Role.PLANNER),
    "auditor": principal("audrey@example.com", Role.AUDITOR),
    "leader of the team": principal("lea@example.com", Role.MEMBER),
    "leader of another team": principal("otto@example.com", Role.MEMBER),
    "leadership": principal("ceo@example.com", Role.LEADERSHIP),
}
LEADERSHIP = frozenset({"leadership"})
LEAD = frozenset({"leader of the team", "leadership"})
ANYONE = frozenset(CALLERS)
BOSS = CALLERS["leadership"]


@dataclass
class World:
    """A company in which every command has something it can succeed on."""

    flywheel: InMemoryCommands
    ids: dict[str, UUID]

    @classmethod
    def build(cls) -> World:
        flywheel = InMemoryCommands.open()
        teams, boundaries = flywheel.org, flywheel.boundaries
        metrics, goals, allocation = flywheel.metrics, flywheel.goals, flywheel.allocation
        ids: dict[str, UUID] = {}

        def team(key: str, leader: str) -> UUID:
            ids[key] = teams.charter_team(
                BOSS, "w", name=key.title(), mission="m", leader=leader
            ).id
            return ids[key]

        team("team", "lea@example.com")
        team("other", "otto@example.com")
        for key in ("spare", "doomed", "appointing"):
            team(key, f"{key}@x.io")
        for person in ("mia@example.com", "leaver@x.io"):
            teams.add_member(
                BOSS,
                "w",
                ids["team"],
                person=person,
                function=ENG,
                attachment=Attachment.REPORTS,
            )

        def service(key: str, owner: str) -> UUID:
            ids[key] = boundaries.register_service(
                BOSS, "w", name=key, owner_team_id=ids[owner], description="d"
            ).id
            return ids[key]

        def api(key: str, of: str) -> None:
            ids[key] = boundaries.publish_api(
                BOSS,
                "w",
                ids[of],
                name=key,
                version="v1",
                kind=ApiKind.REST,
                visibility=Visibility.PUBLIC,
            ).id

        for key in ("service", "bare", "moving"):
            service(key, "team")
        service("theirs", "other")
        api("api", "service")
        api("spare_api", "service")
        api("their_api", "theirs")
        api("consumed_api", "theirs")
        boundaries.declare_dependency(BOSS, "w", ids["service"], api_id=ids["consumed_api"])

        def metric(key: str, kind: MetricKind) -> None:
            ids[key] = metrics.define_metric(
                BOSS,
                "w",
                name=key,
                kind=kind,
                financial=False,
                unit="n",
                direction=Direction.INCREASE,
                definition="d",
                owner_team_id=ids["team"],
            ).id

        metric("metric", MetricKind.INPUT)
        metric("output", MetricKind.OUTPUT)
        for key in ("goal", "closing_goal"):
            ids[key] = goals.set_goal(
                BOSS,
                "w",
                team_id=ids["team"],
                metric_id=ids["metric"],
                plan_year=2027,
                baseline=Decimal(1),
                target=Decimal(2),
                due_date=date(2027, 12, 31),
                description=key,
            ).id

        def cycle(key: str, year: int, phases: list[CyclePhase]) -> None:
            ids[key] = allocation.open_cycle(BOSS, "w", fiscal_year=year, kind=CycleKind.OP1).id
            allocation.set_envelope(
                BOSS, "w", ids[key], headcount={ENG: 10}, budget=1000, reason="r"
            )
            allocation.submit_request(
                BOSS,
                "w",
                ids[key],
                team_id=ids["team"],
                headcount={ENG: 2},
                budget=100,
                rationale="r",
                goal_ids=[ids["goal"]],
            )
            for phase in phases:
                allocation.advance_phase(BOSS, "w", ids[key], to=phase)
                if phase is CyclePhase.REVIEW:
                    allocation.decide(
                        BOSS,
                        "w",
                        ids[key],
                        team_id=ids["team"],
                        headcount={ENG: 1},
                        budget=50,
                        rationale="r",
                    )

        cycle("open_cycle", 2030, [])
        cycle("review_cycle", 2031, [CyclePhase.REVIEW])
        cycle("decided_cycle", 2032, [CyclePhase.REVIEW, CyclePhase.DECIDED])
        cycle("locked_cycle", 2033, [CyclePhase.REVIEW, CyclePhase.DECIDED, CyclePhase.LOCKED])
        allocation.save_scenario(
            BOSS,
            "w",
            ids["review_cycle"],
            name="plan",
            allocations=[TeamNumbers(team_id=ids["team"], headcount={ENG: 1}, budget=50)],
        )
        ids["dissent"] = allocation.record_dissent(
            BOSS, "w", ids["review_cycle"], team_id=None, argument="too few"
        ).id
        prfaqs(flywheel, ids)
        roadmap(flywheel, ids)
        return cls(flywheel, ids)


Command = Callable[[InMemoryCommands, dict[str, UUID], Principal], Outcome]


AUTHOR = CALLERS["member of the team"]
REVIEWERS = [CALLERS["planner"].subject, CALLERS["auditor"].subject]


def prfaqs(flywheel: InMemoryCommands, ids: dict[str, UUID]) -> None:
    """PR/FAQs by the team's member: a draft, one in its first round (the planner and the
    auditor review), one approved, one with a dissent."""

    def drafted() -> UUID:
        text = content_of(title="t", customer="c", problem="p")
        return flywheel.prfaqs.draft(AUTHOR, "w", content=text, team_id=ids["team"]).id

    ids["prfaq"] = drafted()
    ids["reviewed_prfaq"] = drafted()
    flywheel.prfaqs.open_round(
        AUTHOR, "w", ids["reviewed_prfaq"], ring=Ring.TEAM, reviewers=REVIEWERS
    )
    ids["approved_prfaq"] = drafted()
    for number, ring in enumerate(Ring, 1):
        flywheel.prfaqs.open_round(
            AUTHOR, "w", ids["approved_prfaq"], ring=ring, reviewers=["r@x.io"]
        )
        flywheel.prfaqs.close_round(
            BOSS, "w", ids["approved_prfaq"], number, outcome=Recommendation.ADVANCE, note=None
        )
    ids["dissented_prfaq"] = drafted()
    ids["prfaq_dissent"] = flywheel.prfaqs.record_dissent(
        BOSS, "w", ids["dissented_prfaq"], argument="no"
    ).id


def roadmap(flywheel: InMemoryCommands, ids: dict[str, UUID]) -> None:
    """The team's roadmap: a proposed item, a committed one with a milestone and a
    dependency on the other team's item, an item in progress and a paused one."""

    def item(key: str, team: str = "team") -> UUID:
        ids[key] = flywheel.roadmap.propose(
            BOSS,
            "w",
            team_id=ids[team],
            title=key,
            outcome="o",
            horizon=Horizon.NOW,
            goal_ids=[],
            headcount={ENG: 1},
        ).id
        return ids[key]

    item("item")
    item("their_item", "other")
    for key in ("committed_item", "started_item", "paused_item"):
        flywheel.roadmap.commit(BOSS, "w", item(key), target_date=date(2027, 6, 30))
    flywheel.roadmap.start(BOSS, "w", ids["started_item"])
    flywheel.roadmap.pause(BOSS, "w", ids["paused_item"], reason="r")
    ids["milestone"] = flywheel.roadmap.add_milestone(
        BOSS, "w", ids["committed_item"], name="Beta", on=date(2027, 3, 1)
    ).id
    flywheel.roadmap.depend_on_item(BOSS, "w", ids["committed_item"], target_id=ids["their_item"])


@dataclass(frozen=True)
class Case:
    name: str
    allowed: frozenset[str]
    run: Command


def _cases() -> list[Case]:
    def c(name: str, allowed: frozenset[str], run: Command) -> Case:
        return Case(name, allowed, run)

    outcome: dict[str, Any] = {"target": Decimal(90), "by": date(2027, 6, 30), "note": "n"}

    numbers: dict[str, Any] = {"headcount": {ENG: 1}, "budget": 60}
    return [
        c(
            "charter a team",
            LEADERSHIP,
            lambda f, i, p: f.org.charter_team(p, "t", name="New", mission="m", leader="new@x.io"),
        ),
        c(
            "appoint a leader",
            LEADERSHIP,
            lambda f, i, p: f.org.appoint_leader(
                p, "t", i["appointing"], leader="next@x.io", reason="rotation"
            ),
        ),
        c(
            "add a member",
            LEAD,
            lambda f, i, p: f.org.add_member(
                p,
                "t",
                i["team"],
                person="joiner@x.io",
                function=Function.DESIGN,
                attachment=Attachment.REPORTS,
            ),
        ),
        c(
            "remove a member",
            LEAD,
            lambda f, i, p: f.org.remove_member(p, "t", i["team"], person="leaver@x.io"),
        ),
        c(
            "move a team",
            LEADERSHIP,
            lambda f, i, p: f.org.move_team(
                p, "t", i["spare"], parent_id=i["team"], reason="reorg"
            ),
        ),
        c(
            "disband a team",
            LEADERSHIP,
            lambda f, i, p: f.org.disband_team(p, "t", i["doomed"], reason="done"),
        ),
        c(
            "register a service",
            LEAD,
            lambda f, i, p: f.boundaries.register_service(
                p, "t", name="svc", owner_team_id=i["team"], description="d"
            ),
        ),
        c(
            "transfer a service",
            LEAD,
            lambda f, i, p: f.boundaries.transfer_service(
                p, "t", i["moving"], to_team_id=i["spare"], reason="r"
            ),
        ),
        c(
            "retire a service",
            LEAD,
            lambda f, i, p: f.boundaries.retire_service(p, "t", i["bare"], reason="r"),
        ),
        c(
            "publish an API",
            LEAD,
            lambda f, i, p: f.boundaries.publish_api(
                p,
                "t",
                i["service"],
                name="new-api",
                version="v1",
                kind=ApiKind.REST,
                visibility=Visibility.PUBLIC,
            ),
        ),
        c(
            "deprecate an API",
            LEAD,
            lambda f, i, p: f.boundaries.deprecate_api(
                p, "t", i["api"], sunset=date(2030, 1, 1), reason="r"
            ),
        ),
        c(
            "retire an API",
            LEAD,
            lambda f, i, p: f.boundaries.retire_api(p, "t", i["spare_api"], reason="r"),
        ),
        c(
            "declare a dependency",
            LEAD,
            lambda f, i, p: f.boundaries.declare_dependency(
                p, "t", i["service"], api_id=i["their_api"]
            ),
        ),
        c(
            "drop a dependency",
            LEAD,
            lambda f, i, p: f.boundaries.drop_dependency(
                p, "t", i["service"], api_id=i["consumed_api"]
            ),
        ),
        c(
            "define a metric",
            LEAD,
            lambda f, i, p: f.metrics.define_metric(
                p,
                "t",
                name="New metric",
                kind=MetricKind.INPUT,
                financial=False,
                unit="n",
                direction=Direction.INCREASE,
                definition="d",
                owner_team_id=i["team"],
            ),
        ),
        c(
            "redefine a metric",
            LEAD,
            lambda f, i, p: f.metrics.redefine_metric(
                p, "t", i["metric"], definition="sharper", reason="r"
            ),
        ),
        c(
            "declare what a metric drives",
            LEAD,
            lambda f, i, p: f.metrics.declare_driver(
                p, "t", i["metric"], output_metric_id=i["output"], hypothesis="h"
            ),
        ),
        c(
            "observe a metric",
            LEAD,
            lambda f, i, p: f.metrics.record_observation(
                p, "t", i["metric"], period_end=date(2026, 1, 31), value=Decimal(1)
            ),
        ),
        c(
            "set a goal",
            LEAD,
            lambda f, i, p: f.goals.set_goal(
                p,
                "t",
                team_id=i["team"],
                metric_id=i["metric"],
                plan_year=2027,
                baseline=Decimal(1),
                target=Decimal(2),
                due_date=date(2027, 12, 31),
                description="d",
            ),
        ),
        c(
            "revise a target",
            LEAD,
            lambda f, i, p: f.goals.revise_target(p, "t", i["goal"], target=Decimal(3), reason="r"),
        ),
        c(
            "check in on a goal",
            frozenset({"member of the team"}) | LEAD,
            lambda f, i, p: f.goals.check_in(
                p, "t", i["goal"], status=CheckInStatus.GREEN, note="fine"
            ),
        ),
        c(
            "flag a top-level goal",
            LEADERSHIP,
            lambda f, i, p: f.goals.set_top_level(p, "t", i["goal"], top_level=True),
        ),
        c(
            "close a goal",
            LEAD,
            lambda f, i, p: f.goals.close_goal(
                p, "t", i["closing_goal"], outcome=GoalOutcome.ACHIEVED, note="n"
            ),
        ),
        c(
            "open an allocation cycle",
            LEADERSHIP,
            lambda f, i, p: f.allocation.open_cycle(p, "t", fiscal_year=2040, kind=CycleKind.OP1),
        ),
        c(
            "set the envelope",
            LEADERSHIP,
            lambda f, i, p: f.allocation.set_envelope(
                p, "t", i["open_cycle"], headcount={ENG: 12}, budget=1000, reason="r"
            ),
        ),
        c(
            "submit a request",
            LEAD,
            lambda f, i, p: f.allocation.submit_request(
                p,
                "t",
                i["open_cycle"],
                team_id=i["team"],
                headcount={ENG: 2},
                budget=100,
                rationale="r",
                goal_ids=[i["goal"]],
            ),
        ),
        c(
            "advance the phase",
            LEADERSHIP,
            lambda f, i, p: f.allocation.advance_phase(
                p, "t", i["open_cycle"], to=CyclePhase.REVIEW
            ),
        ),
        c(
            "record a decision",
            LEADERSHIP,
            lambda f, i, p: f.allocation.decide(
                p, "t", i["review_cycle"], team_id=i["team"], rationale="r", **numbers
            ),
        ),
        c(
            "record a dissent",
            ANYONE,
            lambda f, i, p: f.allocation.record_dissent(
                p, "t", i["open_cycle"], team_id=None, argument="disagree"
            ),
        ),
        c(
            "weigh a dissent",
            LEADERSHIP,
            lambda f, i, p: f.allocation.weigh_dissent(
                p, "t", i["review_cycle"], i["dissent"], response="heard"
            ),
        ),
        c("commit", ANYONE, lambda f, i, p: f.allocation.commit(p, "t", i["decided_cycle"])),
        c(
            "record an amendment",
            LEADERSHIP,
            lambda f, i, p: f.allocation.amend(
                p,
                "t",
                i["locked_cycle"],
                team_id=i["team"],
                reason="r",
                approver="ceo@example.com",
                **numbers,
            ),
        ),
        c(
            "save a scenario",
            LEADERSHIP,
            lambda f, i, p: f.allocation.save_scenario(
                p,
                "t",
                i["review_cycle"],
                name="draft",
                allocations=[TeamNumbers(team_id=i["team"], headcount={ENG: 1}, budget=50)],
            ),
        ),
        c(
            "adopt a scenario",
            LEADERSHIP,
            lambda f, i, p: f.allocation.adopt_scenario(p, "t", i["review_cycle"], name="plan"),
        ),
        c(
            "state an allocation's expected outcome",
            LEADERSHIP,
            lambda f, i, p: f.allocation.expect_outcome(
                p, "t", i["decided_cycle"], metric_id=i["metric"], **outcome
            ),
        ),
        c(
            "draft a PR/FAQ",
            ANYONE,
            lambda f, i, p: f.prfaqs.draft(p, "t", content=content_of(title="t"), team_id=None),
        ),
        c(
            "revise a PR/FAQ",
            frozenset({"member of the team"}),  # its author
            lambda f, i, p: f.prfaqs.revise(
                p, "t", i["prfaq"], content=content_of(title="u"), reason="r"
            ),
        ),
        c(
            "open a review round",
            frozenset({"member of the team", "leader of the team", "leadership"}),
            lambda f, i, p: f.prfaqs.open_round(
                p, "t", i["prfaq"], ring=Ring.TEAM, reviewers=["r@x.io"]
            ),
        ),
        c(
            "give feedback in a round",
            frozenset({"planner", "auditor"}),  # the round's reviewers
            lambda f, i, p: f.prfaqs.give_feedback(
                p, "t", i["reviewed_prfaq"], 1, recommendation=Recommendation.REVISE, comments=""
            ),
        ),
        c(
            "close a round",
            LEAD,  # TEAM: the owning team's leader, or leadership
            lambda f, i, p: f.prfaqs.close_round(
                p, "t", i["reviewed_prfaq"], 1, outcome=Recommendation.REVISE, note=None
            ),
        ),
        c(
            "withdraw a PR/FAQ",
            frozenset({"member of the team"}),
            lambda f, i, p: f.prfaqs.withdraw(p, "t", i["prfaq"], reason="r"),
        ),
        c(
            "dissent from a PR/FAQ",
            ANYONE,
            lambda f, i, p: f.prfaqs.record_dissent(p, "t", i["prfaq"], argument="no"),
        ),
        c(
            "weigh a PR/FAQ dissent",
            LEADERSHIP,
            lambda f, i, p: f.prfaqs.weigh_dissent(
                p, "t", i["dissented_prfaq"], i["prfaq_dissent"], response="heard"
            ),
        ),
        c(
            "commit to a PR/FAQ",
            ANYONE,
            lambda f, i, p: f.prfaqs.commit(p, "t", i["approved_prfaq"]),
        ),
        c(
            "state a PR/FAQ's expected outcome",
            LEADERSHIP,
            lambda f, i, p: f.prfaqs.expect_outcome(
                p, "t", i["approved_prfaq"], metric_id=i["metric"], **outcome
            ),
        ),
        c(
            "propose a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.propose(
                p,
                "t",
                team_id=i["team"],
                title="t",
                outcome="o",
                horizon=Horizon.NEXT,
                goal_ids=[i["goal"]],
                headcount={ENG: 1},
            ),
        ),
        c(
            "commit a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.commit(p, "t", i["item"], target_date=date(2027, 9, 1)),
        ),
        c(
            "start a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.start(p, "t", i["committed_item"]),
        ),
        c(
            "pause a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.pause(p, "t", i["started_item"], reason="r"),
        ),
        c(
            "resume a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.resume(p, "t", i["paused_item"]),
        ),
        c(
            "deliver a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.deliver(p, "t", i["started_item"], note=None),
        ),
        c(
            "drop a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.drop(p, "t", i["item"], reason="r"),
        ),
        c(
            "move a roadmap item's target date",
            LEAD,
            lambda f, i, p: f.roadmap.move_target_date(
                p, "t", i["committed_item"], target_date=date(2027, 8, 1), reason="late"
            ),
        ),
        c(
            "add a milestone",
            LEAD,
            lambda f, i, p: f.roadmap.add_milestone(
                p, "t", i["item"], name="m", on=date(2027, 2, 1)
            ),
        ),
        c(
            "mark a milestone done",
            LEAD,
            lambda f, i, p: f.roadmap.complete_milestone(
                p, "t", i["committed_item"], i["milestone"]
            ),
        ),
        c(
            "check in on a roadmap item",
            LEAD | {"member of the team"},
            lambda f, i, p: f.roadmap.check_in(
                p, "t", i["committed_item"], health=Health.ON_TRACK, note="n", path_back=None
            ),
        ),
        c(
            "depend on another item",
            LEAD,
            lambda f, i, p: f.roadmap.depend_on_item(p, "t", i["item"], target_id=i["their_item"]),
        ),
        c(
            "depend on an API",
            LEAD,
            lambda f, i, p: f.roadmap.depend_on_api(p, "t", i["item"], api_id=i["their_api"]),
        ),
        c(
            "remove a dependency",
            LEAD,
            lambda f, i, p: f.roadmap.remove_dependency(
                p, "t", i["committed_item"], i["their_item"], reason="r"
            ),
        ),
        c(
            "record a roadmap baseline",
            LEADERSHIP,
            lambda f, i, p: f.roadmap.record_baseline(p, "t", name="Mid-year"),
        ),
        c(
            "transfer a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.transfer(
                p, "t", i["item"], to_team_id=i["other"], reason="r"
            ),
        ),
        c(
            "resize a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.change_headcount(
                p, "t", i["item"], headcount={ENG: 2}, reason="bigger"
            ),
        ),
        c(
            "require PR/FAQs above a headcount",
            LEADERSHIP,
            lambda f, i, p: f.roadmap.set_prfaq_threshold(p, "t", prfaq_required_above=5),
        ),
    ]


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_every_caller_gets_exactly_its_authority(case: Case) -> None:
    refused = World.build()
    for name, caller in CALLERS.items():
        if name in case.allowed:
            allowed = World.build()
            before = event_count(allowed.flywheel)
            outcome = case.run(allowed.flywheel, allowed.ids, caller)
            assert event_count(allowed.flywheel) > before, f"{name}: nothing recorded"
            assert outcome.position == event_count(allowed.flywheel)
        else:
            before = event_count(refused.flywheel)
            with pytest.raises(Forbidden):
                case.run(refused.flywheel, refused.ids, caller)
            assert event_count(refused.flywheel) == before, f"{name} was refused yet recorded"


def test_the_matrix_covers_every_command() -> None:
    """Each public method of a command class is a command; each has a case here."""
    from services.allocation.commands import AllocationCommands
    from services.boundaries.commands import BoundaryCommands
    from services.goals.commands import GoalCommands
    from services.metrics.commands import MetricCommands
    from services.org.commands import OrgCommands
    from services.prfaqs.commands import PrFaqCommands
    from services.roadmap.commands import RoadmapCommands

    commands = {
        name
        for kind in (
            OrgCommands,
            BoundaryCommands,
            MetricCommands,
            GoalCommands,
            AllocationCommands,
            PrFaqCommands,
            RoadmapCommands,
        )
        for name in vars(kind)
        if not name.startswith("_")
    }
    called = {name for case in CASES for name in case.run.__code__.co_names if name in commands}
    assert called == commands
