"""The arithmetic behind the goal reports, and what counts as asking for a blend."""

from __future__ import annotations

import msgspec
import pytest

from domain.goals import CheckInStatus
from projections.goals.projector import is_blindside
from projections.goals.reports import (
    TOO_EASY_MIN_CLOSED,
    TOO_EASY_SHARE,
    Attainment,
    MixFigures,
    share,
)
from services.metrics.rest import DefineMetric, RedefineMetric


def test_shares_are_fractions_of_the_total_and_zero_without_goals() -> None:
    mix = MixFigures(total=8, input=6, output=2, financial=1)
    assert (mix.input_share, mix.financial_share) == (0.75, 0.125)
    assert (MixFigures().input_share, MixFigures().financial_share) == (0.0, 0.0)
    assert mix + MixFigures(total=2, input=0, output=2, financial=2) == MixFigures(10, 6, 4, 3)
    assert share(0, 0) == 0.0


def test_a_year_is_too_easy_only_when_enough_goals_closed_nearly_all_achieved() -> None:
    assert Attainment(achieved=3, missed=1).achieved_share == 0.75
    assert Attainment(achieved=1, dropped=1).achieved_share == 0.5, "dropped is not achieved"
    assert Attainment(achieved=TOO_EASY_MIN_CLOSED).too_easy
    assert not Attainment(achieved=TOO_EASY_MIN_CLOSED - 1).too_easy
    assert Attainment(achieved=9, missed=1).achieved_share >= TOO_EASY_SHARE
    assert Attainment(achieved=9, missed=1).too_easy
    assert not Attainment(achieved=17, missed=3).too_easy
    assert Attainment(open=4).achieved_share == 0.0


@pytest.mark.parametrize(
    ("previous", "status", "blindside"),
    [
        ("GREEN", CheckInStatus.RED, True),
        ("YELLOW", CheckInStatus.RED, False),
        (None, CheckInStatus.RED, False),
        ("GREEN", CheckInStatus.YELLOW, False),
        ("RED", CheckInStatus.RED, False),
    ],
)
def test_a_blindside_is_red_straight_after_green(
    previous: str | None, status: CheckInStatus, blindside: bool
) -> None:
    assert is_blindside(previous, status) is blindside


BASE = (
    b'"name":"n","kind":"INPUT","unit":"%","direction":"INCREASE","definition":"d",'
    b'"ownerTeamId":"00000000-0000-4000-8000-000000000000"'
)


@pytest.mark.parametrize(
    ("extra", "blended"),
    [
        (b"", []),
        (b',"composedOf":null,"weights":{},"components":[]', []),
        (b',"composedOf":["revenue","selection"]', ["revenue", "selection"]),
        (b',"weights":{"revenue":0.4,"selection":0.6}', ["revenue", "selection"]),
        (b',"components":[{"metric":"a","weight":1}]', ['{"metric":"a","weight":1}']),
    ],
)
def test_a_body_asks_for_a_blend_when_it_names_metrics_to_blend(
    extra: bytes, blended: list[str]
) -> None:
    body = msgspec.json.decode(b"{" + BASE + extra + b"}", type=DefineMetric)
    assert body.blended() == blended


def test_a_redefinition_can_ask_for_a_blend_too_but_not_for_unknown_fields() -> None:
    body = msgspec.json.decode(
        b'{"definition":"d","reason":"r","weights":{"a":1}}', type=RedefineMetric
    )
    assert body.blended() == ["a"]
    with pytest.raises(msgspec.ValidationError, match="formula"):
        msgspec.json.decode(b'{"definition":"d","reason":"r","formula":"a+b"}', type=RedefineMetric)
