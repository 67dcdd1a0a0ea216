"""Every refusal of the PR/FAQ, compared whole (rule, text, payload), at its edges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from domain.decisions import AlreadyCommitted, DissentNotWeighed, ExpectedOutcome
from domain.errors import InvalidValue, NotFound
from domain.people.values import PersonId
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
from tests.unit.refusals import blank, invalid, refusal, too_long
from tests.unit.test_prfaq import AUTHOR, REVIEWER, drafted, full, through

OTHER = PersonId("bo@x.io")


def field_of(command: Callable[[], object]) -> tuple[type[Exception], dict[str, Any]]:
    """The rule and payload of a refusal whose text names a character (not compared here)."""
    rule, _, context = refusal(command)
    return rule, context


def content(**parts: Any) -> dict[str, Any]:
    """The content of a PR/FAQ titled "t" with ``parts``."""
    return content_of(**{"title": "t", **parts})


def in_review() -> PrFaq:
    prfaq = drafted()
    prfaq.open_review(Ring.TEAM, [REVIEWER])
    prfaq.collect_events()
    return prfaq


def approved() -> PrFaq:
    prfaq = drafted()
    through(prfaq, *Ring)
    prfaq.collect_events()
    return prfaq


def shelved() -> PrFaq:
    prfaq = in_review()
    prfaq.close_round(1, Recommendation.STOP, "Not now")
    prfaq.collect_events()
    return prfaq


def withdrawn() -> PrFaq:
    prfaq = drafted()
    prfaq.withdraw("Another team does it")
    prfaq.collect_events()
    return prfaq


# -- the content --------------------------------------------------------------


def test_a_title_alone_is_a_content_with_every_other_part_empty() -> None:
    assert content_of(title="Same-day delivery") == {
        "title": "Same-day delivery",
        "heading": "",
        "subheading": "",
        "customer": "",
        "problem": "",
        "solution": "",
        "summary": "",
        "launch_date": None,
        "leader_quote": "",
        "customer_quote": "",
        "faq": [],
    }


def test_the_content_keeps_each_part_where_it_was_given() -> None:
    content = content_of(
        title="t",
        heading="h",
        subheading="sh",
        customer="c",
        problem="p",
        solution="s",
        summary="su",
        launch_date=date(2026, 5, 1),
        leader_quote="lq",
        customer_quote="cq",
        faq=[("internal", "q1", "a1"), (FaqAudience.EXTERNAL, "q2", "a2")],  # type: ignore[list-item]
    )
    assert content == {
        "title": "t",
        "heading": "h",
        "subheading": "sh",
        "customer": "c",
        "problem": "p",
        "solution": "s",
        "summary": "su",
        "launch_date": "2026-05-01",
        "leader_quote": "lq",
        "customer_quote": "cq",
        "faq": [
            {"audience": "INTERNAL", "question": "q1", "answer": "a1"},
            {"audience": "EXTERNAL", "question": "q2", "answer": "a2"},
        ],
    }


LIMITS = [
    ("title", "title", MAX_TITLE_LENGTH),
    ("heading", "heading", MAX_HEADING_LENGTH),
    ("subheading", "subheading", MAX_LINE_LENGTH),
    ("customer", "customer", MAX_LINE_LENGTH),
    ("problem", "problem", MAX_SECTION_LENGTH),
    ("solution", "solution", MAX_SECTION_LENGTH),
    ("summary", "summary", MAX_SECTION_LENGTH),
    ("leader_quote", "quotes.leader", MAX_QUOTE_LENGTH),
    ("customer_quote", "quotes.customer", MAX_QUOTE_LENGTH),
]


@pytest.mark.parametrize(("part", "field", "limit"), LIMITS)
def test_each_part_holds_its_longest_text_and_not_one_character_more(
    part: str, field: str, limit: int
) -> None:
    assert content(**{part: "x" * limit})[part] == "x" * limit
    assert refusal(lambda: content(**{part: "x" * (limit + 1)})) == too_long(field, limit)


@pytest.mark.parametrize(("part", "field", "_"), LIMITS[2:])
def test_the_body_of_a_press_release_may_run_over_several_lines(
    part: str, field: str, _: int
) -> None:
    assert content(**{part: "one\ttwo\r\nthree"})[part] == "one\ttwo\nthree"


@pytest.mark.parametrize(("part", "field"), [("title", "title"), ("heading", "heading")])
def test_the_title_and_the_heading_are_one_line(part: str, field: str) -> None:
    assert field_of(lambda: content(**{part: "one\ntwo"})) == (
        InvalidValue,
        {"field": field},
    )


def test_the_title_must_show_something() -> None:
    assert refusal(lambda: content_of(title=" ")) == blank("title")


def test_the_faq_holds_at_most_sixty_questions() -> None:
    entry = (FaqAudience.EXTERNAL, "q", "a")
    assert len(content_of(title="t", faq=[entry] * MAX_FAQ_ENTRIES)["faq"]) == MAX_FAQ_ENTRIES
    assert refusal(lambda: content_of(title="t", faq=[entry] * (MAX_FAQ_ENTRIES + 1))) == invalid(
        "faq", "`faq` holds at most 60 questions"
    )


@pytest.mark.parametrize(
    ("part", "limit"), [("question", MAX_QUESTION_LENGTH), ("answer", MAX_ANSWER_LENGTH)]
)
def test_a_faq_entry_holds_its_longest_text_and_names_its_place_when_refused(
    part: str, limit: int
) -> None:
    def faq(text: str) -> list[tuple[FaqAudience, str, str]]:
        entry = {"question": "q", "answer": "a", part: text}
        return [
            (FaqAudience.EXTERNAL, "q", "a"),
            (FaqAudience.INTERNAL, entry["question"], entry["answer"]),
        ]

    assert content_of(title="t", faq=faq("x" * limit))["faq"][1][part] == "x" * limit
    assert content_of(title="t", faq=faq("one\ntwo"))["faq"][1][part] == "one\ntwo"
    assert refusal(lambda: content_of(title="t", faq=faq("x" * (limit + 1)))) == too_long(
        f"faq[1].{part}", limit
    )
    assert refusal(lambda: content_of(title="t", faq=faq(" "))) == blank(f"faq[1].{part}")


# -- rings and states ---------------------------------------------------------


def test_the_rings_widen_in_order_and_end_with_the_ceo() -> None:
    assert [ring.next for ring in Ring] == [Ring.ORG, Ring.S_TEAM, Ring.CEO, None]


def test_approved_shelved_and_withdrawn_are_closed_and_the_others_are_not() -> None:
    assert {state for state in PrFaqState if state.closed} == {
        PrFaqState.APPROVED,
        PrFaqState.SHELVED,
        PrFaqState.WITHDRAWN,
    }


def test_a_draft_starts_at_revision_one_in_the_team_ring_with_no_round() -> None:
    prfaq = PrFaq.draft(author=AUTHOR, team_id=None, content=full())
    [drafted_event] = prfaq.collect_events()
    assert isinstance(drafted_event, PrFaq.Drafted)
    assert (drafted_event.author, drafted_event.team_id, drafted_event.content_hash) == (
        AUTHOR,
        None,
        canonical_hash(full()),
    )
    assert (prfaq.revision, prfaq.state, prfaq.ring, prfaq.rounds) == (
        1,
        PrFaqState.DRAFT,
        Ring.TEAM,
        [],
    )
    assert (prfaq.open_round, prfaq.reviewers, prfaq.round(1)) == (None, set(), None)
    assert prfaq.label == "PR/FAQ 'Same-day delivery'"


# -- closed -------------------------------------------------------------------


COMMANDS: dict[str, Callable[[PrFaq], object]] = {
    "revise": lambda p: p.revise(content=full(), team_id=None, reason="Again"),
    "open_review": lambda p: p.open_review(p.ring, [REVIEWER]),
    "give_feedback": lambda p: p.give_feedback(1, OTHER, Recommendation.ADVANCE, ""),
    "close_round": lambda p: p.close_round(1, Recommendation.ADVANCE, None),
    "withdraw": lambda p: p.withdraw("Again"),
    "record_dissent": lambda p: p.record_dissent(uuid4(), OTHER, "No"),
    "weigh_dissent": lambda p: p.weigh_dissent(uuid4(), "Heard"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize(
    ("closed", "state"),
    [(approved, "APPROVED"), (shelved, "SHELVED"), (withdrawn, "WITHDRAWN")],
)
def test_a_closed_prfaq_is_kept_as_it_was_decided(
    command: str, closed: Callable[[], PrFaq], state: str
) -> None:
    prfaq = closed()
    assert refusal(lambda: COMMANDS[command](prfaq), prfaq) == (
        PrFaqClosed,
        f"The PR/FAQ is {state}; it is kept as it was decided",
        {"prfaq_id": str(prfaq.id), "state": state},
    )


# -- revisions ----------------------------------------------------------------


def test_a_revision_records_its_text_its_hash_its_team_and_why() -> None:
    prfaq = drafted(team_id=None)
    team = uuid4()
    content = full(problem="A sharper problem")
    prfaq.revise(content=content, team_id=team, reason="  Feedback\r\nfrom the team  ")
    [revised] = prfaq.collect_events()
    assert isinstance(revised, PrFaq.Revised)
    assert (
        revised.revision,
        revised.team_id,
        revised.content,
        revised.content_hash,
        revised.reason,
    ) == (2, team, content, canonical_hash(content), "Feedback\nfrom the team")
    assert (prfaq.revision, prfaq.team_id, prfaq.content, prfaq.content_hash) == (
        2,
        team,
        content,
        canonical_hash(content),
    )


@pytest.mark.parametrize("command", ["revise", "withdraw"])
def test_a_reason_holds_its_longest_text_and_must_show_something(command: str) -> None:
    def act(prfaq: PrFaq, reason: str) -> None:
        if command == "revise":
            prfaq.revise(content=full(), team_id=None, reason=reason)
        else:
            prfaq.withdraw(reason)

    prfaq = drafted()
    assert refusal(lambda: act(prfaq, " "), prfaq) == blank("reason")
    assert refusal(lambda: act(prfaq, "x" * (MAX_REASON_LENGTH + 1)), prfaq) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    act(prfaq, "x" * MAX_REASON_LENGTH)
    [event] = prfaq.collect_events()
    assert event.reason == "x" * MAX_REASON_LENGTH  # type: ignore[attr-defined]


def test_the_text_under_review_cannot_change_and_the_refusal_names_the_round() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM)
    prfaq.open_review(Ring.ORG, [REVIEWER])
    prfaq.collect_events()
    assert refusal(
        lambda: prfaq.revise(content=full(problem="New"), team_id=None, reason="Why"), prfaq
    ) == (
        RoundInProgress,
        "Round 2 is reviewing revision 1; the text cannot change until it is closed",
        {"prfaq_id": str(prfaq.id), "round": 2},
    )


# -- opening a round ----------------------------------------------------------


def test_a_second_round_cannot_open_beside_an_open_one() -> None:
    prfaq = in_review()
    assert refusal(lambda: prfaq.open_review(Ring.TEAM, [OTHER]), prfaq) == (
        RoundInProgress,
        "Round 1 is still open",
        {"prfaq_id": str(prfaq.id)},
    )


def test_a_prfaq_without_customer_and_problem_names_both_missing() -> None:
    prfaq = drafted(customer=None, problem=None)
    assert refusal(lambda: prfaq.open_review(Ring.TEAM, [REVIEWER]), prfaq) == (
        CustomerProblemRequired,
        "A PR/FAQ names its customer and their problem before it can be reviewed: start from "
        "the customer's problem, never from a technology",
        {"prfaq_id": str(prfaq.id), "missing": ["customer", "problem"]},
    )


@pytest.mark.parametrize("ring", [Ring.TEAM, Ring.S_TEAM, Ring.CEO])
def test_a_round_in_another_ring_names_the_ring_reached(ring: Ring) -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM)
    prfaq.collect_events()
    assert refusal(lambda: prfaq.open_review(ring, [REVIEWER]), prfaq) == (
        RingNotReached,
        "The PR/FAQ is in the ORG ring; a round opens only there",
        {"prfaq_id": str(prfaq.id), "ring": "ORG"},
    )


def test_a_ring_may_be_named_in_any_case() -> None:
    prfaq = drafted()
    assert prfaq.open_review("team", [REVIEWER]) == 1  # type: ignore[arg-type]


def test_the_team_ring_needs_no_owning_team_and_the_org_ring_does() -> None:
    prfaq = drafted(team_id=None)
    through(prfaq, Ring.TEAM)
    prfaq.collect_events()
    assert refusal(lambda: prfaq.open_review(Ring.ORG, [REVIEWER]), prfaq) == (
        OwningTeamRequired,
        "Name the owning team (a revision with `teamId`) before the ORG ring",
        {"prfaq_id": str(prfaq.id)},
    )


def test_the_author_among_the_reviewers_is_refused_by_name() -> None:
    prfaq = drafted()
    assert refusal(lambda: prfaq.open_review(Ring.TEAM, [REVIEWER, AUTHOR]), prfaq) == (
        AuthorCannotReview,
        "ann@x.io wrote this PR/FAQ and cannot review it",
        {"prfaq_id": str(prfaq.id)},
    )


def test_a_revision_with_the_same_text_is_not_a_new_revision() -> None:
    prfaq = in_review()
    prfaq.close_round(1, Recommendation.REVISE, "Sharper")
    prfaq.revise(content=full(), team_id=None, reason="Nothing changed")
    prfaq.collect_events()
    assert refusal(lambda: prfaq.open_review(Ring.TEAM, [REVIEWER]), prfaq) == (
        NewRevisionRequired,
        "Round 1 asked for changes to revision 2; revise the PR/FAQ before the next round",
        {"prfaq_id": str(prfaq.id)},
    )


def test_a_round_that_advanced_or_revised_on_another_text_needs_no_new_revision() -> None:
    prfaq = in_review()
    prfaq.close_round(1, Recommendation.REVISE, "Sharper")
    prfaq.revise(content=full(problem="Sharper"), team_id=None, reason="Sharper")
    assert prfaq.open_review(Ring.TEAM, [REVIEWER]) == 2
    prfaq.close_round(2, Recommendation.ADVANCE, None)
    assert prfaq.open_review(Ring.ORG, [REVIEWER]) == 3


def test_a_round_names_one_to_thirty_reviewers() -> None:
    prfaq = drafted()
    assert refusal(lambda: prfaq.open_review(Ring.TEAM, []), prfaq) == invalid(
        "reviewers", "`reviewers` must name at least one reviewer"
    )
    many = [PersonId(f"r{i}@x.io") for i in range(MAX_REVIEWERS + 1)]
    assert refusal(lambda: prfaq.open_review(Ring.TEAM, many), prfaq) == invalid(
        "reviewers", "`reviewers` names at most 30 people"
    )
    assert prfaq.open_review(Ring.TEAM, many[:MAX_REVIEWERS]) == 1
    assert prfaq.rounds[0]["reviewers"] == many[:MAX_REVIEWERS]


def test_an_opened_round_records_its_ring_reviewers_revision_and_hash() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM)
    prfaq.collect_events()
    assert prfaq.open_review(Ring.ORG, [OTHER, REVIEWER, OTHER]) == 2
    [opened] = prfaq.collect_events()
    assert isinstance(opened, PrFaq.RoundOpened)
    assert (
        opened.number,
        opened.ring,
        opened.reviewers,
        opened.revision,
        opened.content_hash,
    ) == (2, Ring.ORG, [OTHER, REVIEWER], 1, prfaq.content_hash)
    assert prfaq.rounds[1] == {
        "number": 2,
        "ring": "ORG",
        "reviewers": [OTHER, REVIEWER],
        "revision": 1,
        "content_hash": prfaq.content_hash,
        "feedback": {},
        "outcome": None,
    }
    assert prfaq.open_round is prfaq.rounds[1]
    assert prfaq.reviewers == {OTHER, REVIEWER}
    assert (prfaq.is_reviewer(2, OTHER), prfaq.is_reviewer(2, AUTHOR)) == (True, False)
    assert (prfaq.is_reviewer(1, REVIEWER), prfaq.is_reviewer(3, REVIEWER)) == (True, False)
    assert (prfaq.round(1), prfaq.round(2), prfaq.round(3)) == (
        prfaq.rounds[0],
        prfaq.rounds[1],
        None,
    )
    assert prfaq.round(0) is None


# -- feedback and the decision ------------------------------------------------


@pytest.mark.parametrize("number", [0, 2])
def test_a_round_that_does_not_exist_is_not_found(number: int) -> None:
    prfaq = in_review()
    not_found = (
        NotFound,
        f"No round with id {prfaq.id}/{number}",
        {"kind": "round", "key": f"{prfaq.id}/{number}"},
    )
    assert refusal(lambda: prfaq.give_feedback(number, REVIEWER, "ADVANCE", ""), prfaq) == (  # type: ignore[arg-type]
        not_found
    )
    assert refusal(lambda: prfaq.close_round(number, Recommendation.REVISE, None), prfaq) == (
        not_found
    )


def test_a_closed_round_says_how_it_was_closed() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM)
    prfaq.open_review(Ring.ORG, [REVIEWER])
    prfaq.collect_events()
    not_open = (
        RoundNotOpen,
        "Round 1 was closed with ADVANCE",
        {"prfaq_id": str(prfaq.id), "round": 1},
    )
    assert refusal(lambda: prfaq.give_feedback(1, OTHER, Recommendation.STOP, ""), prfaq) == (
        not_open
    )
    assert refusal(lambda: prfaq.close_round(1, Recommendation.STOP, "No"), prfaq) == not_open


def test_feedback_is_recorded_once_per_reviewer_and_round() -> None:
    prfaq = in_review()
    prfaq.give_feedback(1, REVIEWER, "revise", "  Tighten\r\nthe problem  ")  # type: ignore[arg-type]
    [given] = prfaq.collect_events()
    assert isinstance(given, PrFaq.FeedbackGiven)
    assert (given.number, given.reviewer, given.recommendation, given.comments) == (
        1,
        REVIEWER,
        Recommendation.REVISE,
        "Tighten\nthe problem",
    )
    assert prfaq.rounds[0]["feedback"] == {REVIEWER: "REVISE"}
    assert refusal(lambda: prfaq.give_feedback(1, REVIEWER, Recommendation.ADVANCE, ""), prfaq) == (
        FeedbackOncePerRound,
        "rev@x.io already recommended REVISE in round 1",
        {"prfaq_id": str(prfaq.id), "round": 1},
    )
    prfaq.give_feedback(1, OTHER, Recommendation.ADVANCE, "")
    assert prfaq.rounds[0]["feedback"] == {REVIEWER: "REVISE", OTHER: "ADVANCE"}


def test_comments_hold_their_longest_text_and_not_one_character_more() -> None:
    prfaq = in_review()
    assert refusal(
        lambda: prfaq.give_feedback(1, REVIEWER, Recommendation.ADVANCE, "x" * 6001), prfaq
    ) == too_long("comments", MAX_COMMENTS_LENGTH)
    prfaq.give_feedback(1, REVIEWER, Recommendation.ADVANCE, "x" * MAX_COMMENTS_LENGTH)
    [given] = prfaq.collect_events()
    assert given.comments == "x" * MAX_COMMENTS_LENGTH  # type: ignore[attr-defined]


def test_a_note_holds_its_longest_text_and_may_run_over_lines() -> None:
    prfaq = in_review()
    assert refusal(
        lambda: prfaq.close_round(1, Recommendation.REVISE, "x" * (MAX_REASON_LENGTH + 1)), prfaq
    ) == too_long("note", MAX_REASON_LENGTH)
    assert refusal(lambda: prfaq.close_round(1, Recommendation.STOP, None), prfaq) == invalid(
        "note", "`note` must give the reason a PR/FAQ is stopped"
    )
    prfaq.close_round(1, Recommendation.STOP, "one\r\n" + "x" * (MAX_REASON_LENGTH - 4))
    [closed] = prfaq.collect_events()
    assert closed.note == "one\n" + "x" * (MAX_REASON_LENGTH - 4)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("ring", "outcome", "note", "state", "next_ring"),
    [
        (Ring.TEAM, Recommendation.ADVANCE, None, PrFaqState.DRAFT, Ring.ORG),
        (Ring.ORG, Recommendation.REVISE, None, PrFaqState.DRAFT, Ring.ORG),
        (Ring.S_TEAM, Recommendation.STOP, "Not now", PrFaqState.SHELVED, Ring.S_TEAM),
        (Ring.CEO, Recommendation.ADVANCE, "Go", PrFaqState.APPROVED, Ring.CEO),
        (Ring.CEO, Recommendation.REVISE, "Almost", PrFaqState.DRAFT, Ring.CEO),
        (Ring.CEO, Recommendation.STOP, "No", PrFaqState.SHELVED, Ring.CEO),
    ],
)
def test_the_decider_closes_a_round_into_its_state_and_ring(
    ring: Ring, outcome: Recommendation, note: str | None, state: PrFaqState, next_ring: Ring
) -> None:
    prfaq = drafted()
    through(prfaq, *list(Ring)[: list(Ring).index(ring)])
    number = prfaq.open_review(ring, [REVIEWER])
    prfaq.collect_events()
    prfaq.close_round(number, outcome.value.lower(), note)  # type: ignore[arg-type]
    [closed] = prfaq.collect_events()
    assert isinstance(closed, PrFaq.RoundClosed)
    assert (
        closed.number,
        closed.ring,
        closed.outcome,
        closed.note,
        closed.state,
        closed.next_ring,
    ) == (number, ring, outcome, note or "", state, next_ring)
    assert (prfaq.state, prfaq.ring, prfaq.rounds[-1]["outcome"]) == (
        state,
        next_ring,
        outcome.value,
    )
    assert prfaq.open_round is None


def test_only_approving_waits_for_every_dissent_to_be_weighed() -> None:
    prfaq = drafted()
    through(prfaq, Ring.TEAM, Ring.ORG, Ring.S_TEAM)
    dissent = uuid4()
    prfaq.record_dissent(dissent, OTHER, "Too costly")
    prfaq.open_review(Ring.CEO, [REVIEWER])
    prfaq.collect_events()
    assert refusal(lambda: prfaq.close_round(4, Recommendation.ADVANCE, None), prfaq) == (
        DissentNotWeighed,
        f"Approving 'Same-day delivery' has 1 dissent(s) nobody weighed yet: {dissent}; "
        "respond to each before deciding",
        {"prfaq_id": str(prfaq.id), "dissent_ids": [str(dissent)]},
    )
    prfaq.close_round(4, Recommendation.REVISE, "Answer the dissent")
    assert prfaq.state is PrFaqState.DRAFT


def test_a_withdrawal_records_why() -> None:
    prfaq = in_review()
    prfaq.withdraw("  Another team\r\ndoes it ")
    [withdrawn_event] = prfaq.collect_events()
    assert isinstance(withdrawn_event, PrFaq.Withdrawn)
    assert withdrawn_event.reason == "Another team\ndoes it"
    assert prfaq.state is PrFaqState.WITHDRAWN


def test_a_dissent_records_who_and_why() -> None:
    prfaq = in_review()
    dissent = uuid4()
    prfaq.record_dissent(dissent, OTHER, "  Too costly ")
    [recorded] = prfaq.collect_events()
    assert isinstance(recorded, PrFaq.DissentRecorded)
    assert (recorded.dissent_id, recorded.person, recorded.argument) == (
        dissent,
        OTHER,
        "Too costly",
    )
    assert prfaq.unweighed_dissents
    prfaq.weigh_dissent(dissent, "  Heard ")
    [weighed] = prfaq.collect_events()
    assert isinstance(weighed, PrFaq.DissentWeighed)
    assert (weighed.dissent_id, weighed.response) == (dissent, "Heard")
    assert not prfaq.unweighed_dissents
    with pytest.raises(ValueError, match=rf"^Dissent {dissent} is already recorded$"):
        prfaq.record_dissent(dissent, REVIEWER, "Again")


# -- after the decision -------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "state"),
    [(drafted, "DRAFT"), (in_review, "IN_REVIEW"), (shelved, "SHELVED"), (withdrawn, "WITHDRAWN")],
)
def test_commitment_and_expected_outcomes_follow_approval(
    before: Callable[[], PrFaq], state: str
) -> None:
    prfaq = before()
    outcome = ExpectedOutcome(uuid4(), Decimal(90), date(2026, 6, 30), "Readers stay")
    assert refusal(lambda: prfaq.commit(OTHER), prfaq) == (
        PrFaqNotApproved,
        f"PR/FAQ 'Same-day delivery' is {state}; commitment follows its approval",
        {"prfaq_id": str(prfaq.id)},
    )
    assert refusal(lambda: prfaq.expect(outcome), prfaq) == (
        PrFaqNotApproved,
        f"PR/FAQ 'Same-day delivery' is {state}; an expected outcome belongs to the approved "
        "decision",
        {"prfaq_id": str(prfaq.id)},
    )


def test_an_approved_prfaq_records_commitments_and_expected_outcomes() -> None:
    prfaq = approved()
    prfaq.commit(OTHER)
    metric = uuid4()
    prfaq.expect(ExpectedOutcome(metric, Decimal(90), date(2026, 6, 30), "Readers stay"))
    committed, expected = prfaq.collect_events()
    assert isinstance(committed, PrFaq.Committed)
    assert committed.person == OTHER
    assert prfaq.committed == [OTHER]
    assert isinstance(expected, PrFaq.OutcomeExpected)
    assert (expected.metric_id, expected.target, expected.by, expected.note) == (
        metric,
        Decimal(90),
        date(2026, 6, 30),
        "Readers stay",
    )
    assert refusal(lambda: prfaq.commit(OTHER), prfaq) == (
        AlreadyCommitted,
        "bo@x.io already committed to PR/FAQ 'Same-day delivery'",
        {"prfaq_id": str(prfaq.id)},
    )
