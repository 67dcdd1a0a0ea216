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

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.org.team import Team, TeamDisbanded
from domain.people.values import person_id
from domain.prfaqs import PrFaq, Recommendation, Ring
from services.authorization import require_leader_or_leadership, require_leadership
from services.commands import CommandBus, Forbidden, Outcome, UnitOfWork
from services.decisions import state_outcome
from services.principal import Principal

DISSENT = "PrFaqDissent"  # what recording a dissent answers with (a GraphQL node type)


def _active_team(work: UnitOfWork, team_id: UUID) -> Team:
    team = work.get(Team, team_id, label="team")
    if team.disbanded:
        raise TeamDisbanded(
            f"Team '{team.name}' is disbanded and cannot own a PR/FAQ", team_id=str(team.id)
        )
    return team


def _authored(work: UnitOfWork, principal: Principal, prfaq_id: UUID, action: str) -> PrFaq:
    prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
    if principal.subject != prfaq.author:
        raise Forbidden(f"{action} is for the PR/FAQ's author")
    return prfaq


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


class PrFaqCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def draft(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        content: dict[str, Any],
        team_id: UUID | None = None,
    ) -> Outcome:
        def draft(work: UnitOfWork) -> PrFaq:
            if team_id is not None:
                _active_team(work, team_id)
            return work.add(PrFaq.draft(author=principal.subject, team_id=team_id, content=content))

        return self.bus.run(principal, correlation_id, draft)

    def revise(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        *,
        content: dict[str, Any],
        reason: str,
        team_id: UUID | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        def revise(work: UnitOfWork) -> PrFaq:
            prfaq = _authored(work, principal, prfaq_id, "Revising a PR/FAQ")
            if team_id is not None:
                _active_team(work, team_id)
            prfaq.revise(content=content, team_id=team_id, reason=reason)
            return prfaq

        return self.bus.run(principal, correlation_id, revise, expected_version=expected_version)

    def open_round(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        *,
        ring: Ring,
        reviewers: list[str],
        expected_version: int | None = None,
    ) -> Outcome:
        people = [person_id(reviewer, field="reviewers") for reviewer in reviewers]

        opened: list[int] = []  # the number of the round, from the attempt that was saved

        def open_(work: UnitOfWork) -> PrFaq:
            opened.clear()
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            if not (principal.is_leadership or principal.subject == prfaq.author):
                team = (
                    None if prfaq.team_id is None else work.get(Team, prfaq.team_id, label="team")
                )
                if team is None or principal.subject != team.leader:
                    raise Forbidden(
                        "Opening a review round is for the author, the owning team's leader or "
                        "the `leadership` role"
                    )
            opened.append(prfaq.open_review(ring, people))
            return prfaq

        outcome = self.bus.run(principal, correlation_id, open_, expected_version=expected_version)
        return replace(outcome, number=opened[-1])

    def give_feedback(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        number: int,
        *,
        recommendation: Recommendation,
        comments: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def give(work: UnitOfWork) -> PrFaq:
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            if prfaq.round(number) is not None and not prfaq.is_reviewer(number, principal.subject):
                raise Forbidden(f"Feedback in round {number} is for its reviewers")
            prfaq.give_feedback(number, principal.subject, recommendation, comments)
            return prfaq

        return self.bus.run(principal, correlation_id, give, expected_version=expected_version)

    def close_round(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        number: int,
        *,
        outcome: Recommendation,
        note: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        def close(work: UnitOfWork) -> PrFaq:
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            found = prfaq.round(number)
            if found is not None:
                require_decider(work, principal, prfaq, Ring(found["ring"]))
            prfaq.close_round(number, outcome, note)
            return prfaq

        return self.bus.run(principal, correlation_id, close, expected_version=expected_version)

    def withdraw(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def withdraw(work: UnitOfWork) -> PrFaq:
            prfaq = _authored(work, principal, prfaq_id, "Withdrawing a PR/FAQ")
            prfaq.withdraw(reason)
            return prfaq

        return self.bus.run(principal, correlation_id, withdraw, expected_version=expected_version)

    def record_dissent(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        *,
        argument: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """Anyone signed in disagrees, with an argument; the answer names the dissent."""
        dissent_id = uuid4()  # the same id on every retry of the command

        def dissent(work: UnitOfWork) -> PrFaq:
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            prfaq.record_dissent(dissent_id, principal.subject, argument)
            work.answer_with(DISSENT, dissent_id)
            return prfaq

        return self.bus.run(principal, correlation_id, dissent, expected_version=expected_version)

    def weigh_dissent(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        dissent_id: UUID,
        *,
        response: str,
        expected_version: int | None = None,
    ) -> Outcome:
        require_leadership(principal, "Weighing dissent on a PR/FAQ")

        def weigh(work: UnitOfWork) -> PrFaq:
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            prfaq.weigh_dissent(dissent_id, response)
            return prfaq

        return self.bus.run(principal, correlation_id, weigh, expected_version=expected_version)

    def commit(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        """The caller commits to the approved PR/FAQ."""

        def commit(work: UnitOfWork) -> PrFaq:
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            prfaq.commit(principal.subject)
            return prfaq

        return self.bus.run(principal, correlation_id, commit, expected_version=expected_version)

    def expect_outcome(
        self,
        principal: Principal,
        correlation_id: str,
        prfaq_id: UUID,
        *,
        metric_id: UUID,
        target: Decimal,
        by: date,
        note: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        """Leadership, who approved it, states what the PR/FAQ should achieve."""
        require_leadership(principal, "Stating a PR/FAQ's expected outcome")

        def expect(work: UnitOfWork) -> PrFaq:
            prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
            state_outcome(work, prfaq, metric_id=metric_id, target=target, by=by, note=note)
            return prfaq

        return self.bus.run(principal, correlation_id, expect, expected_version=expected_version)
