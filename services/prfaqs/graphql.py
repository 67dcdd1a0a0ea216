"""PR/FAQs in GraphQL: the document, its revisions and review rounds, the list and
the funnel.

The full text is confidential: only its author, its reviewers (of any round), the
owning team (members and leader) and leadership read it. Everyone else sees the
title, state, ring and team (enough for the funnel); the other fields are null
for them, and ``readable`` says which case applies.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import msgspec
import strawberry

from domain.prfaqs import FaqAudience, PrFaqState, Recommendation, Ring
from projections.prfaqs import queries as prfaq_queries
from projections.prfaqs.funnel import ring_figures
from services.audit.graphql import HISTORY_DESCRIPTION, HistoryConnection, Recorded, history
from services.graphql.common import (
    AsOf,
    AtPosition,
    FlywheelInfo,
    context,
    enum_value,
    given,
    optional_field,
    resolve_at,
)
from services.graphql.connections import (
    KEY,
    MOMENT,
    TEXT,
    Connection,
    Paging,
    order_fields,
    order_input,
    paged,
)
from services.graphql.enums import graphql_enum
from services.graphql.errors import client_error, forbidden
from services.graphql.lists import ListFilter, ListOrder, list_field
from services.graphql.nodes import AggregateNode, node_by_id
from services.graphql.people import LazyPerson, person_at, person_at_or_none
from services.graphql.relations import related_list, team_field, team_ids_of
from services.graphql.rows import FromRow
from services.prfaqs.graphql_outcomes import ExpectedOutcome, outcomes_of_decision

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader

graphql_enum(
    Ring,
    description="The widening circles of review, in order: `TEAM` (the author's team), `ORG` "
    "(the wider organisation), `S_TEAM` (senior leadership), `CEO`.",
    TEAM="The author's team.",
    ORG="The wider organisation.",
    S_TEAM="Senior leadership.",
    CEO="The CEO: advancing here approves the PR/FAQ.",
)
graphql_enum(
    PrFaqState,
    description="`DRAFT`: no round open. `IN_REVIEW`: a round is open. `APPROVED`: the CEO "
    "round advanced it. `SHELVED`: a decider stopped it. `WITHDRAWN`: its author withdrew it.",
    DRAFT="No review round is open.",
    IN_REVIEW="A review round is open.",
    APPROVED="The CEO round advanced it.",
    SHELVED="A decider stopped it.",
    WITHDRAWN="Its author withdrew it.",
)
graphql_enum(
    Recommendation,
    description="A reviewer's recommendation or a round's outcome: `ADVANCE` to the next ring "
    "(after CEO: approved), `REVISE` (another round in the same ring on a new revision), "
    "`STOP` (shelved).",
    ADVANCE="Advance to the next ring (after CEO: approved).",
    REVISE="Another round in the same ring, on a new revision.",
    STOP="Stop: the PR/FAQ is shelved.",
)
graphql_enum(
    FaqAudience,
    description="`EXTERNAL`: what customers will ask. `INTERNAL`: cost, risks, dependencies, "
    "headcount.",
    EXTERNAL="What customers will ask.",
    INTERNAL="What the company will ask: cost, risks, dependencies, headcount.",
)

_content = msgspec.json.Decoder(dict[str, Any])


@strawberry.type(description="The leader's and the customer's quotes in the press release.")
class Quotes:
    leader: str = strawberry.field(description="The leader's quote; empty if not written yet.")
    customer: str = strawberry.field(description="The customer's quote; empty if not written yet.")


@strawberry.type(description="One question of the FAQ and its answer.")
class FaqEntry:
    audience: FaqAudience = strawberry.field(description="Who asks it.")
    question: str = strawberry.field(description="The question.")
    answer: str = strawberry.field(description="The answer.")


@strawberry.type(description="One revision of a PR/FAQ: its content hash and why it was made.")
class PrFaqRevision(FromRow):
    COLUMNS: ClassVar = {"hash": "content_hash", "by": "actor"}

    revision: int = strawberry.field(description="The revision's number, from 1.")
    hash: str = strawberry.field(
        description="The SHA-256 of the revision's canonical encoding (JSON, sorted keys)."
    )
    reason: str | None = strawberry.field(description="Why it was revised; null for the draft.")
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who recorded it (the author).")


@strawberry.type(description="One reviewer's recommendation in a round.")
class Feedback(FromRow):
    reviewer: LazyPerson = strawberry.field(description="The reviewer.")
    recommendation: Recommendation = strawberry.field(description="What the reviewer recommends.")
    comments: str = strawberry.field(description="The reviewer's comments.")
    at: datetime = strawberry.field(description="When the feedback was given.")


@strawberry.type(description="A review round: one ring, its reviewers, one pinned revision.")
class ReviewRound:
    number: int = strawberry.field(description="The round's number, from 1.")
    ring: Ring = strawberry.field(description="The ring it reviews in.")
    revision: int = strawberry.field(description="The revision under review.")
    revision_hash: str = strawberry.field(description="The pinned revision's content hash.")
    reviewers: list[LazyPerson] = strawberry.field(description="Who was asked to review.")
    opened_at: datetime = strawberry.field(description="When the round opened.")
    opened_by: LazyPerson = strawberry.field(description="Who opened it.")
    outcome: Recommendation | None = strawberry.field(
        description="The decider's outcome; null while the round is open."
    )
    note: str | None = strawberry.field(description="The decider's note (a STOP's reason).")
    closed_at: datetime | None = strawberry.field(description="When it closed; null if open.")
    closed_by: LazyPerson | None = strawberry.field(description="The decider who closed it.")
    prfaq_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    feedback = related_list(
        Feedback,
        lambda load: load.prfaqs.feedback,
        "Each reviewer's recommendation, by reviewer.",
        key=lambda review: (review.prfaq_id, review.number),
    )

    @staticmethod
    def from_row(row: Any, at: int | None) -> ReviewRound:
        return ReviewRound(
            number=row["number"],
            ring=Ring(row["ring"]),
            revision=row["revision"],
            revision_hash=row["content_hash"],
            reviewers=[person_at(handle, at) for handle in row["reviewers"]],
            opened_at=row["opened_at"],
            opened_by=person_at(row["opened_by"], at),
            outcome=None if row["outcome"] is None else Recommendation(row["outcome"]),
            note=row["note"],
            closed_at=row["closed_at"],
            closed_by=person_at_or_none(row["closed_by"], at),
            prfaq_id=row["prfaq_id"],
            at=at,
        )


CONFIDENTIAL = " Null unless the caller may read the full text (see `readable`)."


@strawberry.type(
    description="Disagreement with approving a PR/FAQ, with its argument, and whether the "
    "decider weighed it. Readable by those who may read the PR/FAQ's text."
)
class PrFaqDissent(AggregateNode):
    COLUMNS: ClassVar = {"by_handle": "person", "weighed_by_handle": "weighed_by"}

    argument: str = strawberry.field(description="The argument: the new information.")
    recorded_at: datetime = strawberry.field(description="When the dissent was recorded.")
    weighed: bool = strawberry.field(description="Whether the decider has weighed it.")
    response: str | None = strawberry.field(description="The decider's response, once weighed.")
    weighed_at: datetime | None = strawberry.field(description="When it was weighed.")
    by_handle: strawberry.Private[str]
    weighed_by_handle: strawberry.Private[str | None]
    prfaq_id: strawberry.Private[UUID]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.prfaqs.dissent

    @classmethod
    async def find(cls, info: FlywheelInfo, key: str, at: int | None) -> PrFaqDissent | None:
        """Only for those who may read the PR/FAQ's text."""
        dissent = await super().find(info, key, at)
        if dissent is None:
            return None
        prfaq = await PrFaq.find(info, str(dissent.prfaq_id), at)
        readable = prfaq is not None and await prfaq.readable(info)
        return dissent if readable else None

    @strawberry.field(description="Who dissented.")
    def by(self) -> LazyPerson:
        return person_at(self.by_handle, self.at)

    @strawberry.field(description="Who weighed it.")
    def weighed_by(self) -> LazyPerson | None:
        return person_at_or_none(self.weighed_by_handle, self.at)

    @strawberry.field(description="The PR/FAQ it disagrees with.")
    async def prfaq(self, info: FlywheelInfo) -> PrFaq | None:
        return await PrFaq.find(info, str(self.prfaq_id), self.at)

    @strawberry.field(description=HISTORY_DESCRIPTION)
    @paged
    async def history(self, info: FlywheelInfo, paging: Paging) -> HistoryConnection | None:
        return await history(
            info,
            paging,
            at=self.at,
            aggregate_id=self.prfaq_id,
            concerning=("dissent_id", self.key),
        )


@strawberry.type(
    description="A PR/FAQ: an internal press release and its FAQ, reviewed in widening rings. "
    "The title, state, ring and team are public; the rest is confidential to the author, the "
    "reviewers, the owning team and leadership."
)
class PrFaq(AggregateNode, Recorded):
    COLUMNS: ClassVar = {
        "author_handle": "author",
        "reviewer_handles": "reviewers",
        "raw_content": "content",
        "hash": "content_hash",
        "revision_number": "revision",
    }

    title: str = strawberry.field(description="The PR/FAQ's working title.")
    state: PrFaqState = strawberry.field(description="Where it stands.")
    ring: Ring = strawberry.field(
        description="The ring it has reached (the one it was in when closed)."
    )
    drafted_at: datetime = strawberry.field(description="When it was first drafted.")
    revised_at: datetime = strawberry.field(description="When its last revision was recorded.")
    version: int = strawberry.field(
        description="The PR/FAQ's version; send it as `If-Match` to guard a command."
    )
    team_id: strawberry.Private[UUID | None]
    author_handle: strawberry.Private[str]
    reviewer_handles: strawberry.Private[list[str]]
    raw_content: strawberry.Private[str]
    hash: strawberry.Private[str]
    revision_number: strawberry.Private[int]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.prfaqs.prfaq

    team = team_field("The owning team; null until one is named.")

    @strawberry.field(
        description="Whether the caller may read the full text: its author, its reviewers, "
        "the owning team's members and leader, and leadership may."
    )
    async def readable(self, info: FlywheelInfo) -> bool:
        principal = context(info).principal
        if principal is None:
            return False
        if principal.is_leadership or principal.subject == self.author_handle:
            return True
        if principal.subject in self.reviewer_handles:
            return True
        if self.team_id is None:
            return False
        load = context(info).load.org
        team = await load.team.load(self.team_id, self.at)
        if team is not None and team["leader"] == principal.subject:
            return True
        members = await load.members.load(self.team_id, self.at)
        return any(member["person"] == principal.subject for member in members)

    async def _content(self, info: FlywheelInfo) -> dict[str, Any] | None:
        return _content.decode(self.raw_content) if await self.readable(info) else None

    async def _text(self, info: FlywheelInfo, field: str) -> str | None:
        content = await self._content(info)
        return None if content is None else str(content[field])

    @strawberry.field(description="Who drafted it." + CONFIDENTIAL)
    async def author(self, info: FlywheelInfo) -> LazyPerson | None:
        return person_at(self.author_handle, self.at) if await self.readable(info) else None

    @strawberry.field(description="The press release's heading." + CONFIDENTIAL)
    async def heading(self, info: FlywheelInfo) -> str | None:
        return await self._text(info, "heading")

    @strawberry.field(description="The subheading: the customer and the benefit." + CONFIDENTIAL)
    async def subheading(self, info: FlywheelInfo) -> str | None:
        return await self._text(info, "subheading")

    @strawberry.field(description="Who the customer is." + CONFIDENTIAL)
    async def customer(self, info: FlywheelInfo) -> str | None:
        return await self._text(info, "customer")

    @strawberry.field(description="The customer's problem." + CONFIDENTIAL)
    async def problem(self, info: FlywheelInfo) -> str | None:
        return await self._text(info, "problem")

    @strawberry.field(description="The solution." + CONFIDENTIAL)
    async def solution(self, info: FlywheelInfo) -> str | None:
        return await self._text(info, "solution")

    @strawberry.field(description="The summary paragraph." + CONFIDENTIAL)
    async def summary(self, info: FlywheelInfo) -> str | None:
        return await self._text(info, "summary")

    @strawberry.field(description="The launch date the summary signals." + CONFIDENTIAL)
    async def launch_date(self, info: FlywheelInfo) -> date | None:
        content = await self._content(info)
        if content is None or content["launch_date"] is None:
            return None
        return date.fromisoformat(content["launch_date"])

    @strawberry.field(description="The leader's and the customer's quotes." + CONFIDENTIAL)
    async def quotes(self, info: FlywheelInfo) -> Quotes | None:
        content = await self._content(info)
        if content is None:
            return None
        return Quotes(leader=content["leader_quote"], customer=content["customer_quote"])

    @strawberry.field(description="The FAQ, external and internal questions." + CONFIDENTIAL)
    async def faq(self, info: FlywheelInfo) -> list[FaqEntry] | None:
        content = await self._content(info)
        if content is None:
            return None
        return [
            FaqEntry(
                audience=FaqAudience(entry["audience"]),
                question=entry["question"],
                answer=entry["answer"],
            )
            for entry in content["faq"]
        ]

    @strawberry.field(description="The current revision's number." + CONFIDENTIAL)
    async def revision(self, info: FlywheelInfo) -> int | None:
        return self.revision_number if await self.readable(info) else None

    @strawberry.field(description="The current revision's content hash." + CONFIDENTIAL)
    async def content_hash(self, info: FlywheelInfo) -> str | None:
        return self.hash if await self.readable(info) else None

    @strawberry.field(description="Every revision, oldest first." + CONFIDENTIAL)
    async def revisions(self, info: FlywheelInfo) -> list[PrFaqRevision] | None:
        if not await self.readable(info):
            return None
        rows = await context(info).load.prfaqs.revisions.load(UUID(self.key), self.at)
        return PrFaqRevision.from_rows(rows, self.at)

    @strawberry.field(description="Dissent from approving it, oldest first." + CONFIDENTIAL)
    async def dissents(self, info: FlywheelInfo) -> list[PrFaqDissent] | None:
        if not await self.readable(info):
            return None
        rows = await context(info).load.prfaqs.dissents.load(UUID(self.key), self.at)
        return [PrFaqDissent.from_row(row, self.at) for row in rows]

    @strawberry.field(description="Who committed to it once it was approved, in order.")
    async def committed(self, info: FlywheelInfo) -> list[LazyPerson]:
        rows = await context(info).load.prfaqs.committed.load(UUID(self.key), self.at)
        return [person_at(row["person"], self.at) for row in rows]

    @strawberry.field(
        description="Who dissented and has not committed, in the order they first dissented."
        + CONFIDENTIAL
    )
    async def uncommitted_dissenters(self, info: FlywheelInfo) -> list[LazyPerson] | None:
        if not await self.readable(info):
            return None
        load = context(info).load.prfaqs
        dissents = await load.dissents.load(UUID(self.key), self.at)
        committed = {row["person"] for row in await load.committed.load(UUID(self.key), self.at)}
        people = dict.fromkeys(row["person"] for row in dissents)
        return [person_at(handle, self.at) for handle in people if handle not in committed]

    @strawberry.field(description="What approving it is expected to achieve.")
    async def expected_outcomes(self, info: FlywheelInfo) -> list[ExpectedOutcome]:
        return await outcomes_of_decision(info, UUID(self.key), self.at)

    @strawberry.field(description="Every review round, oldest first." + CONFIDENTIAL)
    async def rounds(self, info: FlywheelInfo) -> list[ReviewRound] | None:
        if not await self.readable(info):
            return None
        rows = await context(info).load.prfaqs.rounds.load(UUID(self.key), self.at)
        return [ReviewRound.from_row(row, self.at) for row in rows]


@strawberry.type(description="A page of PR/FAQs, by title unless `orderBy` says otherwise.")
class PrFaqConnection(Connection[PrFaq]):
    pass


PrFaqOrderField, PRFAQ_SORTS = order_fields(
    "PrFaqOrderField",
    "What a list of PR/FAQs can be sorted by.",
    TITLE=("The PR/FAQ's title.", (("title", TEXT), ("id", KEY))),
    DRAFTED_AT=("When the PR/FAQ was drafted.", (("drafted_at", MOMENT), ("id", KEY))),
    REVISED_AT=(
        "When the PR/FAQ's document was last revised.",
        (("revised_at", MOMENT), ("id", KEY)),
    ),
    STATE=(
        "The PR/FAQ's state (by name), then its title.",
        (("state", TEXT), ("title", TEXT), ("id", KEY)),
    ),
)


PrFaqOrder = order_input(
    "PrFaqOrder",
    PrFaqOrderField,
    "How to sort a list of PR/FAQs; ties are broken by the PR/FAQ's id.",
)


@strawberry.input(description="Narrow a list of PR/FAQs; every given field must match.")
class PrFaqFilter:
    state: PrFaqState | None = optional_field("Only PR/FAQs in this state.")
    ring: Ring | None = optional_field("Only PR/FAQs now in this ring.")
    team_id: strawberry.ID | None = optional_field("Only PR/FAQs owned by this team.")
    include_subteams: bool = strawberry.field(
        default=False, description="With `teamId`: also the teams under it."
    )
    author: str | None = optional_field(
        "Only PR/FAQs by this author: the caller's own handle, or anyone's for "
        "leadership (authorship is confidential)."
    )


@strawberry.type(description="How PR/FAQs fared in one ring.")
class FunnelRing(FromRow):
    ring: Ring = strawberry.field(description="The ring.")
    reached: int = strawberry.field(description="How many entered it within the period.")
    stopped: int = strawberry.field(description="How many of those were stopped (shelved) in it.")
    in_it_now: int = strawberry.field(description="How many of those are in it still.")
    median_days: float | None = strawberry.field(
        description="The median days spent in it by those that left it; null if none has."
    )


@strawberry.type(description="The PR/FAQ funnel: how far documents get, and which drafts stall.")
class PrFaqFunnel:
    rings: list[FunnelRing] = strawberry.field(description="Every ring, in order.")
    stale_drafts: list[PrFaq] = strawberry.field(
        description="Drafts with no revision for `staleDays` days before the period's end, "
        "the stalest first."
    )


async def prfaq_filter(
    info: FlywheelInfo, at: int | None, chosen: PrFaqFilter | None
) -> prfaq_queries.PrFaqFilter:
    """Another author's PR/FAQs only for leadership (authorship is confidential); a team's
    with the teams under it as of ``at``."""
    if chosen is None:
        return prfaq_queries.PrFaqFilter()
    author = given(chosen.author)
    principal = context(info).principal
    if author is not None and not (
        principal is not None and (principal.is_leadership or principal.subject == author)
    ):
        raise forbidden("Filtering by another author needs the `leadership` role")
    return prfaq_queries.PrFaqFilter(
        state=enum_value(chosen.state),
        ring=enum_value(chosen.ring),
        team_ids=await team_ids_of(info, given(chosen.team_id), chosen.include_subteams, at),
        author=author,
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


@strawberry.type
class PrFaqQuery:
    prfaq = node_by_id(PrFaq, "A PR/FAQ by its id (UUID or global id).", "PR/FAQ")

    prfaqs = list_field(
        PrFaqConnection,
        PrFaq.from_row,
        prfaq_queries.prfaq_page,
        description="PR/FAQs by title (or as `orderBy` says), a page at a time.",
        filter=ListFilter(PrFaqFilter, "Only the PR/FAQs that match.", lookup=prfaq_filter),
        order=ListOrder(
            PrFaqOrder, PRFAQ_SORTS, PrFaqOrderField.TITLE, "How to sort; by title if not given."
        ),
    )

    @strawberry.field(
        description="The funnel: per ring, how many PR/FAQs entered it between `from` and `to`, "
        "how many of those stopped there, are in it now, and the median days spent in it; plus "
        "the drafts with no revision for `staleDays` days."
    )
    async def prfaq_funnel(
        self,
        info: FlywheelInfo,
        from_: Annotated[
            date | None,
            strawberry.argument(name="from", description="The first day of the period."),
        ] = None,
        to: Annotated[
            date | None, strawberry.argument(description="The last day of the period.")
        ] = None,
        team_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only this team's PR/FAQs.")
        ] = None,
        include_subteams: Annotated[
            bool, strawberry.argument(description="With `teamId`: also the teams under it.")
        ] = False,
        stale_days: Annotated[
            int, strawberry.argument(description="Days without a revision that make a draft stale.")
        ] = 30,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> PrFaqFunnel | None:
        if stale_days < 1:
            raise client_error("`staleDays` must be at least 1")
        at = await resolve_at(info, as_of, at_position)
        views = context(info).views
        team_ids = await team_ids_of(info, team_id, include_subteams, at)
        end = None if to is None else _start_of(to) + timedelta(days=1)
        scope = prfaq_queries.FunnelScope(
            start=None if from_ is None else _start_of(from_), end=end, team_ids=team_ids
        )
        stays = await prfaq_queries.ring_stays(views, at, scope)
        reference = end if end is not None else (as_of or datetime.now(UTC))
        stale = await prfaq_queries.stale_drafts(
            views, at, reference - timedelta(days=stale_days), team_ids
        )
        return PrFaqFunnel(
            rings=[FunnelRing.from_fields(figures) for figures in ring_figures(stays)],
            stale_drafts=[PrFaq.from_row(row, at) for row in stale],
        )
