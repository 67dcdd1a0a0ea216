"""PR/FAQs as tests make them: a full text, a draft, and a walk through rings."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.prfaqs import FaqAudience, Recommendation, Ring, content_of
from services.api.commands import CommandContext
from services.prfaqs.rest import CloseRound, GiveFeedback, OpenRound
from services.principal import Principal, Role
from tests.commands import Commands
from tests.people import CEO, principal

AUTHOR = principal("ann@x.io", Role.MEMBER)
REVIEWER = principal("rev@x.io", Role.MEMBER)
OUTSIDER = principal("out@x.io", Role.MEMBER)


def text(title: str = "Same-day books", **changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "title": title,
        "heading": "Books the day you order them",
        "subheading": "Readers in cities get books the same day",
        "customer": "Readers in cities",
        "problem": "They wait three days for a book they want tonight",
        "solution": "Stock the top titles in city depots",
        "summary": "From May, readers in ten cities get books the same day.",
        "launch_date": date(2026, 5, 1),
        "leader_quote": "We start from the reader.",
        "customer_quote": "I had my book by dinner.",
        "faq": [(FaqAudience.EXTERNAL, "Which cities?", "Ten, listed on the site.")],
        **changes,
    }
    return content_of(**fields)


def draft(commands: Commands, team: UUID | None, who: Principal = AUTHOR, **changes: Any) -> UUID:
    return commands.prfaqs.draft(
        CommandContext(who, "fixture"), content=text(**changes), team_id=team
    ).id


def review(
    commands: Commands,
    prfaq: UUID,
    ring: Ring,
    outcome: Recommendation = Recommendation.ADVANCE,
    note: str | None = None,
    opener: Principal = AUTHOR,
) -> int:
    """One round in ``ring``, with REVIEWER's feedback, closed by leadership; its position."""
    commands.prfaqs.open_round(
        CommandContext(opener, "fixture"), prfaq, OpenRound(ring=ring, reviewers=[REVIEWER.subject])
    )
    rounds = commands.app.repository.get(prfaq).rounds
    number = len(rounds)
    commands.prfaqs.give_feedback(
        CommandContext(REVIEWER, "fixture"),
        prfaq,
        number,
        GiveFeedback(recommendation=outcome, comments="Reviewed"),
    )
    return commands.prfaqs.close_round(
        CommandContext(CEO, "fixture"), prfaq, number, CloseRound(outcome=outcome, note=note)
    ).position
