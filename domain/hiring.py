"""Hiring with the bar raiser: requisitions within funded headcount, interview loops.

Funded headcount is filled through interview loops. A team opens a requisition for
a function and a fiscal year; its open requisitions and its members of that
function never exceed what its latest decided allocation funds (the
:class:`HeadcountLedger` of the team and year counts the open requisitions, so two
racing requisitions conflict on it). Every interview loop has one bar raiser who
holds a bar-raiser second job, is not the hiring manager, does not report to the
hiring manager, is not the recruiter and is not from recruiting. Interviewers
submit sealed feedback and a vote before the debrief; the bar raiser opens the
debrief once every interviewer has submitted or is recorded absent; participants
vote again (both votes kept); the bar raiser may veto; the hiring manager decides,
and a hire over a veto is refused. An accepted offer adds the candidate to the team
and fills the requisition in one write.

The candidate is a person outside the company: the written feedback, the veto's and
the decision's reasons are personal data about them (sealed under their key, so
erasing the candidate makes them unreadable). Who may act is checked by the service
layer, which also reads the org and the second jobs; the rules are checked here.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.org.team import Attachment
from domain.people.values import Function, PersonId
from domain.personal_data import PersonalOf, PersonalText
from domain.values import CaseInsensitiveEnum, required_text

HIRING_NAMESPACE = UUID("a4e2c6f1-7d3b-4f58-8c19-5b0e2d9a6c37")
MAX_REASON_LENGTH = 2000
MAX_NOTES_LENGTH = 10000
MAX_INTERVIEWERS = 12
MIN_INTERVIEWERS = 2


class Vote(CaseInsensitiveEnum):
    """An interviewer's vote on the candidate."""

    STRONG_NO = "STRONG_NO"
    NO = "NO"
    YES = "YES"
    STRONG_YES = "STRONG_YES"


class RequisitionStatus(CaseInsensitiveEnum):
    """``OPEN`` until ``FILLED`` by an accepted offer or ``CANCELLED`` with a reason."""

    OPEN = "OPEN"
    FILLED = "FILLED"
    CANCELLED = "CANCELLED"


class LoopStage(CaseInsensitiveEnum):
    """``INTERVIEWING`` (feedback sealed), ``DEBRIEF`` (all read, final votes),
    ``HIRE`` or ``NO_HIRE`` (decided), ``HIRED`` (offer accepted)."""

    INTERVIEWING = "INTERVIEWING"
    DEBRIEF = "DEBRIEF"
    HIRE = "HIRE"
    NO_HIRE = "NO_HIRE"
    HIRED = "HIRED"


class RequisitionBeyondFunding(RuleViolation):
    """Funded headcount is filled, never exceeded: a team's open requisitions and its
    members of a function stay within what its latest decided allocation for the year
    funds for that function. Ask for more in the next cycle or an amendment."""

    rule = "requisition-beyond-funding"


class RequisitionNotOpen(RuleViolation):
    """A filled or cancelled requisition is closed: open a new one to hire again."""

    rule = "requisition-not-open"


class TooFewInterviewers(RuleViolation):
    """A loop has two or more interviewers besides the bar raiser: one opinion is not a
    hiring decision."""

    rule = "too-few-interviewers"


class UnknownPrinciple(RuleViolation):
    """Interviews are behavioural, against the company's leadership principles: each
    interviewer covers principles from that list."""

    rule = "unknown-principle"


class BarRaiserNotAssigned(RuleViolation):
    """The bar raiser holds an active BAR_RAISER second job: the role is earned and
    assigned by a functional leader, not picked per loop."""

    rule = "bar-raiser-not-assigned"


class BarRaiserIsHiringManager(RuleViolation):
    """The bar raiser is independent of the hire: never the hiring manager, who wants
    the seat filled."""

    rule = "bar-raiser-is-hiring-manager"


class BarRaiserReportsToHiringManager(RuleViolation):
    """The bar raiser does not report to the hiring manager (a member attached REPORTS
    to a team the hiring manager leads): a veto must not cost them anything."""

    rule = "bar-raiser-reports-to-hiring-manager"


class BarRaiserIsRecruiter(RuleViolation):
    """The recruiter fills the seat; the bar raiser guards the bar. One person cannot
    do both in a loop."""

    rule = "bar-raiser-is-recruiter"


class BarRaiserInRecruiting(RuleViolation):
    """The bar raiser is not from recruiting (a member with the RECRUITING function):
    recruiting is measured on filled seats."""

    rule = "bar-raiser-in-recruiting"


class InterviewerRepeated(RuleViolation):
    """Each person has one role in a loop: an interviewer is named once, and is not the
    bar raiser, the hiring manager, the recruiter or the candidate."""

    rule = "interviewer-repeated"


class FeedbackOnce(RuleViolation):
    """Each interviewer submits feedback and a vote once, before the debrief: the log
    shows they voted before reading anyone else's."""

    rule = "feedback-once"


class DebriefAlreadyOpen(RuleViolation):
    """Feedback and absences belong before the debrief; once it is open everyone has
    read everyone's feedback and a first vote is no longer independent."""

    rule = "debrief-already-open"


class FeedbackMissing(RuleViolation):
    """The debrief opens once every interviewer has submitted feedback or is recorded
    absent with a reason."""

    rule = "feedback-missing"


class DebriefNotOpen(RuleViolation):
    """Final votes, the veto and the decision belong to the debrief, which the bar
    raiser opens."""

    rule = "debrief-not-open"


class FinalVoteOnce(RuleViolation):
    """Each participant records one final vote in the debrief; the initial and the
    final vote are both kept."""

    rule = "final-vote-once"


class AlreadyVetoed(RuleViolation):
    """The bar raiser vetoes once."""

    rule = "already-vetoed"


class LoopDecided(RuleViolation):
    """The hiring manager decides once; the loop is kept as it was decided."""

    rule = "loop-decided"


class BarRaiserVeto(RuleViolation):
    """The bar raiser vetoed this candidate: a hire over a veto is refused. The veto is
    rare and its reason is recorded; the hiring manager may decide no hire."""

    rule = "bar-raiser-veto"


class NoHireDecided(RuleViolation):
    """An offer follows a hire decision: a loop that is not decided HIRE (or was
    already accepted) takes no offer."""

    rule = "no-hire-decided"


class NotAbsent(RuleViolation):
    """Only an interviewer who has not submitted feedback can be recorded absent."""

    rule = "absence-after-feedback"


def reason_text(raw: str, field: str = "reason") -> str:
    return required_text(field, raw, max_length=MAX_REASON_LENGTH, multiline=True)


def ledger_id(team_id: UUID, fiscal_year: int) -> UUID:
    """The id of a team's headcount ledger for a fiscal year."""
    return uuid5(HIRING_NAMESPACE, f"ledger:{team_id}:{fiscal_year}")


class HeadcountLedger(AttributedAggregate):
    """A team's open requisitions in a fiscal year: the index every opening of a
    requisition passes through, so the funding rule holds under concurrency."""

    class Started(AttributedAggregate.Created):
        team_id: UUID
        fiscal_year: int

    class RequisitionCounted(AttributedAggregate.Event):
        requisition_id: UUID
        function: Function

    class RequisitionReleased(AttributedAggregate.Event):
        requisition_id: UUID

    def __init__(self, team_id: UUID, fiscal_year: int) -> None:
        self.team_id = team_id
        self.fiscal_year = fiscal_year
        self.open: dict[str, str] = {}  # requisition id -> function

    @staticmethod
    def create_id(team_id: UUID, fiscal_year: int) -> UUID:
        return ledger_id(team_id, fiscal_year)

    @classmethod
    def start(cls, team_id: UUID, fiscal_year: int) -> HeadcountLedger:
        return cls(team_id=team_id, fiscal_year=fiscal_year)

    def open_count(self, function: Function) -> int:
        return sum(1 for f in self.open.values() if f == Function(function).value)

    def count(self, requisition_id: UUID, function: Function, *, funded: int, members: int) -> None:
        """Count a new requisition, within ``funded`` less ``members`` and the open ones."""
        function = Function(function)
        open_now = self.open_count(function)
        if members + open_now + 1 > funded:
            raise RequisitionBeyondFunding(
                f"The team's latest decided allocation for {self.fiscal_year} funds {funded} "
                f"{function.value}; it has {members} members and {open_now} open requisitions",
                team_id=str(self.team_id),
                fiscal_year=self.fiscal_year,
                function=function.value,
                funded=funded,
                members=members,
                open=open_now,
            )
        self._counted(requisition_id=requisition_id, function=function)

    def release(self, requisition_id: UUID) -> None:
        if str(requisition_id) in self.open:
            self._released(requisition_id=requisition_id)

    @event(RequisitionCounted)
    def _counted(self, requisition_id: UUID, function: Function) -> None:
        self.open[str(requisition_id)] = function.value

    @event(RequisitionReleased)
    def _released(self, requisition_id: UUID) -> None:
        self.open.pop(str(requisition_id), None)


class Requisition(AttributedAggregate):
    """An opening for one person of a function in a team, in a fiscal year."""

    class Opened(AttributedAggregate.Created):
        team_id: UUID
        function: Function
        fiscal_year: int
        funded: int

    class Cancelled(AttributedAggregate.Event):
        reason: str

    class Filled(AttributedAggregate.Event):
        loop_id: UUID
        person: PersonId

    def __init__(self, team_id: UUID, function: Function, fiscal_year: int, funded: int) -> None:
        self.team_id = team_id
        self.function = function
        self.fiscal_year = fiscal_year
        self.status = RequisitionStatus.OPEN

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def open(
        cls, *, team_id: UUID, function: Function, fiscal_year: int, funded: int
    ) -> Requisition:
        return cls(
            team_id=team_id, function=Function(function), fiscal_year=fiscal_year, funded=funded
        )

    def require_open(self) -> None:
        if self.status is not RequisitionStatus.OPEN:
            raise RequisitionNotOpen(
                f"The requisition is {self.status.value}",
                requisition_id=str(self.id),
                status=self.status.value,
            )

    def cancel(self, reason: str) -> None:
        self.require_open()
        self._cancelled(reason=reason_text(reason))

    def fill(self, loop_id: UUID, person: PersonId) -> None:
        self.require_open()
        self._filled(loop_id=loop_id, person=person)

    @event(Cancelled)
    def _cancelled(self, reason: str) -> None:
        self.status = RequisitionStatus.CANCELLED

    @event(Filled)
    def _filled(self, loop_id: UUID, person: PersonId) -> None:
        self.status = RequisitionStatus.FILLED


class InterviewLoop(AttributedAggregate):
    """One candidate's interviews for a requisition, the debrief and the decision."""

    class Scheduled(AttributedAggregate.Created):
        requisition_id: UUID
        team_id: UUID
        function: Function
        candidate: PersonId
        hiring_manager: PersonId
        recruiter: PersonId
        bar_raiser: PersonId
        interviewers: list[dict[str, Any]]  # {"person", "principles": [names]}

    class FeedbackSubmitted(AttributedAggregate.Event):
        candidate: PersonId
        person: PersonId
        vote: Vote
        notes: Annotated[PersonalText, PersonalOf("candidate")]
        principles: list[str]

    class AbsenceRecorded(AttributedAggregate.Event):
        person: PersonId
        reason: str

    class DebriefOpened(AttributedAggregate.Event):
        pass

    class FinalVoteRecorded(AttributedAggregate.Event):
        person: PersonId
        vote: Vote
        initial_vote: Vote | None

    class Vetoed(AttributedAggregate.Event):
        candidate: PersonId
        reason: Annotated[PersonalText, PersonalOf("candidate")]

    class Decided(AttributedAggregate.Event):
        candidate: PersonId
        hire: bool
        reason: Annotated[PersonalText, PersonalOf("candidate")]

    class OfferAccepted(AttributedAggregate.Event):
        candidate: PersonId
        team_id: UUID
        function: Function
        attachment: Attachment
        start_date: date

    def __init__(
        self,
        requisition_id: UUID,
        team_id: UUID,
        function: Function,
        candidate: PersonId,
        hiring_manager: PersonId,
        recruiter: PersonId,
        bar_raiser: PersonId,
        interviewers: list[dict[str, Any]],
    ) -> None:
        self.requisition_id = requisition_id
        self.team_id = team_id
        self.function = function
        self.candidate = candidate
        self.hiring_manager = hiring_manager
        self.recruiter = recruiter
        self.bar_raiser = bar_raiser
        self.interviewers = [dict(i) for i in interviewers]
        self.votes: dict[str, str] = {}  # person -> initial vote
        self.absent: list[str] = []
        self.final_votes: dict[str, str] = {}
        self.stage = LoopStage.INTERVIEWING
        self.vetoed = False

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def schedule(
        cls,
        *,
        requisition: Requisition,
        candidate: PersonId,
        hiring_manager: PersonId,
        recruiter: PersonId,
        bar_raiser: PersonId,
        interviewers: list[tuple[PersonId, list[str]]],
        principles: list[str],
        bar_raiser_assigned: bool,
        bar_raiser_reports_to_hiring_manager: bool,
        bar_raiser_in_recruiting: bool,
    ) -> InterviewLoop:
        """Schedule a loop; the org facts about the bar raiser are read by the caller."""
        requisition.require_open()
        if bar_raiser == hiring_manager:
            raise BarRaiserIsHiringManager(
                f"{bar_raiser} is the hiring manager and cannot be the bar raiser",
                person=bar_raiser,
            )
        if bar_raiser_reports_to_hiring_manager:
            raise BarRaiserReportsToHiringManager(
                f"{bar_raiser} reports to the hiring manager {hiring_manager}",
                person=bar_raiser,
                hiring_manager=hiring_manager,
            )
        if bar_raiser == recruiter:
            raise BarRaiserIsRecruiter(
                f"{bar_raiser} is the recruiter and cannot be the bar raiser", person=bar_raiser
            )
        if bar_raiser_in_recruiting:
            raise BarRaiserInRecruiting(
                f"{bar_raiser} works in RECRUITING and cannot be the bar raiser",
                person=bar_raiser,
            )
        if not bar_raiser_assigned:
            raise BarRaiserNotAssigned(
                f"{bar_raiser} holds no active BAR_RAISER second job", person=bar_raiser
            )
        if len(interviewers) < MIN_INTERVIEWERS:
            raise TooFewInterviewers(
                f"A loop has at least {MIN_INTERVIEWERS} interviewers; {len(interviewers)} named",
                interviewers=len(interviewers),
            )
        if len(interviewers) > MAX_INTERVIEWERS:
            raise InvalidValue(
                "interviewers", f"`interviewers` names at most {MAX_INTERVIEWERS} people"
            )
        taken = {candidate, hiring_manager, recruiter, bar_raiser}
        known = {" ".join(p.casefold().split()): p for p in principles}
        checked: list[dict[str, Any]] = []
        for i, (person, covered) in enumerate(interviewers):
            if person in taken:
                raise InterviewerRepeated(
                    f"{person} already has a role in this loop", person=person
                )
            taken.add(person)
            if not covered:
                raise InvalidValue(
                    f"interviewers[{i}].principles", "each interviewer covers a principle"
                )
            names: list[str] = []
            for name in covered:
                found = known.get(" ".join(name.casefold().split()))
                if found is None:
                    raise UnknownPrinciple(
                        f"'{name}' is not one of the company's leadership principles",
                        principle=name,
                    )
                if found not in names:
                    names.append(found)
            checked.append({"person": person, "principles": names})
        return cls(
            requisition_id=requisition.id,
            team_id=requisition.team_id,
            function=requisition.function,
            candidate=candidate,
            hiring_manager=hiring_manager,
            recruiter=recruiter,
            bar_raiser=bar_raiser,
            interviewers=checked,
        )

    @property
    def interviewer_people(self) -> list[str]:
        return [i["person"] for i in self.interviewers]

    @property
    def voters(self) -> list[str]:
        """Those who submit feedback and vote: the interviewers and the bar raiser."""
        return [*self.interviewer_people, self.bar_raiser]

    @property
    def participants(self) -> list[str]:
        """Everyone in the loop but the candidate."""
        return [*self.voters, self.hiring_manager, self.recruiter]

    def _refuse_after_debrief(self) -> None:
        if self.stage is not LoopStage.INTERVIEWING:
            raise DebriefAlreadyOpen(
                f"The loop is in {self.stage.value}", loop_id=str(self.id), stage=self.stage.value
            )

    def _require_debrief(self) -> None:
        if self.stage is LoopStage.INTERVIEWING:
            raise DebriefNotOpen("The bar raiser has not opened the debrief", loop_id=str(self.id))
        if self.stage is not LoopStage.DEBRIEF:
            raise LoopDecided(f"The loop was decided {self.stage.value}", loop_id=str(self.id))

    def submit_feedback(
        self, person: PersonId, vote: Vote, notes: str, principles: list[str]
    ) -> None:
        """``person``'s written feedback and vote, once, before the debrief."""
        self._refuse_after_debrief()
        if person in self.votes:
            raise FeedbackOnce(
                f"{person} already submitted feedback ({self.votes[person]})",
                loop_id=str(self.id),
            )
        text = required_text("notes", notes, max_length=MAX_NOTES_LENGTH, multiline=True)
        covered = self._covered(person)
        assessed = []
        for name in principles:
            found = next(
                (
                    c
                    for c in covered
                    if " ".join(c.casefold().split()) == " ".join(name.casefold().split())
                ),
                None,
            )
            if found is None:
                raise UnknownPrinciple(
                    f"{person} does not cover '{name}' in this loop", principle=name
                )
            if found not in assessed:
                assessed.append(found)
        self._feedback_submitted(
            candidate=self.candidate,
            person=person,
            vote=Vote(vote),
            notes=text,
            principles=assessed,
        )

    def _covered(self, person: str) -> list[str]:
        for interviewer in self.interviewers:
            if interviewer["person"] == person:
                return list(interviewer["principles"])
        # The bar raiser assesses any principle.
        return sorted({p for i in self.interviewers for p in i["principles"]})

    def record_absence(self, person: PersonId, reason: str) -> None:
        self._refuse_after_debrief()
        if person not in self.interviewer_people:
            raise InvalidValue("person", f"`person` {person} is not an interviewer of this loop")
        if person in self.votes or person in self.absent:
            raise NotAbsent(
                f"{person} already submitted feedback or was recorded absent",
                loop_id=str(self.id),
            )
        self._absence_recorded(person=person, reason=reason_text(reason))

    def open_debrief(self) -> None:
        self._refuse_after_debrief()
        missing = [
            p for p in self.interviewer_people if p not in self.votes and p not in self.absent
        ]
        if missing:
            raise FeedbackMissing(
                f"Waiting for feedback from {', '.join(missing)}",
                loop_id=str(self.id),
                missing=missing,
            )
        self._debrief_opened()

    def record_final_vote(self, person: PersonId, vote: Vote) -> None:
        self._require_debrief()
        if person in self.final_votes:
            raise FinalVoteOnce(
                f"{person} already voted {self.final_votes[person]} in the debrief",
                loop_id=str(self.id),
            )
        initial = self.votes.get(person)
        self._final_vote_recorded(
            person=person, vote=Vote(vote), initial_vote=None if initial is None else Vote(initial)
        )

    def veto(self, reason: str) -> None:
        self._require_debrief()
        if self.vetoed:
            raise AlreadyVetoed("The bar raiser already vetoed", loop_id=str(self.id))
        self._vetoed(candidate=self.candidate, reason=reason_text(reason))

    def decide(self, hire: bool, reason: str) -> None:
        self._require_debrief()
        why = reason_text(reason)
        if hire and self.vetoed:
            raise BarRaiserVeto(
                f"{self.bar_raiser} vetoed this candidate; a hire over a veto is refused",
                loop_id=str(self.id),
                bar_raiser=self.bar_raiser,
            )
        self._decided(candidate=self.candidate, hire=hire, reason=why)

    def accept_offer(self, attachment: Attachment, start_date: date) -> None:
        if self.stage is not LoopStage.HIRE:
            raise NoHireDecided(
                f"The loop is {self.stage.value}; an offer follows a HIRE decision",
                loop_id=str(self.id),
                stage=self.stage.value,
            )
        self._offer_accepted(
            candidate=self.candidate,
            team_id=self.team_id,
            function=self.function,
            attachment=Attachment(attachment),
            start_date=start_date,
        )

    @event(FeedbackSubmitted)
    def _feedback_submitted(
        self,
        candidate: PersonId,
        person: PersonId,
        vote: Vote,
        notes: PersonalText,
        principles: list[str],
    ) -> None:
        self.votes[person] = vote.value

    @event(AbsenceRecorded)
    def _absence_recorded(self, person: PersonId, reason: str) -> None:
        self.absent.append(person)

    @event(DebriefOpened)
    def _debrief_opened(self) -> None:
        self.stage = LoopStage.DEBRIEF

    @event(FinalVoteRecorded)
    def _final_vote_recorded(self, person: PersonId, vote: Vote, initial_vote: Vote | None) -> None:
        self.final_votes[person] = vote.value

    @event(Vetoed)
    def _vetoed(self, candidate: PersonId, reason: PersonalText) -> None:
        self.vetoed = True

    @event(Decided)
    def _decided(self, candidate: PersonId, hire: bool, reason: PersonalText) -> None:
        self.stage = LoopStage.HIRE if hire else LoopStage.NO_HIRE

    @event(OfferAccepted)
    def _offer_accepted(
        self,
        candidate: PersonId,
        team_id: UUID,
        function: Function,
        attachment: Attachment,
        start_date: date,
    ) -> None:
        self.stage = LoopStage.HIRED
