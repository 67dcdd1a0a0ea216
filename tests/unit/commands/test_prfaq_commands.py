"""PR/FAQ commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from domain.allocation.cycle import CycleKind, CyclePhase
from domain.allocation.refusals import CycleNotDecided
from domain.decisions import AlreadyCommitted, DissentNotWeighed
from domain.errors import InvalidValue, NotFound
from domain.org.team import Attachment, TeamDisbanded
from domain.people.values import Function
from domain.prfaqs import (
    AuthorCannotReview,
    CustomerProblemRequired,
    FeedbackOncePerRound,
    PrFaq,
    PrFaqNotApproved,
    PrFaqState,
    Recommendation,
    Ring,
    RoundInProgress,
)
from services.api.commands import CommandContext
from services.commands import Forbidden, Outcome, VersionMismatch
from services.decisions import ExpectOutcome
from services.org.rest import AddMember, DisbandTeam
from services.prfaqs.rest import CloseRound, GiveFeedback, OpenRound, WithdrawPrFaq
from services.prfaqs.rest import RecordDissent as PrFaqRecordDissent
from services.prfaqs.rest import WeighDissent as PrFaqWeighDissent
from services.principal import Principal, Role
from tests.allocation_fixtures import advance, open_cycle
from tests.commands import Commands, refused_and_nothing_recorded
from tests.goal_fixtures import company
from tests.people import CEO, principal
from tests.prfaq_fixtures import AUTHOR, OUTSIDER, REVIEWER, draft, review, text

BO = principal("bo@x.io", Role.MEMBER)  # leads Books
RITA = principal("rita@x.io", Role.MEMBER)  # leads Retail, the parent of Books
CORA = principal("cora@x.io", Role.MEMBER)  # leads Commerce, above Retail


def prfaq_of(flywheel: Commands, prfaq_id: object) -> PrFaq:
    found = flywheel.app.repository.get(prfaq_id)  # type: ignore[arg-type]
    assert isinstance(found, PrFaq)
    return found


def test_anyone_signed_in_drafts_and_is_the_author(flywheel: Commands) -> None:
    org = company(flywheel)
    prfaq = prfaq_of(flywheel, draft(flywheel, org.books))
    assert (prfaq.author, prfaq.team_id, prfaq.state) == (
        AUTHOR.subject,
        org.books,
        PrFaqState.DRAFT,
    )
    refused_and_nothing_recorded(flywheel, NotFound, lambda: draft(flywheel, uuid4()))
    flywheel.org.disband_team(CommandContext(CEO, "t"), org.finance, DisbandTeam(reason="Merged"))
    refused_and_nothing_recorded(flywheel, TeamDisbanded, lambda: draft(flywheel, org.finance))


def test_only_the_author_revises_and_withdraws(flywheel: Commands) -> None:
    org = company(flywheel)
    prfaq = draft(flywheel, org.books)
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.prfaqs.revise(
            CommandContext(CEO, "t"), prfaq, content=text(), reason="Mine now"
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.prfaqs.withdraw(
            CommandContext(BO, "t"), prfaq, WithdrawPrFaq(reason="No")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        VersionMismatch,
        lambda: flywheel.prfaqs.revise(
            CommandContext(AUTHOR, "t").at_version(9), prfaq, content=text(), reason="r"
        ),
    )
    flywheel.prfaqs.revise(
        CommandContext(AUTHOR, "t"), prfaq, content=text(problem="Sharper"), reason="Sharper"
    )
    flywheel.prfaqs.withdraw(
        CommandContext(AUTHOR, "t"), prfaq, WithdrawPrFaq(reason="Another team does it")
    )
    assert prfaq_of(flywheel, prfaq).state is PrFaqState.WITHDRAWN


def test_review_rules_record_nothing(flywheel: Commands) -> None:
    org = company(flywheel)
    no_problem = draft(flywheel, org.books, problem="")
    refused_and_nothing_recorded(
        flywheel,
        CustomerProblemRequired,
        lambda: flywheel.prfaqs.open_round(
            CommandContext(AUTHOR, "t"),
            no_problem,
            OpenRound(ring=Ring.TEAM, reviewers=[REVIEWER.subject]),
        ),
    )
    prfaq = draft(flywheel, org.books)
    refused_and_nothing_recorded(
        flywheel,
        AuthorCannotReview,
        lambda: flywheel.prfaqs.open_round(
            CommandContext(CEO, "t"), prfaq, OpenRound(ring=Ring.TEAM, reviewers=[AUTHOR.subject])
        ),
    )
    flywheel.prfaqs.open_round(
        CommandContext(AUTHOR, "t"), prfaq, OpenRound(ring=Ring.TEAM, reviewers=[REVIEWER.subject])
    )
    refused_and_nothing_recorded(
        flywheel,
        RoundInProgress,
        lambda: flywheel.prfaqs.revise(
            CommandContext(AUTHOR, "t"), prfaq, content=text(), reason="r"
        ),
    )
    flywheel.prfaqs.give_feedback(
        CommandContext(REVIEWER, "t"),
        prfaq,
        1,
        GiveFeedback(recommendation=Recommendation.ADVANCE, comments="Good"),
    )
    refused_and_nothing_recorded(
        flywheel,
        FeedbackOncePerRound,
        lambda: flywheel.prfaqs.give_feedback(
            CommandContext(REVIEWER, "t"),
            prfaq,
            1,
            GiveFeedback(recommendation=Recommendation.STOP, comments="Wait"),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.prfaqs.give_feedback(
            CommandContext(OUTSIDER, "t"),
            prfaq,
            1,
            GiveFeedback(recommendation=Recommendation.STOP, comments=""),
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.prfaqs.give_feedback(
            CommandContext(REVIEWER, "t"),
            prfaq,
            7,
            GiveFeedback(recommendation=Recommendation.STOP, comments=""),
        ),
    )


def test_who_opens_a_round(flywheel: Commands) -> None:
    org = company(flywheel)
    prfaq = draft(flywheel, org.books)
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.prfaqs.open_round(
            CommandContext(OUTSIDER, "t"),
            prfaq,
            OpenRound(ring=Ring.TEAM, reviewers=[REVIEWER.subject]),
        ),
    )
    flywheel.prfaqs.open_round(
        CommandContext(BO, "t"), prfaq, OpenRound(ring=Ring.TEAM, reviewers=[REVIEWER.subject])
    )
    assert prfaq_of(flywheel, prfaq).state is PrFaqState.IN_REVIEW


def test_each_ring_has_its_decider(flywheel: Commands) -> None:
    org = company(flywheel)
    flywheel.org.add_member(
        CommandContext(CEO, "t"),
        org.books,
        AddMember(person="mem@x.io", function=Function.ENGINEERING, attachment=Attachment.REPORTS),
    )
    member = principal("mem@x.io", Role.MEMBER)
    prfaq = draft(flywheel, org.books)

    def close(who: Principal, number: int) -> object:
        return flywheel.prfaqs.close_round(
            CommandContext(who, "t"),
            prfaq,
            number,
            CloseRound(outcome=Recommendation.ADVANCE, note=None),
        )

    opened = [Ring.TEAM, Ring.ORG, Ring.S_TEAM, Ring.CEO]
    deciders = [BO, RITA, CEO, CEO]
    refused = [(member, RITA), (BO, CORA), (BO, RITA), (RITA, CORA)]
    steps = zip(opened, deciders, refused, strict=True)
    for number, (ring, decider, others) in enumerate(steps, 1):
        flywheel.prfaqs.open_round(
            CommandContext(AUTHOR, "t"), prfaq, OpenRound(ring=ring, reviewers=[REVIEWER.subject])
        )
        for other in others:
            refused_and_nothing_recorded(flywheel, Forbidden, lambda o=other, n=number: close(o, n))
        close(decider, number)
    found = prfaq_of(flywheel, prfaq)
    assert (found.state, found.ring) == (PrFaqState.APPROVED, Ring.CEO)


def test_the_team_ring_without_a_team_is_decided_by_leadership(flywheel: Commands) -> None:
    company(flywheel)
    prfaq = draft(flywheel, None)
    flywheel.prfaqs.open_round(
        CommandContext(AUTHOR, "t"), prfaq, OpenRound(ring=Ring.TEAM, reviewers=[REVIEWER.subject])
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.prfaqs.close_round(
            CommandContext(BO, "t"), prfaq, 1, CloseRound(outcome=Recommendation.STOP, note="No")
        ),
    )
    review_position = flywheel.prfaqs.close_round(
        CommandContext(CEO, "t"),
        prfaq,
        1,
        CloseRound(outcome=Recommendation.STOP, note="No customer asked"),
    ).position
    assert review_position > 0
    assert prfaq_of(flywheel, prfaq).state is PrFaqState.SHELVED


def test_review_helper_walks_the_rings(flywheel: Commands) -> None:
    org = company(flywheel)
    prfaq = draft(flywheel, org.books)
    for ring in Ring:
        review(flywheel, prfaq, ring)
    assert prfaq_of(flywheel, prfaq).state is PrFaqState.APPROVED


def test_dissent_weigh_and_commit_through_the_commands(flywheel: Commands) -> None:
    org = company(flywheel)
    prfaq = draft(flywheel, org.books)
    for ring in (Ring.TEAM, Ring.ORG, Ring.S_TEAM):
        review(flywheel, prfaq, ring)
    dissent = flywheel.prfaqs.record_dissent(
        CommandContext(OUTSIDER, "t"), prfaq, PrFaqRecordDissent(argument="Nobody asked")
    )
    assert dissent.kind == "PrFaqDissent" and dissent.id != prfaq
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.prfaqs.weigh_dissent(
            CommandContext(BO, "t"), prfaq, dissent.id, PrFaqWeighDissent(response="Heard")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        PrFaqNotApproved,
        lambda: flywheel.prfaqs.commit(CommandContext(OUTSIDER, "t"), prfaq),
    )
    flywheel.prfaqs.open_round(
        CommandContext(AUTHOR, "t"), prfaq, OpenRound(ring=Ring.CEO, reviewers=[REVIEWER.subject])
    )
    refused_and_nothing_recorded(
        flywheel,
        DissentNotWeighed,
        lambda: flywheel.prfaqs.close_round(
            CommandContext(CEO, "t"),
            prfaq,
            4,
            CloseRound(outcome=Recommendation.ADVANCE, note=None),
        ),
    )
    flywheel.prfaqs.weigh_dissent(
        CommandContext(CEO, "t"),
        prfaq,
        dissent.id,
        PrFaqWeighDissent(response="The survey says so"),
    )
    flywheel.prfaqs.close_round(
        CommandContext(CEO, "t"), prfaq, 4, CloseRound(outcome=Recommendation.ADVANCE, note=None)
    )
    assert prfaq_of(flywheel, prfaq).uncommitted_dissenters == [OUTSIDER.subject]
    flywheel.prfaqs.commit(CommandContext(OUTSIDER, "t"), prfaq)
    refused_and_nothing_recorded(
        flywheel,
        AlreadyCommitted,
        lambda: flywheel.prfaqs.commit(CommandContext(OUTSIDER, "t"), prfaq),
    )
    assert prfaq_of(flywheel, prfaq).uncommitted_dissenters == []


def test_expected_outcomes_on_decisions(flywheel: Commands) -> None:
    org = company(flywheel)
    prfaq = draft(flywheel, org.books)
    outcome: dict[str, object] = {
        "metric_id": org.speed,
        "target": Decimal(24),
        "by": date(2026, 6, 30),
        "note": "Faster",
    }

    def on_prfaq(who: Principal, **changes: object) -> Outcome:
        return flywheel.prfaqs.expect_outcome(
            CommandContext(who, "t"), prfaq, ExpectOutcome(**{**outcome, **changes})
        )  # type: ignore[arg-type]

    def on_cycle(who: Principal) -> Outcome:
        return flywheel.allocation.expect_outcome(
            CommandContext(who, "t"),
            cycle,
            ExpectOutcome(**outcome),  # type: ignore[arg-type]
        )

    refused_and_nothing_recorded(flywheel, PrFaqNotApproved, lambda: on_prfaq(CEO))
    for ring in Ring:
        review(flywheel, prfaq, ring)
    refused_and_nothing_recorded(flywheel, Forbidden, lambda: on_prfaq(AUTHOR))
    refused_and_nothing_recorded(flywheel, NotFound, lambda: on_prfaq(CEO, metric_id=uuid4()))
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: on_prfaq(CEO, target=Decimal("Infinity"))
    )
    assert on_prfaq(CEO).id == prfaq
    cycle = open_cycle(flywheel, 2027, CycleKind.OP1)
    refused_and_nothing_recorded(flywheel, CycleNotDecided, lambda: on_cycle(CEO))
    advance(flywheel, cycle, CyclePhase.REVIEW, CyclePhase.DECIDED)
    refused_and_nothing_recorded(flywheel, Forbidden, lambda: on_cycle(BO))
    assert on_cycle(CEO).id == cycle
