"""Commands of functional excellence: functional leaders, standards, second jobs, principles.

Leadership appoints (and replaces) a function's leader and maintains the leadership
principles. A function's leader publishes, revises and retires its standards; the
function's leader or leadership grants a team an exemption. A second job is
assigned by leadership or the leader of one of the person's functions (read from
the org, :mod:`services.excellence.staffing`), and ended by the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.excellence import (
    PRINCIPLES_ID,
    FunctionalLeadership,
    LeadershipPrinciples,
    SecondJob,
    Standard,
    function_leadership_id,
)
from domain.org.team import Team, TeamDisbanded
from domain.people.values import Function, PersonId, person_id
from services.authorization import require_leadership
from services.commands import AreaCommands, Forbidden, Outcome, UnitOfWork
from services.excellence.staffing import functions_of
from services.principal import Principal

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.excellence.rest import (
        AppointFunctionalLeader,
        AssignSecondJob,
        EndSecondJob,
        GrantExemption,
        PublishStandard,
        RetireStandard,
        ReviseStandard,
        SetPrinciples,
    )

EXEMPTION = "StandardExemption"  # what granting an exemption answers with


def leader_of(work: UnitOfWork, function: Function) -> PersonId | None:
    record = work.find(FunctionalLeadership, function_leadership_id(function))
    return None if record is None else record.leader


def require_functional_leader(
    work: UnitOfWork, principal: Principal, function: Function, action: str, *, or_leadership: bool
) -> None:
    if or_leadership and principal.is_leadership:
        return
    if leader_of(work, function) != principal.subject:
        who = "the leader of " + function.value
        raise Forbidden(
            f"{action} is for {who}" + (" or the `leadership` role" if or_leadership else "")
        )


class ExcellenceCommands(AreaCommands):
    def appoint_functional_leader(
        self, context: CommandContext, function: Function, body: AppointFunctionalLeader
    ) -> Outcome:
        require_leadership(context.principal, "Appointing a functional leader")
        leader = person_id(body.person)
        chosen = Function(function)

        def appoint(work: UnitOfWork) -> FunctionalLeadership:
            record = work.find(FunctionalLeadership, function_leadership_id(chosen))
            if record is None:
                return work.add(FunctionalLeadership.appoint(chosen, leader, body.reason))
            record.replace(leader, body.reason)
            return record

        return self.run(context, appoint, versioned=False)

    def publish_standard(self, context: CommandContext, body: PublishStandard) -> Outcome:
        chosen = Function(body.function)

        def publish(work: UnitOfWork) -> Standard:
            require_functional_leader(
                work, context.principal, chosen, "Publishing a standard", or_leadership=False
            )
            return work.add(
                Standard.publish(function=chosen, area=body.area, title=body.title, body=body.body)
            )

        return self.run(context, publish, versioned=False)

    def _on_standard(
        self,
        context: CommandContext,
        standard_id: UUID,
        action: str,
        change: Callable[[Standard, UnitOfWork], object],
        *,
        or_leadership: bool,
        versioned: bool = True,
    ) -> Outcome:
        """Run ``change`` on the standard once its function's leader (or leadership, when
        ``or_leadership``) is known to be calling."""

        def decide(standard: Standard, work: UnitOfWork) -> None:
            require_functional_leader(
                work, context.principal, standard.function, action, or_leadership=or_leadership
            )
            change(standard, work)

        return self.change(
            context, Standard, standard_id, decide, label="standard", versioned=versioned
        )

    def revise_standard(
        self, context: CommandContext, standard_id: UUID, body: ReviseStandard
    ) -> Outcome:
        return self._on_standard(
            context,
            standard_id,
            "Revising a standard",
            lambda standard, _: standard.revise(body.body, body.reason),
            or_leadership=False,
        )

    def retire_standard(
        self, context: CommandContext, standard_id: UUID, body: RetireStandard
    ) -> Outcome:
        return self._on_standard(
            context,
            standard_id,
            "Retiring a standard",
            lambda standard, _: standard.retire(body.reason),
            or_leadership=False,
        )

    def grant_exemption(
        self,
        context: CommandContext,
        standard_id: UUID,
        body: GrantExemption,
        *,
        today: date | None = None,
    ) -> Outcome:
        exemption_id = uuid4()

        def grant(standard: Standard, work: UnitOfWork) -> None:
            team = work.get(Team, body.team_id, label="team")
            if team.disbanded:
                raise TeamDisbanded(f"Team '{team.name}' is disbanded", team_id=str(team.id))
            standard.grant_exemption(
                exemption_id, body.team_id, body.reason, body.expires, today or date.today()
            )
            work.answer_with(EXEMPTION, exemption_id)

        return self._on_standard(
            context,
            standard_id,
            "Granting an exemption",
            grant,
            or_leadership=True,
            versioned=False,
        )

    def _require_assigner(
        self, work: UnitOfWork, principal: Principal, person: PersonId, action: str
    ) -> None:
        if principal.is_leadership:
            return
        for function in functions_of(self.bus.app, person):
            if leader_of(work, function) == principal.subject:
                return
        raise Forbidden(
            f"{action} is for the leader of {person}'s function or the `leadership` role"
        )

    def assign_second_job(self, context: CommandContext, body: AssignSecondJob) -> Outcome:
        holder = person_id(body.person)

        def assign(work: UnitOfWork) -> SecondJob:
            self._require_assigner(work, context.principal, holder, "Assigning a second job")
            return work.add(
                SecondJob.assign(
                    person=holder, kind=body.kind, description=body.description, share=body.share
                )
            )

        return self.run(context, assign, versioned=False)

    def end_second_job(
        self, context: CommandContext, second_job_id: UUID, body: EndSecondJob
    ) -> Outcome:
        def end(job: SecondJob, work: UnitOfWork) -> None:
            self._require_assigner(
                work, context.principal, PersonId(job.person), "Ending a second job"
            )
            job.end(body.reason)

        return self.change(context, SecondJob, second_job_id, end, label="second job")

    def set_principles(self, context: CommandContext, body: SetPrinciples) -> Outcome:
        require_leadership(context.principal, "Maintaining the leadership principles")
        principles = [(principle.name, principle.description) for principle in body.principles]

        def set_(work: UnitOfWork) -> LeadershipPrinciples:
            record = work.find(LeadershipPrinciples, PRINCIPLES_ID)
            if record is None:
                return work.add(LeadershipPrinciples.set(principles))
            record.replace(principles)
            return record

        return self.run(context, set_, versioned=False)
