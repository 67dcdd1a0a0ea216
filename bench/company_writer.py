"""Commands run in memory, saved many to a transaction through the application.

The generator keeps every aggregate of the company in memory and changes it with
the domain methods, one :meth:`Writer.command` block per command, inside
``acting_as`` as the command bus does. When a block ends, the events it
triggered are taken from its aggregates in the order the command's unit of work
would save them, so the log reads exactly as if the commands had run one by
one; only the transaction boundaries differ (``app.save`` of thousands of events
at a time). Claims are kept here too, taken and released as the commands do.

Snapshots are taken every ``SNAPSHOT_INTERVAL`` events, as the application does,
but from the aggregate in memory instead of by reading its events back: the
state is encoded at once (later commands mutate the same objects) and written
after the events it summarises.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent

from domain.claims import Claim, ClaimKind, claim_id
from domain.metrics import Metric, MetricYear
from domain.provenance import acting_as
from services.application import SNAPSHOT_INTERVAL, Flywheel

A = TypeVar("A", bound=Aggregate)

# Events per app.save. The recorder inserts them through a psycopg pipeline, which was
# seen to deadlock on a Unix socket (the embedded PostgreSQL) with 5,000 events, a few
# MB in one INSERT: both ends waiting to read. A few hundred stay far below that.
BATCH_EVENTS = 250


class Work:
    """The aggregates one command changes, in the order its unit of work saves them."""

    def __init__(self, writer: Writer) -> None:
        self._writer = writer
        self.aggregates: dict[UUID, Aggregate] = {}

    def touch(self, *aggregates: Aggregate) -> None:
        for aggregate in aggregates:
            self.aggregates.setdefault(aggregate.id, aggregate)

    def add(self, aggregate: A) -> A:
        self.touch(aggregate)
        return aggregate

    def year(self, metric: Metric, period_end: date) -> MetricYear:
        """The metric's year holding ``period_end``, started on its first value, as the
        command finds it (``services.metrics.observations.year_of``)."""
        years = self._writer.years
        year_id = MetricYear.create_id(metric.id, period_end.year)
        year = years.get(year_id)
        if year is None:
            year = years[year_id] = MetricYear.start(metric, period_end.year)
        self.touch(year)
        return year

    def claim(self, kind: ClaimKind, key: str, holder: UUID) -> None:
        """Take the key for ``holder``; a key held by another is a bug in the generator."""
        claims = self._writer.claims
        claim = claims.get(claim_id(kind, key))
        if claim is None:
            claim = Claim.register(kind, key, holder)
            claims[claim.id] = claim
        else:
            claim.take(holder)
        self.touch(claim)

    def release(self, kind: ClaimKind, key: str, holder: UUID) -> None:
        claim = self._writer.claims.get(claim_id(kind, key))
        if claim is not None:
            claim.release(holder)
            self.touch(claim)


class Writer:
    def __init__(self, app: Flywheel, *, batch_events: int = BATCH_EVENTS) -> None:
        self.app = app
        self.batch_events = batch_events
        self.claims: dict[UUID, Claim] = {}
        self.years: dict[UUID, MetricYear] = {}
        self.counts: Counter[str] = Counter()
        self.saved = 0
        self.snapshots_saved = 0
        self.seconds_saving = 0.0
        self._events: list[Any] = []
        self._snapshots: list[StoredEvent] = []

    @contextmanager
    def command(self, actor: str) -> Iterator[Work]:
        """One command by ``actor``: its events get the actor and a fresh correlation id."""
        work = Work(self)
        with acting_as(actor, str(uuid4())):
            yield work
        for aggregate in work.aggregates.values():
            events = aggregate.collect_events()
            if not events:
                continue
            self._events.extend(events)
            if (
                aggregate.version // SNAPSHOT_INTERVAL
                > (aggregate.version - len(events)) // SNAPSHOT_INTERVAL
            ):
                self._snapshot(aggregate)
        if len(self._events) >= self.batch_events:
            self.flush()

    def _snapshot(self, aggregate: Aggregate) -> None:
        assert self.app.snapshots is not None
        snapshot_class: Any = getattr(type(aggregate), "Snapshot", type(self.app).snapshot_class)
        snapshot = snapshot_class.take(aggregate)
        self._snapshots.append(self.app.snapshots.mapper.to_stored_event(snapshot))

    def flush(self) -> None:
        """Save the pending events in one transaction, then their snapshots."""
        if not self._events:
            return
        started = time.perf_counter()
        self.app.save(*self._events)
        if self._snapshots:
            assert self.app.snapshots is not None
            self.app.snapshots.recorder.insert_events(self._snapshots)
        self.seconds_saving += time.perf_counter() - started
        self.counts.update(type(event).__qualname__ for event in self._events)
        self.saved += len(self._events)
        self.snapshots_saved += len(self._snapshots)
        self._events.clear()
        self._snapshots.clear()
