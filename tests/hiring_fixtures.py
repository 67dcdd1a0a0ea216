"""A company ready to hire: a decided OP1 that funds one engineer for Retail and one for
Books, functional leaders, bar raisers, interviewers and a recruiter."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain.allocation.cycle import CyclePhase
from domain.excellence import SecondJobKind
from domain.org.team import Attachment
from domain.people.values import Function
from services.api.commands import CommandContext
from services.excellence.rest import AppointFunctionalLeader, AssignSecondJob
from services.hiring.rest import Candidate, Interviewer, OpenRequisition, ScheduleLoop
from services.org.rest import AddMember
from services.principal import Role
from tests.allocation_fixtures import YEAR, Planning, advance, decide, envelope, planning, request
from tests.commands import Commands
from tests.people import CEO, principal

ENG = Function.ENGINEERING
DEDICATED = Attachment.DEDICATED
RITA = principal("rita@x.io", Role.MEMBER)  # leads Retail: the hiring manager
CTO = principal("cto@x.io", Role.MEMBER)  # leads ENGINEERING
BEA = principal("bea@x.io", Role.MEMBER)  # an engineer in Books, the bar raiser
REX = principal("rex@x.io", Role.MEMBER)  # reports to Rita in Retail, a bar raiser too
RAE = principal("rae@x.io", Role.MEMBER)  # recruiting, in Finance
IAN = principal("ian@x.io", Role.MEMBER)  # interviewer
IVY = principal("ivy@x.io", Role.MEMBER)  # interviewer
OUT = principal("out@x.io", Role.MEMBER)  # in no loop
PRINCIPLES = ["Customer Obsession", "Dive Deep"]


@dataclass
class Hiring:
    plan: Planning
    retail: UUID
    books: UUID
    bea_job: UUID


def hiring(commands: Commands) -> Hiring:
    plan = planning(commands)
    org = plan.org
    envelope(commands, plan.op1, 10, 10_000_000)
    request(commands, plan, org.retail, 2, 1_000_000)
    request(commands, plan, org.books, 1, 1_000_000)
    advance(commands, plan.op1, CyclePhase.REVIEW)
    decide(commands, plan.op1, org.retail, 1, 1_000_000)
    decide(commands, plan.op1, org.books, 1, 1_000_000)
    advance(commands, plan.op1, CyclePhase.DECIDED)
    add = commands.org.add_member
    fixture = CommandContext(CEO, "f")
    add(fixture, org.books, AddMember(person="bea@x.io", function=ENG, attachment=DEDICATED))
    add(
        fixture,
        org.retail,
        AddMember(person="rex@x.io", function=Function.QUALITY, attachment=Attachment.REPORTS),
    )
    add(
        fixture,
        org.finance,
        AddMember(person="rae@x.io", function=Function.RECRUITING, attachment=Attachment.REPORTS),
    )
    commands.excellence.appoint_functional_leader(
        fixture,
        ENG,
        AppointFunctionalLeader(person="cto@x.io", reason="Builds the engineering bar"),
    )
    bea_job = commands.excellence.assign_second_job(
        CommandContext(CTO, "f"),
        AssignSecondJob(person="bea@x.io", kind=SecondJobKind.BAR_RAISER, share=Decimal("0.1")),
    ).id
    for person in ("rex@x.io", "rae@x.io", "rita@x.io"):
        commands.excellence.assign_second_job(
            fixture,
            AssignSecondJob(person=person, kind=SecondJobKind.BAR_RAISER, share="0.1"),  # type: ignore[arg-type]
        )
    return Hiring(plan=plan, retail=org.retail, books=org.books, bea_job=bea_job)


def requisition(commands: Commands, team: UUID, function: Function = ENG) -> UUID:
    return commands.hiring.open_requisition(
        CommandContext(CEO, "f"),
        OpenRequisition(team_id=team, function=function, fiscal_year=YEAR),
    ).id


def loop(
    commands: Commands,
    requisition_id: UUID,
    *,
    bar_raiser: str = "bea@x.io",
    recruiter: str = "rae@x.io",
    candidate: str = "cand@example.org",
) -> UUID:
    return commands.hiring.schedule_loop(
        CommandContext(CEO, "f"),
        requisition_id,
        ScheduleLoop(
            candidate=Candidate(handle=candidate, name="Casey Candidate"),
            recruiter=recruiter,
            bar_raiser=bar_raiser,
            interviewers=[
                Interviewer(person="ian@x.io", principles=PRINCIPLES[:1]),
                Interviewer(person="ivy@x.io", principles=PRINCIPLES[1:]),
            ],
        ),
    ).id
