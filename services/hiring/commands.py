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

from datetime import date
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
    Vote,
    ledger_id,
)
from domain.org.team import Attachment, PersonDedicatedElsewhere, Team, TeamDisbanded
from domain.people.person import Person, person_record_id
from domain.people.values import Function, PersonId, person_id
from services.authorization import require_leader_or_leadership
from services.commands import CommandBus, Forbidden, Outcome, UnitOfWork
from services.excellence.staffing import memberships, team_functions
from services.principal import Principal

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


class HiringCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    # -- requisitions ---------------------------------------------------------------

    def open_requisition(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        team_id: UUID,
        function: Function,
        fiscal_year: int,
    ) -> Outcome:
        chosen = Function(function)
        year = checked_fiscal_year(fiscal_year)

        def open_(work: UnitOfWork) -> Requisition:
            team = work.get(Team, team_id, label="team")
            require_leader_or_leadership(principal, team, "Opening a requisition")
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

        return self.bus.run(principal, correlation_id, open_)

    def cancel_requisition(
        self,
        principal: Principal,
        correlation_id: str,
        requisition_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def cancel(work: UnitOfWork) -> Requisition:
            requisition = work.get(Requisition, requisition_id, label="requisition")
            team = work.get(Team, requisition.team_id, label="team")
            require_leader_or_leadership(principal, team, "Cancelling a requisition")
            requisition.cancel(reason)
            ledger = work.get(
                HeadcountLedger,
                ledger_id(requisition.team_id, requisition.fiscal_year),
                label="headcount ledger",
            )
            ledger.release(requisition.id)
            return requisition

        return self.bus.run(principal, correlation_id, cancel, expected_version=expected_version)

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
        self,
        principal: Principal,
        correlation_id: str,
        requisition_id: UUID,
        *,
        candidate: str,
        candidate_name: str,
        recruiter: str,
        bar_raiser: str,
        interviewers: list[tuple[str, list[str]]],
        hiring_manager: str | None = None,
    ) -> Outcome:
        who = person_id(candidate, field="candidate.handle")
        recruiting = person_id(recruiter, field="recruiter")
        raiser = person_id(bar_raiser, field="barRaiser")
        panel = [
            (person_id(person, field=f"interviewers[{i}].person"), list(covered))
            for i, (person, covered) in enumerate(interviewers)
        ]
        manager_given = (
            None if hiring_manager is None else person_id(hiring_manager, field="hiringManager")
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
                work.add(Person.name(who, candidate_name))
            else:
                record.rename(candidate_name)
            return work.add(loop)

        return self.bus.run(principal, correlation_id, schedule)

    def _loop(self, work: UnitOfWork, loop_id: UUID) -> InterviewLoop:
        return work.get(InterviewLoop, loop_id, label="interview loop")

    def submit_feedback(
        self,
        principal: Principal,
        correlation_id: str,
        loop_id: UUID,
        *,
        vote: Vote,
        notes: str,
        principles: list[str],
    ) -> Outcome:
        def submit(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if principal.subject not in loop.voters:
                raise Forbidden("Submitting feedback is for the loop's interviewers and bar raiser")
            loop.submit_feedback(principal.subject, vote, notes, principles)
            return loop

        return self.bus.run(principal, correlation_id, submit)

    def record_absence(
        self, principal: Principal, correlation_id: str, loop_id: UUID, *, person: str, reason: str
    ) -> Outcome:
        absent = person_id(person)

        def record(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if principal.subject not in (loop.bar_raiser, loop.recruiter, loop.hiring_manager):
                raise Forbidden(
                    "Recording an absence is for the loop's bar raiser, recruiter or hiring manager"
                )
            loop.record_absence(absent, reason)
            return loop

        return self.bus.run(principal, correlation_id, record)

    def open_debrief(self, principal: Principal, correlation_id: str, loop_id: UUID) -> Outcome:
        def open_(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if principal.subject != loop.bar_raiser:
                raise Forbidden("Opening the debrief is for the loop's bar raiser")
            loop.open_debrief()
            return loop

        return self.bus.run(principal, correlation_id, open_)

    def record_final_vote(
        self, principal: Principal, correlation_id: str, loop_id: UUID, *, vote: Vote
    ) -> Outcome:
        def record(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if principal.subject not in loop.voters or principal.subject in loop.absent:
                raise Forbidden(
                    "A final vote is for the loop's interviewers and bar raiser who took part"
                )
            loop.record_final_vote(principal.subject, vote)
            return loop

        return self.bus.run(principal, correlation_id, record)

    def veto(
        self, principal: Principal, correlation_id: str, loop_id: UUID, *, reason: str
    ) -> Outcome:
        def veto(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if principal.subject != loop.bar_raiser:
                raise Forbidden("A veto is for the loop's bar raiser")
            loop.veto(reason)
            return loop

        return self.bus.run(principal, correlation_id, veto)

    def decide(
        self, principal: Principal, correlation_id: str, loop_id: UUID, *, hire: bool, reason: str
    ) -> Outcome:
        def decide(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if principal.subject != loop.hiring_manager:
                raise Forbidden("The decision is for the loop's hiring manager")
            loop.decide(hire, reason)
            return loop

        return self.bus.run(principal, correlation_id, decide)

    def accept_offer(
        self,
        principal: Principal,
        correlation_id: str,
        loop_id: UUID,
        *,
        attachment: Attachment,
        start_date: date,
    ) -> Outcome:
        chosen = Attachment(attachment)

        def accept(work: UnitOfWork) -> InterviewLoop:
            loop = self._loop(work, loop_id)
            if not (
                principal.is_leadership
                or principal.subject in (loop.hiring_manager, loop.recruiter)
            ):
                raise Forbidden(
                    "Recording an accepted offer is for the loop's hiring manager, its recruiter "
                    "or the `leadership` role"
                )
            loop.accept_offer(chosen, start_date)
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
            return loop

        return self.bus.run(principal, correlation_id, accept)
