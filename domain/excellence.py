"""Functional excellence: functional leaders, standards, second jobs, leadership principles.

Functional excellence survives without shared reporting lines. Each function has a
functional leader (the CTO for engineering), appointed and replaced with a reason,
with tenure history. Functional leaders publish standards for their function:
versioned documents, each revision with a reason, retired with a reason; a team
may be granted an exemption from a standard with a reason and an expiry date.
Senior people carry a second job (bar raiser, promotion panel, cross-org code
review, another named duty) with a share of their time, which is subtracted from
their team's capacity for the roadmap. The company keeps one list of leadership
principles, which interviews assess.

Who may act (leadership appoints; the functional leader publishes; the functional
leader of the person's function or leadership assigns a second job) is checked by
the service layer; the rules of each record are checked here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.people.values import Function, PersonId
from domain.values import CaseInsensitiveEnum, optional_text, required_text

EXCELLENCE_NAMESPACE = UUID("3c1f8a0e-6f3d-4b7e-9a42-1d5e8c7b2f90")
PRINCIPLES_ID = uuid5(EXCELLENCE_NAMESPACE, "leadership-principles")

MAX_REASON_LENGTH = 2000
MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 20000
MAX_DESCRIPTION_LENGTH = 1000
MAX_PRINCIPLE_NAME_LENGTH = 100
MAX_PRINCIPLE_DESCRIPTION_LENGTH = 1000
MAX_PRINCIPLES = 30
MAX_SECOND_JOB_SHARE = Decimal("0.5")


class StandardArea(CaseInsensitiveEnum):
    """What a standard governs."""

    CODE_REVIEW = "CODE_REVIEW"
    PROMOTION = "PROMOTION"
    INTERVIEWING = "INTERVIEWING"
    OTHER = "OTHER"


class SecondJobKind(CaseInsensitiveEnum):
    """A senior person's second job: ``BAR_RAISER`` in interview loops, a
    ``PROMOTION_PANEL``, cross-org ``CODE_REVIEW``, or ``OTHER`` (described)."""

    BAR_RAISER = "BAR_RAISER"
    PROMOTION_PANEL = "PROMOTION_PANEL"
    CODE_REVIEW = "CODE_REVIEW"
    OTHER = "OTHER"


DEFAULT_PRINCIPLES: tuple[tuple[str, str], ...] = (
    ("Customer Obsession", "Leaders start with the customer and work backwards."),
    ("Ownership", "Leaders are owners; they never say 'that's not my job'."),
    ("Invent and Simplify", "Leaders expect and require innovation and invention."),
    ("Are Right, A Lot", "Leaders have strong judgment and good instincts."),
    ("Learn and Be Curious", "Leaders are never done learning and always seek to improve."),
    ("Hire and Develop the Best", "Leaders raise the performance bar with every hire."),
    ("Insist on the Highest Standards", "Leaders have relentlessly high standards."),
    ("Think Big", "Thinking small is a self-fulfilling prophecy."),
    ("Bias for Action", "Speed matters in business; many decisions are reversible."),
    ("Frugality", "Accomplish more with less."),
    ("Earn Trust", "Leaders listen attentively, speak candidly, and treat others respectfully."),
    ("Dive Deep", "Leaders operate at all levels and stay connected to the details."),
    (
        "Have Backbone; Disagree and Commit",
        "Leaders challenge decisions when they disagree, then commit wholly.",
    ),
    ("Deliver Results", "Leaders focus on the key inputs and deliver them with quality."),
)


class AlreadyFunctionalLeader(RuleViolation):
    """A functional leader is replaced by someone else: appointing the sitting leader
    again would record a tenure that never changed hands."""

    rule = "already-functional-leader"


class StandardRetired(RuleViolation):
    """A retired standard is kept as it was when retired: publish a new standard
    instead of revising or exempting from an old one."""

    rule = "standard-retired"


class SecondJobEnded(RuleViolation):
    """A second job ends once; assign a new one to take the duty up again."""

    rule = "second-job-ended"


class PrincipleNamesUnique(RuleViolation):
    """Interviews assess principles by name, so each principle's name is unique."""

    rule = "principle-names-unique"


def function_leadership_id(function: Function) -> UUID:
    """The id of a function's leadership record, derived from the function."""
    return uuid5(EXCELLENCE_NAMESPACE, f"function-leader:{Function(function).value}")


def reason_text(raw: str, field: str = "reason") -> str:
    return required_text(field, raw, max_length=MAX_REASON_LENGTH, multiline=True)


def second_job_share(raw: object) -> Decimal:
    """A share of a person's time, kept to a thousandth: above 0 and at most 0.5.
    A share that rounds to 0 (0.0005 or less) is refused, not recorded as no time at all."""
    if isinstance(raw, bool):
        raise InvalidValue("share", "`share` must be a number")
    try:
        share = Decimal(str(raw))
    except (InvalidOperation, ValueError):
        raise InvalidValue("share", "`share` must be a number") from None
    if not share.is_finite() or not Decimal("0.0005") < share <= MAX_SECOND_JOB_SHARE:
        raise InvalidValue("share", f"`share` must be above 0 and at most {MAX_SECOND_JOB_SHARE}")
    return share.quantize(Decimal("0.001")).normalize()


class FunctionalLeadership(AttributedAggregate):
    """Who leads a function, and who did before: one record per function."""

    class Appointed(AttributedAggregate.Created):
        function: Function
        leader: PersonId
        reason: str

    class LeaderReplaced(AttributedAggregate.Event):
        leader: PersonId
        previous_leader: PersonId
        reason: str

    def __init__(self, function: Function, leader: PersonId, reason: str) -> None:
        self.function = function
        self.leader = leader

    @staticmethod
    def create_id(function: Function, leader: PersonId, reason: str) -> UUID:
        return function_leadership_id(function)

    @classmethod
    def appoint(cls, function: Function, leader: PersonId, reason: str) -> FunctionalLeadership:
        """The function's first leader."""
        return cls(function=Function(function), leader=leader, reason=reason_text(reason))

    def replace(self, leader: PersonId, reason: str) -> None:
        """A new leader for the function; the previous tenure ends."""
        why = reason_text(reason)
        if leader == self.leader:
            raise AlreadyFunctionalLeader(
                f"{leader} already leads {self.function.value}", function=self.function.value
            )
        self._leader_replaced(leader=leader, previous_leader=self.leader, reason=why)

    @event(LeaderReplaced)
    def _leader_replaced(self, leader: PersonId, previous_leader: PersonId, reason: str) -> None:
        self.leader = leader


class Standard(AttributedAggregate):
    """A functional standard: every revision kept, retired with a reason, exemptions."""

    class Published(AttributedAggregate.Created):
        function: Function
        area: StandardArea
        title: str
        body: str

    class Revised(AttributedAggregate.Event):
        revision: int
        body: str
        reason: str

    class Retired(AttributedAggregate.Event):
        reason: str

    class ExemptionGranted(AttributedAggregate.Event):
        exemption_id: UUID
        team_id: UUID
        reason: str
        expires: date

    def __init__(self, function: Function, area: StandardArea, title: str, body: str) -> None:
        self.function = function
        self.area = area
        self.title = title
        self.revision = 1
        self.retired = False
        self.exemptions: list[dict[str, Any]] = []  # {"id", "team_id", "expires"}

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def publish(cls, *, function: Function, area: StandardArea, title: str, body: str) -> Standard:
        return cls(
            function=Function(function),
            area=StandardArea(area),
            title=required_text("title", title, max_length=MAX_TITLE_LENGTH),
            body=required_text("body", body, max_length=MAX_BODY_LENGTH, multiline=True),
        )

    def _refuse_retired(self) -> None:
        if self.retired:
            raise StandardRetired(
                f"The standard '{self.title}' is retired", standard_id=str(self.id)
            )

    def revise(self, body: str, reason: str) -> int:
        """A new version of the text with why; returns its number."""
        self._refuse_retired()
        text = required_text("body", body, max_length=MAX_BODY_LENGTH, multiline=True)
        why = reason_text(reason)
        self._revised(revision=self.revision + 1, body=text, reason=why)
        return self.revision

    def retire(self, reason: str) -> None:
        self._refuse_retired()
        self._retired(reason=reason_text(reason))

    def grant_exemption(
        self, exemption_id: UUID, team_id: UUID, reason: str, expires: date, today: date
    ) -> None:
        """Exempt a team until ``expires`` (after ``today``)."""
        self._refuse_retired()
        why = reason_text(reason)
        if expires <= today:
            raise InvalidValue("expires", "`expires` must be a date after today")
        self._exemption_granted(
            exemption_id=exemption_id, team_id=team_id, reason=why, expires=expires
        )

    @event(Revised)
    def _revised(self, revision: int, body: str, reason: str) -> None:
        self.revision = revision

    @event(Retired)
    def _retired(self, reason: str) -> None:
        self.retired = True

    @event(ExemptionGranted)
    def _exemption_granted(
        self, exemption_id: UUID, team_id: UUID, reason: str, expires: date
    ) -> None:
        self.exemptions.append(
            {"id": str(exemption_id), "team_id": str(team_id), "expires": expires.isoformat()}
        )


class SecondJob(AttributedAggregate):
    """A person's second job with a share of their time, until ended."""

    class Assigned(AttributedAggregate.Created):
        person: PersonId
        kind: SecondJobKind
        description: str
        share: Decimal

    class Ended(AttributedAggregate.Event):
        person: PersonId
        reason: str

    def __init__(
        self, person: PersonId, kind: SecondJobKind, description: str, share: Decimal
    ) -> None:
        self.person = person
        self.kind = kind
        self.share = str(share)
        self.ended = False

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def assign(
        cls, *, person: PersonId, kind: SecondJobKind, description: str | None, share: object
    ) -> SecondJob:
        chosen = SecondJobKind(kind)
        text = optional_text(
            "description", description, max_length=MAX_DESCRIPTION_LENGTH, multiline=True
        )
        if chosen is SecondJobKind.OTHER and not text:
            raise InvalidValue("description", "`description` must name the duty of an OTHER job")
        return cls(person=person, kind=chosen, description=text, share=second_job_share(share))

    @property
    def active(self) -> bool:
        return not self.ended

    def end(self, reason: str) -> None:
        if self.ended:
            raise SecondJobEnded(
                f"{self.person}'s {self.kind.value} job has ended", second_job_id=str(self.id)
            )
        self._ended(person=self.person, reason=reason_text(reason))

    @event(Ended)
    def _ended(self, person: PersonId, reason: str) -> None:
        self.ended = True


def principles_of(raw: list[tuple[str, str]]) -> list[dict[str, str]]:
    """The checked list: names unique (without case), each with a description."""
    if not raw:
        raise InvalidValue("principles", "`principles` must name at least one principle")
    if len(raw) > MAX_PRINCIPLES:
        raise InvalidValue("principles", f"`principles` holds at most {MAX_PRINCIPLES}")
    checked: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, (name, description) in enumerate(raw):
        text = required_text(f"principles[{i}].name", name, max_length=MAX_PRINCIPLE_NAME_LENGTH)
        key = " ".join(text.casefold().split())
        if key in seen:
            raise PrincipleNamesUnique(f"The principle '{text}' is named twice", name=text)
        seen.add(key)
        checked.append(
            {
                "name": text,
                "description": required_text(
                    f"principles[{i}].description",
                    description,
                    max_length=MAX_PRINCIPLE_DESCRIPTION_LENGTH,
                    multiline=True,
                ),
            }
        )
    return checked


class LeadershipPrinciples(AttributedAggregate):
    """The company's one list of leadership principles, which interviews assess."""

    class Set(AttributedAggregate.Created):
        principles: list[dict[str, str]]

    class Replaced(AttributedAggregate.Event):
        principles: list[dict[str, str]]

    def __init__(self, principles: list[dict[str, str]]) -> None:
        self.principles = [dict(p) for p in principles]

    @staticmethod
    def create_id(principles: list[dict[str, str]]) -> UUID:
        return PRINCIPLES_ID

    @classmethod
    def set(cls, principles: list[tuple[str, str]]) -> LeadershipPrinciples:
        return cls(principles=principles_of(principles))

    def replace(self, principles: list[tuple[str, str]]) -> None:
        self._replaced(principles=principles_of(principles))

    @property
    def names(self) -> list[str]:
        return [p["name"] for p in self.principles]

    @event(Replaced)
    def _replaced(self, principles: list[dict[str, str]]) -> None:
        self.principles = [dict(p) for p in principles]


def default_principle_names() -> list[str]:
    return [name for name, _ in DEFAULT_PRINCIPLES]
