"""What auditors read over HTTP: the event log, and a signed digest of its chain."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from litestar.response import Stream

from domain.errors import InvalidValue
from projections.views import LIVE_SCHEMA
from services.api.guards import roles_only
from services.api.problems import problem_responses
from services.api.read_position import wait_for_wanted_position
from services.audit import chain as audit
from services.dates import YEARS, parse_moment
from services.principal import Principal, Role
from services.recorder import CHAIN_TABLE

if TYPE_CHECKING:  # the runtime assembles the areas; services/api/app.py resolves it
    from services.runtime import Runtime

NDJSON = "application/x-ndjson"
MAX_PAGE = 1000
MAX_POSITION = 2**63 - 1  # a bigint
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
STREAM_FETCH = 1000


# Raw history is for auditors and leadership.
auditors_only = roles_only(
    frozenset({Role.AUDITOR, Role.LEADERSHIP}),
    "Reading the event history needs the `auditor` or `leadership` role",
)


class LoggedEvent(msgspec.Struct, rename="camel"):
    position: int
    type: str
    aggregate_id: UUID
    aggregate_version: int
    at: datetime
    recorded_at: datetime
    actor: str | None
    correlation_id: str | None
    reason: str | None
    data: dict[str, Any]
    chain_hash: str | None


class EventPage(msgspec.Struct, rename="camel"):
    events: list[LoggedEvent]
    next_after: int | None = msgspec.field(name="nextAfter", default=None)


class PublicKey(msgspec.Struct, rename="camel"):
    algorithm: str
    public_key: str


class SignedDigest(msgspec.Struct, rename="camel"):
    version: str
    position: int
    chain_hash: str
    signed_at: str
    algorithm: str
    public_key: str
    signature: str


def _printable(value: str | None, parameter: str) -> str | None:
    """No actor or event type holds a control character, and a NUL cannot even be
    sent to PostgreSQL: refuse one rather than fail the query."""
    if value is not None and CONTROL_CHARACTER.search(value):
        raise InvalidValue(parameter, f"`{parameter}` must not hold control characters")
    return value


def _selection(
    after: int,
    aggregate_id: UUID | None,
    event_type: str | None,
    actor: str | None,
    since: datetime | None,
    until: datetime | None,
) -> tuple[str, list[Any]]:
    args: list[Any] = [after]
    conditions = ["l.position > $1"]
    for column, operator, value in (
        ("aggregate_id", "=", aggregate_id),
        ("type", "=", event_type),
        ("actor", "=", actor.lower() if actor else None),
        ("at", ">=", since),
        ("at", "<", until),
    ):
        if value is not None:
            args.append(value)
            conditions.append(f"l.{column} {operator} ${len(args)}")
    sql = (
        "SELECT l.position, l.type, l.aggregate_id, l.aggregate_version, l.at, l.recorded_at, "
        "l.actor, l.correlation_id, l.reason, l.data::text AS data, "
        "encode(c.chain_hash, 'hex') AS chain_hash "
        f'FROM "{LIVE_SCHEMA}".event_log l LEFT JOIN {CHAIN_TABLE} c ON c.position = l.position '
        f"WHERE {' AND '.join(conditions)} ORDER BY l.position"
    )
    return sql, args


def event_fields(row: Any) -> dict[str, Any]:
    """An event-log row (with its link's ``chain_hash``) as ``/api/v1/events`` shows it:
    :class:`LoggedEvent`'s fields, the event's ``data`` decoded."""
    fields = {name: row[name] for name in LoggedEvent.__struct_fields__}
    return fields | {"data": msgspec.json.decode(row["data"])}


def _logged(row: Any) -> LoggedEvent:
    return LoggedEvent(**event_fields(row))


class AuditController(Controller):
    path = "/api/v1"
    tags = ["Audit"]
    guards = [auditors_only]

    @get(
        "/events",
        summary="The event log, a page at a time or streamed",
        description="Events in log order, after a position, filtered by aggregate, type, actor "
        "and time. With `Accept: application/x-ndjson` the whole selection is streamed, one "
        "event per line. Send `X-Flywheel-Position` with a command's position to read at least "
        "that far. Auditors and leadership only.",
        responses=problem_responses(400, 401, 403, 429, 503),
    )
    async def events(
        self,
        request: Request[Principal, Any, Any],
        runtime: NamedDependency[Runtime],
        after: Annotated[
            int,
            Parameter(ge=0, le=MAX_POSITION, description="Return events after this position."),
        ] = 0,
        limit: Annotated[int, Parameter(ge=1, le=MAX_PAGE, description="Page size.")] = 100,
        aggregate_id: Annotated[UUID | None, QueryParameter(name="aggregateId")] = None,
        event_type: Annotated[
            str | None,
            QueryParameter(name="type", max_length=200, description="e.g. Team.LeaderAppointed"),
        ] = None,
        actor: Annotated[str | None, Parameter(max_length=254)] = None,
        since: Annotated[
            str | None,
            QueryParameter(
                name="from",
                description=f"Events at or after this time (ISO 8601; UTC if no offset; "
                f"years {YEARS}).",
            ),
        ] = None,
        until: Annotated[
            str | None,
            QueryParameter(
                name="to",
                description=f"Events before this time (ISO 8601; UTC if no offset; years {YEARS}).",
            ),
        ] = None,
    ) -> Response[Any]:
        await wait_for_wanted_position(request, runtime)
        sql, args = _selection(
            after,
            aggregate_id,
            _printable(event_type, "type"),
            _printable(actor, "actor"),
            None if since is None else parse_moment(since, "from"),
            None if until is None else parse_moment(until, "to"),
        )
        pool = runtime.read_pool
        assert pool is not None
        if NDJSON in request.headers.get("accept", ""):
            return Stream(_stream(pool, sql, args), media_type=NDJSON)
        async with pool.acquire() as conn:
            rows = await conn.fetch(f"{sql} LIMIT {limit + 1}", *args)
        events = [_logged(row) for row in rows[:limit]]
        next_after = events[-1].position if len(rows) > limit else None
        return Response(EventPage(events=events, next_after=next_after))

    @get(
        "/audit/digest",
        summary="The head of the hash chain, signed",
        description="The last log position and its chain hash, signed with the server's Ed25519 "
        "key. Keep digests: `flywheel verify --digest FILE` proves the history up to one was "
        "not rewritten since.",
        responses=problem_responses(401, 403, 429, 503),
    )
    async def digest(self, runtime: NamedDependency[Runtime]) -> SignedDigest:
        pool = runtime.primary_pool
        assert pool is not None
        async with pool.acquire() as conn:
            row = await conn.fetchrow(
                f"SELECT position, chain_hash FROM {CHAIN_TABLE} ORDER BY position DESC LIMIT 1"
            )
        position, head = (row["position"], bytes(row["chain_hash"])) if row else (0, audit.GENESIS)
        return msgspec.convert(
            audit.sign_digest(runtime.signing_key, position, head).as_json(), SignedDigest
        )

    @get(
        "/audit/public-key",
        summary="The public key that signs digests",
        description="The server's Ed25519 public key (base64 of its 32 bytes), the one every "
        "digest, export and digest file is signed with. Pin it once and pass it to "
        "`docs/verify_export.py --public-key`; compare it with `flywheel audit public-key` "
        "run by whoever holds the key, or with the copy published out of band.",
        responses=problem_responses(401, 403, 429),
    )
    async def public_key(self, runtime: NamedDependency[Runtime]) -> PublicKey:
        return PublicKey(
            algorithm="Ed25519", public_key=audit.public_key_text(runtime.signing_key.public_key())
        )


async def _stream(pool: Any, sql: str, args: list[Any]) -> AsyncIterator[bytes]:
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        async for row in conn.cursor(sql, *args, prefetch=STREAM_FETCH):
            yield msgspec.json.encode(_logged(row)) + b"\n"
