"""Running a command: load, decide, save atomically, retry on a lost race.

A command is a function of a :class:`UnitOfWork`. It loads the aggregates it
needs, calls their methods (which check the rules and trigger events), takes or
releases :mod:`claims <domain.claims>`, and returns the aggregate it is about
(which need not change itself: a value recorded for a metric changes the
metric's year, and the command answers with the metric at its version).
:class:`CommandBus` then saves every changed aggregate in one atomic write. When
another writer got there first, the event store refuses the write; the command
is run again from fresh state, so the loser either succeeds or meets the rule
it would break, never a silent overwrite.

Commands that only compete (twenty services registered for one team at once
all write that team) are retried until they get through: after a lost race the
command waits a random time up to a doubling ceiling ("full jitter"), so the
losers spread out instead of colliding again, within :data:`RETRY_BUDGET_SECONDS`.
Only if other commands keep winning for that long does it give up with
``concurrent-change``, which tells the client when to try again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.claims import Claim, ClaimHeld, ClaimKind, claim_id
from domain.errors import DomainError, NotFound, RuleViolation
from domain.provenance import acting_as
from services.idempotency import current_outcome
from services.principal import Principal

if TYPE_CHECKING:  # the application's aggregates come from the areas, whose commands use this
    from services.api.commands import CommandContext
    from services.application import Flywheel

A = TypeVar("A", bound=Aggregate)

RETRY_BUDGET_SECONDS = 10.0
FIRST_BACKOFF_SECONDS = 0.005
MAX_BACKOFF_SECONDS = 0.25
RETRY_AFTER_SECONDS = 1


class ConcurrentChange(RuleViolation):
    """Other commands changed the same records first, every time this one was
    retried for several seconds. Nothing was recorded; send the command again
    after `Retry-After` seconds."""

    rule = "concurrent-change"
    retry_after = RETRY_AFTER_SECONDS


class Forbidden(DomainError):
    """The caller's roles (or leadership of the team) do not allow this command."""


class VersionMismatch(DomainError):
    """The aggregate is not at the version the caller expected (If-Match)."""


@dataclass(frozen=True)
class Outcome:
    """What a successful command reached: the aggregate (or what it created inside the
    aggregate, see :meth:`UnitOfWork.answer_with`), the aggregate's version, the log position;
    ``number`` where the command numbered what it made inside the aggregate (a review round)."""

    id: UUID
    kind: str
    version: int
    position: int
    number: int | None = None


class UnitOfWork:
    def __init__(self, app: Flywheel) -> None:
        self._app = app
        self._loaded: dict[UUID, Aggregate] = {}
        self._answer: tuple[str, UUID] | None = None

    def get(self, kind: type[A], aggregate_id: UUID, *, label: str) -> A:
        aggregate = self.find(kind, aggregate_id)
        if aggregate is None:
            raise NotFound(label, aggregate_id)
        return aggregate

    def find(self, kind: type[A], aggregate_id: UUID) -> A | None:
        aggregate = self._loaded.get(aggregate_id)
        if aggregate is None:
            try:
                aggregate = self._app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
            self._loaded[aggregate_id] = aggregate
        return aggregate if isinstance(aggregate, kind) else None

    def add(self, aggregate: A) -> A:
        self._loaded[aggregate.id] = aggregate
        return aggregate

    def history(self, aggregate_id: UUID) -> list[object]:
        """Every event of one aggregate as stored, oldest first (upcast to today's classes)."""
        return list(self._app.repository.event_store.get(aggregate_id))

    @property
    def changed(self) -> bool:
        """Whether the command triggered an event on any aggregate it loaded or added."""
        return any(aggregate.pending_events for aggregate in self._loaded.values())

    def claim(self, kind: ClaimKind, key: str, holder: UUID) -> UUID | None:
        """Take the key for ``holder``; returns the other holder if it is taken."""
        claim = self.find(Claim, claim_id(kind, key))
        if claim is None:
            self.add(Claim.register(kind, key, holder))
            return None
        try:
            claim.take(holder)
        except ClaimHeld as held:
            return held.holder
        return None

    def release(self, kind: ClaimKind, key: str, holder: UUID) -> None:
        claim = self.find(Claim, claim_id(kind, key))
        if claim is not None:
            claim.release(holder)

    def answer_with(self, kind: str, answer_id: UUID) -> None:
        """Answer with something the command created inside the target aggregate (a
        dissent in an allocation cycle): its kind and id instead of the aggregate's."""
        self._answer = (kind, answer_id)

    def answer(self, target: Aggregate) -> tuple[str, UUID]:
        """The kind and id the command answers with."""
        return self._answer or (type(target).__name__, target.id)

    def outcome(self, target: Aggregate, position: int) -> Outcome:
        """What the command reached, once its events are at ``position``."""
        kind, answer_id = self.answer(target)
        return Outcome(id=answer_id, kind=kind, version=target.version, position=position)

    def save(self, target: Aggregate) -> int:
        outcome = current_outcome()
        if outcome is None:
            recordings = self._app.save(*self._loaded.values())
        else:
            outcome.kind, outcome.aggregate_id = self.answer(target)
            outcome.version = target.version
            recordings = self._app.save(*self._loaded.values(), idempotency=outcome)
        return max(recording.notification.id for recording in recordings)


Command = Callable[[UnitOfWork], Aggregate]


class CommandBus:
    def __init__(self, app: Flywheel) -> None:
        self.app = app

    def run(
        self,
        principal: Principal,
        correlation_id: str,
        command: Command,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        deadline = time.monotonic() + RETRY_BUDGET_SECONDS
        attempt = 0
        while True:
            work = UnitOfWork(self.app)
            with acting_as(principal.subject, correlation_id):
                target = run_unsaved(work, command, expected_version)
                try:
                    position = work.save(target)
                except IntegrityError:
                    attempt += 1
                    pause = _backoff(attempt)
                    if time.monotonic() + pause > deadline:
                        raise ConcurrentChange(
                            f"Gave up after {attempt} attempts in {RETRY_BUDGET_SECONDS:g}s: "
                            "other commands kept changing the same records first",
                            attempts=attempt,
                        ) from None
                    time.sleep(pause)
                    continue
            return work.outcome(target, position)


def run_unsaved(work: UnitOfWork, command: Command, expected_version: int | None) -> Aggregate:
    """Run ``command`` on ``work`` (inside ``acting_as``): the aggregate it is about, at the
    version ``expected_version`` names if given, with the events it recorded unsaved."""
    target = command(work)
    if expected_version is not None:
        _check_expected_version(target, expected_version)
    if not work.changed:
        raise RuntimeError(f"A command on {target.id} recorded no event")
    return target


class AreaCommands:
    """An area's command handler (``OrgCommands``, ``GoalCommands``...): each command
    method takes the :class:`~services.api.commands.CommandContext`, the ids the
    command is about and its body (the msgspec struct the REST API decodes), and
    runs on the bus as the context's caller."""

    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def run(self, context: CommandContext, command: Command, *, versioned: bool = True) -> Outcome:
        """Run ``command`` as the context's caller; at the aggregate version the context's
        ``If-Match`` names, unless the command is not ``versioned`` (it records a new
        aggregate, or its target is not the caller's to pin)."""
        expected = context.expected_version if versioned else None
        return self.bus.run(
            context.principal, context.correlation_id, command, expected_version=expected
        )

    def change(
        self,
        context: CommandContext,
        kind: type[A],
        aggregate_id: UUID,
        decide: Callable[[A, UnitOfWork], object],
        *,
        label: str,
        versioned: bool = True,
    ) -> Outcome:
        """The common shape: load one aggregate (404 naming ``label`` when there is none),
        let ``decide`` check who may and call the aggregate's method, save it at the
        version ``If-Match`` names (unless the command is not ``versioned``)."""

        def run(work: UnitOfWork) -> A:
            aggregate = work.get(kind, aggregate_id, label=label)
            decide(aggregate, work)
            return aggregate

        return self.run(context, run, versioned=versioned)


def _backoff(attempt: int) -> float:
    """Full jitter: anything up to a ceiling that doubles with each lost race."""
    ceiling = min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2**attempt)
    return random.uniform(0, ceiling)  # noqa: S311 - spreading retries, not cryptography


def _check_expected_version(target: Aggregate, expected_version: int) -> None:
    loaded_version = target.version - len(target.pending_events)
    if loaded_version != expected_version:
        raise VersionMismatch(
            f"{type(target).__name__} {target.id} is at version {loaded_version}, "
            f"not {expected_version}",
            current_version=loaded_version,
        )
