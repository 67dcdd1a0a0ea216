"""Property: reading the views as of a position equals replaying the log up to it.

Hypothesis draws random sequences of team commands (many of them refused, on
purpose). After running them, for a few positions ``p`` it compares what the live
views answer ``as of p`` with what a fresh replay of the log up to ``p`` answers
as its current state. They must be equal for every query the API serves.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.org.team import Attachment
from domain.people.values import Function
from projections.org import queries as org_queries
from projections.paging import PageRequest
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.org import rest as org
from services.runtime import Runtime
from tests.people import CEO

pytestmark = pytest.mark.slow

NAMES = ["Payments", "Risk", "Search", "Catalog", "Ads"]
PEOPLE = [f"p{n}@example.com" for n in range(6)]
SHADOW = "views_check"


@dataclass(frozen=True)
class Charter:
    name: str
    leader: str
    parent: int | None


@dataclass(frozen=True)
class Appoint:
    team: int
    leader: str


@dataclass(frozen=True)
class AddMember:
    team: int
    person: str
    function: Function
    attachment: Attachment


@dataclass(frozen=True)
class RemoveMember:
    team: int
    person: str


@dataclass(frozen=True)
class Disband:
    team: int


team = st.integers(0, 5)
person = st.sampled_from(PEOPLE)
charters = st.lists(
    st.builds(Charter, st.sampled_from(NAMES), person, st.none() | team), min_size=1, max_size=3
)
commands = st.lists(
    st.one_of(
        st.builds(Charter, st.sampled_from(NAMES), person, st.none() | team),
        st.builds(Appoint, team, person),
        st.builds(AddMember, team, person, st.sampled_from(Function), st.sampled_from(Attachment)),
        st.builds(RemoveMember, team, person),
        st.builds(Disband, team),
    ),
    max_size=12,
)


def run(runtime: Runtime, sequence: list[Any]) -> list[int]:
    """Run the commands; returns the position after each one that was accepted."""
    teams: list[UUID] = []
    positions: list[int] = []
    commands = runtime.org

    def pick(index: int) -> UUID:
        return teams[index % len(teams)]

    for command in sequence:
        try:
            if isinstance(command, Charter):
                parent = pick(command.parent) if command.parent is not None and teams else None
                outcome = commands.charter_team(
                    CommandContext(CEO, "prop"),
                    org.CharterTeam(
                        name=command.name, mission="m", leader=command.leader, parent_id=parent
                    ),
                )
                teams.append(outcome.id)
            elif not teams:
                continue
            elif isinstance(command, Appoint):
                outcome = commands.appoint_leader(
                    CommandContext(CEO, "prop"),
                    pick(command.team),
                    org.AppointLeader(leader=command.leader, reason="r"),
                )
            elif isinstance(command, AddMember):
                outcome = commands.add_member(
                    CommandContext(CEO, "prop"),
                    pick(command.team),
                    org.AddMember(
                        person=command.person,
                        function=command.function,
                        attachment=command.attachment,
                    ),
                )
            elif isinstance(command, RemoveMember):
                outcome = commands.remove_member(
                    CommandContext(CEO, "prop"), pick(command.team), person=command.person
                )
            else:
                outcome = commands.disband_team(
                    CommandContext(CEO, "prop"), pick(command.team), org.DisbandTeam(reason="r")
                )
        except DomainError:
            continue
        positions.append(outcome.position)
    return positions


def head_of_log(runtime: Runtime) -> int:
    with psycopg.connect(runtime.database.url) as conn:
        row = conn.execute(
            "SELECT coalesce(max(notification_id), 0) FROM flywheel_events"
        ).fetchone()
    assert row is not None
    return int(row[0])


def plain(rows: Any) -> Any:
    if isinstance(rows, dict):
        return {
            str(key): plain(value) for key, value in sorted(rows.items(), key=lambda kv: str(kv[0]))
        }
    if isinstance(rows, list):
        return [plain(row) for row in rows]
    if isinstance(rows, asyncpg.Record):
        return dict(rows)
    return rows


async def answers(db: ReadSession, at: int | None) -> dict[str, Any]:
    """Everything the org API can be asked, as of ``at``."""
    page = await org_queries.team_page(db, at, org_queries.TeamFilter(), PageRequest(100))
    ids = [row["id"] for row in page.rows]
    return plain(
        {
            "teams": page.rows,
            "total": page.total,
            "by_id": await org_queries.teams_by_id(db, ids, at),
            "leaders": await org_queries.leader_history(db, ids, at),
            "members": await org_queries.members_of(db, ids, at),
            "children": await org_queries.children_of(db, ids, at),
            "led": await org_queries.teams_led_by(db, PEOPLE, at),
            "memberships": await org_queries.memberships_of(db, PEOPLE, at),
            "people": sorted(await org_queries.known_people(db, PEOPLE, at)),
        }
    )


async def compare(runtime: Runtime, positions: list[int]) -> None:
    runner = runtime.projection_runner(batch_size=3)  # the live views follow in small batches
    conn = await asyncpg.connect(runtime.database.url)
    pool = await asyncpg.create_pool(runtime.database.url, min_size=1, max_size=2)
    try:
        live = await runner.prepare(conn)
        await runner.catch_up(conn, live)
        for position in positions:
            await runner.build_shadow(conn, SHADOW, until=position)
            async with ReadSession(pool) as db:
                as_of = await answers(db, position)
            async with ReadSession(pool, schema=SHADOW) as db:
                replayed = await answers(db, None)
            assert as_of == replayed, f"as of {position}"
    finally:
        await pool.close()
        await conn.close()


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    first=charters,
    then=commands,
    picks=st.lists(st.integers(0, 10_000), min_size=1, max_size=4, unique=True),
)
def test_as_of_equals_a_replay_up_to_that_position(
    runtime: Runtime, first: list[Charter], then: list[Any], picks: list[int]
) -> None:
    start = head_of_log(runtime)
    positions = run(runtime, [*first, *then])
    if not positions:
        return
    # Examples share one database, so the picks are offsets into this example's own span.
    span = max(positions) - start + 1
    asyncio.run(compare(runtime, sorted({start + pick % span for pick in picks})))
