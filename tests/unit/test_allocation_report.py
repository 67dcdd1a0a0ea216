"""The allocation's figures from rows, without a database: totals, unfunded asks, scenarios."""

from __future__ import annotations

from uuid import uuid4

from domain.allocation.resources import Resources
from domain.people.values import Function
from projections.allocation.report import (
    Request,
    Scenario,
    compare,
    resources,
    scenario_allocations,
    totals,
    unfunded_asks,
)

ENG, DESIGN = Function.ENGINEERING, Function.DESIGN
RETAIL, BOOKS, ADS = uuid4(), uuid4(), uuid4()
GOAL_R, GOAL_B = uuid4(), uuid4()


def r(engineers: int = 0, budget: int = 0, design: int = 0) -> Resources:
    return Resources.of({ENG: engineers, DESIGN: design}, budget)


def test_view_columns_become_resources_and_null_means_zero() -> None:
    assert resources('{"ENGINEERING": 3, "DESIGN": 1}', 500) == r(3, 500, 1)
    assert resources(None, None) == Resources()
    allocations = f'{{"{RETAIL}": {{"headcount": {{"DESIGN": 2}}, "budget": 7}}}}'
    assert scenario_allocations(allocations) == {RETAIL: r(design=2, budget=7)}


def test_totals_list_every_function_with_what_remains_of_the_envelope() -> None:
    figures = totals(r(10, 1000), [r(6, 600), r(6, 500, 1)], [r(6, 600), r(3, 300)])
    assert [t.function for t in figures.functions] == list(Function)
    engineering = figures.functions[0]
    assert (engineering.envelope, engineering.requested, engineering.funded) == (10, 12, 9)
    assert engineering.remaining == 1
    design = figures.functions[list(Function).index(DESIGN)]
    assert (design.requested, design.remaining) == (1, 0)
    assert (figures.budget.requested, figures.budget.funded, figures.budget.remaining) == (
        1100,
        900,
        100,
    )
    assert figures.within_envelope
    assert not totals(r(1), [], [r(2)]).within_envelope


def test_an_ask_funded_short_in_any_figure_leaves_its_goals_unfunded() -> None:
    requests = [
        Request(RETAIL, r(6, 600), [GOAL_R]),
        Request(BOOKS, r(2, 200), [GOAL_B]),
        Request(ADS, r(1, 100), []),
    ]
    funding = {RETAIL: r(6, 500), BOOKS: r(2, 200), ADS: r(1, 100, 1)}
    [ask] = unfunded_asks(requests, funding)
    assert (ask.team_id, ask.goal_ids, ask.shortfall) == (RETAIL, [GOAL_R], r(budget=100))
    [unfunded, *_] = unfunded_asks(requests, {})
    assert unfunded.funded == Resources() and unfunded.shortfall == r(6, 600)


def test_scenarios_compare_per_team_against_requests_and_the_envelope() -> None:
    requests = [Request(RETAIL, r(6, 600), [GOAL_R]), Request(BOOKS, r(2, 200), [GOAL_B])]
    lean = Scenario("Lean", {RETAIL: r(5, 500), BOOKS: r(2, 200)})
    wide = Scenario("Wide", {RETAIL: r(6, 600), BOOKS: r(2, 200), ADS: r(4, 400)})
    comparison = compare(r(10, 1000), requests, [lean, wide])
    assert [line.team_id for line in comparison.teams] == [RETAIL, BOOKS, ADS]
    ads = comparison.teams[2]
    assert (ads.requested, ads.allocated) == (Resources(), [Resources(), r(4, 400)])
    first, second = comparison.uses
    assert first.unfunded_goal_ids == [GOAL_R] and first.totals.within_envelope
    assert second.unfunded_goal_ids == [] and not second.totals.within_envelope
    assert second.totals.functions[0].remaining == -2
    assert second.totals.budget.requested == 800, "requests, not the scenario"


def test_an_unfunded_ask_lists_the_items_its_request_named() -> None:
    short, whole = uuid4(), uuid4()
    items = [uuid4(), uuid4()]
    requests = [
        Request(short, Resources.of({Function.ENGINEERING: 3}, 0), [uuid4()], items),
        Request(whole, Resources.of({Function.ENGINEERING: 1}, 0), [uuid4()], [uuid4()]),
    ]
    funding = {
        short: Resources.of({Function.ENGINEERING: 1}, 0),
        whole: Resources.of({Function.ENGINEERING: 1}, 0),
    }
    [ask] = unfunded_asks(requests, funding)
    assert (ask.team_id, ask.item_ids) == (short, items)
    assert Request(whole, Resources(), []).item_ids == [], "a request names no items by default"
