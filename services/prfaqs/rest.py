"""REST commands on PR/FAQs, under ``/api/v1/prfaqs``."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter
from msgspec import Meta

from domain.decisions import MAX_ARGUMENT_LENGTH, MAX_RESPONSE_LENGTH
from domain.prfaqs import (
    MAX_ANSWER_LENGTH,
    MAX_COMMENTS_LENGTH,
    MAX_FAQ_ENTRIES,
    MAX_HEADING_LENGTH,
    MAX_LINE_LENGTH,
    MAX_QUESTION_LENGTH,
    MAX_QUOTE_LENGTH,
    MAX_REASON_LENGTH,
    MAX_REVIEWERS,
    MAX_SECTION_LENGTH,
    MAX_TITLE_LENGTH,
    FaqAudience,
    Recommendation,
    Ring,
    content_of,
)
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import HANDLE, LINE
from services.dates import YEARS, checked_date
from services.decisions import ExpectOutcome
from services.prfaqs.commands import PrFaqCommands

Line = Annotated[str, Meta(max_length=MAX_LINE_LENGTH)]
Section = Annotated[str, Meta(max_length=MAX_SECTION_LENGTH)]
Quote = Annotated[str, Meta(max_length=MAX_QUOTE_LENGTH)]
Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class Quotes(CommandBody):
    leader: Quote | None = None
    customer: Quote | None = None


class FaqEntry(CommandBody):
    audience: FaqAudience
    question: Annotated[str, Meta(min_length=1, max_length=MAX_QUESTION_LENGTH)]
    answer: Annotated[str, Meta(min_length=1, max_length=MAX_ANSWER_LENGTH)]


class PrFaqText(CommandBody, kw_only=True):
    """The press release and its FAQ; only the title is needed to start a draft, the
    customer and the problem before review."""

    title: Annotated[
        str, Meta(min_length=1, max_length=MAX_TITLE_LENGTH, examples=["Same-day delivery"]), LINE
    ]
    heading: Annotated[str, Meta(max_length=MAX_HEADING_LENGTH), LINE] | None = None
    subheading: Line | None = None
    customer: Line | None = None
    problem: Section | None = None
    solution: Section | None = None
    summary: Section | None = None
    launch_date: Annotated[date, Meta(description=f"Years {YEARS}.")] | None = None
    quotes: Quotes | None = None
    faq: Annotated[list[FaqEntry], Meta(max_length=MAX_FAQ_ENTRIES)] = []
    team_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.launch_date is not None:
            checked_date(self.launch_date, "launchDate")

    def content(self) -> dict[str, Any]:
        quotes = self.quotes or Quotes()
        return content_of(
            title=self.title,
            heading=self.heading,
            subheading=self.subheading,
            customer=self.customer,
            problem=self.problem,
            solution=self.solution,
            summary=self.summary,
            launch_date=self.launch_date,
            leader_quote=quotes.leader,
            customer_quote=quotes.customer,
            faq=[(entry.audience, entry.question, entry.answer) for entry in self.faq],
        )


class DraftPrFaq(PrFaqText, kw_only=True):
    pass


class RevisePrFaq(PrFaqText, kw_only=True):
    reason: Reason


class OpenRound(CommandBody):
    ring: Ring
    reviewers: Annotated[
        list[Annotated[str, Meta(min_length=1), HANDLE]],
        Meta(min_length=1, max_length=MAX_REVIEWERS),
    ]


class GiveFeedback(CommandBody):
    recommendation: Recommendation
    comments: Annotated[str, Meta(max_length=MAX_COMMENTS_LENGTH)] = ""


class CloseRound(CommandBody):
    outcome: Recommendation
    note: Annotated[str, Meta(max_length=MAX_REASON_LENGTH)] | None = None


class WithdrawPrFaq(CommandBody):
    reason: Reason


class RecordDissent(CommandBody):
    argument: Annotated[str, Meta(min_length=1, max_length=MAX_ARGUMENT_LENGTH)]


class WeighDissent(CommandBody):
    response: Annotated[str, Meta(min_length=1, max_length=MAX_RESPONSE_LENGTH)]


class Commit(CommandBody):
    pass


class RoundOpened(msgspec.Struct, rename="camel"):
    """A review round opened: its number in ``id`` (the path of its feedback and close),
    the PR/FAQ's GraphQL id, the PR/FAQ's new version and the event-log position."""

    id: int
    node_id: str
    version: int
    position: int


PrFaqId = Annotated[UUID, Parameter(description="The PR/FAQ's id (a UUID).")]
DissentId = Annotated[UUID, Parameter(description="The dissent's id (a UUID).")]
RoundNumber = Annotated[int, Parameter(description="The round's number, from 1.", ge=1)]


class PrFaqController(Controller):
    path = "/api/v1/prfaqs"
    tags = ["PR/FAQs"]

    @command(
        "/",
        status_code=201,
        summary="Draft a PR/FAQ",
        description="Anyone signed in drafts a PR/FAQ and is its author. Only the title is "
        "needed to start; the customer and the problem are needed before review, the owning "
        "team (`teamId`) before the ORG ring. The full text is confidential to the author, "
        "the reviewers, the owning team and leadership.",
    )
    def draft(
        self,
        data: JSONBody[DraftPrFaq],
        context: NamedDependency[CommandContext],
        prfaqs: NamedDependency[PrFaqCommands],
    ) -> CommandAccepted:
        return accepted(prfaqs.draft(context, data.content(), team_id=data.team_id))

    @command(
        "/{prfaq_id:uuid}/revisions",
        summary="Revise a PR/FAQ",
        description="The author records a new revision (the whole text again) with the "
        "reason; every revision is kept with its SHA-256 content hash. Refused while a round "
        "is open (`round-in-progress`).",
    )
    def revise(
        self,
        prfaq_id: PrFaqId,
        data: JSONBody[RevisePrFaq],
        context: NamedDependency[CommandContext],
        prfaqs: NamedDependency[PrFaqCommands],
    ) -> CommandAccepted:
        return accepted(
            prfaqs.revise(context, prfaq_id, data.content(), data.reason, team_id=data.team_id)
        )

    @command(
        "/{prfaq_id:uuid}/rounds",
        status_code=201,
        summary="Open a review round",
        description="The author, the owning team's leader or leadership opens a round in the "
        "ring the PR/FAQ has reached (`ring-not-reached`), naming its reviewers (never the "
        "author: `author-cannot-review`); it pins the current revision's hash. Refused "
        "without a customer and a problem (`customer-problem-required`), beyond TEAM without "
        "an owning team (`owning-team-required`), and after a REVISE on the same revision "
        "(`new-revision-required`). Answers with the round's number in `id` (rounds are "
        "numbered 1, 2, ... per PR/FAQ) and the PR/FAQ's `nodeId`, `version` and `position`.",
    )
    def open_round(
        self,
        prfaq_id: PrFaqId,
        data: JSONBody[OpenRound],
        context: NamedDependency[CommandContext],
        prfaqs: NamedDependency[PrFaqCommands],
    ) -> RoundOpened:
        outcome = prfaqs.open_round(context, prfaq_id, data)
        pr_faq = accepted(outcome)
        assert outcome.number is not None
        return RoundOpened(
            id=outcome.number,
            node_id=pr_faq.node_id,
            version=pr_faq.version,
            position=pr_faq.position,
        )

    give_feedback = command(
        "/{prfaq_id:uuid}/rounds/{number:int}/feedback",
        summary="Give feedback in a round",
        description="A reviewer of the round recommends `ADVANCE`, `REVISE` or `STOP`, with "
        "comments; once per round (`feedback-once-per-round`).",
        runs=PrFaqCommands.give_feedback,
        ids=[PrFaqId, RoundNumber],
        body=GiveFeedback,
    )

    close_round = command(
        "/{prfaq_id:uuid}/rounds/{number:int}/close",
        summary="Close a round",
        description="The ring's decider (TEAM: the owning team's leader; ORG: the leader of "
        "its parent team; S_TEAM and CEO: leadership; leadership in any ring) closes the round "
        "with `ADVANCE` (to the next ring; after CEO, `APPROVED`), `REVISE` (another round in "
        "the same ring on a new revision) or `STOP` (`SHELVED`; `note` gives the reason).",
        runs=PrFaqCommands.close_round,
        ids=[PrFaqId, RoundNumber],
        body=CloseRound,
    )

    withdraw = command(
        "/{prfaq_id:uuid}/withdraw",
        summary="Withdraw a PR/FAQ",
        description="The author withdraws it (`WITHDRAWN`) with the reason.",
        runs=PrFaqCommands.withdraw,
        ids=[PrFaqId],
        body=WithdrawPrFaq,
    )

    record_dissent = command(
        "/{prfaq_id:uuid}/dissents",
        status_code=201,
        summary="Dissent from approving a PR/FAQ",
        description="Anyone signed in disagrees, with the argument, until the PR/FAQ is "
        "closed. The answer's `id` and `nodeId` are the dissent's; `version` is the PR/FAQ's. "
        "The CEO round cannot approve it while a dissent is unweighed (`dissent-not-weighed`).",
        runs=PrFaqCommands.record_dissent,
        ids=[PrFaqId],
        body=RecordDissent,
    )

    weigh_dissent = command(
        "/{prfaq_id:uuid}/dissents/{dissent_id:uuid}/weigh",
        summary="Weigh a dissent",
        description="Leadership (the CEO ring's decider) answers the dissent: it was heard, "
        "understood and weighed. Once only (`dissent-already-weighed`).",
        runs=PrFaqCommands.weigh_dissent,
        ids=[PrFaqId, DissentId],
        body=WeighDissent,
    )

    @command(
        "/{prfaq_id:uuid}/commitments",
        summary="Commit to an approved PR/FAQ",
        description="The caller commits, whether or not they agreed; only once it is "
        "`APPROVED` (`prfaq-not-approved`) and once per person (`already-committed`). "
        "Dissenters who have not committed are reported (`uncommittedDissenters`).",
    )
    def commit(
        self,
        prfaq_id: PrFaqId,
        data: JSONBody[Commit],
        context: NamedDependency[CommandContext],
        prfaqs: NamedDependency[PrFaqCommands],
    ) -> CommandAccepted:
        return accepted(prfaqs.commit(context, prfaq_id))

    expect_outcome = command(
        "/{prfaq_id:uuid}/expected-outcomes",
        status_code=201,
        summary="State the decision's expected outcome",
        description="Leadership states what an approved PR/FAQ should achieve: the metric "
        "reaching `target` by `by`. Once `by` has passed, the metric's latest value in the "
        "month up to it decides `MET` or `MISSED` (in the metric's direction), or `UNKNOWN` "
        "without one. Only once `APPROVED` (`prfaq-not-approved`).",
        runs=PrFaqCommands.expect_outcome,
        ids=[PrFaqId],
        body=ExpectOutcome,
    )
