"""Roadmaps: what a team commits to deliver for customers, with dates, health and
dependencies.

A roadmap item has exactly one owning team; it moves to another team only by a
transfer with a reason. Its lifecycle: ``PROPOSED`` -> ``COMMITTED`` (with a target
date) -> ``IN_PROGRESS`` -> ``DELIVERED``; ``PAUSED`` and back; ``DROPPED`` with a
reason from any open state. A change of a committed item's target date is a slip (or
a pull-in): an event with its reason and the days moved, never an overwrite.
Dependencies on other items (any team's) or on APIs never form a cycle.

Who may act (the owning team's leader or leadership) and what other aggregates say
(the PR/FAQ approved, the API not retired, the graph without cycles) is gathered by
the service layer; the rules of the item itself are checked here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.allocation.resources import Resources
from domain.errors import InvalidValue, NotFound, RuleViolation
from domain.people.values import Function
from domain.values import CaseInsensitiveEnum, optional_text, required_text

MAX_TITLE_LENGTH = 200
MAX_OUTCOME_LENGTH = 2000
MAX_REASON_LENGTH = 2000
MAX_NOTE_LENGTH = 4000
MAX_MILESTONE_NAME_LENGTH = 200
MAX_GOALS = 50
MAX_MILESTONES = 100
MAX_DEPENDENCIES = 100


class Horizon(CaseInsensitiveEnum):
    """When the team means to work on it: ``NOW``, ``NEXT`` or ``LATER``."""

    NOW = "NOW"
    NEXT = "NEXT"
    LATER = "LATER"


class ItemStatus(CaseInsensitiveEnum):
    """Where an item stands in its lifecycle."""

    PROPOSED = "PROPOSED"
    COMMITTED = "COMMITTED"
    IN_PROGRESS = "IN_PROGRESS"
    PAUSED = "PAUSED"
    DELIVERED = "DELIVERED"
    DROPPED = "DROPPED"

    @property
    def open(self) -> bool:
        return self not in (ItemStatus.DELIVERED, ItemStatus.DROPPED)


class Health(CaseInsensitiveEnum):
    """A check-in's health; ``AT_RISK`` and ``OFF_TRACK`` carry a path back."""

    ON_TRACK = "ON_TRACK"
    AT_RISK = "AT_RISK"
    OFF_TRACK = "OFF_TRACK"


class DependencyKind(CaseInsensitiveEnum):
    """What an item depends on: another roadmap ``ITEM`` or an ``API``."""

    ITEM = "ITEM"
    API = "API"


class RoadmapItemClosed(RuleViolation):
    """A delivered or dropped item is kept as it ended: propose a new item instead."""

    rule = "roadmap-item-closed"


class RoadmapTransitionRefused(RuleViolation):
    """An item moves PROPOSED -> COMMITTED -> IN_PROGRESS -> DELIVERED, pauses from
    COMMITTED or IN_PROGRESS and resumes to where it was; nothing skips a step."""

    rule = "roadmap-transition-refused"


class RoadmapNotCommitted(RuleViolation):
    """Only a committed item has a target date to move: commit it with one first."""

    rule = "roadmap-not-committed"


class RoadmapPathBackRequired(RuleViolation):
    """An item at risk or off track says how it gets back on track: a health without a
    plan is only a worry."""

    rule = "roadmap-path-back-required"


class RoadmapTransferToSameTeam(RuleViolation):
    """A transfer moves an item to another team; it already belongs to this one."""

    rule = "roadmap-transfer-same-team"


class RoadmapDependencyCycle(RuleViolation):
    """Dependencies never form a cycle: items waiting on each other never start."""

    rule = "roadmap-dependency-cycle"


class RoadmapDependencyExists(RuleViolation):
    """An item names each of its dependencies once."""

    rule = "roadmap-dependency-exists"


class RoadmapDependencyOnRetiredApi(RuleViolation):
    """A dependency is on an API that is published and not retired: a retired API will
    never be there to depend on."""

    rule = "roadmap-dependency-on-retired-api"


class RoadmapPrFaqTaken(RuleViolation):
    """An approved PR/FAQ becomes at most one roadmap item: one commitment, one owner."""

    rule = "roadmap-prfaq-taken"


class RoadmapPrFaqNotApproved(RuleViolation):
    """An item comes from a PR/FAQ only once the PR/FAQ is approved: working backwards
    decides first, the roadmap commits afterwards."""

    rule = "roadmap-prfaq-not-approved"


class RoadmapItemNeedsPrFaq(RuleViolation):
    """Leadership requires items above a headcount to come from a PR/FAQ: a big bet is
    worked backwards from the customer before it is committed to."""

    rule = "roadmap-item-needs-prfaq"


class RoadmapMilestoneDone(RuleViolation):
    """A milestone is marked done once."""

    rule = "roadmap-milestone-done"


def title_text(raw: str) -> str:
    return required_text("title", raw, max_length=MAX_TITLE_LENGTH)


def outcome_text(raw: str) -> str:
    return required_text("outcome", raw, max_length=MAX_OUTCOME_LENGTH, multiline=True)


def reason_text(raw: str, field: str = "reason") -> str:
    return required_text(field, raw, max_length=MAX_REASON_LENGTH, multiline=True)


def note_text(raw: str | None, field: str = "note") -> str:
    return optional_text(field, raw, max_length=MAX_NOTE_LENGTH, multiline=True)


def headcount_of(raw: Mapping[Function, int]) -> dict[str, int]:
    """Headcount by function as the allocation checks it (whole, not negative, zeros
    left out), kept as ``{"ENGINEERING": 3}``."""
    return Resources.of(raw, 0).headcount_state()


def dependency_cycle(
    dependencies_of: Callable[[UUID], Iterable[UUID]], item_id: UUID, target_id: UUID
) -> list[UUID] | None:
    """The cycle that ``item_id -> target_id`` would close, as the path from
    ``item_id`` back to itself, or ``None``. ``dependencies_of`` gives an item's item
    dependencies as recorded."""
    if target_id == item_id:
        return [item_id, item_id]
    parents: dict[UUID, UUID] = {}
    frontier = [target_id]
    seen = {target_id}
    while frontier:
        current = frontier.pop()
        for next_id in dependencies_of(current):
            if next_id == item_id:
                path = [current]
                while path[-1] != target_id:
                    path.append(parents[path[-1]])
                return [item_id, *reversed(path), item_id]
            if next_id not in seen:
                seen.add(next_id)
                parents[next_id] = current
                frontier.append(next_id)
    return None


class RoadmapItem(AttributedAggregate):
    class Proposed(AttributedAggregate.Created):
        team_id: UUID
        title: str
        outcome: str
        horizon: Horizon
        goal_ids: list[UUID]
        headcount: dict[str, int]
        prfaq_id: UUID | None

    class Committed(AttributedAggregate.Event):
        target_date: date

    class Started(AttributedAggregate.Event):
        pass

    class Paused(AttributedAggregate.Event):
        reason: str

    class Resumed(AttributedAggregate.Event):
        status: ItemStatus

    class Delivered(AttributedAggregate.Event):
        note: str

    class Dropped(AttributedAggregate.Event):
        reason: str
        status: ItemStatus

    class TargetDateMoved(AttributedAggregate.Event):
        """A slip (``days`` > 0) or a pull-in (``days`` < 0)."""

        previous: date
        target_date: date
        days: int
        reason: str

    class MilestoneAdded(AttributedAggregate.Event):
        milestone_id: UUID
        name: str
        date: date

    class MilestoneDone(AttributedAggregate.Event):
        milestone_id: UUID

    class CheckedIn(AttributedAggregate.Event):
        health: Health
        note: str
        path_back: str
        blindside: bool

    class Transferred(AttributedAggregate.Event):
        from_team_id: UUID
        to_team_id: UUID
        reason: str

    class DependencyAdded(AttributedAggregate.Event):
        target_id: UUID
        kind: DependencyKind

    class HeadcountChanged(AttributedAggregate.Event):
        previous: dict[str, int]
        headcount: dict[str, int]
        reason: str

    class DependencyRemoved(AttributedAggregate.Event):
        target_id: UUID
        reason: str

    def __init__(
        self,
        team_id: UUID,
        title: str,
        outcome: str,
        horizon: Horizon,
        goal_ids: list[UUID],
        headcount: dict[str, int],
        prfaq_id: UUID | None,
    ) -> None:
        self.team_id = team_id
        self.title = title
        self.outcome = outcome
        self.horizon = horizon
        self.goal_ids = goal_ids
        self.headcount = headcount
        self.prfaq_id = prfaq_id
        self.status = ItemStatus.PROPOSED
        self.paused_from: ItemStatus | None = None
        self.target_date: date | None = None
        self.health: Health | None = None
        # Keyed by id as text, valued JSON-simply, so snapshots encode them.
        self.milestones: dict[str, dict[str, Any]] = {}
        self.dependencies: dict[str, str] = {}  # target id -> DependencyKind value

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def propose(
        cls,
        *,
        team_id: UUID,
        title: str,
        outcome: str,
        horizon: Horizon,
        goal_ids: list[UUID],
        headcount: Mapping[Function, int],
        prfaq_id: UUID | None = None,
    ) -> RoadmapItem:
        """A proposed item owned by ``team_id`` (the team of ``prfaq_id``, when given)."""
        if len(goal_ids) > MAX_GOALS:
            raise InvalidValue("goalIds", f"`goalIds` names at most {MAX_GOALS} goals")
        return cls(
            team_id=team_id,
            title=title_text(title),
            outcome=outcome_text(outcome),
            horizon=Horizon(horizon),
            goal_ids=list(dict.fromkeys(goal_ids)),
            headcount=headcount_of(headcount),
            prfaq_id=prfaq_id,
        )

    @property
    def is_open(self) -> bool:
        """Neither delivered nor dropped."""
        return self.status.open

    def total_headcount(self) -> int:
        return sum(self.headcount.values())

    def change_headcount(self, headcount: Mapping[Function, int], reason: str) -> None:
        """The headcount it needs, changed with why; the previous figure stays in the log."""
        why = reason_text(reason)
        counted = headcount_of(headcount)
        self._refuse_closed()
        if counted == self.headcount:
            raise InvalidValue("headcount", "`headcount` is the item's headcount already")
        self._headcount_changed(previous=dict(self.headcount), headcount=counted, reason=why)

    def headcount_needed(self) -> Resources:
        return Resources.from_state({"headcount": self.headcount, "budget": 0})

    def _refuse_closed(self) -> None:
        if not self.status.open:
            raise RoadmapItemClosed(
                f"The item is {self.status.value}; it is kept as it ended",
                item_id=str(self.id),
                status=self.status.value,
            )

    def _require(self, action: str, *allowed: ItemStatus) -> None:
        self._refuse_closed()
        if self.status not in allowed:
            raise RoadmapTransitionRefused(
                f"An item that is {self.status.value} cannot be {action}; it must be "
                + " or ".join(status.value for status in allowed),
                item_id=str(self.id),
                status=self.status.value,
                allowed=[status.value for status in allowed],
            )

    def commit(self, target_date: date) -> None:
        self._require("committed", ItemStatus.PROPOSED)
        self._committed(target_date=target_date)

    def start(self) -> None:
        self._require("started", ItemStatus.COMMITTED)
        self._started()

    def pause(self, reason: str) -> None:
        why = reason_text(reason)
        self._require("paused", ItemStatus.COMMITTED, ItemStatus.IN_PROGRESS)
        self._paused(reason=why)

    def resume(self) -> None:
        self._require("resumed", ItemStatus.PAUSED)
        assert self.paused_from is not None
        self._resumed(status=self.paused_from)

    def deliver(self, note: str | None) -> None:
        text = note_text(note)
        self._require("delivered", ItemStatus.IN_PROGRESS)
        self._delivered(note=text)

    def drop(self, reason: str) -> None:
        why = reason_text(reason)
        self._refuse_closed()
        self._dropped(reason=why, status=self.status)

    def move_target_date(self, target_date: date, reason: str) -> int:
        """Record a slip or a pull-in; returns the days moved (positive: later)."""
        why = reason_text(reason)
        self._refuse_closed()
        if self.target_date is None:
            raise RoadmapNotCommitted(
                "The item has no target date to move: commit it with one first",
                item_id=str(self.id),
                status=self.status.value,
            )
        days = (target_date - self.target_date).days
        if days == 0:
            raise InvalidValue("targetDate", "`targetDate` is the item's target date already")
        self._target_date_moved(
            previous=self.target_date, target_date=target_date, days=days, reason=why
        )
        return days

    def add_milestone(self, milestone_id: UUID, name: str, on: date) -> None:
        text = required_text("name", name, max_length=MAX_MILESTONE_NAME_LENGTH)
        self._refuse_closed()
        if len(self.milestones) >= MAX_MILESTONES:
            raise InvalidValue("name", f"An item has at most {MAX_MILESTONES} milestones")
        self._milestone_added(milestone_id=milestone_id, name=text, date=on)

    def complete_milestone(self, milestone_id: UUID) -> None:
        self._refuse_closed()
        milestone = self.milestones.get(str(milestone_id))
        if milestone is None:
            raise NotFound("milestone", f"{self.id}/{milestone_id}")
        if milestone["done"]:
            raise RoadmapMilestoneDone(
                f"Milestone '{milestone['name']}' is done already",
                item_id=str(self.id),
                milestone_id=str(milestone_id),
            )
        self._milestone_done(milestone_id=milestone_id)

    def check_in(self, health: Health, note: str | None, path_back: str | None) -> bool:
        """A dated health check-in; returns whether it is a blindside (on track straight
        to off track)."""
        chosen = Health(health)
        text = note_text(note)
        back = note_text(path_back, "pathBack")
        self._refuse_closed()
        if chosen is not Health.ON_TRACK and not back:
            raise RoadmapPathBackRequired(
                f"An item {chosen.value} needs a `pathBack`: how it gets back on track",
                item_id=str(self.id),
                health=chosen.value,
            )
        blindside = self.health is Health.ON_TRACK and chosen is Health.OFF_TRACK
        self._checked_in(health=chosen, note=text, path_back=back, blindside=blindside)
        return blindside

    def transfer(self, to_team_id: UUID, reason: str) -> None:
        why = reason_text(reason)
        self._refuse_closed()
        if to_team_id == self.team_id:
            raise RoadmapTransferToSameTeam(
                "The item already belongs to this team",
                item_id=str(self.id),
                team_id=str(to_team_id),
            )
        self._transferred(from_team_id=self.team_id, to_team_id=to_team_id, reason=why)

    def depend_on_item(
        self, target_id: UUID, dependencies_of: Callable[[UUID], Iterable[UUID]]
    ) -> None:
        """Depend on another item; ``dependencies_of`` reads the recorded item graph."""
        self._refuse_new_dependency(target_id)
        cycle = dependency_cycle(dependencies_of, self.id, target_id)
        if cycle is not None:
            raise RoadmapDependencyCycle(
                "The dependency would close a cycle: " + " -> ".join(str(node) for node in cycle),
                item_id=str(self.id),
                cycle=[str(node) for node in cycle],
            )
        self._dependency_added(target_id=target_id, kind=DependencyKind.ITEM)

    def depend_on_api(self, api_id: UUID, *, retired: bool) -> None:
        self._refuse_new_dependency(api_id)
        if retired:
            raise RoadmapDependencyOnRetiredApi(
                "The API is retired: depend on a published API",
                item_id=str(self.id),
                api_id=str(api_id),
            )
        self._dependency_added(target_id=api_id, kind=DependencyKind.API)

    def remove_dependency(self, target_id: UUID, reason: str | None) -> None:
        why = note_text(reason, "reason")
        self._refuse_closed()
        if str(target_id) not in self.dependencies:
            raise NotFound("dependency", f"{self.id}/{target_id}")
        self._dependency_removed(target_id=target_id, reason=why)

    def item_dependencies(self) -> list[UUID]:
        return [
            UUID(t) for t, kind in self.dependencies.items() if kind == DependencyKind.ITEM.value
        ]

    def _refuse_new_dependency(self, target_id: UUID) -> None:
        self._refuse_closed()
        if str(target_id) in self.dependencies:
            raise RoadmapDependencyExists(
                "The item already depends on it",
                item_id=str(self.id),
                target_id=str(target_id),
            )
        if len(self.dependencies) >= MAX_DEPENDENCIES:
            raise InvalidValue("itemId", f"An item has at most {MAX_DEPENDENCIES} dependencies")

    @event(Committed)
    def _committed(self, target_date: date) -> None:
        self.status = ItemStatus.COMMITTED
        self.target_date = target_date

    @event(Started)
    def _started(self) -> None:
        self.status = ItemStatus.IN_PROGRESS

    @event(Paused)
    def _paused(self, reason: str) -> None:
        self.paused_from = self.status
        self.status = ItemStatus.PAUSED

    @event(Resumed)
    def _resumed(self, status: ItemStatus) -> None:
        self.status = ItemStatus(status)
        self.paused_from = None

    @event(Delivered)
    def _delivered(self, note: str) -> None:
        self.status = ItemStatus.DELIVERED

    @event(Dropped)
    def _dropped(self, reason: str, status: ItemStatus) -> None:
        self.status = ItemStatus.DROPPED

    @event(TargetDateMoved)
    def _target_date_moved(self, previous: date, target_date: date, days: int, reason: str) -> None:
        self.target_date = target_date

    @event(MilestoneAdded)
    def _milestone_added(self, milestone_id: UUID, name: str, date: date) -> None:
        self.milestones[str(milestone_id)] = {"name": name, "date": date.isoformat(), "done": False}

    @event(MilestoneDone)
    def _milestone_done(self, milestone_id: UUID) -> None:
        self.milestones[str(milestone_id)]["done"] = True

    @event(CheckedIn)
    def _checked_in(self, health: Health, note: str, path_back: str, blindside: bool) -> None:
        self.health = Health(health)

    @event(Transferred)
    def _transferred(self, from_team_id: UUID, to_team_id: UUID, reason: str) -> None:
        self.team_id = to_team_id

    @event(DependencyAdded)
    def _dependency_added(self, target_id: UUID, kind: DependencyKind) -> None:
        self.dependencies[str(target_id)] = DependencyKind(kind).value

    @event(DependencyRemoved)
    def _dependency_removed(self, target_id: UUID, reason: str) -> None:
        del self.dependencies[str(target_id)]

    @event(HeadcountChanged)
    def _headcount_changed(
        self, previous: dict[str, int], headcount: dict[str, int], reason: str
    ) -> None:
        self.headcount = headcount


MAX_BASELINE_NAME_LENGTH = 100


class RoadmapBaselineNameTaken(RuleViolation):
    """A baseline's name says which plan of record it is: each name once."""

    rule = "roadmap-baseline-name-taken"


class RoadmapBaseline(AttributedAggregate):
    """A named plan of record: every roadmap as it stands when leadership records it.

    Locking an allocation cycle records a baseline too (named for the cycle, e.g.
    ``FY2027 OP1``), from the lock's own event; this aggregate is for the others."""

    class Recorded(AttributedAggregate.Created):
        name: str

    def __init__(self, name: str) -> None:
        self.name = name

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def record(cls, name: str) -> RoadmapBaseline:
        return cls(name=required_text("name", name, max_length=MAX_BASELINE_NAME_LENGTH))


ROADMAP_GRAPH_NAMESPACE = UUID("6b2f8e4a-3c1d-4f7a-9e52-1d0c8b7a6f31")
ROADMAP_GRAPH_ID = uuid5(ROADMAP_GRAPH_NAMESPACE, "roadmap-graph")


class RoadmapGraph(AttributedAggregate):
    """The item-to-item dependency graph: the one record every dependency change passes
    through.

    An added dependency is checked for a cycle against the graph as read. Two additions
    that each pass their own check can still close a cycle together (A needs B and B
    needs A, added at once). Optimistic concurrency only catches writes to the same
    stream, so every addition and removal also records the item's dependencies here, in
    the same save as the item's own event. Concurrent changes then conflict on this one
    stream; the one that is retried reads the graph again and meets the cycle.

    The guard keeps each item's item dependencies as of its last change. An item whose
    dependencies have not changed since the guard began is not in it; its dependencies,
    read from the item, cannot change without passing here, so reading them is safe.
    """

    class Started(AttributedAggregate.Created):
        pass

    class DependenciesRecorded(AttributedAggregate.Event):
        """An item's item dependencies after an addition or a removal."""

        item_id: UUID
        targets: list[UUID]

    def __init__(self) -> None:
        self.edges: dict[str, list[str]] = {}  # item id -> its item dependencies, as text

    @staticmethod
    def create_id() -> UUID:
        return ROADMAP_GRAPH_ID

    @classmethod
    def start(cls) -> RoadmapGraph:
        return cls()

    def dependencies_of(
        self, item_id: UUID, recorded_on_item: Callable[[UUID], Iterable[UUID]]
    ) -> list[UUID]:
        """The item's item dependencies: the guard's, or the item's own when the guard
        has not seen it change."""
        known = self.edges.get(str(item_id))
        if known is None:
            return list(recorded_on_item(item_id))
        return [UUID(target) for target in known]

    def record(self, item: RoadmapItem) -> None:
        """Record ``item``'s item dependencies as they are after its change."""
        self._dependencies_recorded(item_id=item.id, targets=item.item_dependencies())

    @event(DependenciesRecorded)
    def _dependencies_recorded(self, item_id: UUID, targets: list[UUID]) -> None:
        self.edges[str(item_id)] = [str(target) for target in targets]


ROADMAP_SETTINGS_ID = uuid5(ROADMAP_GRAPH_NAMESPACE, "roadmap-settings")
MAX_PRFAQ_THRESHOLD = 1_000_000


class RoadmapSettings(AttributedAggregate):
    """Leadership's settings for every roadmap (one stream): for now, the total headcount
    above which an item must come from a PR/FAQ (``None``, the default: no such rule).

    The rule is checked when an item is proposed and when its headcount changes; items
    already on the roadmap stay as they are and show in the report of items without a
    PR/FAQ."""

    class Started(AttributedAggregate.Created):
        pass

    class PrFaqThresholdSet(AttributedAggregate.Event):
        prfaq_required_above: int | None
        previous: int | None
        reason: str

    def __init__(self) -> None:
        self.prfaq_required_above: int | None = None

    @staticmethod
    def create_id() -> UUID:
        return ROADMAP_SETTINGS_ID

    @classmethod
    def start(cls) -> RoadmapSettings:
        return cls()

    def require_prfaq_above(self, total_headcount: int | None, reason: str | None) -> None:
        """Items needing more than ``total_headcount`` people come from a PR/FAQ;
        ``None`` lifts the rule."""
        why = note_text(reason, "reason")
        if total_headcount is not None and not 0 <= total_headcount <= MAX_PRFAQ_THRESHOLD:
            raise InvalidValue(
                "prfaqRequiredAbove",
                f"`prfaqRequiredAbove` is a headcount from 0 to {MAX_PRFAQ_THRESHOLD}, or null",
            )
        self._prfaq_threshold_set(
            prfaq_required_above=total_headcount, previous=self.prfaq_required_above, reason=why
        )

    def needs_prfaq(self, total_headcount: int) -> bool:
        return self.prfaq_required_above is not None and total_headcount > self.prfaq_required_above

    def admit(self, item: RoadmapItem) -> None:
        """Refuse an item (new, or with a new headcount) above the threshold without a
        PR/FAQ."""
        total = item.total_headcount()
        if item.prfaq_id is None and self.needs_prfaq(total):
            raise RoadmapItemNeedsPrFaq(
                f"The item needs {total} people, more than {self.prfaq_required_above}: "
                "leadership requires such items to come from an approved PR/FAQ (`prfaqId`)",
                item_id=str(item.id),
                headcount=total,
                prfaq_required_above=self.prfaq_required_above,
            )

    @event(PrFaqThresholdSet)
    def _prfaq_threshold_set(
        self, prfaq_required_above: int | None, previous: int | None, reason: str
    ) -> None:
        self.prfaq_required_above = prfaq_required_above
