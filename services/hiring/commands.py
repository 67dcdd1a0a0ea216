"""Commands of hiring: requisitions within funding, interview loops with a bar raiser.

A team's leader (or leadership) opens and cancels its requisitions. A loop is
scheduled by the team's leader, leadership or the recruiter it names; the org facts
about the bar raiser (their second jobs, whom they report to, whether they work in
recruiting) are read here and checked by the loop. Only the loop's interviewers and
bar raiser submit feedback and final votes; the bar raiser, the recruiter or the
hiring manager records an absence; only the bar raiser opens the debrief and vetoes;
only the hiring manager decides; the hiring manager, the recruiter or leadership
records the accepted offer, which adds the candidate to the team and fills the
requisition in the same save.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.allocation.cycle import (
    AllocationCycle,
    CycleKind,
    CyclePhase,
    checked_fiscal_year,
    cycle_key,
)
from domain.claims import Claim, ClaimKind, claim_id
from domain.excellence import (
    PRINCIPLES_ID,
    LeadershipPrinciples,
    SecondJob,
    SecondJobKind,
    default_principle_names,
)
from domain.hiring import (
    HeadcountLedger,
    InterviewLoop,
    Requisition,
    ledger_id,
)
from domain.org.team import Attachment, PersonDedicatedElsewhere, Team, TeamDisbanded
from domain.people.person import Person, person_record_id
from domain.people.values import Function, PersonId, person_id
from services.authorization import require_leader_or_leadership
from services.commands import AreaCommands, Forbidden, Outcome, UnitOfWork
from services.excellence.staffing import memberships, team_functions

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.hiring.rest import (
        CancelRequisition,
        Decide,
        FinalVote,
        OfferAccepted,
        OpenRequisition,
        RecordAbsence,
        ScheduleLoop,
        SubmitFeedback,
        Veto,
    )

_ASSIGNED = get_topic(SecondJob.Assigned)


def funded_headcount(work: UnitOfWork, team_id: UUID, fiscal_year: int, function: Function) -> int:
    """What the team's latest decided allocation of the year funds for the function:
    OP2 once decided, else OP1 once decided (amendments included), else nothing."""
    for kind in (CycleKind.OP2, CycleKind.OP1):
        claim = work.find(Claim, claim_id(ClaimKind.ALLOCATION_CYCLE, cycle_key(fiscal_year, kind)))
        if claim is None or claim.holder is None:
            continue
        cycle = work.get(AllocationCycle, claim.holder, label="allocation cycle")
        if cycle.phase in (CyclePhase.DECIDED, CyclePhase.LOCKED):
            return cycle.funding_of(team_id).count(function)
    return 0


class HiringCommands(AreaCommands):
    # -- requisitions ---------------------------------------------------------------

    def open_requisition(self, context: CommandContext, body: OpenRequisition) -> Outcome:
        chosen = Function(body.function)
        year = checked_fiscal_year(body.fiscal_year)

        def open_(work: UnitOfWork) -> Requisition:
            team = work.get(Team, body.team_id, label="team")
            require_leader_or_leadership(context.principal, team, "Opening a requisition")
            if team.disbanded:
                raise TeamDisbanded(f"Team '{team.name}' is disbanded", team_id=str(team.id))
            funded = funded_headcount(work, team.id, year, chosen)
            members = sum(1 for f in team_functions(self.bus.app, team.id).values() if f is chosen)
            ledger = work.find(HeadcountLedger, ledger_id(team.id, year))
            if ledger is None:
                ledger = work.add(HeadcountLedger.start(team.id, year))
            requisition = work.add(
                Requisition.open(team_id=team.id, function=chosen, fiscal_year=year, funded=funded)
            )
            ledger.count(requisition.id, chosen, funded=funded, members=members)
            return requisition

        return self.run(context, open_, versioned=False)

    def cancel_requisition(
        self, context: CommandContext, requisition_id: UUID, body: CancelRequisition
    ) -> Outcome:
        def cancel(requisition: Requisition, work: UnitOfWork) -> None:
            team = work.get(Team, requisition.team_id, label="team")
            require_leader_or_leadership(context.principal, team, "Cancelling a requisition")
            requisition.cancel(body.reason)
            ledger = work.get(
                HeadcountLedger,
                ledger_id(requisition.team_id, requisition.fiscal_year),
                label="headcount ledger",
            )
            ledger.release(requisition.id)

        return self.change(context, Requisition, requisition_id, cancel, label="requisition")

    # -- loops ----------------------------------------------------------------------

    def _holds_bar_raiser_job(self, work: UnitOfWork, person: PersonId) -> bool:
        start: int | None = None
        app = self.bus.app
        while True:
            page = app.recorder.select_notifications(
                start, 1000, topics=(_ASSIGNED,), inclusive_of_start=False
            )
            for notification in page:
                assigned = app.mapper.to_domain_event(notification)
                if (
                    isinstance(assigned, SecondJob.Assigned)
                    and assigned.person == person
                    and assigned.kind is SecondJobKind.BAR_RAISER
                ):
                    job = work.get(SecondJob, assigned.originator_id, label="second job")
                    if job.active:
                        return True
            if len(page) < 1000:
                return False
            start = page[-1].id

    def _reports_to(self, work: UnitOfWork, person: PersonId, manager: PersonId) -> bool:
        claim = work.find(Claim, claim_id(ClaimKind.TEAM_LEADER, manager))
        if claim is None or claim.holder is None:
            return False
        team = work.get(Team, claim.holder, label="team")
        return team.leader == manager and team.attachment_of(person) is Attachment.REPORTS

    def schedule_loop(
        self, context: CommandContext, requisition_id: UUID, body: ScheduleLoop
    ) -> Outcome:
        principal = context.principal
        who = person_id(body.candidate.handle, field="candidate.handle")
        recruiting = person_id(body.recruiter, field="recruiter")
        raiser = person_id(body.bar_raiser, field="barRaiser")
        panel = [
            (
                person_id(interviewer.person, field=f"interviewers[{i}].person"),
                list(interviewer.principles),
            )
            for i, interviewer in enumerate(body.interviewers)
        ]
        manager_given = (
            None
            if body.hiring_manager is None
            else person_id(body.hiring_manager, field="hiringManager")
        )

        def schedule(work: UnitOfWork) -> InterviewLoop:
            requisition = work.get(Requisition, requisition_id, label="requisition")
            team = work.get(Team, requisition.team_id, label="team")
            if not (principal.is_leadership or principal.subject in (team.leader, recruiting)):
                raise Forbidden(
                    "Scheduling a loop is for the team's leader, the loop's recruiter or the "
                    "`leadership` role"
                )
            manager = manager_given or team.leader
            principles = work.find(LeadershipPrinciples, PRINCIPLES_ID)
            names = default_principle_names() if principles is None else principles.names
            raiser_functions = {f for f, _ in memberships(self.bus.app, raiser).values()}
            loop = InterviewLoop.schedule(
                requisition=requisition,
                candidate=who,
                hiring_manager=manager,
                recruiter=recruiting,
                bar_raiser=raiser,
                interviewers=panel,
                principles=names,
                bar_raiser_assigned=self._holds_bar_raiser_job(work, raiser),
                bar_raiser_reports_to_hiring_manager=self._reports_to(work, raiser, manager),
                bar_raiser_in_recruiting=Function.RECRUITING in raiser_functions,
            )
            record = work.find(Person, person_record_id(who))
            if record is None:
                work.add(Person.name(who, body.candidate.name))
            else:
                record.rename(body.candidate.name)
            return work.add(loop)

        return self.run(context, schedule, versioned=False)

    def _on_loop(
        self,
        context: CommandContext,
        loop_id: UUID,
        decide: Callable[[InterviewLoop, UnitOfWork], object],
    ) -> Outcome:
        """Load the loop, let ``decide`` check who may and change it; a loop's commands
        take no ``If-Match``."""
        return self.change(
            context, InterviewLoop, loop_id, decide, label="interview loop", versioned=False
        )

    def submit_feedback(
        self, context: CommandContext, loop_id: UUID, body: SubmitFeedback
    ) -> Outcome:
        voter = context.principal.subject

        def submit(loop: InterviewLoop, _: UnitOfWork) -> None:
            if voter not in loop.voters:
                raise Forbidden("Submitting feedback is for the loop's interviewers and bar raiser")
            loop.submit_feedback(voter, body.vote, body.notes, body.principles)

        return self._on_loop(context, loop_id, submit)

    def record_absence(
        self, context: CommandContext, loop_id: UUID, body: RecordAbsence
    ) -> Outcome:
        absent = person_id(body.person)

        def record(loop: InterviewLoop, _: UnitOfWork) -> None:
            if context.principal.subject not in (
                loop.bar_raiser,
                loop.recruiter,
                loop.hiring_manager,
            ):
                raise Forbidden(
                    "Recording an absence is for the loop's bar raiser, recruiter or hiring manager"
                )
            loop.record_absence(absent, body.reason)

        return self._on_loop(context, loop_id, record)

    def open_debrief(self, context: CommandContext, loop_id: UUID) -> Outcome:
        def open_(loop: InterviewLoop, _: UnitOfWork) -> None:
            if context.principal.subject != loop.bar_raiser:
                raise Forbidden("Opening the debrief is for the loop's bar raiser")
            loop.open_debrief()

        return self._on_loop(context, loop_id, open_)

    def record_final_vote(self, context: CommandContext, loop_id: UUID, body: FinalVote) -> Outcome:
        voter = context.principal.subject

        def record(loop: InterviewLoop, _: UnitOfWork) -> None:
            if voter not in loop.voters or voter in loop.absent:
                raise Forbidden(
                    "A final vote is for the loop's interviewers and bar raiser who took part"
                )
            loop.record_final_vote(voter, body.vote)

        return self._on_loop(context, loop_id, record)

    def veto(self, context: CommandContext, loop_id: UUID, body: Veto) -> Outcome:
        def veto(loop: InterviewLoop, _: UnitOfWork) -> None:
            if context.principal.subject != loop.bar_raiser:
                raise Forbidden("A veto is for the loop's bar raiser")
            loop.veto(body.reason)

        return self._on_loop(context, loop_id, veto)

    def decide(self, context: CommandContext, loop_id: UUID, body: Decide) -> Outcome:
        def decide(loop: InterviewLoop, _: UnitOfWork) -> None:
            if context.principal.subject != loop.hiring_manager:
                raise Forbidden("The decision is for the loop's hiring manager")
            loop.decide(body.hire, body.reason)

        return self._on_loop(context, loop_id, decide)

    def accept_offer(self, context: CommandContext, loop_id: UUID, body: OfferAccepted) -> Outcome:
        principal = context.principal
        chosen = Attachment(body.attachment)

        def accept(loop: InterviewLoop, work: UnitOfWork) -> None:
            if not (
                principal.is_leadership
                or principal.subject in (loop.hiring_manager, loop.recruiter)
            ):
                raise Forbidden(
                    "Recording an accepted offer is for the loop's hiring manager, its recruiter "
                    "or the `leadership` role"
                )
            loop.accept_offer(chosen, body.start_date)
            requisition = work.get(Requisition, loop.requisition_id, label="requisition")
            requisition.fill(loop.id, loop.candidate)
            ledger = work.get(
                HeadcountLedger,
                ledger_id(requisition.team_id, requisition.fiscal_year),
                label="headcount ledger",
            )
            ledger.release(requisition.id)
            team = work.get(Team, loop.team_id, label="team")
            team.add_member(loop.candidate, loop.function, chosen)
            if chosen is Attachment.DEDICATED:
                other = work.claim(ClaimKind.DEDICATED_MEMBER, loop.candidate, team.id)
                if other is not None:
                    raise PersonDedicatedElsewhere(
                        f"{loop.candidate} is already a dedicated member of another team",
                        person=loop.candidate,
                        team_id=str(other),
                    )

        return self._on_loop(context, loop_id, accept)
