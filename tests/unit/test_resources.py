"""Headcount by function and budget: checked values and the arithmetic of the allocation."""

from __future__ import annotations

import pytest

from domain.allocation.resources import MAX_BUDGET, MAX_HEADCOUNT, Resources
from domain.errors import InvalidValue
from domain.people.values import Function

ENG, PRODUCT, DESIGN = Function.ENGINEERING, Function.PRODUCT, Function.DESIGN


def test_zeros_are_left_out_so_equal_allocations_compare_equal() -> None:
    assert Resources.of({ENG: 3, PRODUCT: 0}, 10) == Resources.of({ENG: 3}, 10)
    assert Resources.of({}, 0).is_zero and not Resources.of({DESIGN: 1}, 0).is_zero


@pytest.mark.parametrize(
    ("headcount", "budget", "field"),
    [
        ({ENG: -1}, 0, "headcount.ENGINEERING"),
        ({ENG: MAX_HEADCOUNT + 1}, 0, "headcount.ENGINEERING"),
        ({ENG: 1.5}, 0, "headcount.ENGINEERING"),
        ({ENG: True}, 0, "headcount.ENGINEERING"),
        ({}, -5, "budget"),
        ({}, MAX_BUDGET + 1, "budget"),
    ],
)
def test_only_whole_numbers_in_range_are_resources(
    headcount: dict[Function, object], budget: int, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        Resources.of(headcount, budget)  # type: ignore[arg-type]
    assert refused.value.field == field


def test_sums_shortfalls_and_what_goes_beyond_a_limit() -> None:
    ask = Resources.of({ENG: 5, PRODUCT: 1}, 300)
    given = Resources.of({ENG: 3, DESIGN: 1}, 400)
    assert Resources.total([ask, given]) == Resources.of({ENG: 8, PRODUCT: 1, DESIGN: 1}, 700)
    assert given.shortfall(ask) == Resources.of({ENG: 2, PRODUCT: 1}, 0)
    assert given.beyond(ask) == ["DESIGN", "budget"]
    assert ask.beyond(ask) == []
    assert given.compared(ask, given.beyond(ask)) == "DESIGN 1 > 0, budget 400 > 300"
    assert ask.describe() == "5 ENGINEERING, 1 PRODUCT, budget 300"


def test_resources_round_trip_through_their_json_simple_state() -> None:
    ask = Resources.of({PRODUCT: 1, ENG: 5}, 300)
    state = ask.to_state()
    assert state == {"headcount": {"ENGINEERING": 5, "PRODUCT": 1}, "budget": 300}
    assert Resources.from_state(state) == ask
