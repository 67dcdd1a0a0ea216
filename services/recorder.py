"""The event store's recorder: the library's default insert path, plus two
things written in the same transaction as the events. It also creates the
other tables Flywheel keeps beside the events (idempotency keys, rate limits).

- **The hash chain** (defined in ``projections/chain.py``, which the projection
  runner checks too). For each stored event, ``event_hash`` is SHA-256 over all
  of its columns and ``chain_hash`` is SHA-256 over the previous chain hash and
  this event's hash. Inserts hold the library's EXCLUSIVE table lock, so the
  previous link read here is the one before these events. An event written to
  the table by any other path has no link, and one altered or removed later
  no longer matches its link: ``flywheel verify`` finds both.
- **Erasures.** Inserting a ``Person.Erased`` event destroys that person's
  personal-data key (``services.personal_data``) in the same transaction.
- **Idempotency outcomes.** A command sent with an ``Idempotency-Key`` records
  its outcome (aggregate, version, log position) against the key atomically
  with its events, so a retry can never record the command twice.
"""

from __future__ import annotations

import select
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
)
from psycopg import Connection, Cursor, OperationalError
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from projections.chain import CHAIN_TABLE, GENESIS, chain_hash, event_hash
from services.feeds.tables import webhook_ddl
from services.personal_data import destroy_keys_of_erased, key_table_ddl

APPLICATION_NAME = "flywheel"
EVENTS_TABLE = f"{APPLICATION_NAME}_events"
IDEMPOTENCY_TABLE = "flywheel_idempotency"
RATE_LIMIT_TABLE = "flywheel_rate_limits"


# The library retries a lost connection ten times, 0.2 s apart, each after the
# pool's own wait: an outage becomes a half-minute hang. Flywheel does not retry:
# the pool checks a connection before handing it out (pre-ping) and replaces a
# stale one, so a failure means the database cannot be reached, and the request
# answers 503 with Retry-After once the pool's wait (CONNECT_TIMEOUT_SECONDS) is
# spent, not twice that. Retrying a write would be worse than slow: an insert
# whose COMMIT reached the server but whose answer was lost would conflict with
# itself and be reported as a concurrent change.


class FailFastRecorder(PostgresAggregateRecorder):
    """The library's recorder, calling its insert and select without their retries."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        insert: Any = super().insert_events
        result: Sequence[int] | None = insert.__wrapped__(self, stored_events, **kwargs)
        return result

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        select: Any = super().select_events
        events: Sequence[StoredEvent] = select.__wrapped__(
            self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        return events


@dataclass
class IdempotentOutcome:
    """What a command sent with an ``Idempotency-Key`` must remember."""

    subject: str
    key: str
    status: int
    kind: str = ""
    aggregate_id: UUID | None = None
    version: int = 0


class FlywheelRecorder(FailFastRecorder, PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name=events_table_name)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
                "position bigint PRIMARY KEY, event_hash bytea NOT NULL, chain_hash bytea NOT NULL)"
            ).format(schema=schema, chain=Identifier(CHAIN_TABLE)),
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "subject text NOT NULL, key text NOT NULL, fingerprint text NOT NULL, "
                "locked_until timestamptz NOT NULL, status integer, outcome jsonb, "
                "body bytea, media_type text, created_at timestamptz NOT NULL DEFAULT now(), "
                "PRIMARY KEY (subject, key))"
            ).format(schema=schema, table=Identifier(IDEMPOTENCY_TABLE)),
            SQL("CREATE INDEX IF NOT EXISTS {index} ON {schema}.{table} (created_at)").format(
                index=Identifier(f"{IDEMPOTENCY_TABLE}_created_at_idx"),
                schema=schema,
                table=Identifier(IDEMPOTENCY_TABLE),
            ),
            # Rate-limit counters are disposable: UNLOGGED skips the WAL.
            SQL(
                "CREATE UNLOGGED TABLE IF NOT EXISTS {schema}.{table} ("
                "caller text NOT NULL, window_start bigint NOT NULL, hits integer NOT NULL, "
                "PRIMARY KEY (caller, window_start))"
            ).format(schema=schema, table=Identifier(RATE_LIMIT_TABLE)),
            *key_table_ddl(self.datastore.schema),
            *(SQL(statement) for statement in webhook_ddl(self.datastore.schema)),  # type: ignore[arg-type,list-item]
        ]
        self._last_link = SQL(
            "SELECT chain_hash FROM {schema}.{chain} ORDER BY position DESC LIMIT 1"
        ).format(schema=schema, chain=Identifier(CHAIN_TABLE))
        self._insert_links = SQL(
            "INSERT INTO {schema}.{chain} (position, event_hash, chain_hash) "
            "SELECT * FROM unnest(%s::bigint[], %s::bytea[], %s::bytea[])"
        ).format(schema=schema, chain=Identifier(CHAIN_TABLE))
        self._queued_link = threading.local()  # a save's last-link read, per thread
        self._record_outcome = SQL(
            "UPDATE {schema}.{table} SET status = %s, outcome = %s WHERE subject = %s AND key = %s"
        ).format(schema=schema, table=Identifier(IDEMPOTENCY_TABLE))

    def _notify_channel(self, curs: Cursor[DictRow]) -> None:
        """The library's NOTIFY, sent under the table lock before the insert; with it,
        the read of the chain's last link, whose answer comes back in the round trip
        that inserts the events (the library syncs the pipeline once there), instead of
        one more round trip while the lock is held."""
        super()._notify_channel(curs)
        self._discard_queued_link()
        last_link = curs.connection.cursor()
        last_link.execute(self._last_link, prepare=True)
        self._queued_link.cursor = last_link

    def _discard_queued_link(self) -> Cursor[DictRow] | None:
        queued: Cursor[DictRow] | None = getattr(self._queued_link, "cursor", None)
        self._queued_link.cursor = None
        if queued is not None and queued.closed:
            return None
        return queued

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if ids:
            self._link(curs, ids, stored_events)
            destroy_keys_of_erased(curs, self.datastore.schema, stored_events)
            outcome = kwargs.get("idempotency")
            if isinstance(outcome, IdempotentOutcome):
                self._remember(curs, outcome, max(ids))
        return ids

    def _link(
        self, curs: Cursor[DictRow], ids: Sequence[int], events: Sequence[StoredEvent]
    ) -> None:
        queued = self._discard_queued_link()
        if queued is None:
            curs.execute(self._last_link, prepare=True)
            row = curs.fetchone()
        else:
            with queued:
                row = queued.fetchone()
        previous: bytes = bytes(row["chain_hash"]) if row else GENESIS
        hashes, links = [], []
        for position, event in sorted(zip(ids, events, strict=True), key=lambda pair: pair[0]):
            this = event_hash(
                position, event.originator_id, event.originator_version, event.topic, event.state
            )
            previous = chain_hash(previous, this)
            hashes.append(this)
            links.append(previous)
        curs.execute(self._insert_links, (sorted(ids), hashes, links), prepare=True)

    def _remember(self, curs: Cursor[DictRow], outcome: IdempotentOutcome, position: int) -> None:
        document = msgspec.json.encode(
            {
                "kind": outcome.kind,
                "id": str(outcome.aggregate_id),
                "version": outcome.version,
                "position": position,
            }
        ).decode()
        curs.execute(self._record_outcome, (outcome.status, document, outcome.subject, outcome.key))


class FlywheelFactory(PostgresFactory):
    """The library's PostgreSQL persistence with Flywheel's two recorders."""

    aggregate_recorder_class = FailFastRecorder
    application_recorder_class = FlywheelRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The pool waits POSTGRES_CONNECT_TIMEOUT for a connection; libpq's own
        # connect_timeout bounds each attempt, so a host that drops packets ties up
        # a pool worker for that long rather than the operating system's minutes.
        pool = self.datastore.pool
        assert isinstance(pool.kwargs, dict)  # the datastore passes a dict
        pool.kwargs["connect_timeout"] = int(pool.timeout)
        # Check each connection handed out without a round trip (the library's
        # pre-ping costs one per checkout, several per command).
        pool._check = check_without_round_trip  # the pool's check, set by its constructor


def check_without_round_trip(conn: Connection[Any]) -> None:
    """Refuse a pooled connection the server has closed: an idle connection's socket
    is readable only when the server spoke unasked, which on these connections (no
    LISTEN) is the notice and end of file of a restart or a terminated backend.
    A dropped network is found by the query itself, as by a ping."""
    if conn.closed or conn.broken:
        raise OperationalError("the connection is closed")
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    if readable:
        conn.close()  # so that the pool discards it rather than handing it out again
        raise OperationalError("the server closed the connection")
