"""Functional excellence on the aggregates alone: functional leaders, standards and their
exemptions, second jobs and their share, the leadership principles; every refusal
compared whole, every bound at its edge, what each event records."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4, uuid5

import pytest

from domain.excellence import (
    DEFAULT_PRINCIPLES,
    EXCELLENCE_NAMESPACE,
    MAX_BODY_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_PRINCIPLE_DESCRIPTION_LENGTH,
    MAX_PRINCIPLE_NAME_LENGTH,
    MAX_PRINCIPLES,
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
    PRINCIPLES_ID,
    AlreadyFunctionalLeader,
    FunctionalLeadership,
    LeadershipPrinciples,
    PrincipleNamesUnique,
    SecondJob,
    SecondJobEnded,
    SecondJobKind,
    Standard,
    StandardArea,
    StandardRetired,
    default_principle_names,
    function_leadership_id,
    principles_of,
    reason_text,
    second_job_share,
)
from domain.people.values import Function, PersonId
from tests.unit.refusals import blank, invalid, refusal, too_long

CTO = PersonId("cto@x.io")
NEW_CTO = PersonId("nova@x.io")
SAM = PersonId("sam@x.io")
TODAY = date(2027, 3, 1)
ONE_LINE_ONLY = "must not contain tabs or line breaks (it is one line): U+000A at character 2"

Recorded = FunctionalLeadership | Standard | SecondJob | LeadershipPrinciples


def recorded(aggregate: Recorded) -> list[Any]:
    return list(aggregate.collect_events())


# Reasons


def test_a_reason_is_required_multi_line_text_up_to_its_limit() -> None:
    assert reason_text("  because\nof this  ") == "because\nof this"
    assert reason_text("x" * MAX_REASON_LENGTH) == "x" * MAX_REASON_LENGTH
    assert refusal(lambda: reason_text("x" * (MAX_REASON_LENGTH + 1))) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    assert refusal(lambda: reason_text(" ")) == blank("reason")
    assert refusal(lambda: reason_text("", "why")) == blank("why")


# Functional leaders


def test_a_functions_leadership_has_one_id_derived_from_the_function() -> None:
    expected = uuid5(EXCELLENCE_NAMESPACE, "function-leader:ENGINEERING")
    assert function_leadership_id("engineering") == expected  # type: ignore[arg-type]
    assert FunctionalLeadership.create_id(Function.ENGINEERING, CTO, "r") == expected
    assert function_leadership_id(Function.PRODUCT) != expected


def test_the_first_leader_is_appointed_with_a_reason() -> None:
    leadership = FunctionalLeadership.appoint("engineering", CTO, " Founded \n it ")  # type: ignore[arg-type]
    assert leadership.id == function_leadership_id(Function.ENGINEERING)
    assert (leadership.function, leadership.leader) == (Function.ENGINEERING, CTO)
    (appointed,) = recorded(leadership)
    assert isinstance(appointed, FunctionalLeadership.Appointed)
    assert (appointed.function, appointed.leader, appointed.reason) == (
        Function.ENGINEERING,
        CTO,
        "Founded \n it",
    )
    assert refusal(lambda: FunctionalLeadership.appoint(Function.DESIGN, CTO, "")) == blank(
        "reason"
    )


def test_a_leader_is_replaced_by_someone_else_with_a_reason() -> None:
    leadership = FunctionalLeadership.appoint(Function.ENGINEERING, CTO, "Founded")
    leadership.collect_events()
    assert refusal(lambda: leadership.replace(CTO, "Again"), leadership) == (
        AlreadyFunctionalLeader,
        "cto@x.io already leads ENGINEERING",
        {"function": "ENGINEERING"},
    )
    assert refusal(lambda: leadership.replace(NEW_CTO, "  "), leadership) == blank("reason")
    leadership.replace(NEW_CTO, " Moved on \n ")
    assert leadership.leader == NEW_CTO
    (replaced,) = recorded(leadership)
    assert isinstance(replaced, FunctionalLeadership.LeaderReplaced)
    assert (replaced.leader, replaced.previous_leader, replaced.reason) == (
        NEW_CTO,
        CTO,
        "Moved on",
    )


# Standards


def published(**extra: Any) -> Standard:
    fields: dict[str, Any] = {
        "function": Function.ENGINEERING,
        "area": StandardArea.CODE_REVIEW,
        "title": "Review",
        "body": "Two approvals",
        **extra,
    }
    standard = Standard.publish(**fields)
    standard.collect_events()
    return standard


def test_a_standard_is_published_with_a_title_and_a_body() -> None:
    standard = Standard.publish(
        function="engineering",  # type: ignore[arg-type]
        area="promotion",  # type: ignore[arg-type]
        title=" Promotions ",
        body="Line one\nline two",
    )
    assert (standard.function, standard.area, standard.title) == (
        Function.ENGINEERING,
        StandardArea.PROMOTION,
        "Promotions",
    )
    assert (standard.revision, standard.retired, standard.exemptions) == (1, False, [])
    (published_event,) = recorded(standard)
    assert isinstance(published_event, Standard.Published)
    assert (published_event.title, published_event.body) == ("Promotions", "Line one\nline two")


def test_a_standards_title_is_one_line_and_its_body_many_each_up_to_a_limit() -> None:
    assert published(title="t" * MAX_TITLE_LENGTH).title == "t" * MAX_TITLE_LENGTH
    published(body="b" * MAX_BODY_LENGTH)
    assert refusal(lambda: published(title="t" * (MAX_TITLE_LENGTH + 1))) == too_long(
        "title", MAX_TITLE_LENGTH
    )
    assert refusal(lambda: published(body="b" * (MAX_BODY_LENGTH + 1))) == too_long(
        "body", MAX_BODY_LENGTH
    )
    assert refusal(lambda: published(title=" ")) == blank("title")
    assert refusal(lambda: published(body=" ")) == blank("body")
    assert refusal(lambda: published(title="a\nb")) == invalid("title", f"`title` {ONE_LINE_ONLY}")


def test_each_revision_has_the_next_number_a_body_and_a_reason() -> None:
    standard = published()
    assert standard.revise(" Three approvals\nand a test ", " Incidents ") == 2
    assert standard.revise("Four approvals", "More incidents") == 3
    first, second = recorded(standard)
    assert isinstance(first, Standard.Revised)
    assert (first.revision, first.body, first.reason) == (
        2,
        "Three approvals\nand a test",
        "Incidents",
    )
    assert (second.revision, second.body, second.reason) == (3, "Four approvals", "More incidents")
    assert standard.revision == 3


def test_a_revision_is_refused_a_blank_or_long_body_or_reason() -> None:
    standard = published()
    assert refusal(lambda: standard.revise(" ", "r"), standard) == blank("body")
    assert refusal(lambda: standard.revise("b" * (MAX_BODY_LENGTH + 1), "r"), standard) == (
        too_long("body", MAX_BODY_LENGTH)
    )
    assert refusal(lambda: standard.revise("b", " "), standard) == blank("reason")
    assert refusal(
        lambda: standard.revise("b", "r" * (MAX_REASON_LENGTH + 1)), standard
    ) == too_long("reason", MAX_REASON_LENGTH)
    assert standard.revise("b" * MAX_BODY_LENGTH, "r" * MAX_REASON_LENGTH) == 2


def test_a_retired_standard_is_kept_as_it_was() -> None:
    standard = published()
    assert refusal(lambda: standard.retire(" "), standard) == blank("reason")
    standard.retire(" Superseded \n by v2 ")
    assert standard.retired
    (retired,) = recorded(standard)
    assert isinstance(retired, Standard.Retired)
    assert retired.reason == "Superseded \n by v2"
    is_retired = (
        StandardRetired,
        "The standard 'Review' is retired",
        {"standard_id": str(standard.id)},
    )
    assert refusal(lambda: standard.revise("b", "r"), standard) == is_retired
    assert refusal(lambda: standard.retire("r"), standard) == is_retired
    assert (
        refusal(
            lambda: standard.grant_exemption(uuid4(), uuid4(), "r", TODAY + timedelta(1), TODAY),
            standard,
        )
        == is_retired
    )
    assert standard.revision == 1


def test_an_exemption_is_granted_a_team_with_a_reason_until_a_date_after_today() -> None:
    standard = published()
    exemption, team = uuid4(), uuid4()
    tomorrow = TODAY + timedelta(days=1)
    assert refusal(
        lambda: standard.grant_exemption(uuid4(), team, "r", TODAY, TODAY), standard
    ) == invalid("expires", "`expires` must be a date after today")
    assert refusal(
        lambda: standard.grant_exemption(uuid4(), team, " ", tomorrow, TODAY), standard
    ) == blank("reason")
    standard.grant_exemption(exemption, team, " Legacy \n code ", tomorrow, TODAY)
    assert standard.exemptions == [
        {"id": str(exemption), "team_id": str(team), "expires": "2027-03-02"}
    ]
    (granted,) = recorded(standard)
    assert isinstance(granted, Standard.ExemptionGranted)
    assert (granted.exemption_id, granted.team_id, granted.reason, granted.expires) == (
        exemption,
        team,
        "Legacy \n code",
        tomorrow,
    )


# Second jobs


def test_a_share_is_a_number_above_0_and_at_most_a_half() -> None:
    assert second_job_share("0.5") == Decimal("0.5")
    assert second_job_share(0.1) == Decimal("0.1")
    assert second_job_share(Decimal("0.2500")) == Decimal("0.25")
    assert str(second_job_share("0.1000")) == "0.1"
    assert second_job_share("0.0015") == Decimal("0.002")
    assert second_job_share("0.001") == Decimal("0.001")
    assert second_job_share("0.00051") == Decimal("0.001")  # the least share that is not 0


@pytest.mark.parametrize("raw", [True, False, "a lot", None, [0.1]])
def test_a_share_that_is_no_number_is_refused(raw: object) -> None:
    assert refusal(lambda: second_job_share(raw)) == invalid("share", "`share` must be a number")


@pytest.mark.parametrize(
    "raw",
    [
        "0",
        0,
        "-0.1",
        "0.0004",
        "0.0005",
        "0.5001",
        "0.51",
        1,
        "NaN",
        "Infinity",
        "-Infinity",
        "1e30",
    ],
)
def test_a_share_that_rounds_to_0_or_is_above_a_half_is_refused(raw: object) -> None:
    assert refusal(lambda: second_job_share(raw)) == invalid(
        "share", "`share` must be above 0 and at most 0.5"
    )


def test_a_second_job_is_assigned_with_a_kind_a_share_and_its_description() -> None:
    job = SecondJob.assign(person=SAM, kind="bar_raiser", description=None, share="0.2")  # type: ignore[arg-type]
    assert (job.person, job.kind, job.share, job.ended, job.active) == (
        SAM,
        SecondJobKind.BAR_RAISER,
        "0.2",
        False,
        True,
    )
    (assigned,) = recorded(job)
    assert isinstance(assigned, SecondJob.Assigned)
    assert (assigned.person, assigned.kind, assigned.description, assigned.share) == (
        SAM,
        SecondJobKind.BAR_RAISER,
        "",
        Decimal("0.2"),
    )
    other = SecondJob.assign(
        person=SAM, kind=SecondJobKind.OTHER, description=" On call\nrotation ", share=0.5
    )
    (assigned,) = recorded(other)
    assert (assigned.kind, assigned.description) == (SecondJobKind.OTHER, "On call\nrotation")


def test_an_other_job_names_its_duty_and_a_description_has_a_limit() -> None:
    def assign(kind: SecondJobKind, description: str | None, share: object = "0.1") -> SecondJob:
        return SecondJob.assign(person=SAM, kind=kind, description=description, share=share)

    unnamed = invalid("description", "`description` must name the duty of an OTHER job")
    assert refusal(lambda: assign(SecondJobKind.OTHER, None)) == unnamed
    assert refusal(lambda: assign(SecondJobKind.OTHER, " ")) == unnamed
    assign(SecondJobKind.OTHER, "d" * MAX_DESCRIPTION_LENGTH)
    assert refusal(
        lambda: assign(SecondJobKind.CODE_REVIEW, "d" * (MAX_DESCRIPTION_LENGTH + 1))
    ) == too_long("description", MAX_DESCRIPTION_LENGTH)
    assert refusal(lambda: assign(SecondJobKind.CODE_REVIEW, "d", "0.6")) == invalid(
        "share", "`share` must be above 0 and at most 0.5"
    )


def test_a_second_job_ends_once_with_a_reason() -> None:
    job = SecondJob.assign(
        person=SAM, kind=SecondJobKind.PROMOTION_PANEL, description=None, share="0.1"
    )
    job.collect_events()
    assert refusal(lambda: job.end(" "), job) == blank("reason")
    job.end(" Panel \n disbanded ")
    assert (job.ended, job.active) == (True, False)
    (ended,) = recorded(job)
    assert isinstance(ended, SecondJob.Ended)
    assert (ended.person, ended.reason) == (SAM, "Panel \n disbanded")
    assert refusal(lambda: job.end("again"), job) == (
        SecondJobEnded,
        "sam@x.io's PROMOTION_PANEL job has ended",
        {"second_job_id": str(job.id)},
    )


# Leadership principles


def test_principles_are_checked_names_with_descriptions() -> None:
    assert principles_of([(" Ownership ", " Owners\nact ")]) == [
        {"name": "Ownership", "description": "Owners\nact"}
    ]
    assert refusal(lambda: principles_of([])) == invalid(
        "principles", "`principles` must name at least one principle"
    )
    many = [(f"P{i}", "d") for i in range(MAX_PRINCIPLES)]
    assert len(principles_of(many)) == MAX_PRINCIPLES
    assert refusal(lambda: principles_of([*many, ("One more", "d")])) == invalid(
        "principles", f"`principles` holds at most {MAX_PRINCIPLES}"
    )


def test_each_principles_name_and_description_is_checked_where_it_stands() -> None:
    first = ("Ownership", "d")
    assert refusal(lambda: principles_of([first, (" ", "d")])) == blank("principles[1].name")
    assert refusal(lambda: principles_of([first, ("Frugality", " ")])) == blank(
        "principles[1].description"
    )
    long_name = "n" * (MAX_PRINCIPLE_NAME_LENGTH + 1)
    assert refusal(lambda: principles_of([first, (long_name, "d")])) == too_long(
        "principles[1].name", MAX_PRINCIPLE_NAME_LENGTH
    )
    long_description = "d" * (MAX_PRINCIPLE_DESCRIPTION_LENGTH + 1)
    assert refusal(lambda: principles_of([first, ("Frugality", long_description)])) == too_long(
        "principles[1].description", MAX_PRINCIPLE_DESCRIPTION_LENGTH
    )
    assert refusal(lambda: principles_of([("a\nb", "d")])) == invalid(
        "principles[0].name", f"`principles[0].name` {ONE_LINE_ONLY}"
    )
    longest = principles_of(
        [("n" * MAX_PRINCIPLE_NAME_LENGTH, "d" * MAX_PRINCIPLE_DESCRIPTION_LENGTH)]
    )
    assert longest[0]["name"] == "n" * MAX_PRINCIPLE_NAME_LENGTH


def test_principle_names_are_unique_without_case_or_extra_spaces() -> None:
    assert refusal(lambda: principles_of([("Dive Deep", "d"), ("dive   DEEP", "e")])) == (
        PrincipleNamesUnique,
        "The principle 'dive   DEEP' is named twice",
        {"name": "dive   DEEP"},
    )
    assert len(principles_of([("Dive Deep", "d"), ("Dive Deeper", "d")])) == 2


def test_the_company_keeps_one_list_of_principles() -> None:
    principles = LeadershipPrinciples.set([("Ownership", "Owners act"), ("Frugality", "Less")])
    assert principles.id == PRINCIPLES_ID == LeadershipPrinciples.create_id([])
    assert uuid5(EXCELLENCE_NAMESPACE, "leadership-principles") == PRINCIPLES_ID
    assert principles.names == ["Ownership", "Frugality"]
    (set_event,) = recorded(principles)
    assert isinstance(set_event, LeadershipPrinciples.Set)
    assert set_event.principles == [
        {"name": "Ownership", "description": "Owners act"},
        {"name": "Frugality", "description": "Less"},
    ]
    assert refusal(lambda: principles.replace([]), principles) == invalid(
        "principles", "`principles` must name at least one principle"
    )
    principles.replace([("Dive Deep", "Details")])
    assert principles.principles == [{"name": "Dive Deep", "description": "Details"}]
    (replaced,) = recorded(principles)
    assert isinstance(replaced, LeadershipPrinciples.Replaced)
    assert replaced.principles == [{"name": "Dive Deep", "description": "Details"}]


def test_the_default_principles_are_named_in_order() -> None:
    names = default_principle_names()
    assert names[0] == "Customer Obsession" and names[-1] == "Deliver Results"
    assert names == [name for name, _ in DEFAULT_PRINCIPLES] and len(names) == 14


@pytest.mark.parametrize(
    "kind", [kind for kind in SecondJobKind if kind is not SecondJobKind.OTHER]
)
def test_every_kind_but_other_needs_no_description(kind: SecondJobKind) -> None:
    job = SecondJob.assign(person=SAM, kind=kind, description="", share="0.1")
    assert job.kind is kind
