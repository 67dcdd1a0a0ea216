"""The generated company's hiring and functional excellence, modestly: each year an
engineering leader and a few bar raisers, a standard revised, and a handful of
requisitions, each with one interview loop taken through feedback, the debrief and a
decision (most hire, some are vetoed), the hires joining their teams.

Written at the domain level like the rest of the generator; the generator stands in
for the org and funding facts the commands read (it opens a requisition within a
funding it assumes for the team), so the rules of the aggregates still run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from bench.company_org import Org
from bench.company_writer import Writer
from domain.excellence import (
    DEFAULT_PRINCIPLES,
    FunctionalLeadership,
    SecondJob,
    SecondJobKind,
    Standard,
    StandardArea,
)
from domain.hiring import HeadcountLedger, InterviewLoop, Requisition, Vote
from domain.org.team import Attachment, Team
from domain.people.person import Person
from domain.people.values import Function, PersonId

TEAMS_PER_REQUISITION = 10
VETO = 0.15
ASSUMED_FUNDING = 50  # the generator does not read the allocation back


@dataclass
class Hiring:
    org: Org
    rng: random.Random
    leadership: FunctionalLeadership | None = None
    standard: Standard | None = None
    bar_raisers: list[PersonId] = field(default_factory=list)
    ledgers: dict[tuple[object, int], HeadcountLedger] = field(default_factory=dict)
    candidates: int = 0

    @property
    def writer(self) -> Writer:
        return self.org.writer

    def year(self, year: int) -> None:
        teams = [team for team in self.org.teams if not team.disbanded]
        if len(teams) < 3:
            return
        self._excellence(year, teams)
        for _ in range(max(len(teams) // TEAMS_PER_REQUISITION, 2)):
            self._hire(year, self.rng.choice(teams))

    def _excellence(self, year: int, teams: list[Team]) -> None:
        leader = self.rng.choice(teams).leader
        with self.writer.command("ceo@acme.example") as work:
            if self.leadership is None:
                self.leadership = work.add(
                    FunctionalLeadership.appoint(Function.ENGINEERING, leader, "The first CTO")
                )
            elif self.leadership.leader != leader:
                work.touch(self.leadership)
                self.leadership.replace(leader, f"CTO from {year}")
        with self.writer.command(leader) as work:
            if self.standard is None:
                self.standard = work.add(
                    Standard.publish(
                        function=Function.ENGINEERING,
                        area=StandardArea.CODE_REVIEW,
                        title="Two reviewers",
                        body="Every change has two reviewers.",
                    )
                )
            else:
                work.touch(self.standard)
                self.standard.revise(f"The {year} review rules.", "A year of learning")
            for _ in range(2):
                person = self.org.person()
                work.add(
                    SecondJob.assign(
                        person=person, kind=SecondJobKind.BAR_RAISER, description=None, share="0.1"
                    )
                )
                self.bar_raisers.append(person)

    def _hire(self, year: int, team: Team) -> None:
        function = Function.ENGINEERING
        key = (team.id, year)
        with self.writer.command(team.leader) as work:
            ledger = self.ledgers.get(key)
            if ledger is None:
                ledger = self.ledgers[key] = work.add(HeadcountLedger.start(team.id, year))
            work.touch(ledger)
            requisition = work.add(
                Requisition.open(
                    team_id=team.id, function=function, fiscal_year=year, funded=ASSUMED_FUNDING
                )
            )
            ledger.count(requisition.id, function, funded=ASSUMED_FUNDING, members=0)
        self.candidates += 1
        candidate = PersonId(f"candidate{self.candidates:06d}@people.example")
        bar_raiser = self.rng.choice(self.bar_raisers)
        interviewers = [self.org.person(), self.org.person()]
        names = [name for name, _ in DEFAULT_PRINCIPLES]
        with self.writer.command(team.leader) as work:
            work.add(Person.name(candidate, f"Candidate {self.candidates}"))
            loop = work.add(
                InterviewLoop.schedule(
                    requisition=requisition,
                    candidate=candidate,
                    hiring_manager=team.leader,
                    recruiter=PersonId("recruiter@acme.example"),
                    bar_raiser=bar_raiser,
                    interviewers=[(p, self.rng.sample(names, 2)) for p in interviewers],
                    principles=names,
                    bar_raiser_assigned=True,
                    bar_raiser_reports_to_hiring_manager=False,
                    bar_raiser_in_recruiting=False,
                )
            )
        for person in [*interviewers, bar_raiser]:
            with self.writer.command(person) as work:
                work.touch(loop)
                loop.submit_feedback(
                    person, self.rng.choice(list(Vote)), "Answers with data and stories.", []
                )
        with self.writer.command(bar_raiser) as work:
            work.touch(loop)
            loop.open_debrief()
            vetoed = self.rng.random() < VETO
            if vetoed:
                loop.veto("Below the bar")
        with self.writer.command(interviewers[0]) as work:
            work.touch(loop)
            loop.record_final_vote(interviewers[0], self.rng.choice(list(Vote)))
        with self.writer.command(team.leader) as work:
            work.touch(loop)
            loop.decide(not vetoed, "The debrief's view")
            if not vetoed and candidate != team.leader:
                work.touch(requisition, ledger, team)
                loop.accept_offer(Attachment.REPORTS, date(year, 6, 1))
                requisition.fill(loop.id, candidate)
                ledger.release(requisition.id)
                team.add_member(candidate, function, Attachment.REPORTS)
