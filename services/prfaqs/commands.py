"""Commands on PR/FAQs: draft, revise, open a round, give feedback, close, withdraw.

Anyone signed in drafts one and is its author; only the author revises or
withdraws it. A round is opened by the author, the owning team's leader or
leadership. Only the round's reviewers give feedback. The round is closed by its
ring's decider: TEAM, the owning team's leader; ORG, the leader of the owning
team's parent; S_TEAM and CEO, leadership (leadership may decide any ring).
Approving is a decision: until the CEO round closes anyone signed in may dissent,
leadership (the CEO ring's decider) weighs each dissent before approving, and
afterwards anyone commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

from domain.org.team import Team, TeamDisbanded
from domain.people.values import person_id
from domain.prfaqs import PrFaq, Ring
from services.authorization import require_leader_or_leadership, require_leadership
from services.commands import AreaCommands, Forbidden, Outcome, UnitOfWork
from services.decisions import state_outcome
from services.principal import Principal

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.decisions import ExpectOutcome
    from services.prfaqs.rest import (
        CloseRound,
        GiveFeedback,
        OpenRound,
        RecordDissent,
        WeighDissent,
        WithdrawPrFaq,
    )

DISSENT = "PrFaqDissent"  # what recording a dissent answers with (a GraphQL node type)


def _active_team(work: UnitOfWork, team_id: UUID) -> Team:
    team = work.get(Team, team_id, label="team")
    if team.disbanded:
        raise TeamDisbanded(
            f"Team '{team.name}' is disbanded and cannot own a PR/FAQ", team_id=str(team.id)
        )
    return team


def _team_of(work: UnitOfWork, prfaq: PrFaq) -> Team | None:
    return None if prfaq.team_id is None else work.get(Team, prfaq.team_id, label="team")


def require_decider(work: UnitOfWork, principal: Principal, prfaq: PrFaq, ring: Ring) -> None:
    """The ring's decider: TEAM, the owning team's leader; ORG, the leader of its parent
    team; S_TEAM and CEO, leadership. Leadership may decide in any ring."""
    action = f"Closing a {ring.value} round"
    if principal.is_leadership:
        return
    team = _team_of(work, prfaq)
    if ring is Ring.TEAM and team is not None:
        require_leader_or_leadership(principal, team, action)
        return
    if ring is Ring.ORG and team is not None and team.parent_id is not None:
        require_leader_or_leadership(
            principal, work.get(Team, team.parent_id, label="team"), action
        )
        return
    raise Forbidden(f"{action} needs the `leadership` role")


class PrFaqCommands(AreaCommands):
    def draft(
        self,
        context: CommandContext,
        content: dict[str, Any],
        team_id: UUID | None = None,
    ) -> Outcome:
        def draft(work: UnitOfWork) -> PrFaq:
            if team_id is not None:
                _active_team(work, team_id)
            return work.add(
                PrFaq.draft(author=context.principal.subject, team_id=team_id, content=content)
            )

        return self.run(context, draft, versioned=False)

    def _on(
        self, context: CommandContext, prfaq_id: UUID, decide: Callable[[PrFaq, UnitOfWork], object]
    ) -> Outcome:
        return self.change(context, PrFaq, prfaq_id, decide, label="PR/FAQ")

    def _by_author(
        self,
        context: CommandContext,
        prfaq_id: UUID,
        action: str,
        change: Callable[[PrFaq, UnitOfWork], object],
    ) -> Outcome:
        """Run ``change`` on the PR/FAQ once its author is known to be calling."""

        def authored(prfaq: PrFaq, work: UnitOfWork) -> None:
            if context.principal.subject != prfaq.author:
                raise Forbidden(f"{action} is for the PR/FAQ's author")
            change(prfaq, work)

        return self._on(context, prfaq_id, authored)

    def revise(
        self,
        context: CommandContext,
        prfaq_id: UUID,
        content: dict[str, Any],
        reason: str,
        team_id: UUID | None = None,
    ) -> Outcome:
        def revise(prfaq: PrFaq, work: UnitOfWork) -> None:
            if team_id is not None:
                _active_team(work, team_id)
            prfaq.revise(content=content, team_id=team_id, reason=reason)

        return self._by_author(context, prfaq_id, "Revising a PR/FAQ", revise)

    def open_round(self, context: CommandContext, prfaq_id: UUID, body: OpenRound) -> Outcome:
        people = [person_id(reviewer, field="reviewers") for reviewer in body.reviewers]

        opened: list[int] = []  # the number of the round, from the attempt that was saved

        def open_(work: UnitOfWork) -> PrFaq:
            opened.clear()
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            if not (context.principal.is_leadership or context.principal.subject == prfaq.author):
                team = (
                    None if prfaq.team_id is None else work.get(Team, prfaq.team_id, label="team")
                )
                if team is None or context.principal.subject != team.leader:
                    raise Forbidden(
                        "Opening a review round is for the author, the owning team's leader or "
                        "the `leadership` role"
                    )
            opened.append(prfaq.open_review(body.ring, people))
            return prfaq

        outcome = self.run(context, open_)
        return replace(outcome, number=opened[-1])

    def give_feedback(
        self, context: CommandContext, prfaq_id: UUID, number: int, body: GiveFeedback
    ) -> Outcome:
        reviewer = context.principal.subject

        def give(prfaq: PrFaq, _: UnitOfWork) -> None:
            if prfaq.round(number) is not None and not prfaq.is_reviewer(number, reviewer):
                raise Forbidden(f"Feedback in round {number} is for its reviewers")
            prfaq.give_feedback(number, reviewer, body.recommendation, body.comments)

        return self._on(context, prfaq_id, give)

    def close_round(
        self, context: CommandContext, prfaq_id: UUID, number: int, body: CloseRound
    ) -> Outcome:
        def close(prfaq: PrFaq, work: UnitOfWork) -> None:
            found = prfaq.round(number)
            if found is not None:
                require_decider(work, context.principal, prfaq, Ring(found["ring"]))
            prfaq.close_round(number, body.outcome, body.note)

        return self._on(context, prfaq_id, close)

    def withdraw(self, context: CommandContext, prfaq_id: UUID, body: WithdrawPrFaq) -> Outcome:
        return self._by_author(
            context, prfaq_id, "Withdrawing a PR/FAQ", lambda prfaq, _: prfaq.withdraw(body.reason)
        )

    def record_dissent(
        self, context: CommandContext, prfaq_id: UUID, body: RecordDissent
    ) -> Outcome:
        """Anyone signed in disagrees, with an argument; the answer names the dissent."""
        dissent_id = uuid4()  # the same id on every retry of the command

        def dissent(prfaq: PrFaq, work: UnitOfWork) -> None:
            prfaq.record_dissent(dissent_id, context.principal.subject, body.argument)
            work.answer_with(DISSENT, dissent_id)

        return self._on(context, prfaq_id, dissent)

    def weigh_dissent(
        self, context: CommandContext, prfaq_id: UUID, dissent_id: UUID, body: WeighDissent
    ) -> Outcome:
        require_leadership(context.principal, "Weighing dissent on a PR/FAQ")
        return self._on(
            context, prfaq_id, lambda prfaq, _: prfaq.weigh_dissent(dissent_id, body.response)
        )

    def commit(self, context: CommandContext, prfaq_id: UUID) -> Outcome:
        """The caller commits to the approved PR/FAQ."""
        return self._on(context, prfaq_id, lambda prfaq, _: prfaq.commit(context.principal.subject))

    def expect_outcome(
        self, context: CommandContext, prfaq_id: UUID, body: ExpectOutcome
    ) -> Outcome:
        """Leadership, who approved it, states what the PR/FAQ should achieve."""
        require_leadership(context.principal, "Stating a PR/FAQ's expected outcome")
        return self._on(context, prfaq_id, lambda prfaq, work: state_outcome(work, prfaq, body))
