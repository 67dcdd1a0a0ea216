"""Goals: what a team commits to move, on one metric, for one plan year.

A goal has one owning team and one metric, bound to the definition version in
force when it was set, so a later redefinition never changes what an old goal
meant. It has a baseline, a target, a due date and a plan year. Target changes
are events with a reason, never overwrites. Check-ins say GREEN, YELLOW or RED
with a note; YELLOW and RED need a path to green. Leadership may flag goals as
top-level (S-team goals, which take precedence). A closed goal (achieved,
missed or dropped) takes no more commands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import InvalidValue, RuleViolation
from domain.metrics import Metric, metric_number
from domain.org.team import Team, TeamDisbanded
from domain.values import CaseInsensitiveEnum, optional_text, required_text

MIN_PLAN_YEAR = 2000
MAX_PLAN_YEAR = 2100
MAX_DESCRIPTION_LENGTH = 2000
MAX_NOTE_LENGTH = 4000
MAX_REASON_LENGTH = 2000


class CheckInStatus(CaseInsensitiveEnum):
    """GREEN: on track. YELLOW: at risk. RED: off track."""

    GREEN = "GREEN"
    YELLOW = "YELLOW"
    RED = "RED"


class GoalOutcome(CaseInsensitiveEnum):
    ACHIEVED = "ACHIEVED"
    MISSED = "MISSED"
    DROPPED = "DROPPED"


class GoalClosed(RuleViolation):
    """A closed goal (achieved, missed or dropped) is history: it takes no more commands.
    Set a new goal instead."""

    rule = "goal-closed"


class PathToGreenRequired(RuleViolation):
    """A YELLOW or RED check-in says how the goal gets back to green; a status without a
    plan is only a complaint."""

    rule = "path-to-green-required"


class TargetUnchanged(RuleViolation):
    """A target revision records a new target with its reason; the same target again is
    no revision."""

    rule = "target-unchanged"


class TopLevelUnchanged(RuleViolation):
    """Flagging a goal top-level that already is (or unflagging one that is not) changes
    nothing and is refused."""

    rule = "top-level-unchanged"


def checked_plan_year(value: int) -> int:
    if not MIN_PLAN_YEAR <= value <= MAX_PLAN_YEAR:
        raise InvalidValue(
            "planYear", f"`planYear` must be between {MIN_PLAN_YEAR} and {MAX_PLAN_YEAR}"
        )
    return value


class Goal(AttributedAggregate):
    class Set(AttributedAggregate.Created):
        team_id: UUID
        metric_id: UUID
        metric_definition_version: int
        plan_year: int
        baseline: Decimal
        target: Decimal
        due_date: date
        description: str

    class TargetRevised(AttributedAggregate.Event):
        target: Decimal
        previous_target: Decimal
        reason: str

    class CheckedIn(AttributedAggregate.Event):
        status: CheckInStatus
        note: str
        path_to_green: str | None

    class TopLevelFlagged(AttributedAggregate.Event):
        pass

    class TopLevelUnflagged(AttributedAggregate.Event):
        pass

    class Closed(AttributedAggregate.Event):
        outcome: GoalOutcome
        note: str

    def __init__(
        self,
        team_id: UUID,
        metric_id: UUID,
        metric_definition_version: int,
        plan_year: int,
        baseline: Decimal,
        target: Decimal,
        due_date: date,
        description: str,
    ) -> None:
        self.team_id = team_id
        self.metric_id = metric_id
        self.metric_definition_version = metric_definition_version
        self.plan_year = plan_year
        self.baseline = baseline
        self.target = target
        self.due_date = due_date
        self.description = description
        self.status: CheckInStatus | None = None
        self.top_level = False
        self.outcome: GoalOutcome | None = None

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def set(
        cls,
        *,
        team: Team,
        metric: Metric,
        plan_year: int,
        baseline: Decimal,
        target: Decimal,
        due_date: date,
        description: str,
    ) -> Goal:
        """Set a goal for an active team on the metric's current definition.

        The caller records the goal on the metric (:meth:`Metric.bind_goal`) in
        the same save, so the bound version is the one in force at that moment.
        """
        if team.disbanded:
            raise TeamDisbanded(
                f"Team '{team.name}' is disbanded and cannot own a goal", team_id=str(team.id)
            )
        return cls(
            team_id=team.id,
            metric_id=metric.id,
            metric_definition_version=metric.definition_version,
            plan_year=checked_plan_year(plan_year),
            baseline=metric_number("baseline", baseline),
            target=metric_number("target", target),
            due_date=due_date,
            description=required_text(
                "description", description, max_length=MAX_DESCRIPTION_LENGTH, multiline=True
            ),
        )

    @property
    def closed(self) -> bool:
        return self.outcome is not None

    def revise_target(self, target: Decimal, reason: str) -> None:
        """A new target, with why; the history keeps every target."""
        self._require_open()
        number = metric_number("target", target)
        why = required_text("reason", reason, max_length=MAX_REASON_LENGTH, multiline=True)
        if number == self.target:
            raise TargetUnchanged(
                f"The goal's target is already {self.target}", goal_id=str(self.id)
            )
        self._target_revised(target=number, previous_target=self.target, reason=why)

    def check_in(self, status: CheckInStatus, note: str, path_to_green: str | None = None) -> None:
        """How the goal stands; YELLOW and RED need a path to green."""
        self._require_open()
        text = required_text("note", note, max_length=MAX_NOTE_LENGTH, multiline=True)
        path = (
            optional_text("pathToGreen", path_to_green, max_length=MAX_NOTE_LENGTH, multiline=True)
            or None
        )
        if status is not CheckInStatus.GREEN and path is None:
            raise PathToGreenRequired(
                f"A {status.value} check-in needs a path to green: say how the goal gets back "
                "on track",
                goal_id=str(self.id),
            )
        self._checked_in(status=status, note=text, path_to_green=path)

    def flag_top_level(self) -> None:
        self._require_open()
        if self.top_level:
            raise TopLevelUnchanged("The goal is already top-level", goal_id=str(self.id))
        self._top_level_flagged()

    def unflag_top_level(self) -> None:
        self._require_open()
        if not self.top_level:
            raise TopLevelUnchanged("The goal is not top-level", goal_id=str(self.id))
        self._top_level_unflagged()

    def close(self, outcome: GoalOutcome, note: str) -> None:
        self._require_open()
        text = required_text("note", note, max_length=MAX_NOTE_LENGTH, multiline=True)
        self._closed(outcome=outcome, note=text)

    def _require_open(self) -> None:
        if self.outcome is not None:
            raise GoalClosed(
                f"The goal was closed as {self.outcome.value}; it takes no more commands",
                goal_id=str(self.id),
            )

    @event(TargetRevised)
    def _target_revised(self, target: Decimal, previous_target: Decimal, reason: str) -> None:
        self.target = target

    @event(CheckedIn)
    def _checked_in(self, status: CheckInStatus, note: str, path_to_green: str | None) -> None:
        self.status = status

    @event(TopLevelFlagged)
    def _top_level_flagged(self) -> None:
        self.top_level = True

    @event(TopLevelUnflagged)
    def _top_level_unflagged(self) -> None:
        self.top_level = False

    @event(Closed)
    def _closed(self, outcome: GoalOutcome, note: str) -> None:
        self.outcome = outcome
