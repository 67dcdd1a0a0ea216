"""Disagree and commit: the one mechanism every decision's aggregate uses.

A decision (an allocation cycle's, a PR/FAQ's approval) is preceded by dissent:
anyone may record an argument against it. The decision-maker answers each one
(weighs it) before deciding, and afterwards people commit, whether or not they
agreed. Dissenters who have not committed are reported.

:class:`Deliberation` holds that state in a JSON-simple form (so snapshots
round-trip) and checks its rules; each aggregate that decides mixes it in, keeps
its own event classes (their topics name the aggregate) and says when dissent,
weighing and commitment are open, which depends on its own phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import NotFound, RuleViolation
from domain.metrics import Direction, Metric, metric_number
from domain.values import CaseInsensitiveEnum, optional_text, required_text

MAX_ARGUMENT_LENGTH = 4000
MAX_RESPONSE_LENGTH = 1000
MAX_NOTE_LENGTH = 2000
DECIDING_WINDOW_DAYS = 31  # the observations that decide an outcome: the month up to `by`


class DissentNotWeighed(RuleViolation):
    """Disagreement is an obligation, and its purpose is to bring new information: the
    decision-maker must have heard and weighed every dissent (with a response) before
    deciding."""

    rule = "dissent-not-weighed"


class DissentAlreadyWeighed(RuleViolation):
    """A dissent is weighed once, with the decision-maker's response; the record keeps it."""

    rule = "dissent-already-weighed"


class AlreadyCommitted(RuleViolation):
    """A person commits to a decision once."""

    rule = "already-committed"


def argument_text(argument: str) -> str:
    return required_text("argument", argument, max_length=MAX_ARGUMENT_LENGTH, multiline=True)


def response_text(response: str) -> str:
    return required_text("response", response, max_length=MAX_RESPONSE_LENGTH, multiline=True)


class Deliberation:
    """Dissent (weighed or not) and commitments, kept on the deciding aggregate.

    ``dissents`` maps each dissent's id to ``{"person", "weighed"}``; ``committed``
    lists who committed, in order.
    """

    dissents: dict[str, dict[str, Any]]
    committed: list[str]

    def _start_deliberation(self) -> None:
        self.dissents = {}
        self.committed = []

    @property
    def unweighed_dissents(self) -> list[UUID]:
        return [UUID(key) for key, dissent in self.dissents.items() if not dissent["weighed"]]

    @property
    def uncommitted_dissenters(self) -> list[str]:
        """Who dissented and has not committed, in the order they first dissented."""
        people = dict.fromkeys(dissent["person"] for dissent in self.dissents.values())
        return [person for person in people if person not in self.committed]

    def _checked_dissent(self, dissent_id: UUID, argument: str) -> str:
        """The argument's text, once the id is known to be new."""
        text = argument_text(argument)
        if str(dissent_id) in self.dissents:
            raise ValueError(f"Dissent {dissent_id} is already recorded")
        return text

    def _checked_weighing(self, dissent_id: UUID, response: str) -> str:
        """The response's text, once the dissent is known and not weighed yet."""
        dissent = self.dissents.get(str(dissent_id))
        if dissent is None:
            raise NotFound("dissent", dissent_id)
        if dissent["weighed"]:
            raise DissentAlreadyWeighed(
                f"Dissent {dissent_id} was already weighed", dissent_id=str(dissent_id)
            )
        return response_text(response)

    def _refuse_unweighed(self, decision: str, **context: Any) -> None:
        """Refuse ``decision`` (e.g. "deciding OP1 2027") while any dissent is unweighed."""
        unweighed = self.unweighed_dissents
        if unweighed:
            raise DissentNotWeighed(
                f"{decision} has {len(unweighed)} dissent(s) nobody weighed yet: "
                f"{', '.join(str(key) for key in unweighed)}; respond to each before deciding",
                **context,
                dissent_ids=[str(key) for key in unweighed],
            )

    def _refuse_second_commitment(self, person: str, decision: str, **context: Any) -> None:
        if person in self.committed:
            raise AlreadyCommitted(f"{person} already committed to {decision}", **context)

    def _note_dissent(self, dissent_id: UUID, person: str) -> None:
        self.dissents[str(dissent_id)] = {"person": person, "weighed": False}

    def _note_weighed(self, dissent_id: UUID) -> None:
        self.dissents[str(dissent_id)] = {**self.dissents[str(dissent_id)], "weighed": True}

    def _note_commitment(self, person: str) -> None:
        self.committed.append(person)


# -- expected outcomes: being right a lot -------------------------------------


class DecisionKind(CaseInsensitiveEnum):
    """``PRFAQ``: a PR/FAQ's approval. ``ALLOCATION``: an allocation cycle's decision."""

    PRFAQ = "PRFAQ"
    ALLOCATION = "ALLOCATION"


class OutcomeStatus(CaseInsensitiveEnum):
    """``PENDING``: its date has not passed. Then the metric's latest value in the month up
    to that date decides: ``MET`` (reached, in the metric's better direction), ``MISSED``,
    or ``UNKNOWN`` (no value in that month)."""

    PENDING = "PENDING"
    MET = "MET"
    MISSED = "MISSED"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True)
class ExpectedOutcome:
    """What a decision expects: the metric reaching ``target`` by ``by``, and why."""

    metric_id: UUID
    target: Decimal
    by: date
    note: str

    @classmethod
    def of(cls, metric: Metric, target: Decimal, by: date, note: str | None) -> ExpectedOutcome:
        return cls(
            metric_id=metric.id,
            target=metric_number("target", target),
            by=by,
            note=optional_text("note", note, max_length=MAX_NOTE_LENGTH, multiline=True),
        )


def outcome_status(
    direction: Direction, target: Decimal, by: date, observed: Decimal | None, today: date
) -> OutcomeStatus:
    """``observed`` is the metric's latest value in the month up to ``by`` (None if none)."""
    if by >= today:
        return OutcomeStatus.PENDING
    if observed is None:
        return OutcomeStatus.UNKNOWN
    reached = observed >= target if direction is Direction.INCREASE else observed <= target
    return OutcomeStatus.MET if reached else OutcomeStatus.MISSED
