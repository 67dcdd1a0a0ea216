"""PR/FAQ views against real PostgreSQL: the projector, the queries, the funnel, as-of."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import msgspec
import pytest

from domain.prfaqs import Recommendation, Ring, canonical_hash
from projections.paging import PageRequest
from projections.prfaqs import queries
from projections.prfaqs.funnel import ring_figures
from projections.reading import ReadSession
from services.api.commands import CommandContext
from services.prfaqs.rest import CloseRound, OpenRound, WithdrawPrFaq
from services.runtime import Runtime
from tests.goal_fixtures import Company, company
from tests.people import CEO
from tests.prfaq_fixtures import AUTHOR, REVIEWER, draft, review, text

WAIT = 10.0


@dataclass
class Scenario:
    org: Company
    approved: UUID
    stopped: UUID
    revised: UUID
    withdrawn: UUID
    draft: UUID
    before_approval: int
    head: int


def build(runtime: Runtime) -> Scenario:
    """Approved (TEAM -> CEO), stopped in ORG, revised once in TEAM then in ORG now,
    withdrawn from TEAM, and one never reviewed."""
    org = company(runtime)
    approved = draft(runtime, org.books, title="Approved")
    for ring in (Ring.TEAM, Ring.ORG, Ring.S_TEAM):
        review(runtime, approved, ring)
    before = review(runtime, approved, Ring.CEO) - 1
    stopped = draft(runtime, org.books, title="Stopped")
    review(runtime, stopped, Ring.TEAM)
    review(runtime, stopped, Ring.ORG, Recommendation.STOP, note="No customer asked")
    revised = draft(runtime, org.retail, title="Revised")
    review(runtime, revised, Ring.TEAM, Recommendation.REVISE, note="Sharper problem")
    runtime.prfaqs.revise(
        CommandContext(AUTHOR, "t"),
        revised,
        content=text(title="Revised", problem="Sharper"),
        reason="Review",
    )
    review(runtime, revised, Ring.TEAM)
    withdrawn = draft(runtime, org.finance, title="Withdrawn")
    runtime.prfaqs.open_round(
        CommandContext(AUTHOR, "t"),
        withdrawn,
        OpenRound(ring=Ring.TEAM, reviewers=[REVIEWER.subject]),
    )
    runtime.prfaqs.close_round(
        CommandContext(CEO, "t"), withdrawn, 1, CloseRound(outcome=Recommendation.REVISE, note="n")
    )
    runtime.prfaqs.withdraw(
        CommandContext(AUTHOR, "t"), withdrawn, WithdrawPrFaq(reason="Finance does it")
    )
    never = draft(runtime, org.books, title="Never reviewed")
    head = runtime.prfaqs.revise(
        CommandContext(AUTHOR, "t"), never, content=text(title="Never reviewed"), reason="Typo"
    ).position
    return Scenario(org, approved, stopped, revised, withdrawn, never, before, head)


@pytest.fixture
async def scenario(serving: Runtime) -> Scenario:
    built = build(serving)
    assert await serving.watcher.wait_for(built.head, WAIT)
    return built


@pytest.fixture
async def db(serving: Runtime, scenario: Scenario) -> AsyncIterator[ReadSession]:
    assert serving.read_pool is not None
    async with ReadSession(serving.read_pool) as session:
        yield session


async def test_a_prfaq_keeps_its_revisions_and_rounds(scenario: Scenario, db: ReadSession) -> None:
    row = (await queries.prfaqs_by_id(db, [scenario.revised], None))[scenario.revised]
    assert (row["state"], row["ring"], row["revision"]) == ("DRAFT", "ORG", 2)
    content = msgspec.json.decode(row["content"])
    assert content["problem"] == "Sharper"
    assert row["content_hash"] == canonical_hash(content)
    revisions = (await queries.revisions_of(db, [scenario.revised], None))[scenario.revised]
    assert [(r["revision"], r["reason"]) for r in revisions] == [(1, None), (2, "Review")]
    rounds = (await queries.rounds_of(db, [scenario.revised], None))[scenario.revised]
    assert [(r["ring"], r["revision"], r["outcome"]) for r in rounds] == [
        ("TEAM", 1, "REVISE"),
        ("TEAM", 2, "ADVANCE"),
    ]
    assert [r["content_hash"] for r in rounds] == [r["content_hash"] for r in revisions]
    feedback = await queries.feedback_of(db, [(scenario.revised, 1)], None)
    assert [(f["reviewer"], f["recommendation"]) for f in feedback[(scenario.revised, 1)]] == [
        (REVIEWER.subject, "REVISE")
    ]


async def test_as_of_before_approval(scenario: Scenario, db: ReadSession) -> None:
    now = (await queries.prfaqs_by_id(db, [scenario.approved], None))[scenario.approved]
    then = (await queries.prfaqs_by_id(db, [scenario.approved], scenario.before_approval))[
        scenario.approved
    ]
    assert (now["state"], then["state"]) == ("APPROVED", "IN_REVIEW")
    assert then["ring"] == now["ring"] == "CEO"


async def test_the_list_filters_by_state_ring_team_and_author(
    scenario: Scenario, db: ReadSession
) -> None:
    async def titles(where: queries.PrFaqFilter) -> list[str]:
        page = await queries.prfaq_page(db, None, where, PageRequest(20))
        return [row["title"] for row in page.rows]

    assert await titles(queries.PrFaqFilter(state="SHELVED")) == ["Stopped"]
    assert await titles(queries.PrFaqFilter(ring="ORG")) == ["Revised", "Stopped"]
    assert await titles(queries.PrFaqFilter(team_ids=[scenario.org.books])) == [
        "Approved",
        "Never reviewed",
        "Stopped",
    ]
    assert len(await titles(queries.PrFaqFilter(author=AUTHOR.subject))) == 5
    assert await titles(queries.PrFaqFilter(author="nobody@x.io")) == []


async def test_the_funnel_counts_the_scenario(scenario: Scenario, db: ReadSession) -> None:
    stays = await queries.ring_stays(db, None, queries.FunnelScope())
    figures = {f.ring: (f.reached, f.stopped, f.in_it_now) for f in ring_figures(stays)}
    # TEAM: approved, stopped, revised, withdrawn. ORG: approved, stopped, revised (now).
    assert figures == {
        Ring.TEAM: (4, 0, 0),
        Ring.ORG: (3, 1, 1),
        Ring.S_TEAM: (1, 0, 0),
        Ring.CEO: (1, 0, 0),
    }
    books = await queries.ring_stays(db, None, queries.FunnelScope(team_ids=[scenario.org.books]))
    assert {row["prfaq_id"] for row in books} == {scenario.approved, scenario.stopped}
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    later = await queries.ring_stays(db, None, queries.FunnelScope(start=tomorrow))
    assert later == []
    stale = await queries.stale_drafts(db, None, tomorrow, None)
    # Drafts (no round open), stalest first: closed ones are never stale.
    assert [row["title"] for row in stale] == ["Revised", "Never reviewed"]
    assert await queries.stale_drafts(db, None, tomorrow - timedelta(days=2), None) == []
