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
from services.allocation.rest import (
    AdvancePhase,
    OpenCycle,
    RecordAmendment,
    RecordDecision,
    RecordDissent,
    SaveScenario,
    ScenarioLine,
    SetEnvelope,
    SubmitRequest,
    WeighDissent,
)
from services.api.commands import CommandContext
from services.boundaries.rest_apis import DeprecateApi, RetireApi
from services.boundaries.rest_services import (
    DeclareDependency,
    PublishApi,
    RegisterService,
    RetireService,
    TransferService,
)
from services.commands import Forbidden, Outcome
from services.decisions import ExpectOutcome
from services.goals.rest import CheckIn, CloseGoal, FlagTopLevel, ReviseTarget, SetGoal
from services.metrics.rest import DeclareDriver, DefineMetric, RecordObservation, RedefineMetric
from services.org.rest import AddMember, AppointLeader, CharterTeam, DisbandTeam, MoveTeam
from services.prfaqs.rest import CloseRound, GiveFeedback, OpenRound, WithdrawPrFaq
from services.prfaqs.rest import RecordDissent as PrFaqRecordDissent
from services.prfaqs.rest import WeighDissent as PrFaqWeighDissent
from services.principal import Principal, Role
from services.roadmap.rest import (
    AddDependency,
    AddMilestone,
    ChangeHeadcount,
    CommitItem,
    DeliverItem,
    DropItem,
    MoveTargetDate,
    PauseItem,
    ProposeItem,
    RecordBaseline,
    RoadmapSettingsBody,
    TransferItem,
)
from services.roadmap.rest import CheckIn as RoadmapCheckIn
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
                CommandContext(BOSS, "w"), CharterTeam(name=key.title(), mission="m", leader=leader)
            ).id
            return ids[key]

        team("team", "lea@example.com")
        team("other", "otto@example.com")
        for key in ("spare", "doomed", "appointing"):
            team(key, f"{key}@x.io")
        for person in ("mia@example.com", "leaver@x.io"):
            teams.add_member(
                CommandContext(BOSS, "w"),
                ids["team"],
                AddMember(person=person, function=ENG, attachment=Attachment.REPORTS),
            )

        def service(key: str, owner: str) -> UUID:
            ids[key] = boundaries.register_service(
                CommandContext(BOSS, "w"),
                RegisterService(name=key, owner_team_id=ids[owner], description="d"),
            ).id
            return ids[key]

        def api(key: str, of: str) -> None:
            ids[key] = boundaries.publish_api(
                CommandContext(BOSS, "w"),
                ids[of],
                PublishApi(name=key, version="v1", kind=ApiKind.REST, visibility=Visibility.PUBLIC),
            ).id

        for key in ("service", "bare", "moving"):
            service(key, "team")
        service("theirs", "other")
        api("api", "service")
        api("spare_api", "service")
        api("their_api", "theirs")
        api("consumed_api", "theirs")
        boundaries.declare_dependency(
            CommandContext(BOSS, "w"), ids["service"], DeclareDependency(api_id=ids["consumed_api"])
        )

        def metric(key: str, kind: MetricKind) -> None:
            ids[key] = metrics.define_metric(
                CommandContext(BOSS, "w"),
                DefineMetric(
                    name=key,
                    kind=kind,
                    financial=False,
                    unit="n",
                    direction=Direction.INCREASE,
                    definition="d",
                    owner_team_id=ids["team"],
                ),
            ).id

        metric("metric", MetricKind.INPUT)
        metric("output", MetricKind.OUTPUT)
        for key in ("goal", "closing_goal"):
            ids[key] = goals.set_goal(
                CommandContext(BOSS, "w"),
                SetGoal(
                    team_id=ids["team"],
                    metric_id=ids["metric"],
                    plan_year=2027,
                    baseline=Decimal(1),
                    target=Decimal(2),
                    due_date=date(2027, 12, 31),
                    description=key,
                ),
            ).id

        def cycle(key: str, year: int, phases: list[CyclePhase]) -> None:
            ids[key] = allocation.open_cycle(
                CommandContext(BOSS, "w"), OpenCycle(fiscal_year=year, kind=CycleKind.OP1)
            ).id
            allocation.set_envelope(
                CommandContext(BOSS, "w"),
                ids[key],
                SetEnvelope(headcount={ENG: 10}, budget=1000, reason="r"),
            )
            allocation.submit_request(
                CommandContext(BOSS, "w"),
                ids[key],
                SubmitRequest(
                    team_id=ids["team"],
                    headcount={ENG: 2},
                    budget=100,
                    rationale="r",
                    goal_ids=[ids["goal"]],
                ),
            )
            for phase in phases:
                allocation.advance_phase(
                    CommandContext(BOSS, "w"), ids[key], AdvancePhase(to=phase)
                )
                if phase is CyclePhase.REVIEW:
                    allocation.decide(
                        CommandContext(BOSS, "w"),
                        ids[key],
                        RecordDecision(
                            team_id=ids["team"], headcount={ENG: 1}, budget=50, rationale="r"
                        ),
                    )

        cycle("open_cycle", 2030, [])
        cycle("review_cycle", 2031, [CyclePhase.REVIEW])
        cycle("decided_cycle", 2032, [CyclePhase.REVIEW, CyclePhase.DECIDED])
        cycle("locked_cycle", 2033, [CyclePhase.REVIEW, CyclePhase.DECIDED, CyclePhase.LOCKED])
        allocation.save_scenario(
            CommandContext(BOSS, "w"),
            ids["review_cycle"],
            SaveScenario(
                name="plan",
                allocations=[ScenarioLine(team_id=ids["team"], headcount={ENG: 1}, budget=50)],
            ),
        )
        ids["dissent"] = allocation.record_dissent(
            CommandContext(BOSS, "w"),
            ids["review_cycle"],
            RecordDissent(team_id=None, argument="too few"),
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
        return flywheel.prfaqs.draft(
            CommandContext(AUTHOR, "w"), content=text, team_id=ids["team"]
        ).id

    ids["prfaq"] = drafted()
    ids["reviewed_prfaq"] = drafted()
    flywheel.prfaqs.open_round(
        CommandContext(AUTHOR, "w"),
        ids["reviewed_prfaq"],
        OpenRound(ring=Ring.TEAM, reviewers=list(REVIEWERS)),
    )
    ids["approved_prfaq"] = drafted()
    for number, ring in enumerate(Ring, 1):
        flywheel.prfaqs.open_round(
            CommandContext(AUTHOR, "w"),
            ids["approved_prfaq"],
            OpenRound(ring=ring, reviewers=["r@x.io"]),
        )
        flywheel.prfaqs.close_round(
            CommandContext(BOSS, "w"),
            ids["approved_prfaq"],
            number,
            CloseRound(outcome=Recommendation.ADVANCE, note=None),
        )
    ids["dissented_prfaq"] = drafted()
    ids["prfaq_dissent"] = flywheel.prfaqs.record_dissent(
        CommandContext(BOSS, "w"), ids["dissented_prfaq"], PrFaqRecordDissent(argument="no")
    ).id


def roadmap(flywheel: InMemoryCommands, ids: dict[str, UUID]) -> None:
    """The team's roadmap: a proposed item, a committed one with a milestone and a
    dependency on the other team's item, an item in progress and a paused one."""

    def item(key: str, team: str = "team") -> UUID:
        ids[key] = flywheel.roadmap.propose(
            CommandContext(BOSS, "w"),
            ProposeItem(
                team_id=ids[team], title=key, outcome="o", horizon=Horizon.NOW, headcount={ENG: 1}
            ),
        ).id
        return ids[key]

    item("item")
    item("their_item", "other")
    for key in ("committed_item", "started_item", "paused_item"):
        flywheel.roadmap.commit(
            CommandContext(BOSS, "w"), item(key), CommitItem(target_date=date(2027, 6, 30))
        )
    flywheel.roadmap.start(CommandContext(BOSS, "w"), ids["started_item"])
    flywheel.roadmap.pause(CommandContext(BOSS, "w"), ids["paused_item"], PauseItem(reason="r"))
    ids["milestone"] = flywheel.roadmap.add_milestone(
        CommandContext(BOSS, "w"),
        ids["committed_item"],
        AddMilestone(name="Beta", date=date(2027, 3, 1)),
    ).id
    flywheel.roadmap.add_dependency(
        CommandContext(BOSS, "w"), ids["committed_item"], AddDependency(item_id=ids["their_item"])
    )


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
            lambda f, i, p: f.org.charter_team(
                CommandContext(p, "t"), CharterTeam(name="New", mission="m", leader="new@x.io")
            ),
        ),
        c(
            "appoint a leader",
            LEADERSHIP,
            lambda f, i, p: f.org.appoint_leader(
                CommandContext(p, "t"),
                i["appointing"],
                AppointLeader(leader="next@x.io", reason="rotation"),
            ),
        ),
        c(
            "add a member",
            LEAD,
            lambda f, i, p: f.org.add_member(
                CommandContext(p, "t"),
                i["team"],
                AddMember(
                    person="joiner@x.io", function=Function.DESIGN, attachment=Attachment.REPORTS
                ),
            ),
        ),
        c(
            "remove a member",
            LEAD,
            lambda f, i, p: f.org.remove_member(
                CommandContext(p, "t"), i["team"], person="leaver@x.io"
            ),
        ),
        c(
            "move a team",
            LEADERSHIP,
            lambda f, i, p: f.org.move_team(
                CommandContext(p, "t"), i["spare"], MoveTeam(parent_id=i["team"], reason="reorg")
            ),
        ),
        c(
            "disband a team",
            LEADERSHIP,
            lambda f, i, p: f.org.disband_team(
                CommandContext(p, "t"), i["doomed"], DisbandTeam(reason="done")
            ),
        ),
        c(
            "register a service",
            LEAD,
            lambda f, i, p: f.boundaries.register_service(
                CommandContext(p, "t"),
                RegisterService(name="svc", owner_team_id=i["team"], description="d"),
            ),
        ),
        c(
            "transfer a service",
            LEAD,
            lambda f, i, p: f.boundaries.transfer_service(
                CommandContext(p, "t"),
                i["moving"],
                TransferService(to_team_id=i["spare"], reason="r"),
            ),
        ),
        c(
            "retire a service",
            LEAD,
            lambda f, i, p: f.boundaries.retire_service(
                CommandContext(p, "t"), i["bare"], RetireService(reason="r")
            ),
        ),
        c(
            "publish an API",
            LEAD,
            lambda f, i, p: f.boundaries.publish_api(
                CommandContext(p, "t"),
                i["service"],
                PublishApi(
                    name="new-api", version="v1", kind=ApiKind.REST, visibility=Visibility.PUBLIC
                ),
            ),
        ),
        c(
            "deprecate an API",
            LEAD,
            lambda f, i, p: f.boundaries.deprecate_api(
                CommandContext(p, "t"), i["api"], DeprecateApi(sunset=date(2030, 1, 1), reason="r")
            ),
        ),
        c(
            "retire an API",
            LEAD,
            lambda f, i, p: f.boundaries.retire_api(
                CommandContext(p, "t"), i["spare_api"], RetireApi(reason="r")
            ),
        ),
        c(
            "declare a dependency",
            LEAD,
            lambda f, i, p: f.boundaries.declare_dependency(
                CommandContext(p, "t"), i["service"], DeclareDependency(api_id=i["their_api"])
            ),
        ),
        c(
            "drop a dependency",
            LEAD,
            lambda f, i, p: f.boundaries.drop_dependency(
                CommandContext(p, "t"), i["service"], api_id=i["consumed_api"]
            ),
        ),
        c(
            "define a metric",
            LEAD,
            lambda f, i, p: f.metrics.define_metric(
                CommandContext(p, "t"),
                DefineMetric(
                    name="New metric",
                    kind=MetricKind.INPUT,
                    financial=False,
                    unit="n",
                    direction=Direction.INCREASE,
                    definition="d",
                    owner_team_id=i["team"],
                ),
            ),
        ),
        c(
            "redefine a metric",
            LEAD,
            lambda f, i, p: f.metrics.redefine_metric(
                CommandContext(p, "t"),
                i["metric"],
                RedefineMetric(definition="sharper", reason="r"),
            ),
        ),
        c(
            "declare what a metric drives",
            LEAD,
            lambda f, i, p: f.metrics.declare_driver(
                CommandContext(p, "t"),
                i["metric"],
                DeclareDriver(output_metric_id=i["output"], hypothesis="h"),
            ),
        ),
        c(
            "observe a metric",
            LEAD,
            lambda f, i, p: f.metrics.record_observation(
                CommandContext(p, "t"),
                i["metric"],
                RecordObservation(period_end=date(2026, 1, 31), value=Decimal(1)),
            ),
        ),
        c(
            "set a goal",
            LEAD,
            lambda f, i, p: f.goals.set_goal(
                CommandContext(p, "t"),
                SetGoal(
                    team_id=i["team"],
                    metric_id=i["metric"],
                    plan_year=2027,
                    baseline=Decimal(1),
                    target=Decimal(2),
                    due_date=date(2027, 12, 31),
                    description="d",
                ),
            ),
        ),
        c(
            "revise a target",
            LEAD,
            lambda f, i, p: f.goals.revise_target(
                CommandContext(p, "t"), i["goal"], ReviseTarget(target=Decimal(3), reason="r")
            ),
        ),
        c(
            "check in on a goal",
            frozenset({"member of the team"}) | LEAD,
            lambda f, i, p: f.goals.check_in(
                CommandContext(p, "t"), i["goal"], CheckIn(status=CheckInStatus.GREEN, note="fine")
            ),
        ),
        c(
            "flag a top-level goal",
            LEADERSHIP,
            lambda f, i, p: f.goals.set_top_level(
                CommandContext(p, "t"), i["goal"], FlagTopLevel(top_level=True)
            ),
        ),
        c(
            "close a goal",
            LEAD,
            lambda f, i, p: f.goals.close_goal(
                CommandContext(p, "t"),
                i["closing_goal"],
                CloseGoal(outcome=GoalOutcome.ACHIEVED, note="n"),
            ),
        ),
        c(
            "open an allocation cycle",
            LEADERSHIP,
            lambda f, i, p: f.allocation.open_cycle(
                CommandContext(p, "t"), OpenCycle(fiscal_year=2040, kind=CycleKind.OP1)
            ),
        ),
        c(
            "set the envelope",
            LEADERSHIP,
            lambda f, i, p: f.allocation.set_envelope(
                CommandContext(p, "t"),
                i["open_cycle"],
                SetEnvelope(headcount={ENG: 12}, budget=1000, reason="r"),
            ),
        ),
        c(
            "submit a request",
            LEAD,
            lambda f, i, p: f.allocation.submit_request(
                CommandContext(p, "t"),
                i["open_cycle"],
                SubmitRequest(
                    team_id=i["team"],
                    headcount={ENG: 2},
                    budget=100,
                    rationale="r",
                    goal_ids=[i["goal"]],
                ),
            ),
        ),
        c(
            "advance the phase",
            LEADERSHIP,
            lambda f, i, p: f.allocation.advance_phase(
                CommandContext(p, "t"), i["open_cycle"], AdvancePhase(to=CyclePhase.REVIEW)
            ),
        ),
        c(
            "record a decision",
            LEADERSHIP,
            lambda f, i, p: f.allocation.decide(
                CommandContext(p, "t"),
                i["review_cycle"],
                RecordDecision(team_id=i["team"], rationale="r", **numbers),
            ),
        ),
        c(
            "record a dissent",
            ANYONE,
            lambda f, i, p: f.allocation.record_dissent(
                CommandContext(p, "t"),
                i["open_cycle"],
                RecordDissent(team_id=None, argument="disagree"),
            ),
        ),
        c(
            "weigh a dissent",
            LEADERSHIP,
            lambda f, i, p: f.allocation.weigh_dissent(
                CommandContext(p, "t"),
                i["review_cycle"],
                i["dissent"],
                WeighDissent(response="heard"),
            ),
        ),
        c(
            "commit",
            ANYONE,
            lambda f, i, p: f.allocation.commit(CommandContext(p, "t"), i["decided_cycle"]),
        ),
        c(
            "record an amendment",
            LEADERSHIP,
            lambda f, i, p: f.allocation.amend(
                CommandContext(p, "t"),
                i["locked_cycle"],
                RecordAmendment(
                    team_id=i["team"], reason="r", approver="ceo@example.com", **numbers
                ),
            ),
        ),
        c(
            "save a scenario",
            LEADERSHIP,
            lambda f, i, p: f.allocation.save_scenario(
                CommandContext(p, "t"),
                i["review_cycle"],
                SaveScenario(
                    name="draft",
                    allocations=[ScenarioLine(team_id=i["team"], headcount={ENG: 1}, budget=50)],
                ),
            ),
        ),
        c(
            "adopt a scenario",
            LEADERSHIP,
            lambda f, i, p: f.allocation.adopt_scenario(
                CommandContext(p, "t"), i["review_cycle"], name="plan"
            ),
        ),
        c(
            "state an allocation's expected outcome",
            LEADERSHIP,
            lambda f, i, p: f.allocation.expect_outcome(
                CommandContext(p, "t"),
                i["decided_cycle"],
                ExpectOutcome(metric_id=i["metric"], **outcome),
            ),
        ),
        c(
            "draft a PR/FAQ",
            ANYONE,
            lambda f, i, p: f.prfaqs.draft(
                CommandContext(p, "t"), content=content_of(title="t"), team_id=None
            ),
        ),
        c(
            "revise a PR/FAQ",
            frozenset({"member of the team"}),  # its author
            lambda f, i, p: f.prfaqs.revise(
                CommandContext(p, "t"), i["prfaq"], content=content_of(title="u"), reason="r"
            ),
        ),
        c(
            "open a review round",
            frozenset({"member of the team", "leader of the team", "leadership"}),
            lambda f, i, p: f.prfaqs.open_round(
                CommandContext(p, "t"), i["prfaq"], OpenRound(ring=Ring.TEAM, reviewers=["r@x.io"])
            ),
        ),
        c(
            "give feedback in a round",
            frozenset({"planner", "auditor"}),  # the round's reviewers
            lambda f, i, p: f.prfaqs.give_feedback(
                CommandContext(p, "t"),
                i["reviewed_prfaq"],
                1,
                GiveFeedback(recommendation=Recommendation.REVISE, comments=""),
            ),
        ),
        c(
            "close a round",
            LEAD,  # TEAM: the owning team's leader, or leadership
            lambda f, i, p: f.prfaqs.close_round(
                CommandContext(p, "t"),
                i["reviewed_prfaq"],
                1,
                CloseRound(outcome=Recommendation.REVISE, note=None),
            ),
        ),
        c(
            "withdraw a PR/FAQ",
            frozenset({"member of the team"}),
            lambda f, i, p: f.prfaqs.withdraw(
                CommandContext(p, "t"), i["prfaq"], WithdrawPrFaq(reason="r")
            ),
        ),
        c(
            "dissent from a PR/FAQ",
            ANYONE,
            lambda f, i, p: f.prfaqs.record_dissent(
                CommandContext(p, "t"), i["prfaq"], PrFaqRecordDissent(argument="no")
            ),
        ),
        c(
            "weigh a PR/FAQ dissent",
            LEADERSHIP,
            lambda f, i, p: f.prfaqs.weigh_dissent(
                CommandContext(p, "t"),
                i["dissented_prfaq"],
                i["prfaq_dissent"],
                PrFaqWeighDissent(response="heard"),
            ),
        ),
        c(
            "commit to a PR/FAQ",
            ANYONE,
            lambda f, i, p: f.prfaqs.commit(CommandContext(p, "t"), i["approved_prfaq"]),
        ),
        c(
            "state a PR/FAQ's expected outcome",
            LEADERSHIP,
            lambda f, i, p: f.prfaqs.expect_outcome(
                CommandContext(p, "t"),
                i["approved_prfaq"],
                ExpectOutcome(metric_id=i["metric"], **outcome),
            ),
        ),
        c(
            "propose a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.propose(
                CommandContext(p, "t"),
                ProposeItem(
                    team_id=i["team"],
                    title="t",
                    outcome="o",
                    horizon=Horizon.NEXT,
                    goal_ids=[i["goal"]],
                    headcount={ENG: 1},
                ),
            ),
        ),
        c(
            "commit a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.commit(
                CommandContext(p, "t"), i["item"], CommitItem(target_date=date(2027, 9, 1))
            ),
        ),
        c(
            "start a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.start(CommandContext(p, "t"), i["committed_item"]),
        ),
        c(
            "pause a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.pause(
                CommandContext(p, "t"), i["started_item"], PauseItem(reason="r")
            ),
        ),
        c(
            "resume a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.resume(CommandContext(p, "t"), i["paused_item"]),
        ),
        c(
            "deliver a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.deliver(
                CommandContext(p, "t"), i["started_item"], DeliverItem()
            ),
        ),
        c(
            "drop a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.drop(CommandContext(p, "t"), i["item"], DropItem(reason="r")),
        ),
        c(
            "move a roadmap item's target date",
            LEAD,
            lambda f, i, p: f.roadmap.move_target_date(
                CommandContext(p, "t"),
                i["committed_item"],
                MoveTargetDate(target_date=date(2027, 8, 1), reason="late"),
            ),
        ),
        c(
            "add a milestone",
            LEAD,
            lambda f, i, p: f.roadmap.add_milestone(
                CommandContext(p, "t"), i["item"], AddMilestone(name="m", date=date(2027, 2, 1))
            ),
        ),
        c(
            "mark a milestone done",
            LEAD,
            lambda f, i, p: f.roadmap.complete_milestone(
                CommandContext(p, "t"), i["committed_item"], i["milestone"]
            ),
        ),
        c(
            "check in on a roadmap item",
            LEAD | {"member of the team"},
            lambda f, i, p: f.roadmap.check_in(
                CommandContext(p, "t"),
                i["committed_item"],
                RoadmapCheckIn(health=Health.ON_TRACK, note="n"),
            ),
        ),
        c(
            "depend on another item",
            LEAD,
            lambda f, i, p: f.roadmap.add_dependency(
                CommandContext(p, "t"), i["item"], AddDependency(item_id=i["their_item"])
            ),
        ),
        c(
            "depend on an API",
            LEAD,
            lambda f, i, p: f.roadmap.add_dependency(
                CommandContext(p, "t"), i["item"], AddDependency(api_id=i["their_api"])
            ),
        ),
        c(
            "remove a dependency",
            LEAD,
            lambda f, i, p: f.roadmap.remove_dependency(
                CommandContext(p, "t"), i["committed_item"], i["their_item"], reason="r"
            ),
        ),
        c(
            "record a roadmap baseline",
            LEADERSHIP,
            lambda f, i, p: f.roadmap.record_baseline(
                CommandContext(p, "t"), RecordBaseline(name="Mid-year")
            ),
        ),
        c(
            "transfer a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.transfer(
                CommandContext(p, "t"), i["item"], TransferItem(to_team_id=i["other"], reason="r")
            ),
        ),
        c(
            "resize a roadmap item",
            LEAD,
            lambda f, i, p: f.roadmap.change_headcount(
                CommandContext(p, "t"),
                i["item"],
                ChangeHeadcount(headcount={ENG: 2}, reason="bigger"),
            ),
        ),
        c(
            "require PR/FAQs above a headcount",
            LEADERSHIP,
            lambda f, i, p: f.roadmap.set_prfaq_threshold(
                CommandContext(p, "t"), RoadmapSettingsBody(prfaq_required_above=5)
            ),
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
