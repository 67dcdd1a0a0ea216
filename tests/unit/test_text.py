"""The one text rule every command's text passes (domain/values.py), and every command
that takes text applying it."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.allocation.cycle import AllocationCycle, CycleKind, CyclePhase
from domain.allocation.resources import Resources
from domain.boundaries import Api, ApiKind, Service, Visibility
from domain.errors import InvalidValue
from domain.goals import CheckInStatus, Goal, GoalOutcome
from domain.metrics import Direction, Metric, MetricKind, MetricYear
from domain.org.team import Attachment, Team
from domain.people.values import Function, PersonId, person_id
from domain.values import clean_text, optional_text, required_text

ANN = PersonId("ann@x.io")

# One of each class of character that no text may hold, with how the refusal names it.
REFUSED_ANYWHERE = [
    ("\x00", "control characters"),
    ("\x01", "control characters"),
    ("\x1b", "control characters"),
    ("\x0b", "control characters"),  # vertical tab
    ("\x0c", "control characters"),  # form feed
    ("\x7f", "control characters"),
    ("\x85", "control characters"),  # C1: next line
    ("\x9b", "control characters"),  # C1: control sequence introducer
    ("\ud800", "unpaired surrogates"),
    ("\udfff", "unpaired surrogates"),
    ("\ufdd0", "noncharacters"),
    ("\ufffe", "noncharacters"),
    ("\U0001ffff", "noncharacters"),
    ("\U0010ffff", "noncharacters"),
    ("\u202e", "bidirectional"),  # right-to-left override ("Trojan Source")
    ("\u202a", "bidirectional"),  # left-to-right embedding
    ("\u2067", "bidirectional"),  # right-to-left isolate
]
LINE_BREAKS = ["\t", "\n", "\r", "\r\n", "\u2028", "\u2029"]
INVISIBLE = [
    "",
    "   ",
    "\u00a0\u3000\u2003",  # no-break, ideographic and em spaces
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "\u200b\u200c\u200d\u2060",  # zero-width (non-)joiners, word joiner
    "\u00ad",  # soft hyphen
    "\u2800",  # blank braille pattern
    "\u3164\u115f",  # Hangul fillers
    "\ufe0f\U000e0041",  # a variation selector and a tag character
    " \u200e\u200f ",  # left-to-right and right-to-left marks
]


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize(("char", "named"), REFUSED_ANYWHERE)
def test_refused_characters_name_the_field_the_character_and_where(
    char: str, named: str, multiline: bool
) -> None:
    with pytest.raises(InvalidValue) as refused:
        required_text("argument", f"We{char}should not", max_length=100, multiline=multiline)
    assert refused.value.field == "argument"
    assert named in refused.value.detail
    assert f"U+{ord(char):04X} at character 3" in refused.value.detail


@pytest.mark.parametrize("char", [char for char, _ in REFUSED_ANYWHERE])
def test_refused_characters_are_refused_at_the_edges_too_not_stripped(char: str) -> None:
    for text in (f"{char}Payments", f"Payments{char}", char):
        with pytest.raises(InvalidValue):
            required_text("name", text, max_length=100)


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_one_line_text_refuses_tabs_and_line_breaks(brk: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        required_text("name", f"Pay{brk}ments", max_length=100)
    assert refused.value.field == "name"
    assert "tabs or line breaks" in refused.value.detail


def test_multi_line_text_keeps_tabs_and_line_breaks_with_one_kind_of_line_end() -> None:
    text = "Why:\r\n\t1. cost\r\t2. risk\n\u2028end"
    assert required_text("rationale", text, max_length=100, multiline=True) == (
        "Why:\n\t1. cost\n\t2. risk\n\u2028end"
    )
    assert required_text("note", "\n\n  fine \t\n", max_length=100, multiline=True) == "fine"


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize("text", INVISIBLE)
def test_text_that_shows_nothing_is_blank(text: str, multiline: bool) -> None:
    with pytest.raises(InvalidValue) as refused:
        required_text("mission", text, max_length=100, multiline=multiline)
    assert refused.value.detail == "`mission` must not be blank"
    assert optional_text("reason", text, max_length=100, multiline=multiline) == ""


def test_text_is_normalised_to_nfc_before_its_length_is_checked() -> None:
    decomposed = "Cafe\u0301 Bre\u0301sil"  # e + combining acute accent
    assert required_text("name", decomposed, max_length=100) == "Café Brésil"
    assert required_text("name", "e\u0301" * 3, max_length=3) == "é" * 3
    assert required_text("name", "\u1100\u1161", max_length=1) == "가"  # Hangul jamo
    with pytest.raises(InvalidValue, match="longer than 2"):
        required_text("name", "e\u0301" * 3, max_length=2)


@pytest.mark.parametrize(
    "text",
    [
        "Payments 💳",
        "👩\u200d💻 Developer tools",  # a ZWJ emoji sequence
        "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f Wales",  # tag sequence
        "❤\ufe0f",  # a variation selector after a visible character
        "\u05e9\u05dc\u05d5\u05dd \u200fshalom",  # Hebrew with a right-to-left mark
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a ZWNJ
        "\ue000 private use",
        "Zürich 東京 Ελλάδα",
        "Payments\ufffd",  # the replacement character is ordinary text
    ],
)
def test_real_text_in_any_script_is_kept_as_written(text: str) -> None:
    assert required_text("name", f"  {text}  ", max_length=100) == text


def test_optional_text_accepts_nothing_and_refuses_what_required_text_refuses() -> None:
    assert optional_text("reason", None, max_length=10) == ""
    assert optional_text("reason", " left ", max_length=10) == "left"
    with pytest.raises(InvalidValue) as refused:
        optional_text("reason", "left\x00", max_length=10, multiline=True)
    assert refused.value.field == "reason"
    with pytest.raises(InvalidValue, match="longer than 3"):
        optional_text("reason", "four", max_length=3)


def test_handles_follow_the_rule_in_nfc_lower_case() -> None:
    assert person_id(" Rene\u0301@Example.com ") == "rené@example.com"
    for bad in ("ann\x00@x.io", "ann\ud800@x.io", "\u200b", "ann\u202e@x.io", "a b@x.io"):
        with pytest.raises(InvalidValue) as refused:
            person_id(bad, field="leader")
        assert refused.value.field == "leader"


# Any text, with the characters the rule is about over-represented.
ANY_TEXT = st.text(
    st.one_of(
        st.characters(),
        st.characters(categories=["Cc", "Cs", "Cf", "Co", "Cn", "Zs", "Zl", "Zp", "Mn"]),
        st.sampled_from(sorted(set("".join([*dict(REFUSED_ANYWHERE), *LINE_BREAKS, *INVISIBLE])))),
    )
)


@given(ANY_TEXT, st.booleans())
def test_accepted_text_is_storable_nfc_and_stable(raw: str, multiline: bool) -> None:
    """Whatever text is accepted can be stored as UTF-8 and in PostgreSQL text (no NUL),
    is in NFC, has no refused character, and passes the rule again unchanged."""
    try:
        text = clean_text("text", raw, multiline=multiline)
    except InvalidValue:
        return
    text.encode("utf-8")
    assert "\x00" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert text == text.strip()
    assert clean_text("text", text, multiline=multiline) == text
    if not multiline:
        assert not any(char in text for char in LINE_BREAKS)


# Every domain command that takes text, by the field it names: each refuses a NUL.
def team() -> Team:
    chartered = Team.charter(name="Retail", mission="Sell", leader=ANN)
    chartered.add_member(PersonId("ben@x.io"), Function.ENGINEERING, Attachment.REPORTS)
    return chartered


def service() -> Service:
    return Service.register(name="Checkout", description="Takes orders", owner=team())


def correct_a_value(reason: str) -> None:
    corrected = metric()
    MetricYear.start(corrected, 2027).correct(corrected, date(2027, 1, 1), Decimal(1), reason)


def metric(kind: MetricKind = MetricKind.INPUT) -> Metric:
    return Metric.define(
        name=f"Selection {uuid4()}",
        kind=kind,
        financial=False,
        unit="count",
        direction=Direction.INCREASE,
        definition="Detail pages",
        owner=team(),
    )


def goal() -> Goal:
    return Goal.set(
        team=team(),
        metric=metric(),
        plan_year=2027,
        baseline=Decimal(1),
        target=Decimal(2),
        due_date=date(2027, 12, 31),
        description="Grow selection",
    )


def cycle(phase: CyclePhase = CyclePhase.OPEN) -> AllocationCycle:
    opened = AllocationCycle.open(fiscal_year=2027, kind=CycleKind.OP1)
    opened.set_envelope(Resources.of({Function.ENGINEERING: 10}, 100), "Budget")
    while opened.phase is not phase:
        assert opened.phase.next is not None
        opened.advance_to(opened.phase.next)
    return opened


def locked_and_requested() -> tuple[AllocationCycle, Team]:
    opened = cycle()
    owner = team()
    opened.submit_request(owner, Resources.of({}, 1), "Need", [_goal_of(owner)])
    opened.advance_to(CyclePhase.REVIEW)
    opened.advance_to(CyclePhase.DECIDED)
    opened.advance_to(CyclePhase.LOCKED)
    return opened, owner


def _goal_of(owner: Team) -> Goal:
    measured = metric()
    return Goal.set(
        team=owner,
        metric=measured,
        plan_year=2027,
        baseline=Decimal(1),
        target=Decimal(2),
        due_date=date(2027, 12, 31),
        description="Grow",
    )


def _publish(text: str) -> None:
    Api.publish(service(), name=text, version="v1", kind=ApiKind.REST, visibility=Visibility.PUBLIC)


def _weigh(text: str) -> None:
    opened = cycle()
    dissent = uuid4()
    opened.record_dissent(dissent, ANN, None, "No")
    opened.weigh_dissent(dissent, text)


def _drop_dependency(text: str) -> None:
    consumer = service()
    provided = Api.publish(
        Service.register(name="Other", description="x", owner=team()),
        name="Orders",
        version="v1",
        kind=ApiKind.REST,
        visibility=Visibility.PUBLIC,
    )
    consumer.declare_dependency(provided)
    consumer.drop_dependency(provided, text)


def _amend(text: str) -> None:
    locked, owner = locked_and_requested()
    locked.amend(owner, Resources.of({}, 0), text, ANN)


def _adopt(text: str) -> None:
    opened = cycle(CyclePhase.REVIEW)
    opened.adopt_scenario(text, {})


COMMANDS: dict[str, tuple[str, Callable[[str], object]]] = {
    "Team.charter name": ("name", lambda t: Team.charter(name=t, mission="m", leader=ANN)),
    "Team.charter mission": ("mission", lambda t: Team.charter(name="n", mission=t, leader=ANN)),
    "Team.appoint_leader": ("reason", lambda t: team().appoint_leader(PersonId("c@x.io"), t)),
    "Team.remove_member": ("reason", lambda t: team().remove_member(PersonId("ben@x.io"), t)),
    "Team.move_under": ("reason", lambda t: team().move_under(uuid4(), t, lineage=[])),
    "Team.disband": ("reason", lambda t: team().disband(t)),
    "Service.register name": (
        "name",
        lambda t: Service.register(name=t, description="d", owner=team()),
    ),
    "Service.register description": (
        "description",
        lambda t: Service.register(name="n", description=t, owner=team()),
    ),
    "Service.transfer": (
        "reason",
        lambda t: service().transfer(current_owner=team(), new_owner=team(), reason=t),
    ),
    "Service.drop_dependency": ("reason", _drop_dependency),
    "Service.retire": ("reason", lambda t: service().retire(t, consumed=[])),
    "Api.publish name": ("name", _publish),
    "Api.publish version": (
        "version",
        lambda t: Api.publish(
            service(), name="n", version=t, kind=ApiKind.REST, visibility=Visibility.PUBLIC
        ),
    ),
    "Api.deprecate": (
        "reason",
        lambda t: Api.publish(
            service(), name="n", version="v1", kind=ApiKind.REST, visibility=Visibility.PUBLIC
        ).deprecate(date(2030, 1, 1), t),
    ),
    "Metric.define name": (
        "name",
        lambda t: Metric.define(
            name=t,
            kind=MetricKind.INPUT,
            financial=False,
            unit="u",
            direction=Direction.INCREASE,
            definition="d",
            owner=team(),
        ),
    ),
    "Metric.define unit": (
        "unit",
        lambda t: Metric.define(
            name="n",
            kind=MetricKind.INPUT,
            financial=False,
            unit=t,
            direction=Direction.INCREASE,
            definition="d",
            owner=team(),
        ),
    ),
    "Metric.define definition": (
        "definition",
        lambda t: Metric.define(
            name="n",
            kind=MetricKind.INPUT,
            financial=False,
            unit="u",
            direction=Direction.INCREASE,
            definition=t,
            owner=team(),
        ),
    ),
    "Metric.redefine definition": ("definition", lambda t: metric().redefine(t, "why")),
    "Metric.redefine reason": ("reason", lambda t: metric().redefine("new", t)),
    "Metric.declare_driver": (
        "hypothesis",
        lambda t: metric().declare_driver(metric(MetricKind.OUTPUT), t),
    ),
    "MetricYear.correct": ("reason", correct_a_value),
    "Goal.set": (
        "description",
        lambda t: Goal.set(
            team=team(),
            metric=metric(),
            plan_year=2027,
            baseline=Decimal(1),
            target=Decimal(2),
            due_date=date(2027, 12, 31),
            description=t,
        ),
    ),
    "Goal.revise_target": ("reason", lambda t: goal().revise_target(Decimal(3), t)),
    "Goal.check_in note": ("note", lambda t: goal().check_in(CheckInStatus.RED, t, "path")),
    "Goal.check_in path": (
        "pathToGreen",
        lambda t: goal().check_in(CheckInStatus.RED, "note", t),
    ),
    "Goal.close": ("note", lambda t: goal().close(GoalOutcome.ACHIEVED, t)),
    "AllocationCycle.set_envelope": (
        "reason",
        lambda t: cycle().set_envelope(Resources.of({}, 1), t),
    ),
    "AllocationCycle.submit_request": (
        "rationale",
        lambda t: cycle().submit_request(team(), Resources.of({}, 1), t, []),
    ),
    "AllocationCycle.decide": (
        "rationale",
        lambda t: cycle(CyclePhase.REVIEW).decide(team(), Resources.of({}, 0), t),
    ),
    "AllocationCycle.record_dissent": (
        "argument",
        lambda t: cycle().record_dissent(uuid4(), ANN, None, t),
    ),
    "AllocationCycle.weigh_dissent": ("response", _weigh),
    "AllocationCycle.amend": ("reason", _amend),
    "AllocationCycle.save_scenario": (
        "name",
        lambda t: cycle().save_scenario(t, {uuid4(): Resources.of({}, 1)}),
    ),
    "AllocationCycle.adopt_scenario": ("name", _adopt),
}


# Texts a command may leave out: blank is accepted there.
OPTIONAL = {"Team.remove_member", "Service.drop_dependency", "Goal.check_in path"}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_that_takes_text_refuses_bad_text_naming_the_field(command: str) -> None:
    field, run = COMMANDS[command]
    bad = ["Sure\x00", "Sure\ud800", "Sure\u202e"]
    for text in bad if command in OPTIONAL else [*bad, "\u200b\ufeff"]:
        with pytest.raises(InvalidValue) as refused:
            run(text)
        assert refused.value.field == field


def test_optional_text_is_one_line_unless_asked() -> None:
    with pytest.raises(InvalidValue) as refused:
        optional_text("note", "a\nb", max_length=10)
    assert refused.value.detail == (
        "`note` must not contain tabs or line breaks (it is one line): U+000A at character 2"
    )
    assert optional_text("note", "a\nb", max_length=10, multiline=True) == "a\nb"


def test_clean_text_is_one_line_unless_asked() -> None:
    with pytest.raises(InvalidValue) as refused:
        clean_text("note", "a\tb")
    assert refused.value.detail == (
        "`note` must not contain tabs or line breaks (it is one line): U+0009 at character 2"
    )
    assert clean_text("note", "a\tb", multiline=True) == "a\tb"
