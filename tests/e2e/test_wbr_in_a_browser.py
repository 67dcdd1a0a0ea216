"""The HTML deck in a real headless browser (tests/e2e/browser.py): signing in by the
link ``flywheel token --link`` prints, every chart rendered, and the numbers on the page
equal the GraphQL answer."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from typing import Any

from tests.e2e.browser import browser, needs_browser, page  # noqa: F401 - fixtures
from tests.e2e.conftest import FLYWHEEL, FlywheelServer
from tests.e2e.planning import charter, created, define, ok

pytestmark = needs_browser
WEEK = "2024-09-28"
QUERY = """
query($week: Date!, $team: ID) {
  weeklyBusinessReview(weekEnding: $week, teamId: $team, includeSubteams: true) {
    sections { teamName metrics { metric { uuid name } sixTwelve {
      lastWeek weekOverWeek yearOverYear
      monthToDate { value yearOverYear } quarterToDate { value yearOverYear }
      yearToDate { value yearOverYear }
      weeks { value priorYearValue change yearOverYear target }
      months { value priorYearValue change yearOverYear target }
    } } }
  }
}
"""


def graphql_fields(view: dict[str, Any]) -> dict[str, float | None]:
    """The deck's numbers keyed as the page's ``data-field`` attributes name them."""
    fields: dict[str, float | None] = {
        "lastWeek": view["lastWeek"],
        "weekOverWeek": view["weekOverWeek"],
        "yearOverYear": view["yearOverYear"],
    }
    for total in ("monthToDate", "quarterToDate", "yearToDate"):
        fields[f"{total}.value"] = view[total]["value"]
        fields[f"{total}.yearOverYear"] = view[total]["yearOverYear"]
    for series in ("weeks", "months"):
        for index, period in enumerate(view[series]):
            for key, value in period.items():
                fields[f"{series}.{index}.{key}"] = value
    return fields


def test_the_deck_signs_in_by_link_renders_every_chart_and_matches_graphql(
    server: FlywheelServer,
    leadership: str,
    page: Any,  # noqa: F811
) -> None:
    team = charter(server, leadership, "Deck", "dee@example.com")["id"]
    visits = define(server, leadership, "Deck visits", "OUTPUT", team)["id"]
    rate = define(server, leadership, "Deck rate", "INPUT", team, unit="%")["id"]
    first = date(2023, 1, 7)
    body = [
        {"metricId": metric, "periodEnd": str(first + timedelta(weeks=n)), "value": n + 1}
        for metric in (visits, rate)
        for n in range(104)
        if n != 88  # a missing week
    ]
    ok(server.post("/api/v1/observations", leadership, body))
    note = created(
        server.post(f"/api/v1/metrics/{visits}/notes", leadership, {"day": WEEK, "text": "Sale"})
    )
    data, _ = server.graphql(leadership).query(
        QUERY, wait_for=note["position"], week=WEEK, team=team
    )
    metrics = data["weeklyBusinessReview"]["sections"][0]["metrics"]

    deck_url = f"{server.url}/wbr?weekEnding={WEEK}&teamId={team}"
    refused = page.goto(deck_url)
    assert refused.status == 401 and page.locator("form textarea[name=token]").count() == 1

    link = subprocess.run(
        [
            FLYWHEEL,
            "token",
            "--link",
            "--subject",
            "ceo@example.com",
            "--role",
            "leadership",
            "--base-url",
            server.url,
        ],
        env=server.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert "/wbr/sign-in?token=" in link
    assert (
        server.post("/graphql", link.split("token=")[1], {"query": "{ __typename }"}).status_code
        == 401
    ), "a sign-in link's token is no bearer token"
    page.goto(link)
    cookie = next(c for c in page.context.cookies() if c["name"] == "flywheel_wbr")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/wbr"
    shown = page.goto(deck_url)
    assert shown.status == 200
    articles = page.locator("article.metric")
    assert articles.count() == len(metrics) == 2
    assert [articles.nth(i).get_attribute("data-metric-id") for i in range(2)] == [
        m["metric"]["uuid"] for m in metrics
    ], "inputs first, as GraphQL orders them"
    for index, metric in enumerate(metrics):
        article = articles.nth(index)
        chart = article.locator(".chart svg")
        assert chart.count() == 1
        box = chart.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, "the chart renders"
        assert article.locator("g#wbr-weeks use").count() == 5, "six weeks, one missing"
        assert article.locator("g#wbr-months use").count() == 13
        expected = graphql_fields(metric["sixTwelve"])
        cells = article.locator("td[data-field]")
        seen = 0
        for number in range(cells.count()):
            field = cells.nth(number).get_attribute("data-field")
            raw = cells.nth(number).get_attribute("data-value")
            want = expected[field]
            if want is None:
                assert raw == "", field
            else:
                assert abs(float(raw) - want) <= 1e-9 * max(1.0, abs(want)), (field, raw, want)
            seen += 1
        assert seen == 9 + 6 * 5 + 13 * 5
    assert "Sale" in page.locator("article.metric").nth(1).inner_text()
