"""Commands of functional excellence: functional leaders, standards, second jobs, principles.

Leadership appoints (and replaces) a function's leader and maintains the leadership
principles. A function's leader publishes, revises and retires its standards; the
function's leader or leadership grants a team an exemption. A second job is
assigned by leadership or the leader of one of the person's functions (read from
the org, :mod:`services.excellence.staffing`), and ended by the same.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain.excellence import (
    PRINCIPLES_ID,
    FunctionalLeadership,
    LeadershipPrinciples,
    SecondJob,
    SecondJobKind,
    Standard,
    StandardArea,
    function_leadership_id,
)
from domain.org.team import Team, TeamDisbanded
from domain.people.values import Function, PersonId, person_id
from services.authorization import require_leadership
from services.commands import CommandBus, Forbidden, Outcome, UnitOfWork
from services.excellence.staffing import functions_of
from services.principal import Principal

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


class ExcellenceCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def appoint_functional_leader(
        self,
        principal: Principal,
        correlation_id: str,
        function: Function,
        *,
        person: str,
        reason: str,
    ) -> Outcome:
        require_leadership(principal, "Appointing a functional leader")
        leader = person_id(person)
        chosen = Function(function)

        def appoint(work: UnitOfWork) -> FunctionalLeadership:
            record = work.find(FunctionalLeadership, function_leadership_id(chosen))
            if record is None:
                return work.add(FunctionalLeadership.appoint(chosen, leader, reason))
            record.replace(leader, reason)
            return record

        return self.bus.run(principal, correlation_id, appoint)

    def publish_standard(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        function: Function,
        area: StandardArea,
        title: str,
        body: str,
    ) -> Outcome:
        chosen = Function(function)

        def publish(work: UnitOfWork) -> Standard:
            require_functional_leader(
                work, principal, chosen, "Publishing a standard", or_leadership=False
            )
            return work.add(Standard.publish(function=chosen, area=area, title=title, body=body))

        return self.bus.run(principal, correlation_id, publish)

    def _standard(
        self,
        work: UnitOfWork,
        principal: Principal,
        standard_id: UUID,
        action: str,
        *,
        or_leadership: bool,
    ) -> Standard:
        standard = work.get(Standard, standard_id, label="standard")
        require_functional_leader(
            work, principal, standard.function, action, or_leadership=or_leadership
        )
        return standard

    def revise_standard(
        self,
        principal: Principal,
        correlation_id: str,
        standard_id: UUID,
        *,
        body: str,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def revise(work: UnitOfWork) -> Standard:
            standard = self._standard(
                work, principal, standard_id, "Revising a standard", or_leadership=False
            )
            standard.revise(body, reason)
            return standard

        return self.bus.run(principal, correlation_id, revise, expected_version=expected_version)

    def retire_standard(
        self,
        principal: Principal,
        correlation_id: str,
        standard_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def retire(work: UnitOfWork) -> Standard:
            standard = self._standard(
                work, principal, standard_id, "Retiring a standard", or_leadership=False
            )
            standard.retire(reason)
            return standard

        return self.bus.run(principal, correlation_id, retire, expected_version=expected_version)

    def grant_exemption(
        self,
        principal: Principal,
        correlation_id: str,
        standard_id: UUID,
        *,
        team_id: UUID,
        reason: str,
        expires: date,
        today: date | None = None,
    ) -> Outcome:
        exemption_id = uuid4()

        def grant(work: UnitOfWork) -> Standard:
            standard = self._standard(
                work, principal, standard_id, "Granting an exemption", or_leadership=True
            )
            team = work.get(Team, team_id, label="team")
            if team.disbanded:
                raise TeamDisbanded(f"Team '{team.name}' is disbanded", team_id=str(team.id))
            standard.grant_exemption(exemption_id, team_id, reason, expires, today or date.today())
            work.answer_with(EXEMPTION, exemption_id)
            return standard

        return self.bus.run(principal, correlation_id, grant)

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

    def assign_second_job(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        person: str,
        kind: SecondJobKind,
        share: object,
        description: str | None = None,
    ) -> Outcome:
        holder = person_id(person)

        def assign(work: UnitOfWork) -> SecondJob:
            self._require_assigner(work, principal, holder, "Assigning a second job")
            return work.add(
                SecondJob.assign(person=holder, kind=kind, description=description, share=share)
            )

        return self.bus.run(principal, correlation_id, assign)

    def end_second_job(
        self,
        principal: Principal,
        correlation_id: str,
        second_job_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def end(work: UnitOfWork) -> SecondJob:
            job = work.get(SecondJob, second_job_id, label="second job")
            self._require_assigner(work, principal, PersonId(job.person), "Ending a second job")
            job.end(reason)
            return job

        return self.bus.run(principal, correlation_id, end, expected_version=expected_version)

    def set_principles(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        principles: list[tuple[str, str]],
    ) -> Outcome:
        require_leadership(principal, "Maintaining the leadership principles")

        def set_(work: UnitOfWork) -> LeadershipPrinciples:
            record = work.find(LeadershipPrinciples, PRINCIPLES_ID)
            if record is None:
                return work.add(LeadershipPrinciples.set(principles))
            record.replace(principles)
            return record

        return self.bus.run(principal, correlation_id, set_)
