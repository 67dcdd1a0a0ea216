"""The rules of the PR/FAQ and its review in rings, checked on the aggregate alone."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.decisions import AlreadyCommitted, DissentAlreadyWeighed, DissentNotWeighed
from domain.errors import InvalidValue, NotFound
from domain.people.values import PersonId
from domain.prfaqs import (
    MAX_FAQ_ENTRIES,
    AuthorCannotReview,
    CustomerProblemRequired,
    FaqAudience,
    FeedbackOncePerRound,
    NewRevisionRequired,
    OwningTeamRequired,
    PrFaq,
    PrFaqClosed,
    PrFaqNotApproved,
    PrFaqState,
    Recommendation,
    Ring,
    RingNotReached,
    RoundInProgress,
    RoundNotOpen,
    canonical_hash,
    content_of,
)

AUTHOR = PersonId("ann@x.io")
REVIEWER = PersonId("rev@x.io")
TEAM = uuid4()


def full(title: str = "Same-day delivery", **changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "title": title,
        "heading": "Books arrive the day you order them",
        "subheading": "Readers in cities get books the same day",
        "customer": "Readers in cities",
        "problem": "They wait three days for a book they want tonight",
        "solution": "Stock the top 10,000 titles in city depots",
        "summary": "From 1 May, readers in ten cities...",
        "launch_date": date(2026, 5, 1),
        "leader_quote": "We start from the reader.",
        "customer_quote": "I had my book by dinner.",
        "faq": [(FaqAudience.INTERNAL, "What does it cost?", "Two depots a city.")],
        **changes,
    }
    return content_of(**fields)  # type: ignore[arg-type]


def drafted(team_id: object = TEAM, **changes: object) -> PrFaq:
    prfaq = PrFaq.draft(author=AUTHOR, team_id=team_id, content=full(**changes))  # type: ignore[arg-type]
    prfaq.collect_events()
    return prfaq


def through(prfaq: PrFaq, *rings: Ring) -> None:
    for ring in rings:
        number = prfaq.open_review(ring, [REVIEWER])
        prfaq.close_round(number, Recommendation.ADVANCE, None)


def test_the_content_hash_is_canonical_and_follows_every_change() -> None:
    assert canonical_hash(full()) == canonical_hash(dict(reversed(list(full().items()))))
    assert canonical_hash(full()) != canonical_hash(full(problem="Another problem"))
    assert len(canonical_hash(full())) == 64
    prfaq = drafted()
    assert prfaq.content_hash == canonical_hash(full())


def test_text_follows_the_one_text_rule() -> None:
    assert full(title="  Padded  ")["title"] == "Padded"
    assert full(problem="two\r\nlines")["problem"] == "two\nlines"
    with pytest.raises(InvalidValue) as refused:
        full(title="a\nb")
    assert refused.value.field == "title"
    with pytest.raises(InvalidValue):
        full(title=" ")
    with pytest.raises(InvalidValue) as refused:
        full(faq=[(FaqAudience.EXTERNAL, "Why?", " ")])
    assert refused.value.field == "faq[0].answer"
    with pytest.raises(InvalidValue):
        full(faq=[(FaqAudience.EXTERNAL, "q", "a")] * (MAX_FAQ_ENTRIES + 1))
    assert len(full(faq=[(FaqAudience.EXTERNAL, "q", "a")] * MAX_FAQ_ENTRIES)["faq"]) == 60


@pytest.mark.parametrize("missing", ["customer", "problem"])
def test_no_review_without_a_customer_and_a_problem(missing: str) -> None:
    prfaq = drafted(**{missing: " "})
    with pytest.raises(CustomerProblemRequired) as refused:
        prfaq.open_review(Ring.TEAM, [REVIEWER])
    assert refused.value.context["missing"] == [missing]
    assert prfaq.collect_events() == []


def test_a_round_pins_the_revision_under_review() -> None:
    prfaq = drafted()
    number = prfaq.open_review(Ring.TEAM, [REVIEWER, REVIEWER])
    assert number == 1
    [opened] = prfaq.collect_events()
    assert isinstance(opened, PrFaq.RoundOpened)
    assert (opened.content_hash, opened.revision, opened.reviewers) == (
        prfaq.content_hash,
        1,
        [REVIEWER],
    )
    assert prfaq.state is PrFaqState.IN_REVIEW


def test_the_author_never_reviews() -> None:
    with pytest.raises(AuthorCannotReview):
        drafted().open_review(Ring.TEAM, [REVIEWER, AUTHOR])


def test_reviewers_are_named() -> None:
    with pytest.raises(InvalidValue) as refused:
        drafted().open_review(Ring.TEAM, [])
    assert refused.value.field == "reviewers"


def test_no_revision_and_no_second_round_while_a_round_is_open() -> None:
    prfaq = drafted()
    prfaq.open_review(Ring.TEAM, [REVIEWER])
    with pytest.raises(RoundInProgress):
        prfaq.revise(content=full(problem="New"), team_id=None, reason="Feedback")
    with pytest.raises(RoundInProgress):
        prfaq.open_review(Ring.TEAM, [REVIEWER])


def test_a_reviewer_gives_feedback_once_per_round() -> None:
    prfaq = drafted()
    prfaq.open_review(Ring.TEAM, [REVIEWER])
    prfaq.give_feedback(1, REVIEWER, Recommendation.REVISE, "Tighten the problem")
    with pytest.raises(FeedbackOncePerRound):
        prfaq.give_feedback(1, REVIEWER, Recommendation.ADVANCE, "Changed my mind")
    with pytest.raises(NotFound):
        prfaq.give_feedback(2, REVIEWER, Recommendation.ADVANCE, "")


def test_a_round_opens_only_in_the_ring_reached() -> None:
    prfaq = drafted()
    with pytest.raises(RingNotReached) as refused:
        prfaq.open_review(Ring.ORG, [REVIEWER])
    assert refused.value.context["ring"] == "TEAM"
    through(prfaq, Ring.TEAM)
    assert prfaq.ring is Ring.ORG
    with pytest.raises(RingNotReached):
        prfaq.open_review(Ring.TEAM, [REVIEWER])


def test_an_owning_team_is_needed_before_the_org_ring() -> None:
    prfaq = drafted(team_id=None)
    through(prfaq, Ring.TEAM)
    with pytest.raises(OwningTeamRequired):
        prfaq.open_review(Ring.ORG, [REVIEWER])
    prfaq.revise(content=full(), team_id=TEAM, reason="Books owns it")
    assert prfaq.open_review(Ring.ORG, [REVIEWER]) == 2


def test_revise_keeps_the_ring_and_asks_for_a_new_revision() -> None:
    prfaq = drafted()
    prfaq.open_review(Ring.TEAM, [REVIEWER])
    prfaq.close_round(1, Recommendation.REVISE, "Sharpen the customer")
    assert (prfaq.ring, prfaq.state) == (Ring.TEAM, PrFaqState.DRAFT)
    with pytest.raises(NewRevisionRequired):
        prfaq.open_review(Ring.TEAM, [REVIEWER])
    prfaq.revise(content=full(customer="Readers in ten cities"), team_id=None, reason="Sharper")
    assert prfaq.revision == 2
    assert prfaq.team_id == TEAM, "a revision without a team keeps the owning team"
    assert prfaq.open_review(Ring.TEAM, [REVIEWER]) == 2
    assert prfaq.rounds[1]["content_hash"] != prfaq.rounds[0]["content_hash"]


def test_four_rings_then_approved() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM, Ring.ORG, Ring.S_TEAM)
    assert prfaq.ring is Ring.CEO
    through(prfaq, Ring.CEO)
    assert (prfaq.state, prfaq.ring) == (PrFaqState.APPROVED, Ring.CEO)
    with pytest.raises(PrFaqClosed):
        prfaq.open_review(Ring.CEO, [REVIEWER])


def test_stop_shelves_with_a_reason() -> None:
    prfaq = drafted()
    prfaq.open_review(Ring.TEAM, [REVIEWER])
    with pytest.raises(InvalidValue) as refused:
        prfaq.close_round(1, Recommendation.STOP, " ")
    assert refused.value.field == "note"
    prfaq.close_round(1, Recommendation.STOP, "No customer asked for this")
    assert prfaq.state is PrFaqState.SHELVED
    with pytest.raises(PrFaqClosed):
        prfaq.revise(content=full(), team_id=None, reason="Try again")


def test_a_closed_round_takes_no_feedback_or_decision() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM)
    with pytest.raises(RoundNotOpen):
        prfaq.give_feedback(1, REVIEWER, Recommendation.ADVANCE, "")
    with pytest.raises(RoundNotOpen):
        prfaq.close_round(1, Recommendation.ADVANCE, None)


def test_withdraw_with_a_reason() -> None:
    prfaq = drafted()
    with pytest.raises(InvalidValue):
        prfaq.withdraw(" ")
    prfaq.withdraw("Another team is doing it")
    assert prfaq.state is PrFaqState.WITHDRAWN
    with pytest.raises(PrFaqClosed):
        prfaq.withdraw("Again")


def test_approval_needs_every_dissent_weighed_then_people_commit() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM, Ring.ORG, Ring.S_TEAM)
    first, second = uuid4(), uuid4()
    prfaq.record_dissent(first, PersonId("bo@x.io"), "Customers did not ask for this")
    prfaq.record_dissent(second, PersonId("cy@x.io"), "Too costly")
    with pytest.raises(PrFaqNotApproved):
        prfaq.commit(PersonId("bo@x.io"))
    number = prfaq.open_review(Ring.CEO, [REVIEWER])
    prfaq.weigh_dissent(first, "Heard: the survey says they did")
    with pytest.raises(DissentAlreadyWeighed):
        prfaq.weigh_dissent(first, "Again")
    with pytest.raises(NotFound):
        prfaq.weigh_dissent(uuid4(), "Whose?")
    with pytest.raises(DissentNotWeighed) as refused:
        prfaq.close_round(number, Recommendation.ADVANCE, None)
    assert refused.value.context["dissent_ids"] == [str(second)]
    prfaq.weigh_dissent(second, "The cost is in the FAQ")
    prfaq.close_round(number, Recommendation.ADVANCE, None)
    assert prfaq.uncommitted_dissenters == ["bo@x.io", "cy@x.io"]
    prfaq.commit(PersonId("bo@x.io"))
    with pytest.raises(AlreadyCommitted):
        prfaq.commit(PersonId("bo@x.io"))
    assert prfaq.uncommitted_dissenters == ["cy@x.io"]
    with pytest.raises(PrFaqClosed):
        prfaq.record_dissent(uuid4(), PersonId("dee@x.io"), "Late")


def test_an_unweighed_dissent_does_not_hold_back_a_stop_or_an_earlier_ring() -> None:
    prfaq = drafted()
    prfaq.record_dissent(uuid4(), PersonId("bo@x.io"), "No")
    through(prfaq, Ring.TEAM)
    assert prfaq.ring is Ring.ORG
    prfaq.open_review(Ring.ORG, [REVIEWER])
    prfaq.close_round(2, Recommendation.STOP, "Not now")
    assert prfaq.state is PrFaqState.SHELVED


def test_an_expected_outcome_belongs_to_an_approved_prfaq() -> None:
    from decimal import Decimal

    from domain.decisions import ExpectedOutcome

    outcome = ExpectedOutcome(uuid4(), Decimal(90), date(2026, 6, 30), "Readers stay")
    prfaq = drafted()
    with pytest.raises(PrFaqNotApproved):
        prfaq.expect(outcome)
    through(prfaq, *Ring)
    prfaq.expect(outcome)
    [expected] = prfaq.collect_events()[-1:]
    assert isinstance(expected, PrFaq.OutcomeExpected)
    assert (expected.target, expected.by) == (Decimal(90), date(2026, 6, 30))
