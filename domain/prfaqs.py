"""Working backwards: the PR/FAQ, reviewed in widening circles (rings).

A PR/FAQ is an internal press release (heading, subheading, customer, problem,
solution, summary, launch date, a leader's and a customer's quote) plus FAQs,
external and internal. Every revision is kept with the SHA-256 of its canonical
encoding and the reason for it. Review happens in rings, in order: the author's
team, the wider organisation, the S-team, the CEO. Each round pins the revision
under review by its hash; each reviewer recommends once per round (advance,
revise, stop); the ring's decider closes the round. Most PR/FAQs stop early, on
purpose: a funnel, not a tunnel.

Who may act (the author drafts and revises, the ring's decider closes a round) is
checked by the service layer; the rules of the document itself are checked here.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import msgspec
from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.decisions import Deliberation, ExpectedOutcome
from domain.errors import InvalidValue, NotFound, RuleViolation
from domain.people.values import PersonId
from domain.values import CaseInsensitiveEnum, optional_text, required_text

MAX_TITLE_LENGTH = 200
MAX_HEADING_LENGTH = 300
MAX_LINE_LENGTH = 1000  # the subheading and the customer
MAX_SECTION_LENGTH = 6000  # the problem, the solution, the summary (under a page)
MAX_QUOTE_LENGTH = 2000
MAX_QUESTION_LENGTH = 1000
MAX_ANSWER_LENGTH = 6000
MAX_FAQ_ENTRIES = 60  # five pages at most
MAX_REASON_LENGTH = 2000
MAX_COMMENTS_LENGTH = 6000
MAX_REVIEWERS = 30


class Ring(CaseInsensitiveEnum):
    """The widening circles of review, in order."""

    TEAM = "TEAM"
    ORG = "ORG"
    S_TEAM = "S_TEAM"
    CEO = "CEO"

    @property
    def next(self) -> Ring | None:
        order = list(Ring)
        index = order.index(self)
        return order[index + 1] if index + 1 < len(order) else None


class PrFaqState(CaseInsensitiveEnum):
    """``DRAFT``: no round open. ``IN_REVIEW``: a round is open. ``APPROVED``: the CEO
    round advanced it. ``SHELVED``: a decider stopped it. ``WITHDRAWN``: its author did."""

    DRAFT = "DRAFT"
    IN_REVIEW = "IN_REVIEW"
    APPROVED = "APPROVED"
    SHELVED = "SHELVED"
    WITHDRAWN = "WITHDRAWN"

    @property
    def closed(self) -> bool:
        return self in (PrFaqState.APPROVED, PrFaqState.SHELVED, PrFaqState.WITHDRAWN)


class Recommendation(CaseInsensitiveEnum):
    """A reviewer's recommendation, and a round's outcome: ``ADVANCE`` to the next ring,
    ``REVISE`` (another round in the same ring on a new revision), ``STOP``."""

    ADVANCE = "ADVANCE"
    REVISE = "REVISE"
    STOP = "STOP"


class FaqAudience(CaseInsensitiveEnum):
    """``EXTERNAL``: what customers will ask. ``INTERNAL``: cost, risks, dependencies,
    headcount."""

    EXTERNAL = "EXTERNAL"
    INTERNAL = "INTERNAL"


class CustomerProblemRequired(RuleViolation):
    """Start from the customer's problem, never from a technology: a PR/FAQ names its
    customer and their problem before it can be reviewed (the Fire Phone started from 3D
    effects and went looking for a problem)."""

    rule = "customer-problem-required"


class AuthorCannotReview(RuleViolation):
    """An author never reviews their own PR/FAQ: review brings eyes that are not the
    author's."""

    rule = "author-cannot-review"


class RoundInProgress(RuleViolation):
    """A round reviews one pinned revision: the text cannot change while it is open, and
    a second round cannot open beside it. Wait for the decider to close it."""

    rule = "round-in-progress"


class FeedbackOncePerRound(RuleViolation):
    """Each reviewer gives one recommendation per round; a new round on a new revision
    asks again."""

    rule = "feedback-once-per-round"


class RingNotReached(RuleViolation):
    """Review widens ring by ring (TEAM, ORG, S_TEAM, CEO): a round opens only in the ring
    the PR/FAQ has reached."""

    rule = "ring-not-reached"


class OwningTeamRequired(RuleViolation):
    """Beyond its own team, a PR/FAQ is reviewed as a team's proposal: name the owning
    team before the ORG ring."""

    rule = "owning-team-required"


class NewRevisionRequired(RuleViolation):
    """A round that asked for changes stays in its ring for another round on a new
    revision: revise the PR/FAQ before asking again."""

    rule = "new-revision-required"


class RoundNotOpen(RuleViolation):
    """Feedback and the decision belong to an open round; this one is closed."""

    rule = "round-not-open"


class PrFaqNotApproved(RuleViolation):
    """Commitment follows the decision: people commit to an approved PR/FAQ, whether or
    not they agreed."""

    rule = "prfaq-not-approved"


class PrFaqClosed(RuleViolation):
    """An approved, shelved or withdrawn PR/FAQ is closed: it is kept as it was decided.
    Draft a new one to try again."""

    rule = "prfaq-closed"


def canonical_hash(content: dict[str, Any]) -> str:
    """The SHA-256 of the content's canonical encoding: JSON with sorted keys, no
    whitespace, UTF-8. The same text always gives the same hash."""
    encoded = msgspec.json.encode(content, order="sorted")
    return hashlib.sha256(encoded).hexdigest()


def _text(field: str, value: str | None, max_length: int, *, multiline: bool = True) -> str:
    return optional_text(field, value, max_length=max_length, multiline=multiline)


def content_of(
    *,
    title: str,
    heading: str | None = None,
    subheading: str | None = None,
    customer: str | None = None,
    problem: str | None = None,
    solution: str | None = None,
    summary: str | None = None,
    launch_date: date | None = None,
    leader_quote: str | None = None,
    customer_quote: str | None = None,
    faq: list[tuple[FaqAudience, str, str]] | None = None,
) -> dict[str, Any]:
    """The checked, JSON-simple content of one revision."""
    entries = faq or []
    if len(entries) > MAX_FAQ_ENTRIES:
        raise InvalidValue("faq", f"`faq` holds at most {MAX_FAQ_ENTRIES} questions")
    return {
        "title": required_text("title", title, max_length=MAX_TITLE_LENGTH),
        "heading": _text("heading", heading, MAX_HEADING_LENGTH, multiline=False),
        "subheading": _text("subheading", subheading, MAX_LINE_LENGTH),
        "customer": _text("customer", customer, MAX_LINE_LENGTH),
        "problem": _text("problem", problem, MAX_SECTION_LENGTH),
        "solution": _text("solution", solution, MAX_SECTION_LENGTH),
        "summary": _text("summary", summary, MAX_SECTION_LENGTH),
        "launch_date": None if launch_date is None else launch_date.isoformat(),
        "leader_quote": _text("quotes.leader", leader_quote, MAX_QUOTE_LENGTH),
        "customer_quote": _text("quotes.customer", customer_quote, MAX_QUOTE_LENGTH),
        "faq": [
            {
                "audience": FaqAudience(audience).value,
                "question": required_text(
                    f"faq[{i}].question", question, max_length=MAX_QUESTION_LENGTH, multiline=True
                ),
                "answer": required_text(
                    f"faq[{i}].answer", answer, max_length=MAX_ANSWER_LENGTH, multiline=True
                ),
            }
            for i, (audience, question, answer) in enumerate(entries)
        ],
    }


def reason_text(field: str, raw: str) -> str:
    return required_text(field, raw, max_length=MAX_REASON_LENGTH, multiline=True)


class PrFaq(AttributedAggregate, Deliberation):
    class Drafted(AttributedAggregate.Created):
        author: str
        team_id: UUID | None
        content: dict[str, Any]
        content_hash: str

    class Revised(AttributedAggregate.Event):
        revision: int
        team_id: UUID | None
        content: dict[str, Any]
        content_hash: str
        reason: str

    class RoundOpened(AttributedAggregate.Event):
        number: int
        ring: Ring
        reviewers: list[str]
        revision: int
        content_hash: str

    class FeedbackGiven(AttributedAggregate.Event):
        number: int
        reviewer: str
        recommendation: Recommendation
        comments: str

    class RoundClosed(AttributedAggregate.Event):
        number: int
        ring: Ring
        outcome: Recommendation
        note: str
        state: PrFaqState
        next_ring: Ring

    class Withdrawn(AttributedAggregate.Event):
        reason: str

    class DissentRecorded(AttributedAggregate.Event):
        dissent_id: UUID
        person: str
        argument: str

    class DissentWeighed(AttributedAggregate.Event):
        dissent_id: UUID
        response: str

    class Committed(AttributedAggregate.Event):
        person: str

    class OutcomeExpected(AttributedAggregate.Event):
        metric_id: UUID
        target: Decimal
        by: date
        note: str

    def __init__(
        self, author: str, team_id: UUID | None, content: dict[str, Any], content_hash: str
    ) -> None:
        self.author = author
        self.team_id = team_id
        self.content = content
        self.content_hash = content_hash
        self.revision = 1
        self.state = PrFaqState.DRAFT
        self.ring = Ring.TEAM
        # Each round: number, ring, reviewers, revision, hash, feedback (reviewer ->
        # recommendation), outcome (None while open).
        self.rounds: list[dict[str, Any]] = []
        self._start_deliberation()

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def draft(cls, *, author: PersonId, team_id: UUID | None, content: dict[str, Any]) -> PrFaq:
        """A first draft by ``author`` (the caller), owned by ``team_id`` if given."""
        return cls(
            author=author, team_id=team_id, content=content, content_hash=canonical_hash(content)
        )

    @property
    def open_round(self) -> dict[str, Any] | None:
        last = self.rounds[-1] if self.rounds else None
        return last if last is not None and last["outcome"] is None else None

    @property
    def reviewers(self) -> set[str]:
        """Everyone who has been asked to review it, in any round."""
        return {reviewer for round_ in self.rounds for reviewer in round_["reviewers"]}

    def _refuse_closed(self) -> None:
        if self.state.closed:
            raise PrFaqClosed(
                f"The PR/FAQ is {self.state.value}; it is kept as it was decided",
                prfaq_id=str(self.id),
                state=self.state.value,
            )

    def round(self, number: int) -> dict[str, Any] | None:
        return self.rounds[number - 1] if 1 <= number <= len(self.rounds) else None

    def revise(self, *, content: dict[str, Any], team_id: UUID | None, reason: str) -> None:
        """A new revision with why; never while a round reviews the current one. Without a
        ``team_id`` the owning team stays as it was."""
        self._refuse_closed()
        why = reason_text("reason", reason)
        if self.open_round is not None:
            raise RoundInProgress(
                f"Round {self.open_round['number']} is reviewing revision {self.revision}; the "
                "text cannot change until it is closed",
                prfaq_id=str(self.id),
                round=self.open_round["number"],
            )
        self._revised(
            revision=self.revision + 1,
            team_id=self.team_id if team_id is None else team_id,
            content=content,
            content_hash=canonical_hash(content),
            reason=why,
        )

    def open_review(self, ring: Ring, reviewers: list[PersonId]) -> int:
        """Open the next round in ``ring`` with ``reviewers``; returns its number."""
        self._refuse_closed()
        ring = Ring(ring)
        if self.open_round is not None:
            raise RoundInProgress(
                f"Round {self.open_round['number']} is still open", prfaq_id=str(self.id)
            )
        if not (self.content["customer"] and self.content["problem"]):
            raise CustomerProblemRequired(
                "A PR/FAQ names its customer and their problem before it can be reviewed: start "
                "from the customer's problem, never from a technology",
                prfaq_id=str(self.id),
                missing=[f for f in ("customer", "problem") if not self.content[f]],
            )
        if ring is not self.ring:
            raise RingNotReached(
                f"The PR/FAQ is in the {self.ring.value} ring; a round opens only there",
                prfaq_id=str(self.id),
                ring=self.ring.value,
            )
        if ring is not Ring.TEAM and self.team_id is None:
            raise OwningTeamRequired(
                "Name the owning team (a revision with `teamId`) before the ORG ring",
                prfaq_id=str(self.id),
            )
        if self.author in reviewers:
            raise AuthorCannotReview(
                f"{self.author} wrote this PR/FAQ and cannot review it", prfaq_id=str(self.id)
            )
        last = self.rounds[-1] if self.rounds else None
        if (
            last is not None
            and last["outcome"] == Recommendation.REVISE.value
            and last["content_hash"] == self.content_hash
        ):
            raise NewRevisionRequired(
                f"Round {last['number']} asked for changes to revision {self.revision}; revise "
                "the PR/FAQ before the next round",
                prfaq_id=str(self.id),
            )
        if not reviewers:
            raise InvalidValue("reviewers", "`reviewers` must name at least one reviewer")
        if len(reviewers) > MAX_REVIEWERS:
            raise InvalidValue("reviewers", f"`reviewers` names at most {MAX_REVIEWERS} people")
        number = len(self.rounds) + 1
        self._round_opened(
            number=number,
            ring=ring,
            reviewers=list(dict.fromkeys(reviewers)),
            revision=self.revision,
            content_hash=self.content_hash,
        )
        return number

    def _open(self, number: int) -> dict[str, Any]:
        found = self.round(number)
        if found is None:
            raise NotFound("round", f"{self.id}/{number}")
        if found["outcome"] is not None:
            raise RoundNotOpen(
                f"Round {number} was closed with {found['outcome']}",
                prfaq_id=str(self.id),
                round=number,
            )
        return found

    def give_feedback(
        self, number: int, reviewer: PersonId, recommendation: Recommendation, comments: str
    ) -> None:
        """``reviewer``'s recommendation in round ``number``, once."""
        self._refuse_closed()
        found = self._open(number)
        if reviewer in found["feedback"]:
            raise FeedbackOncePerRound(
                f"{reviewer} already recommended {found['feedback'][reviewer]} in round {number}",
                prfaq_id=str(self.id),
                round=number,
            )
        self._feedback_given(
            number=number,
            reviewer=reviewer,
            recommendation=Recommendation(recommendation),
            comments=optional_text(
                "comments", comments, max_length=MAX_COMMENTS_LENGTH, multiline=True
            ),
        )

    def is_reviewer(self, number: int, person: str) -> bool:
        found = self.round(number)
        return found is not None and person in found["reviewers"]

    def close_round(self, number: int, outcome: Recommendation, note: str | None) -> None:
        """The decider's outcome: advance (after CEO: approved), revise, or stop (shelved,
        with the reason in ``note``)."""
        self._refuse_closed()
        found = self._open(number)
        outcome = Recommendation(outcome)
        text = optional_text("note", note, max_length=MAX_REASON_LENGTH, multiline=True)
        if outcome is Recommendation.STOP and not text:
            raise InvalidValue("note", "`note` must give the reason a PR/FAQ is stopped")
        ring = Ring(found["ring"])
        if outcome is Recommendation.ADVANCE and ring.next is None:
            self._refuse_unweighed(f"Approving '{self.content['title']}'", prfaq_id=str(self.id))
        state, next_ring = PrFaqState.DRAFT, ring
        if outcome is Recommendation.STOP:
            state = PrFaqState.SHELVED
        elif outcome is Recommendation.ADVANCE:
            following = ring.next
            if following is None:
                state = PrFaqState.APPROVED
            else:
                next_ring = following
        self._round_closed(
            number=number, ring=ring, outcome=outcome, note=text, state=state, next_ring=next_ring
        )

    def withdraw(self, reason: str) -> None:
        """The author takes it back, with why."""
        self._refuse_closed()
        self._withdrawn(reason=reason_text("reason", reason))

    @property
    def label(self) -> str:
        return f"PR/FAQ '{self.content['title']}'"

    def record_dissent(self, dissent_id: UUID, person: PersonId, argument: str) -> None:
        """Disagree with approving it, with the argument; until the CEO round closes."""
        self._refuse_closed()
        text = self._checked_dissent(dissent_id, argument)
        self._dissent_recorded(dissent_id=dissent_id, person=person, argument=text)

    def weigh_dissent(self, dissent_id: UUID, response: str) -> None:
        """The decider's response: the dissent was heard, understood and weighed."""
        self._refuse_closed()
        self._dissent_weighed(
            dissent_id=dissent_id, response=self._checked_weighing(dissent_id, response)
        )

    def commit(self, person: PersonId) -> None:
        """The person commits to the approved PR/FAQ, whether or not they agreed."""
        if self.state is not PrFaqState.APPROVED:
            raise PrFaqNotApproved(
                f"{self.label} is {self.state.value}; commitment follows its approval",
                prfaq_id=str(self.id),
            )
        self._refuse_second_commitment(person, self.label, prfaq_id=str(self.id))
        self._committed(person=person)

    def expect(self, outcome: ExpectedOutcome) -> None:
        """State what approving it should achieve: a metric reaching a value by a date."""
        if self.state is not PrFaqState.APPROVED:
            raise PrFaqNotApproved(
                f"{self.label} is {self.state.value}; an expected outcome belongs to the "
                "approved decision",
                prfaq_id=str(self.id),
            )
        self._outcome_expected(
            metric_id=outcome.metric_id, target=outcome.target, by=outcome.by, note=outcome.note
        )

    @event(OutcomeExpected)
    def _outcome_expected(self, metric_id: UUID, target: Decimal, by: date, note: str) -> None:
        pass

    @event(DissentRecorded)
    def _dissent_recorded(self, dissent_id: UUID, person: str, argument: str) -> None:
        self._note_dissent(dissent_id, person)

    @event(DissentWeighed)
    def _dissent_weighed(self, dissent_id: UUID, response: str) -> None:
        self._note_weighed(dissent_id)

    @event(Committed)
    def _committed(self, person: str) -> None:
        self._note_commitment(person)

    @event(Revised)
    def _revised(
        self,
        revision: int,
        team_id: UUID | None,
        content: dict[str, Any],
        content_hash: str,
        reason: str,
    ) -> None:
        self.revision = revision
        self.team_id = team_id
        self.content = content
        self.content_hash = content_hash

    @event(RoundOpened)
    def _round_opened(
        self, number: int, ring: Ring, reviewers: list[str], revision: int, content_hash: str
    ) -> None:
        self.rounds.append(
            {
                "number": number,
                "ring": ring.value,
                "reviewers": list(reviewers),
                "revision": revision,
                "content_hash": content_hash,
                "feedback": {},
                "outcome": None,
            }
        )
        self.state = PrFaqState.IN_REVIEW

    @event(FeedbackGiven)
    def _feedback_given(
        self, number: int, reviewer: str, recommendation: Recommendation, comments: str
    ) -> None:
        self.rounds[number - 1]["feedback"][reviewer] = recommendation.value

    @event(RoundClosed)
    def _round_closed(
        self,
        number: int,
        ring: Ring,
        outcome: Recommendation,
        note: str,
        state: PrFaqState,
        next_ring: Ring,
    ) -> None:
        self.rounds[number - 1]["outcome"] = outcome.value
        self.state = state
        self.ring = next_ring

    @event(Withdrawn)
    def _withdrawn(self, reason: str) -> None:
        self.state = PrFaqState.WITHDRAWN
