"""GraphQL subscriptions over ``graphql-transport-ws``: the log's events and the views'
position, both following the log by its position (see docs/FEEDS.md).

The connection is authenticated once, in ``connection_init``, with the bearer token
(``{"Authorization": "Bearer <token>"}``; see ``services/graphql/controller.py``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from projections.feeds.queries import FeedFilter, team_scope
from projections.org import queries as org_queries
from projections.reading import ReadSession
from services.audit.rest import event_fields
from services.feeds.follow import IDLE_RECHECK_SECONDS, bounded, follow
from services.graphql.common import FlywheelInfo, context, uuid_of
from services.graphql.errors import client_error, forbidden
from services.principal import Principal, Role

log = logging.getLogger(__name__)

# A close code of the application range (4000-4999) that graphql-transport-ws leaves
# free: the server stopped sending because the client did not read what it was sent.
SLOW_CONSUMER = 4008
SLOW_CONSUMER_REASON = "Slow consumer: resubscribe with `after` at the last position you read"
MAX_POSITION = 2**63 - 1
MAX_TYPES = 100
MAX_TYPE_LENGTH = 200
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
EVENTS_DESCRIPTION = (
    "The log's events as `/api/v1/events` shows them: first those after `after` "
    "(catch-up), then each new one as the views reach it (live), in log order, each with "
    "its position. Resubscribe with `after` at the last position you received to resume "
    "exactly where you stopped. Auditors and leadership only."
)


@strawberry.type(description="One event of the log, as `/api/v1/events` shows it.")
class FeedEvent:
    position: int = strawberry.field(
        description="The event's position in the log: the cursor to resume after."
    )
    type: str = strawberry.field(description="The event type, e.g. `Team.LeaderAppointed`.")
    aggregate_id: strawberry.ID = strawberry.field(description="The aggregate's id (a UUID).")
    aggregate_version: int = strawberry.field(description="The aggregate's version it made.")
    at: datetime = strawberry.field(
        description="The log time: never earlier than the previous event's."
    )
    recorded_at: datetime = strawberry.field(description="When the event was recorded.")
    actor: str | None = strawberry.field(description="Who made it.")
    correlation_id: str | None = strawberry.field(description="The request it was made in.")
    reason: str | None = strawberry.field(description="Why, where the command takes a reason.")
    data: JSON = strawberry.field(description="The event's own fields.")
    chain_hash: str | None = strawberry.field(
        description="The event's link in the hash chain (hex)."
    )


@strawberry.type(description="The position the views reached.")
class ViewsAdvanced:
    position: int = strawberry.field(
        description="Every view reflects the log up to this position: send it as "
        "`X-Flywheel-Position` to read at least that far."
    )


def feed_event(row: Any) -> FeedEvent:
    return FeedEvent(
        **event_fields(row) | {"aggregate_id": strawberry.ID(str(row["aggregate_id"]))}
    )


def _subscriber(info: FlywheelInfo) -> Principal:
    principal = context(info).principal
    if principal is None:
        raise forbidden("Send the bearer token in `connection_init`")
    return principal


def event_types(types: list[str] | None) -> tuple[str, ...] | None:
    """The event types asked for, checked: no control characters, not too many."""
    if types is None:
        return None
    if len(types) > MAX_TYPES:
        raise client_error(f"Ask for at most {MAX_TYPES} event types")
    for name in types:
        if not name or len(name) > MAX_TYPE_LENGTH or CONTROL_CHARACTER.search(name):
            raise client_error(f"Not an event type: {name!r}")
    return tuple(types)


@strawberry.type
class FeedSubscription:
    @strawberry.subscription(description=EVENTS_DESCRIPTION)
    async def events(
        self,
        info: FlywheelInfo,
        after: Annotated[
            int,
            strawberry.argument(
                description="Send the events after this position (0: from the beginning)."
            ),
        ] = 0,
        types: Annotated[
            list[str] | None,
            strawberry.argument(description="Only events of these types, e.g. `Team.Chartered`."),
        ] = None,
        team_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only events concerning this team: its own, those naming it, and "
                "those of aggregates created for it (see docs/FEEDS.md)."
            ),
        ] = None,
        include_subteams: Annotated[
            bool,
            strawberry.argument(
                description="With `teamId`: also the events concerning the teams under it "
                "(the tree as it is when subscribing)."
            ),
        ] = False,
    ) -> AsyncGenerator[FeedEvent, None]:
        principal = _subscriber(info)
        if not ({Role.AUDITOR, Role.LEADERSHIP} & principal.roles):
            raise forbidden("Following the event log needs the `auditor` or `leadership` role")
        if not 0 <= after <= MAX_POSITION:
            raise client_error("`after` must be a log position (an integer >= 0)")
        ctx = context(info)
        runtime = ctx.runtime
        pool = runtime.read_pool
        assert pool is not None
        teams: tuple[Any, ...] | None = None
        if team_id is not None:
            team = uuid_of(team_id, "Team", "teamId")
            async with pool.acquire() as conn:
                found = await team_scope(conn, [team], include_subteams=include_subteams)
            if not found:
                raise client_error(f"No team {team_id!r}", "not-found")
            teams = tuple(found)
        feed = FeedFilter(types=event_types(types), teams=teams)
        settings = runtime.settings

        async def disconnect() -> None:
            log.warning(
                "feeds: slow consumer disconnected (%s, %s events unread)",
                principal.subject,
                settings.subscription_queue,
            )
            if ctx.websocket is not None:
                await ctx.websocket.close(code=SLOW_CONSUMER, reason=SLOW_CONSUMER_REASON)

        with runtime.subscriptions.slot(principal.subject):
            source = follow(pool, runtime.watcher, feed, after=after)
            async for row in bounded(
                source,
                size=settings.subscription_queue,
                slow_seconds=settings.subscription_slow_seconds,
                on_slow=disconnect,
            ):
                yield feed_event(row)

    @strawberry.subscription(
        description="The position the views reached, now and whenever it moves: refetch "
        "what you show when it passes the position of a change you care about. Positions "
        "in between may be skipped: each message is the latest."
    )
    async def views_advanced(self, info: FlywheelInfo) -> AsyncGenerator[ViewsAdvanced, None]:
        principal = _subscriber(info)
        ctx = context(info)
        runtime = ctx.runtime
        if not principal.roles:
            assert runtime.read_pool is not None
            async with ReadSession(runtime.read_pool) as session:
                if not await org_queries.teams_led_by(session, [principal.subject], None):
                    raise forbidden("Following the views needs a role or the lead of a team")
        watcher = runtime.watcher
        with runtime.subscriptions.slot(principal.subject):
            position = watcher.position
            yield ViewsAdvanced(position=position)
            while True:
                await watcher.wait_for(position + 1, IDLE_RECHECK_SECONDS)
                if watcher.position > position:
                    position = watcher.position
                    yield ViewsAdvanced(position=position)
