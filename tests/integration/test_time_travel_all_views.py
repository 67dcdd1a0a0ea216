"""Property: every view, read as of a position, equals a replay of the log up to it.

Where ``test_time_travel.py`` checks the org queries answer by answer, this test
checks every row of every view table, so each area's projection (org, people, API
boundaries, metrics, goals, allocation, PR/FAQs, roadmaps, WBR notes, and any added
later) is held to the same promise.
Hypothesis draws random sequences of commands across the areas; many are
refused on purpose, which must leave no trace.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import psycopg
import pytest
from eventsourcing.application import AggregateNotFoundError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.boundaries import ApiKind, Visibility
from domain.errors import DomainError
from domain.excellence import (
    DEFAULT_PRINCIPLES,
    SecondJobKind,
    StandardArea,
    function_leadership_id,
)
from domain.goals import CheckInStatus, GoalOutcome
from domain.hiring import Vote
from domain.metrics import Aggregation, Direction, MetricKind
from domain.org.team import Attachment
from domain.people.values import Function
from domain.prfaqs import Recommendation, content_of
from domain.roadmap import Health, Horizon
from projections.compare import compare_views
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
from services.commands import Outcome
from services.decisions import ExpectOutcome
from services.excellence.rest import (
    AppointFunctionalLeader,
    AssignSecondJob,
    EndSecondJob,
    GrantExemption,
    Principle,
    PublishStandard,
    RetireStandard,
    ReviseStandard,
    SetPrinciples,
)
from services.feeds.rest import DisableWebhook, RegisterWebhook
from services.goals.rest import CheckIn, CloseGoal, FlagTopLevel, ReviseTarget, SetGoal
from services.hiring.rest import (
    CancelRequisition,
    Candidate,
    Decide,
    FinalVote,
    Interviewer,
    OfferAccepted,
    OpenRequisition,
    RecordAbsence,
    ScheduleLoop,
    SubmitFeedback,
    Veto,
)
from services.metrics.rest import DeclareDriver, DefineMetric, RecordObservation, RedefineMetric
from services.org.rest import AddMember, AppointLeader, CharterTeam, DisbandTeam, MoveTeam
from services.people.rest import ErasePerson, SetDisplayName
from services.prfaqs.rest import CloseRound, GiveFeedback, OpenRound, WithdrawPrFaq
from services.prfaqs.rest import RecordDissent as PrFaqRecordDissent
from services.prfaqs.rest import WeighDissent as PrFaqWeighDissent
from services.principal import Role
from services.registry import VIEWS
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
from services.runtime import Runtime
from services.wbr.commands import BulkValue
from services.wbr.rest import CorrectNote, WriteNote
from tests.people import CEO, principal

pytestmark = pytest.mark.slow

SHADOW = "views_replayed"
HIRING_KINDS = (
    "appoint_functional_leader",
    "publish_standard",
    "revise_standard",
    "retire_standard",
    "exempt_team",
    "assign_second_job",
    "end_second_job",
    "set_principles",
    "open_requisition",
    "cancel_requisition",
    "schedule_loop",
    "loop_feedback_submit",
    "loop_absence",
    "open_debrief",
    "final_vote",
    "veto_loop",
    "decide_loop",
    "accept_offer",
)
KINDS = (
    "charter",
    "appoint",
    "add_member",
    "remove_member",
    "move",
    "disband",
    "register_service",
    "transfer_service",
    "retire_service",
    "publish_api",
    "deprecate_api",
    "retire_api",
    "declare_dependency",
    "drop_dependency",
    "define_metric",
    "redefine_metric",
    "declare_driver",
    "observe",
    "set_goal",
    "revise_target",
    "check_in",
    "flag_top_level",
    "close_goal",
    "open_cycle",
    "set_envelope",
    "submit_request",
    "advance_phase",
    "decide",
    "dissent",
    "weigh_dissent",
    "commit",
    "amend",
    "save_scenario",
    "adopt_scenario",
    "name_person",
    "erase_person",
    "draft_prfaq",
    "revise_prfaq",
    "open_round",
    "give_feedback",
    "close_round",
    "withdraw_prfaq",
    "dissent_prfaq",
    "weigh_prfaq_dissent",
    "commit_prfaq",
    "expect_prfaq_outcome",
    "expect_cycle_outcome",
    "propose_item",
    "commit_item",
    "start_item",
    "pause_item",
    "resume_item",
    "deliver_item",
    "drop_item",
    "move_item_date",
    "add_milestone",
    "complete_milestone",
    "check_in_item",
    "depend_on_item",
    "depend_on_api",
    "remove_item_dependency",
    "transfer_item",
    "record_baseline",
    "set_roadmap_threshold",
    "resize_item",
    *HIRING_KINDS,
    "write_note",
    "correct_note",
    "observe_in_bulk",
    "register_webhook",
    "rotate_webhook_secret",
    "disable_webhook",
    "enable_webhook",
    "remove_webhook",
)
operation = st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.integers(0, 50))


class World:
    """What the commands so far have created, to pick the targets of the next one.

    Examples share one database, so each example's names and people carry its own
    prefix and the rules meet only what this example created.
    """

    examples = itertools.count()

    def __init__(self) -> None:
        self.prefix = f"e{next(World.examples)}"
        self.teams: list[UUID] = []
        self.services: list[UUID] = []
        self.apis: list[UUID] = []
        self.metrics: list[UUID] = []
        self.goals: list[UUID] = []
        self.cycles: list[UUID] = []
        self.dissents: list[tuple[UUID, UUID]] = []
        self.prfaqs: list[UUID] = []
        self.prfaq_dissents: list[tuple[UUID, UUID]] = []
        self.items: list[UUID] = []
        self.milestones: list[tuple[UUID, UUID]] = []
        self.standards: list[UUID] = []
        self.second_jobs: list[UUID] = []
        self.requisitions: list[UUID] = []
        self.loops: list[UUID] = []
        self.notes: list[UUID] = []
        self.webhooks: list[UUID] = []


def pick(items: list[UUID], index: int) -> UUID:
    if not items:
        raise LookupError
    return items[index % len(items)]


def perform(runtime: Runtime, world: World, kind: str, a: int, b: int) -> int:
    """Run one command; returns its log position (raises if refused or impossible)."""
    teams, boundaries, metrics, goals = (
        runtime.org,
        runtime.boundaries,
        runtime.metrics,
        runtime.goals,
    )
    person = f"{world.prefix}-p{a % 7}@x.io"
    other_person = f"{world.prefix}-p{b % 7}@x.io"
    if kind == "charter":
        outcome = teams.charter_team(
            CommandContext(CEO, "prop"),
            CharterTeam(
                name=f"{world.prefix} T{a % 6}",
                mission="m",
                leader=person,
                parent_id=pick(world.teams, b) if world.teams and b % 2 else None,
            ),
        )
        world.teams.append(outcome.id)
    elif kind == "appoint":
        outcome = teams.appoint_leader(
            CommandContext(CEO, "prop"),
            pick(world.teams, a),
            AppointLeader(leader=other_person, reason="r"),
        )
    elif kind == "add_member":
        outcome = teams.add_member(
            CommandContext(CEO, "prop"),
            pick(world.teams, a),
            AddMember(
                person=other_person,
                function=list(Function)[b % len(Function)],
                attachment=list(Attachment)[b % 2],
            ),
        )
    elif kind == "remove_member":
        outcome = teams.remove_member(
            CommandContext(CEO, "prop"), pick(world.teams, a), person=other_person
        )
    elif kind == "move":
        parent = pick(world.teams, b) if b % 3 else None
        outcome = teams.move_team(
            CommandContext(CEO, "prop"),
            pick(world.teams, a),
            MoveTeam(parent_id=parent, reason="reorg"),
        )
    elif kind == "disband":
        outcome = teams.disband_team(
            CommandContext(CEO, "prop"), pick(world.teams, a), DisbandTeam(reason="r")
        )
    elif kind == "register_service":
        outcome = boundaries.register_service(
            CommandContext(CEO, "prop"),
            RegisterService(
                name=f"{world.prefix}-s{a % 5}", owner_team_id=pick(world.teams, b), description="d"
            ),
        )
        world.services.append(outcome.id)
    elif kind == "transfer_service":
        outcome = boundaries.transfer_service(
            CommandContext(CEO, "prop"),
            pick(world.services, a),
            TransferService(to_team_id=pick(world.teams, b), reason="r"),
        )
    elif kind == "retire_service":
        outcome = boundaries.retire_service(
            CommandContext(CEO, "prop"), pick(world.services, a), RetireService(reason="r")
        )
    elif kind == "publish_api":
        outcome = boundaries.publish_api(
            CommandContext(CEO, "prop"),
            pick(world.services, a),
            PublishApi(
                name=f"api{a % 4}",
                version="1",
                kind=list(ApiKind)[b % len(ApiKind)],
                visibility=list(Visibility)[b % 2],
            ),
        )
        world.apis.append(outcome.id)
    elif kind == "deprecate_api":
        outcome = boundaries.deprecate_api(
            CommandContext(CEO, "prop"),
            pick(world.apis, a),
            DeprecateApi(sunset=date(2030, 1, 1 + b % 28), reason="r"),
        )
    elif kind == "retire_api":
        outcome = boundaries.retire_api(
            CommandContext(CEO, "prop"), pick(world.apis, a), RetireApi(reason="r")
        )
    elif kind == "declare_dependency":
        outcome = boundaries.declare_dependency(
            CommandContext(CEO, "prop"),
            pick(world.services, a),
            DeclareDependency(api_id=pick(world.apis, b)),
        )
    elif kind == "drop_dependency":
        outcome = boundaries.drop_dependency(
            CommandContext(CEO, "prop"),
            pick(world.services, a),
            api_id=pick(world.apis, b),
            reason="r",
        )
    elif kind == "define_metric":
        output = b % 2 == 0
        outcome = metrics.define_metric(
            CommandContext(CEO, "prop"),
            DefineMetric(
                name=f"{world.prefix} M{a % 5}",
                kind=MetricKind.OUTPUT if output else MetricKind.INPUT,
                financial=output and b % 4 == 0,
                unit="n",
                direction=list(Direction)[a % 2],
                definition="d",
                owner_team_id=pick(world.teams, b),
            ),
        )
        world.metrics.append(outcome.id)
    elif kind == "redefine_metric":
        outcome = metrics.redefine_metric(
            CommandContext(CEO, "prop"),
            pick(world.metrics, a),
            RedefineMetric(
                definition=f"d{b}",
                reason="sharper",
                aggregation=list(Aggregation)[b % 5] if b % 2 else None,
            ),
        )
    elif kind == "declare_driver":
        outcome = metrics.declare_driver(
            CommandContext(CEO, "prop"),
            pick(world.metrics, a),
            DeclareDriver(output_metric_id=pick(world.metrics, b), hypothesis="h"),
        )
    elif kind == "observe":
        outcome = metrics.record_observation(
            CommandContext(CEO, "prop"),
            pick(world.metrics, a),
            RecordObservation(
                period_end=date(2026, 1, 1 + b % 28),
                value=Decimal(b),
                reason="corrected" if a % 3 == 0 else None,
            ),
        )
    elif kind == "set_goal":
        outcome = goals.set_goal(
            CommandContext(CEO, "prop"),
            SetGoal(
                team_id=pick(world.teams, a),
                metric_id=pick(world.metrics, b),
                plan_year=2026 + b % 2,
                baseline=Decimal(1),
                target=Decimal(2 + a % 3),
                due_date=date(2027, 12, 31),
                description="g",
            ),
        )
        world.goals.append(outcome.id)
    elif kind == "revise_target":
        outcome = goals.revise_target(
            CommandContext(CEO, "prop"),
            pick(world.goals, a),
            ReviseTarget(target=Decimal(b + 3), reason="r"),
        )
    elif kind == "check_in":
        status = list(CheckInStatus)[b % 3]
        outcome = goals.check_in(
            CommandContext(CEO, "prop"),
            pick(world.goals, a),
            CheckIn(
                status=status,
                note="n",
                path_to_green=None if status is CheckInStatus.GREEN else "plan",
            ),
        )
    elif kind == "flag_top_level":
        outcome = goals.set_top_level(
            CommandContext(CEO, "prop"), pick(world.goals, a), FlagTopLevel(top_level=bool(b % 2))
        )
    elif kind == "close_goal":
        outcome = goals.close_goal(
            CommandContext(CEO, "prop"),
            pick(world.goals, a),
            CloseGoal(outcome=list(GoalOutcome)[b % 3], note="n"),
        )
    elif kind == "name_person":
        outcome = runtime.people.set_display_name(
            CommandContext(CEO, "prop"), person, SetDisplayName(display_name=f"Person {a % 7} v{b}")
        )
    elif kind == "erase_person":
        outcome = runtime.people.erase(
            CommandContext(CEO, "prop"), person, ErasePerson(reason="asked")
        )
    elif kind in HIRING_KINDS:
        outcome = hire(runtime, world, kind, a, b)
    elif kind == "write_note":
        outcome = runtime.wbr.write_note(
            CommandContext(CEO, "prop"),
            pick(world.metrics, a),
            WriteNote(day=date(2026, 1, 1 + b % 28), text=f"n{b}"),
        )
        world.notes.append(outcome.id)
    elif kind == "correct_note":
        outcome = runtime.wbr.correct_note(
            CommandContext(CEO, "prop"), pick(world.notes, a), CorrectNote(text=f"c{b}", reason="r")
        )
    elif kind == "observe_in_bulk":
        values = [
            BulkValue(
                period_end=date(2026, 2, 1 + (b + n) % 28),
                value=Decimal(a + n),
                where=str(n),
                metric_id=pick(world.metrics, a + n),
                reason="bulk" if a % 2 else None,
            )
            for n in range(3)
        ]
        bulk = runtime.wbr.record_observations(CommandContext(CEO, "prop"), values)
        if bulk.position is None:
            raise LookupError
        return bulk.position
    elif kind == "record_baseline":
        outcome = runtime.roadmap.record_baseline(
            CommandContext(CEO, "prop"), RecordBaseline(name=f"{world.prefix} B{a % 3}")
        )
    elif kind == "set_roadmap_threshold":
        # Global, so shared by the examples: mostly lifted, otherwise above most items.
        outcome = runtime.roadmap.set_prfaq_threshold(
            CommandContext(CEO, "prop"),
            RoadmapSettingsBody(prfaq_required_above=None if b % 2 else 2 + b % 3, reason=None),
        )
    elif kind.endswith("webhook") or kind == "rotate_webhook_secret":
        outcome = hook(runtime, world, kind, a, b)
    elif kind.endswith(("item", "milestone", "item_date", "on_api", "item_dependency")):
        outcome = plan_roadmap(runtime, world, kind, a, b)
    elif "prfaq" in kind or kind.endswith(("round", "feedback")):
        outcome = work_backwards(runtime, world, kind, a, b)
    elif kind == "expect_cycle_outcome":
        outcome = runtime.allocation.expect_outcome(
            CommandContext(CEO, "prop"),
            pick(world.cycles, a),
            ExpectOutcome(
                metric_id=pick(world.metrics, b),
                target=Decimal(b),
                by=date(2025, 1 + b % 12, 1),
                note="n",
            ),
        )
    else:
        outcome = allocate(runtime, world, kind, a, b)
    return outcome.position


def hook(runtime: Runtime, world: World, kind: str, a: int, b: int) -> Outcome:
    """One command on a webhook endpoint (its secret is kept outside the log)."""
    feeds, context = runtime.feeds, CommandContext(CEO, "prop")
    if kind == "register_webhook":
        team = pick(world.teams, a) if world.teams and b % 2 else None
        outcome = feeds.register(
            context,
            uuid4(),
            RegisterWebhook(
                url=f"https://hooks{a % 3}.example.com/{b}",
                types=["Team.Chartered"] if a % 3 == 0 else None,
                team_id=team,
                include_subteams=team is not None and a % 2 == 0,
            ),
            f"s{b}",
        )
        world.webhooks.append(outcome.id)
        return outcome
    endpoint = pick(world.webhooks, a)
    if kind == "rotate_webhook_secret":
        return feeds.rotate_secret(context, endpoint, f"s{b}")
    if kind == "disable_webhook":
        return feeds.disable(context, endpoint, DisableWebhook(reason="keeps failing"))
    if kind == "enable_webhook":
        return feeds.enable(context, endpoint)
    return feeds.remove(context, endpoint)


def work_backwards(runtime: Runtime, world: World, kind: str, a: int, b: int) -> Outcome:
    """One command on a PR/FAQ; the authors are the example's people, leadership decides."""
    prfaqs = runtime.prfaqs
    author = principal(f"{world.prefix}-p{a % 3}@x.io", Role.MEMBER)
    reviewer = f"{world.prefix}-p{b % 7}@x.io"
    if kind == "draft_prfaq":
        content = content_of(
            title=f"Idea {a}", customer="Readers" if b % 3 else "", problem="Slow delivery"
        )
        team = pick(world.teams, b) if world.teams and b % 2 else None
        outcome = prfaqs.draft(CommandContext(author, "prop"), content=content, team_id=team)
        world.prfaqs.append(outcome.id)
        return outcome
    prfaq = pick(world.prfaqs, a)
    found = runtime.app.repository.get(prfaq)
    owner = principal(found.author, Role.MEMBER)
    number = max(1, len(found.rounds))
    if kind == "revise_prfaq":
        content = content_of(title=f"Idea {a}", customer="Readers", problem=f"Problem {b}")
        team = pick(world.teams, b) if world.teams else None
        return prfaqs.revise(
            CommandContext(owner, "prop"), prfaq, content=content, reason="r", team_id=team
        )
    if kind == "open_round":
        return prfaqs.open_round(
            CommandContext(CEO, "prop"), prfaq, OpenRound(ring=found.ring, reviewers=[reviewer])
        )
    if kind == "give_feedback":
        who = principal(reviewer, Role.MEMBER)
        recommendation = list(Recommendation)[b % 3]
        return prfaqs.give_feedback(
            CommandContext(who, "prop"),
            prfaq,
            number,
            GiveFeedback(recommendation=recommendation, comments="c"),
        )
    if kind == "close_round":
        outcome = [Recommendation.ADVANCE, Recommendation.ADVANCE, Recommendation.REVISE]
        chosen = Recommendation.STOP if b % 7 == 0 else outcome[b % 3]
        return prfaqs.close_round(
            CommandContext(CEO, "prop"), prfaq, number, CloseRound(outcome=chosen, note="n")
        )
    if kind == "dissent_prfaq":
        outcome = prfaqs.record_dissent(
            CommandContext(author, "prop"), prfaq, PrFaqRecordDissent(argument="a")
        )
        world.prfaq_dissents.append((prfaq, outcome.id))
        return outcome
    if kind == "weigh_prfaq_dissent":
        if not world.prfaq_dissents:
            raise LookupError
        dissented, dissent = world.prfaq_dissents[b % len(world.prfaq_dissents)]
        return prfaqs.weigh_dissent(
            CommandContext(CEO, "prop"), dissented, dissent, PrFaqWeighDissent(response="w")
        )
    if kind == "expect_prfaq_outcome":
        return prfaqs.expect_outcome(
            CommandContext(CEO, "prop"),
            prfaq,
            ExpectOutcome(
                metric_id=pick(world.metrics, b),
                target=Decimal(b),
                by=date(2025, 1 + b % 12, 1),
                note="n",
            ),
        )
    if kind == "commit_prfaq":
        return prfaqs.commit(CommandContext(author, "prop"), prfaq)
    return prfaqs.withdraw(CommandContext(owner, "prop"), prfaq, WithdrawPrFaq(reason="r"))


def hire(runtime: Runtime, world: World, kind: str, a: int, b: int) -> Outcome:
    """One command of functional excellence or hiring; people of the example act."""
    excellence, hiring = runtime.excellence, runtime.hiring
    person = f"{world.prefix}-p{a % 7}@x.io"
    other = f"{world.prefix}-p{b % 7}@x.io"
    function = list(Function)[b % len(Function)]
    leader = principal(f"{world.prefix}-p{b % 7}@x.io", Role.MEMBER)
    if kind == "appoint_functional_leader":
        return excellence.appoint_functional_leader(
            CommandContext(CEO, "prop"), function, AppointFunctionalLeader(person=other, reason="r")
        )
    if kind == "publish_standard":
        outcome = excellence.publish_standard(
            CommandContext(leader, "prop"),
            PublishStandard(function=function, area=StandardArea.OTHER, title=f"S{a}", body="b"),
        )
        world.standards.append(outcome.id)
        return outcome
    if kind in ("revise_standard", "retire_standard", "exempt_team"):
        standard = pick(world.standards, a)
        if kind == "exempt_team":
            return excellence.grant_exemption(
                CommandContext(CEO, "prop"),
                standard,
                GrantExemption(
                    team_id=pick(world.teams, b), reason="r", expires=date(2099, 1, 1 + b % 28)
                ),
            )
        found = runtime.app.repository.get(standard)
        try:
            leadership = runtime.app.repository.get(function_leadership_id(found.function))
        except AggregateNotFoundError:
            raise LookupError from None
        boss = CommandContext(principal(leadership.leader, Role.MEMBER), "prop")
        if kind == "revise_standard":
            return excellence.revise_standard(
                boss, standard, ReviseStandard(body=f"b{b}", reason="r")
            )
        return excellence.retire_standard(boss, standard, RetireStandard(reason="r"))
    if kind == "assign_second_job":
        outcome = excellence.assign_second_job(
            CommandContext(CEO, "prop"),
            AssignSecondJob(
                person=person,
                kind=list(SecondJobKind)[b % 3],
                share=Decimal("0.1") * (1 + b % 5),
            ),
        )
        world.second_jobs.append(outcome.id)
        return outcome
    if kind == "end_second_job":
        return excellence.end_second_job(
            CommandContext(CEO, "prop"), pick(world.second_jobs, a), EndSecondJob(reason="r")
        )
    if kind == "set_principles":
        return excellence.set_principles(
            CommandContext(CEO, "prop"),
            SetPrinciples(
                principles=[
                    Principle(name=name, description="d")
                    for name, _ in DEFAULT_PRINCIPLES[: 2 + b % 5]
                ]
            ),
        )
    if kind == "open_requisition":
        outcome = hiring.open_requisition(
            CommandContext(CEO, "prop"),
            OpenRequisition(team_id=pick(world.teams, a), function=function, fiscal_year=2027),
        )
        world.requisitions.append(outcome.id)
        return outcome
    if kind == "cancel_requisition":
        return hiring.cancel_requisition(
            CommandContext(CEO, "prop"), pick(world.requisitions, a), CancelRequisition(reason="r")
        )
    if kind == "schedule_loop":
        outcome = hiring.schedule_loop(
            CommandContext(CEO, "prop"),
            pick(world.requisitions, a),
            ScheduleLoop(
                candidate=Candidate(handle=f"{world.prefix}-c{a}@o.org", name=f"Candidate {a}"),
                recruiter=f"{world.prefix}-rec@x.io",
                bar_raiser=person,
                interviewers=[
                    Interviewer(person=f"{world.prefix}-i1@x.io", principles=["Ownership"]),
                    Interviewer(person=other, principles=["Dive Deep"]),
                ],
            ),
        )
        world.loops.append(outcome.id)
        return outcome
    loop_id = pick(world.loops, a)
    found = runtime.app.repository.get(loop_id)
    voter = CommandContext(principal(found.voters[b % len(found.voters)], Role.MEMBER), "prop")
    raiser = CommandContext(principal(found.bar_raiser, Role.MEMBER), "prop")
    vote = list(Vote)[b % 4]
    if kind == "loop_feedback_submit":
        return hiring.submit_feedback(voter, loop_id, SubmitFeedback(vote=vote, notes="n"))
    if kind == "loop_absence":
        return hiring.record_absence(
            raiser, loop_id, RecordAbsence(person=found.interviewer_people[b % 2], reason="r")
        )
    if kind == "open_debrief":
        return hiring.open_debrief(raiser, loop_id)
    if kind == "final_vote":
        return hiring.record_final_vote(voter, loop_id, FinalVote(vote=vote))
    if kind == "veto_loop":
        return hiring.veto(raiser, loop_id, Veto(reason="r"))
    manager = CommandContext(principal(found.hiring_manager, Role.MEMBER), "prop")
    if kind == "decide_loop":
        return hiring.decide(manager, loop_id, Decide(hire=bool(b % 2), reason="r"))
    return hiring.accept_offer(
        manager,
        loop_id,
        OfferAccepted(attachment=Attachment.REPORTS, start_date=date(2027, 2, 1)),
    )


def plan_roadmap(runtime: Runtime, world: World, kind: str, a: int, b: int) -> Outcome:
    """One command on a roadmap item; leadership acts, so only the item's rules refuse."""
    road = runtime.roadmap
    if kind == "propose_item":
        prfaq = pick(world.prfaqs, b) if world.prfaqs and b % 4 == 0 else None
        outcome = road.propose(
            CommandContext(CEO, "prop"),
            ProposeItem(
                team_id=pick(world.teams, a),
                title=f"Item {a}",
                outcome="o",
                horizon=list(Horizon)[b % 3],
                goal_ids=[pick(world.goals, b)] if world.goals and b % 2 else [],
                headcount={Function.ENGINEERING: b % 4},
                prfaq_id=prfaq,
            ),
        )
        world.items.append(outcome.id)
        return outcome
    item = pick(world.items, a)
    day = date(2027, 1 + b % 12, 1 + a % 28)
    if kind == "commit_item":
        return road.commit(CommandContext(CEO, "prop"), item, CommitItem(target_date=day))
    if kind == "start_item":
        return road.start(CommandContext(CEO, "prop"), item)
    if kind == "pause_item":
        return road.pause(CommandContext(CEO, "prop"), item, PauseItem(reason="r"))
    if kind == "resume_item":
        return road.resume(CommandContext(CEO, "prop"), item)
    if kind == "deliver_item":
        return road.deliver(
            CommandContext(CEO, "prop"), item, DeliverItem(note="n" if b % 2 else None)
        )
    if kind == "drop_item":
        return road.drop(CommandContext(CEO, "prop"), item, DropItem(reason="r"))
    if kind == "move_item_date":
        return road.move_target_date(
            CommandContext(CEO, "prop"), item, MoveTargetDate(target_date=day, reason="r")
        )
    if kind == "add_milestone":
        outcome = road.add_milestone(
            CommandContext(CEO, "prop"), item, AddMilestone(name=f"m{b}", date=day)
        )
        world.milestones.append((item, outcome.id))
        return outcome
    if kind == "complete_milestone":
        if not world.milestones:
            raise LookupError
        owner, milestone = world.milestones[b % len(world.milestones)]
        return road.complete_milestone(CommandContext(CEO, "prop"), owner, milestone)
    if kind == "check_in_item":
        health = list(Health)[b % 3]
        return road.check_in(
            CommandContext(CEO, "prop"),
            item,
            RoadmapCheckIn(health=health, note="n", path_back="p" if a % 2 else None),
        )
    if kind == "depend_on_item":
        return road.add_dependency(
            CommandContext(CEO, "prop"), item, AddDependency(item_id=pick(world.items, b))
        )
    if kind == "depend_on_api":
        return road.add_dependency(
            CommandContext(CEO, "prop"), item, AddDependency(api_id=pick(world.apis, b))
        )
    if kind == "remove_item_dependency":
        found = runtime.app.repository.get(item).dependencies
        target = UUID(sorted(found)[b % len(found)]) if found else item
        return road.remove_dependency(CommandContext(CEO, "prop"), item, target, reason="r")
    if kind == "resize_item":
        return road.change_headcount(
            CommandContext(CEO, "prop"),
            item,
            ChangeHeadcount(headcount={Function.ENGINEERING: b % 6}, reason="r"),
        )
    return road.transfer(
        CommandContext(CEO, "prop"), item, TransferItem(to_team_id=pick(world.teams, b), reason="r")
    )


def allocate(runtime: Runtime, world: World, kind: str, a: int, b: int) -> Outcome:
    """One command of the yearly allocation."""
    cycles = runtime.allocation
    engineers = {Function.ENGINEERING: 1 + b % 4}
    if kind == "open_cycle":
        year = 2000 + (int(world.prefix[1:]) % 33) * 3 + a % 3  # fiscal years 2000-2100
        outcome = cycles.open_cycle(
            CommandContext(CEO, "prop"), OpenCycle(fiscal_year=year, kind=list(CycleKind)[b % 2])
        )
        world.cycles.append(outcome.id)
        return outcome
    cycle = pick(world.cycles, a)
    if kind == "set_envelope":
        return cycles.set_envelope(
            CommandContext(CEO, "prop"),
            cycle,
            SetEnvelope(headcount={Function.ENGINEERING: 5 + b % 5}, budget=1000, reason="r"),
        )
    if kind == "submit_request":
        return cycles.submit_request(
            CommandContext(CEO, "prop"),
            cycle,
            SubmitRequest(
                team_id=pick(world.teams, b),
                headcount=engineers,
                budget=100,
                rationale="r",
                goal_ids=[pick(world.goals, b)],
                item_ids=[pick(world.items, a)] if world.items and a % 2 else [],
            ),
        )
    if kind == "advance_phase":
        # Usually to the next phase, now and then to a wrong one (refused).
        current = runtime.app.repository.get(cycle).phase
        target = current.next if b % 4 and current.next else list(CyclePhase)[b % 4]
        return cycles.advance_phase(CommandContext(CEO, "prop"), cycle, AdvancePhase(to=target))
    if kind == "decide":
        return cycles.decide(
            CommandContext(CEO, "prop"),
            cycle,
            RecordDecision(
                team_id=pick(world.teams, b), headcount=engineers, budget=50, rationale="r"
            ),
        )
    if kind == "dissent":
        outcome = cycles.record_dissent(
            CommandContext(CEO, "prop"), cycle, RecordDissent(team_id=None, argument="too few")
        )
        world.dissents.append((cycle, outcome.id))
        return outcome
    if kind == "weigh_dissent":
        dissent_cycle, dissent = (
            world.dissents[b % len(world.dissents)] if world.dissents else (cycle, cycle)
        )
        return cycles.weigh_dissent(
            CommandContext(CEO, "prop"), dissent_cycle, dissent, WeighDissent(response="heard")
        )
    if kind == "commit":
        return cycles.commit(CommandContext(CEO, "prop"), cycle)
    if kind == "amend":
        return cycles.amend(
            CommandContext(CEO, "prop"),
            cycle,
            RecordAmendment(
                team_id=pick(world.teams, b),
                headcount=engineers,
                budget=60,
                reason="r",
                approver="ceo@example.com",
            ),
        )
    line = ScenarioLine(team_id=pick(world.teams, b), headcount=engineers, budget=50)
    if kind == "save_scenario":
        return cycles.save_scenario(
            CommandContext(CEO, "prop"),
            cycle,
            SaveScenario(name=f"plan{b % 2}", allocations=[line]),
        )
    return cycles.adopt_scenario(CommandContext(CEO, "prop"), cycle, name=f"plan{b % 2}")


def head_of_log(runtime: Runtime) -> int:
    with psycopg.connect(runtime.database.url) as conn:
        row = conn.execute(
            "SELECT coalesce(max(notification_id), 0) FROM flywheel_events"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def differences_at(runtime: Runtime, positions: list[int]) -> dict[int, list[Any]]:
    # The live views follow the log in small batches, the replay in one: any state
    # that leaks between batches (the row cache, closing versions) shows up as a difference.
    following, replaying = runtime.projection_runner(batch_size=3), runtime.projection_runner()
    conn = await asyncpg.connect(runtime.database.url)
    try:
        live = await following.prepare(conn)
        await following.catch_up(conn, live)
        found = {}
        for position in positions:
            await replaying.build_shadow(conn, SHADOW, until=position)
            found[position] = await compare_views(conn, "views", SHADOW, position, views=VIEWS)
        return found
    finally:
        await conn.close()


# Every area's commands in one property over a growing log: longer than the suite's
# default limit on a 2-core machine, so it states its own. 20 histories a run (about a
# minute on an idle machine); each run draws new ones.
@pytest.mark.timeout(1200)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=st.lists(operation, min_size=5, max_size=40),
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=3, unique=True),
)
def test_every_view_as_of_a_position_equals_a_replay(
    runtime: Runtime, operations: list[tuple[str, int, int]], picks: list[int]
) -> None:
    start = head_of_log(runtime)
    world = World()
    positions = []
    prelude = [
        ("charter", 0, 0),
        ("charter", 1, 1),
        ("define_metric", 0, 1),
        ("define_metric", 1, 0),
        ("register_service", 0, 0),
        ("publish_api", 0, 0),
        ("set_goal", 0, 0),
        ("open_cycle", 0, 0),
        ("set_envelope", 0, 0),
        ("submit_request", 0, 0),
        ("draft_prfaq", 0, 1),
        ("open_round", 0, 0),
        ("propose_item", 0, 1),
        ("propose_item", 1, 1),
        ("commit_item", 0, 0),
        ("write_note", 0, 0),
        ("register_webhook", 1, 1),
    ]
    for kind, a, b in [*prelude, *operations]:
        try:
            positions.append(perform(runtime, world, kind, a, b))
        except (DomainError, LookupError):
            continue
    span = max(positions) - start + 1
    checked = sorted({start + pick_ % span for pick_ in picks})
    differences = asyncio.run(differences_at(runtime, checked))
    assert all(not found for found in differences.values()), differences
