"""Text PostgreSQL cannot store, already in the log, never stops the views.

A log written before the write side refused them may hold NUL (PostgreSQL text
and jsonb cannot) and unpaired surrogates (not even UTF-8). Such events are put
into the log here the way the application always records events, hash-chain link
included, but with the command's text check bypassed: the aggregate's event
methods are called directly. The views store each such character as U+FFFD, the
same way live and in a rebuild.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from uuid import UUID, uuid4

import asyncpg
import psycopg
import pytest
from eventsourcing.persistence import JSONTranscoder
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.allocation.cycle import AllocationCycle, CycleKind
from domain.errors import InvalidValue
from domain.org.team import Attachment, Team
from domain.people.values import Function, PersonId
from domain.prfaqs import PrFaq, Ring, content_of
from domain.provenance import acting_as
from domain.values import clean_text
from projections.storable import storable
from services.api.commands import CommandContext
from services.org.rest import CharterTeam
from services.runtime import Runtime
from tests.integration.test_projections import snapshot
from tests.people import CEO


@contextmanager
def escaping_surrogates(runtime: Runtime) -> Iterator[None]:
    """Store events as ASCII JSON, so an unpaired surrogate is stored as its ``\\ud800``
    escape instead of failing to encode: how another writer may have stored one."""
    transcoder = runtime.app.mapper.transcoder
    assert isinstance(transcoder, JSONTranscoder)
    usual = transcoder.encoder
    transcoder.encoder = json.JSONEncoder(
        default=transcoder._encode_obj, separators=(",", ":"), ensure_ascii=True
    )
    try:
        yield
    finally:
        transcoder.encoder = usual


def record_unchecked_team(runtime: Runtime, name: str, mission: str, actor: str) -> Team:
    """A team chartered, led and staffed with text no command accepts today."""
    with acting_as(actor, "legacy"), escaping_surrogates(runtime):
        team = Team(name=name, mission=mission, leader=PersonId("lead@x.io"), parent_id=None)
        team._member_added(
            person=PersonId("m@x.io"), function=Function.DESIGN, attachment=Attachment.REPORTS
        )
        team._member_removed(person=PersonId("m@x.io"), reason=f"Left: {mission}")
        team._leader_appointed(
            leader=PersonId("next@x.io"), previous_leader=team.leader, reason=f"Why: {name}"
        )
        runtime.app.save(team)
    return team


def record_unchecked_cycle(runtime: Runtime, team: Team, argument: str) -> AllocationCycle:
    """A cycle with a dissent and two scenarios whose names differ only where one holds a
    NUL and the other the replacement character: the same key once stored."""
    with acting_as("nobody@x.io", "legacy"), escaping_surrogates(runtime):
        cycle = AllocationCycle.open(fiscal_year=2031, kind=CycleKind.OP1)
        cycle._dissent_recorded(
            dissent_id=uuid4(), person=PersonId("nobody@x.io"), team_id=None, argument=argument
        )
        allocation = {str(team.id): {"headcount": {"DESIGN": 1}, "budget": 5}}
        cycle._scenario_saved(name="Plan\x00A", allocations=allocation)
        cycle._scenario_saved(name="Plan\ufffdA", allocations=allocation)
        cycle._scenario_saved(name="Plan\ud800B", allocations=allocation)
        runtime.app.save(cycle)
    return cycle


def head_of_log(runtime: Runtime) -> int:
    with psycopg.connect(runtime.database.url) as conn:
        row = conn.execute("SELECT coalesce(max(notification_id), 0) FROM flywheel_events")
        found = row.fetchone()
    assert found is not None
    return int(found[0])


@pytest.fixture
async def pool(runtime: Runtime) -> AsyncIterator[asyncpg.Pool]:
    created = await asyncpg.create_pool(runtime.database.url, min_size=1, max_size=3)
    yield created
    await created.close()


async def project(runtime: Runtime, conn: asyncpg.Connection, batch_size: int = 1000) -> int:
    runner = runtime.projection_runner(batch_size=batch_size)
    cursor = await runner.prepare(conn)
    await runner.catch_up(conn, cursor)
    return cursor.position


async def test_nul_and_surrogates_in_the_log_are_projected_and_rebuilt(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    team = record_unchecked_team(
        runtime, name="Pay\x00ments", mission="Move\ud800money", actor="legacy\x00@x.io"
    )
    cycle = record_unchecked_cycle(runtime, team, argument="No\x00, because\udfff")
    later = runtime.org.charter_team(
        CommandContext(CEO, "h"), CharterTeam(name="Later", mission="m", leader="l@x.io")
    )
    head = head_of_log(runtime)
    assert later.position == head

    async with pool.acquire() as conn:
        assert await project(runtime, conn, batch_size=3) == head, "every event applied"
        row = await conn.fetchrow("SELECT name, mission FROM views.teams WHERE id = $1", team.id)
        assert dict(row) == {"name": "Pay\ufffdments", "mission": "Move\ufffdmoney"}
        reasons = await conn.fetch(
            "SELECT reason FROM views.team_leaders WHERE team_id = $1 AND valid_to IS NULL "
            "ORDER BY since_position",
            team.id,
        )
        assert [r["reason"] for r in reasons] == [None, "Why: Pay\ufffdments"]
        argument = await conn.fetchval(
            "SELECT argument FROM views.allocation_dissents WHERE cycle_id = $1", cycle.id
        )
        assert argument == "No\ufffd, because\ufffd"
        scenarios = await conn.fetch(
            "SELECT name, valid_to IS NULL AS current FROM views.allocation_scenarios "
            "WHERE cycle_id = $1 ORDER BY valid_from",
            cycle.id,
        )
        assert [tuple(s) for s in scenarios] == [
            ("Plan\ufffdA", False),
            ("Plan\ufffdA", True),
            ("Plan\ufffdB", True),
        ]
        logged = await conn.fetch(
            "SELECT actor, reason, data FROM views.event_log WHERE aggregate_id = $1 "
            "ORDER BY position",
            team.id,
        )
        assert {r["actor"] for r in logged} == {"legacy\ufffd@x.io"}
        assert json.loads(logged[0]["data"])["name"] == "Pay\ufffdments"
        assert [r["reason"] for r in logged if r["reason"]] == [
            "Left: Move\ufffdmoney",
            "Why: Pay\ufffdments",
        ]

    live = await snapshot(pool)
    async with pool.acquire() as conn:
        await runtime.projection_runner().rebuild(conn)
    assert await snapshot(pool) == live, "a rebuild stores the same values as the live views"


ANY_TEXT = st.text(
    st.one_of(
        st.characters(),
        st.characters(categories=["Cc", "Cs", "Cf", "Co", "Zs", "Zl", "Mn"]),
        st.sampled_from("\x00\ud800\udfff\t\n\u200b\ufeff\u202e\ufffd"),
    ),
    max_size=30,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=ANY_TEXT)
def test_any_text_is_projected_accepted_as_given_and_unchecked_as_storable(
    runtime: Runtime, raw: str
) -> None:
    """A command's text is projected exactly as the rule accepted it; text in the log
    that the rule would refuse is projected with U+FFFD where PostgreSQL cannot store it."""
    suffix = uuid4().hex[:8]
    unchecked = record_unchecked_team(runtime, f"{raw}{suffix}", raw, actor="old@x.io")
    name, mission = f"{raw}{suffix}", f"{raw}m"
    try:
        accepted: UUID | None = runtime.org.charter_team(
            CommandContext(CEO, "h"),
            CharterTeam(name=name, mission=mission, leader=f"l{suffix}@x.io"),
        ).id
    except InvalidValue:
        accepted = None

    async def check() -> None:
        conn = await asyncpg.connect(runtime.database.url)
        try:
            assert await project(runtime, conn, batch_size=2) == head_of_log(runtime)
            row = await conn.fetchrow(
                "SELECT name, mission FROM views.teams WHERE id = $1 AND valid_to IS NULL",
                unchecked.id,
            )
            assert dict(row) == {"name": storable(f"{raw}{suffix}"), "mission": storable(raw)}
            if accepted is not None:
                row = await conn.fetchrow(
                    "SELECT name, mission FROM views.teams WHERE id = $1 AND valid_to IS NULL",
                    accepted,
                )
                assert dict(row) == {
                    "name": clean_text("name", name),
                    "mission": clean_text("mission", mission, multiline=True),
                }
        finally:
            await conn.close()

    asyncio.run(check())


async def test_nul_and_surrogates_in_a_prfaq_are_projected(
    runtime: Runtime, pool: asyncpg.Pool
) -> None:
    """A PR/FAQ's text, reviewers and dissent as another writer may have stored them."""
    content = {**content_of(title="t"), "title": "Same\x00day", "problem": "Slow\ud800"}
    with acting_as("author\x00@x.io", "legacy"), escaping_surrogates(runtime):
        prfaq = PrFaq(author="author\x00@x.io", team_id=None, content=content, content_hash="h")
        prfaq._round_opened(
            number=1, ring=Ring.TEAM, reviewers=["rev\x00@x.io"], revision=1, content_hash="h"
        )
        prfaq._dissent_recorded(dissent_id=uuid4(), person="d@x.io", argument="No\x00")
        runtime.app.save(prfaq)
    head = head_of_log(runtime)
    async with pool.acquire() as conn:
        assert await project(runtime, conn) == head, "every event applied"
        row = await conn.fetchrow(
            "SELECT title, author, reviewers, content FROM views.prfaqs "
            "WHERE id = $1 AND valid_to IS NULL",
            prfaq.id,
        )
        assert (row["title"], row["author"]) == ("Same\ufffdday", "author\ufffd@x.io")
        assert list(row["reviewers"]) == ["rev\ufffd@x.io"]
        assert json.loads(row["content"])["problem"] == "Slow\ufffd"
        argument = await conn.fetchval(
            "SELECT argument FROM views.prfaq_dissents WHERE prfaq_id = $1", prfaq.id
        )
        assert argument == "No\ufffd"
