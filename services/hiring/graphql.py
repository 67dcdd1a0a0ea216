"""Hiring in GraphQL: requisitions, interview loops and their sealed feedback, the hiring
plan, the bar raisers' figures and the loops' health.

Feedback is sealed: a loop's interviewer or bar raiser reads the others' feedback only
once their own is in; once the debrief is open every participant (the interviewers, the
bar raiser, the hiring manager, the recruiter) reads all of it; nobody outside the loop
(leadership and planners included) reads any. The written notes and the reasons of the
veto and the decision are personal data about the candidate, opened with the candidate's
key: null for good once the candidate is erased. So is the candidate's name, readable by
the loop's participants and leadership.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import msgspec
import strawberry

from domain.hiring import LoopStage, RequisitionStatus, Vote
from domain.org.team import Attachment
from domain.people.values import Function
from domain.personal_data import Sealed
from projections.hiring import queries
from services.audit.graphql import Recorded
from services.graphql.common import (
    FlywheelInfo,
    context,
    time_travel,
)
from services.graphql.enums import graphql_enum
from services.graphql.errors import client_error
from services.graphql.nodes import UuidNode, node_by_id, uuid_field
from services.graphql.people import LazyPerson
from services.graphql.relations import related_list, team_field, team_ids_of
from services.graphql.rows import FromRow
from services.personal_data import open_sealed

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader

graphql_enum(
    Vote,
    description="An interviewer's vote: `STRONG_NO`, `NO`, `YES`, `STRONG_YES`.",
    STRONG_NO="Strongly against hiring.",
    NO="Against hiring.",
    YES="For hiring.",
    STRONG_YES="Strongly for hiring.",
)
graphql_enum(
    RequisitionStatus,
    description="`OPEN` until `FILLED` by an accepted offer or `CANCELLED` with a reason.",
    OPEN="Open: counts against the team's funded headcount.",
    FILLED="Filled by an accepted offer.",
    CANCELLED="Cancelled with a reason.",
)
graphql_enum(
    LoopStage,
    description="`INTERVIEWING` (feedback sealed), `DEBRIEF` (all read, final votes), `HIRE` "
    "or `NO_HIRE` (decided), `HIRED` (the offer was accepted).",
    INTERVIEWING="Interviews under way; feedback is sealed.",
    DEBRIEF="The bar raiser opened the debrief: participants read all feedback and vote again.",
    HIRE="The hiring manager decided to hire.",
    NO_HIRE="The hiring manager decided not to hire.",
    HIRED="The candidate accepted the offer and joined the team.",
)

_interviewers = msgspec.json.Decoder(list[dict[str, Any]])


async def _open(info: FlywheelInfo, candidate: str, sealed: bytes | None) -> str | None:
    if sealed is None:
        return None
    key = await context(info).load.org.person_key.load(candidate, None)
    return open_sealed(key, Sealed(candidate, bytes(sealed)))


@strawberry.type(description="An interviewer of a loop and the principles they cover.")
class LoopInterviewer(FromRow):
    person: LazyPerson = strawberry.field(description="The interviewer.")
    principles: list[str] = strawberry.field(description="The leadership principles covered.")


@strawberry.type(
    description="One participant's feedback: the written notes and the vote before the "
    "debrief, the final vote in it; or their recorded absence."
)
class LoopFeedback(FromRow):
    person: LazyPerson = strawberry.field(description="The interviewer (or the bar raiser).")
    vote: Vote | None = strawberry.field(description="The initial vote; null if absent.")
    notes: str | None = strawberry.field(
        description="The written feedback (personal data about the candidate); null if absent "
        "or once the candidate was erased."
    )
    principles: list[str] = strawberry.field(description="The principles assessed.")
    submitted_at: datetime | None = strawberry.field(description="When it was submitted.")
    absent: bool = strawberry.field(description="Whether the interviewer was recorded absent.")
    absence_reason: str | None = strawberry.field(description="Why they were absent.")
    final_vote: Vote | None = strawberry.field(description="The vote in the debrief.")
    changed: bool = strawberry.field(description="Whether the final vote differs from the first.")


@strawberry.type(
    description="An interview loop: one candidate for a requisition, the interviewers, the bar "
    "raiser, sealed feedback, the debrief and the decision."
)
class InterviewLoop(UuidNode, Recorded):
    COLUMNS: ClassVar = {
        "raw_interviewers": "interviewers",
        "veto_sealed": "veto_reason_sealed",
        "decision_sealed": "decision_reason_sealed",
    }

    candidate: str = strawberry.field(description="The candidate's handle (pseudonymous).")
    hiring_manager: LazyPerson = strawberry.field(description="Who decides.")
    recruiter: LazyPerson = strawberry.field(description="The recruiter.")
    bar_raiser: LazyPerson = strawberry.field(description="The bar raiser, who runs the debrief.")
    function: Function = strawberry.field(description="The requisition's function.")
    stage: LoopStage = strawberry.field(description="Where the loop stands.")
    vetoed: bool = strawberry.field(description="Whether the bar raiser vetoed.")
    hire: bool | None = strawberry.field(description="The decision: null until decided.")
    scheduled_at: datetime = strawberry.field(description="When it was scheduled.")
    last_feedback_at: datetime | None = strawberry.field(description="The last feedback's time.")
    debrief_at: datetime | None = strawberry.field(description="When the debrief opened.")
    decided_at: datetime | None = strawberry.field(description="When it was decided.")
    accepted_at: datetime | None = strawberry.field(description="When the offer was accepted.")
    start_date: date | None = strawberry.field(description="The hire's first day.")
    attachment: Attachment | None = strawberry.field(description="How the hire joined the team.")
    version: int = strawberry.field(description="Its version; send it as `If-Match`.")
    requisition_id: strawberry.Private[UUID]
    team_id: strawberry.Private[UUID]
    raw_interviewers: strawberry.Private[Any]
    veto_sealed: strawberry.Private[bytes | None]
    decision_sealed: strawberry.Private[bytes | None]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.hiring.loop

    uuid = uuid_field("loop")

    def _interviewer_rows(self) -> list[dict[str, Any]]:
        raw = self.raw_interviewers
        return _interviewers.decode(raw if isinstance(raw, str) else msgspec.json.encode(raw))

    @strawberry.field(description="The interviewers and the principles each covers.")
    def interviewers(self) -> list[LoopInterviewer]:
        return LoopInterviewer.from_rows(self._interviewer_rows(), self.at)

    @property
    def _voters(self) -> set[str]:
        return {i["person"] for i in self._interviewer_rows()} | {self.bar_raiser.key}

    def _participant(self, info: FlywheelInfo) -> str | None:
        principal = context(info).principal
        if principal is None:
            return None
        if principal.subject in self._voters | {self.hiring_manager.key, self.recruiter.key}:
            return principal.subject
        return None

    @strawberry.field(
        description="The candidate's display name (personal data): for the loop's participants "
        "and leadership; null for others and once the candidate was erased."
    )
    async def candidate_name(self, info: FlywheelInfo) -> str | None:
        principal = context(info).principal
        if principal is None or not (principal.is_leadership or self._participant(info)):
            return None
        row = await context(info).load.org.person.load(self.candidate, self.at)
        if row is None:
            return None
        return await _open(info, self.candidate, row["display_name_sealed"])

    @strawberry.field(
        description="Whether the caller may read feedback now: a participant once the debrief "
        "is open, an interviewer or the bar raiser once their own feedback is in."
    )
    async def feedback_readable(self, info: FlywheelInfo) -> bool:
        return await self._readable(info, None)

    async def _readable(self, info: FlywheelInfo, rows: list[Any] | None) -> bool:
        person = self._participant(info)
        if person is None:
            return False
        if self.stage is not LoopStage.INTERVIEWING:
            return True
        if rows is None:
            rows = await context(info).load.hiring.feedback.load(UUID(self.key), self.at)
        return any(row["person"] == person and row["vote"] is not None for row in rows)

    @strawberry.field(
        description="The feedback, in the order it was submitted, as the sealing rule allows: "
        "empty for a participant who may not read it yet; null for anyone outside the loop."
    )
    async def feedback(self, info: FlywheelInfo) -> list[LoopFeedback] | None:
        if self._participant(info) is None:
            return None
        rows = await context(info).load.hiring.feedback.load(UUID(self.key), self.at)
        if not await self._readable(info, rows):
            return []
        return [
            LoopFeedback.from_row(
                row,
                self.at,
                notes=await _open(info, self.candidate, row["notes_sealed"]),
                principles=list(row["principles"] or []),
                changed=row["final_vote"] is not None
                and row["vote"] is not None
                and row["final_vote"] != row["vote"],
            )
            for row in rows
        ]

    @strawberry.field(
        description="The veto's reason (personal data): for participants once the debrief is "
        "open; null otherwise."
    )
    async def veto_reason(self, info: FlywheelInfo) -> str | None:
        if self._participant(info) is None or self.stage is LoopStage.INTERVIEWING:
            return None
        return await _open(info, self.candidate, self.veto_sealed)

    @strawberry.field(
        description="The decision's reason (personal data): for participants; null otherwise."
    )
    async def decision_reason(self, info: FlywheelInfo) -> str | None:
        if self._participant(info) is None:
            return None
        return await _open(info, self.candidate, self.decision_sealed)

    @strawberry.field(description="The requisition it fills.")
    async def requisition(self, info: FlywheelInfo) -> Requisition | None:
        return await Requisition.find(info, str(self.requisition_id), self.at)


@strawberry.type(description="An opening for one person of a function in a team and year.")
class Requisition(UuidNode, Recorded):
    function: Function = strawberry.field(description="The function to hire for.")
    fiscal_year: int = strawberry.field(description="The fiscal year whose funding it uses.")
    status: RequisitionStatus = strawberry.field(description="Where it stands.")
    opened_at: datetime = strawberry.field(description="When it was opened.")
    opened_by: LazyPerson = strawberry.field(description="Who opened it.")
    closed_at: datetime | None = strawberry.field(description="When it was filled or cancelled.")
    cancel_reason: str | None = strawberry.field(description="Why it was cancelled.")
    hired: LazyPerson | None = strawberry.field(
        description="Who filled it: the hired candidate, a member of the team since."
    )
    version: int = strawberry.field(description="Its version; send it as `If-Match`.")
    team_id: strawberry.Private[UUID]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.hiring.requisition

    uuid = uuid_field("requisition")
    team = team_field("The team hiring.")

    loops = related_list(
        InterviewLoop, lambda load: load.hiring.loops, "Its interview loops, oldest first."
    )


async def requisitions_of_team(
    info: FlywheelInfo, team_id: UUID, at: int | None
) -> list[Requisition]:
    """A team's requisitions (``Team.requisitions``), by fiscal year and opening."""
    rows = await context(info).load.hiring.requisitions_of_team.load(team_id, at)
    return Requisition.from_rows(rows, at)


@strawberry.type(description="One team's headcount in one function for a fiscal year.")
class HiringPlanLine(FromRow):
    team_id: UUID = strawberry.field(description="The team's id (a UUID).")
    function: Function = strawberry.field(description="The function.")
    funded: int = strawberry.field(
        description="What the year's latest decided allocation funds (OP2 once decided, else "
        "OP1; amendments included)."
    )
    members: int = strawberry.field(description="The team's members of the function now.")
    open_requisitions: int = strawberry.field(description="The open requisitions of the year.")
    unfilled: int = strawberry.field(
        description="Funded headcount with neither a member nor an open requisition."
    )
    at: strawberry.Private[int | None]

    team = team_field("The team.")


@strawberry.type(description="One bar raiser's loops in a period.")
class BarRaiserStats(FromRow):
    bar_raiser: LazyPerson = strawberry.field(description="The bar raiser.")
    loops: int = strawberry.field(description="Loops scheduled in the period.")
    vetoes: int = strawberry.field(description="How many of them the bar raiser vetoed.")
    decided: int = strawberry.field(description="How many were decided (hire or no hire).")
    hires: int = strawberry.field(description="How many were decided HIRE.")
    hire_rate: float | None = strawberry.field(
        description="Hires over decided loops; null when none was decided."
    )


@strawberry.type(description="How interview loops run: debrief delays and changed votes.")
class LoopHealth(FromRow):
    debriefs: int = strawberry.field(description="Loops whose debrief opened in the period.")
    median_days_to_debrief: float | None = strawberry.field(
        description="The median days from a loop's last feedback to its debrief."
    )
    final_votes: int = strawberry.field(
        description="Final votes recorded in those debriefs by people who voted first."
    )
    changed_votes: int = strawberry.field(description="How many differ from the initial vote.")
    changed_share: float | None = strawberry.field(
        description="The share of final votes that changed; null when there is none."
    )


From = Annotated[
    date | None, strawberry.argument(name="from", description="The first day of the period.")
]
To = Annotated[date | None, strawberry.argument(description="The last day of the period.")]


def _period(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    if start is not None and end is not None and end < start:
        raise client_error("`to` is before `from`")
    return (
        None if start is None else datetime.combine(start, time(), tzinfo=UTC),
        None if end is None else datetime.combine(end, time(), tzinfo=UTC) + timedelta(days=1),
    )


@strawberry.type
class HiringQuery:
    requisition = node_by_id(Requisition, "A requisition by its id (UUID or global id).")
    interview_loop = node_by_id(InterviewLoop, "An interview loop by its id (UUID or global id).")

    @strawberry.field(
        description="Funded headcount against members and open requisitions, per team and "
        "function, for a fiscal year."
    )
    @time_travel
    async def hiring_plan(
        self,
        info: FlywheelInfo,
        fiscal_year: Annotated[int, strawberry.argument(description="The fiscal year.")],
        team_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this team.")
        ] = None,
        include_subteams: Annotated[
            bool, strawberry.argument(description="With `teamId`: also the teams under it.")
        ] = False,
        *,
        at: int | None,
    ) -> list[HiringPlanLine]:
        team_ids = await team_ids_of(info, team_id, include_subteams, at)
        lines = await queries.hiring_plan(context(info).views, at, fiscal_year, team_ids)
        return [HiringPlanLine.from_fields(line, at) for line in lines]

    @strawberry.field(
        description="Per bar raiser, the loops scheduled between `from` and `to`: how many, "
        "vetoed, decided, hires and the hire rate."
    )
    @time_travel
    async def bar_raiser_stats(
        self,
        info: FlywheelInfo,
        from_: From = None,
        to: To = None,
        *,
        at: int | None,
    ) -> list[BarRaiserStats]:
        start, end = _period(from_, to)
        figures = await queries.bar_raiser_stats(context(info).views, at, start, end)
        return [BarRaiserStats.from_fields(f, at) for f in figures]

    @strawberry.field(
        description="Over the loops whose debrief opened between `from` and `to`: the median "
        "days from the last feedback to the debrief and the share of changed final votes."
    )
    @time_travel
    async def loop_health(
        self,
        info: FlywheelInfo,
        from_: From = None,
        to: To = None,
        *,
        at: int | None,
    ) -> LoopHealth:
        start, end = _period(from_, to)
        health = await queries.loop_health(context(info).views, at, start, end)
        return LoopHealth.from_fields(health)
