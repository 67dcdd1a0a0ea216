"""The weekly business review over HTTP: observations in bulk (JSON, wbr-app's CSV, the
CLI), variance notes, the 6-12 view in GraphQL, the charts and the export."""

from __future__ import annotations

import io
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.conftest import FLYWHEEL, FlywheelServer
from tests.e2e.planning import charter, created, define, ok

CSV = "text/csv"


def post_csv(server: FlywheelServer, token: str, text: str, **params: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/observations",
        content=text.encode(),
        params=params,
        headers={"Authorization": f"Bearer {token}", "Content-Type": CSV},
        timeout=60,
    )


@pytest.fixture(scope="module")
def shop(server: FlywheelServer, leadership: str) -> dict[str, Any]:
    team = charter(server, leadership, "Shop", "sam@example.com")["id"]
    orders = define(server, leadership, "Orders", "OUTPUT", team, aggregation="SUM")["id"]
    rate = define(server, leadership, "Conversion", "INPUT", team, unit="%")["id"]
    return {"team": team, "orders": orders, "rate": rate}


def test_json_observations_in_bulk_are_all_or_nothing(
    server: FlywheelServer, leadership: str, shop: dict[str, Any]
) -> None:
    first = date(2024, 1, 7)
    body = [
        {"metricId": shop["orders"], "periodEnd": str(first + timedelta(weeks=n)), "value": n + 1}
        for n in range(10)
    ]
    done = ok(server.post("/api/v1/observations", leadership, body))
    assert (done["recorded"], done["metrics"]) == (10, 1) and done["position"] > 0
    refused = server.post(
        "/api/v1/observations",
        leadership,
        [
            {"metricName": "Conversion", "periodEnd": "2024-01-07", "value": 3.5},
            {"metricId": shop["orders"], "periodEnd": str(first), "value": 99},
        ],
    )
    assert refused.status_code == 409 and refused.json()["rule"] == "observation-exists"
    graph = server.graphql(leadership)
    data, _ = graph.query(
        "query($id: ID!) { metric(id: $id) { aggregation observations(first: 50) "
        "{ edges { node { periodEnd value } } } } }",
        wait_for=done["position"],
        id=shop["rate"],
    )
    assert data["metric"]["observations"]["edges"] == [], "the refused upload recorded nothing"
    assert data["metric"]["aggregation"] == "MEAN", "a `%` metric averages by default"
    member = server.token("sam@example.com")
    forbidden = server.post(
        "/api/v1/observations",
        server.token("nobody@example.com", "member"),
        [{"metricId": shop["orders"], "periodEnd": "2023-01-01", "value": 1}],
    )
    assert forbidden.status_code == 403
    assert (
        ok(
            server.post(
                "/api/v1/observations",
                member,
                [{"metricId": shop["orders"], "periodEnd": "2023-01-01", "value": 1}],
            )
        )["recorded"]
        == 1
    ), "the owner team's leader records"


def test_wbr_app_csv_with_daily_rows_is_combined_and_targets_left_out(
    server: FlywheelServer, leadership: str, shop: dict[str, Any]
) -> None:
    text = (
        "Date,Orders,Conversion,Orders__Target\n"
        '"Mon, 01-Jul-2024","1,000",2.5,900\n'
        '"Mon, 01-Jul-2024",500,3.5,900\n'
        '"Tue, 02-Jul-2024",,4,900\n'
    )
    done = ok(post_csv(server, leadership, text))
    assert (done["recorded"], done["ignoredColumns"]) == (3, ["Orders__Target"])
    again = ok(post_csv(server, leadership, text))
    assert (again["recorded"], again["unchanged"], again["position"]) == (0, 3, None)
    changed = text.replace("500,3.5", "600,3.5")
    refused = post_csv(server, leadership, changed)
    assert refused.status_code == 409 and refused.json()["rule"] == "observation-exists"
    corrected = ok(post_csv(server, leadership, changed, reason="Late orders counted"))
    assert corrected["corrected"] == 1
    bad = post_csv(server, leadership, "Date,Orders\nsomeday,1\n")
    assert bad.status_code == 400
    wrong_type = httpx.post(
        f"{server.url}/api/v1/observations",
        content=b"x",
        headers={"Authorization": f"Bearer {leadership}", "Content-Type": "text/plain"},
    )
    assert wrong_type.status_code == 415


def test_the_cli_imports_a_csv_file(server: FlywheelServer, tmp_path: Path) -> None:
    leadership = server.token("ceo@example.com", "leadership")
    team = charter(server, leadership, "Imports", "ivy@example.com")["id"]
    define(server, leadership, "Imported visits", "OUTPUT", team)
    data = tmp_path / "data.csv"
    data.write_text(
        "Date,Imported visits\n"
        + "".join(
            f'"{day:%a, %d-%b-%Y}",{day.day}\n'
            for day in (date(2024, 3, 1) + timedelta(days=n) for n in range(5))
        )
    )
    done = subprocess.run(
        [FLYWHEEL, "import", "observations", str(data), "--subject", "ivy@example.com"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"recorded": 5' in done.stdout
    again = subprocess.run(
        [FLYWHEEL, "import", "observations", str(data), "--subject", "eve@example.com"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode != 0 and "leadership" in again.stderr


SIX_TWELVE = """
query($week: Date!, $team: ID, $at: Int) {
  weeklyBusinessReview(weekEnding: $week, teamId: $team, includeSubteams: true, atPosition: $at) {
    weekEnding
    sections {
      teamName
      metrics {
        metric { name kind }
        sixTwelve {
          aggregation changeUnit lastWeek weekOverWeek yearOverYear
          weeks { end value priorYearValue change yearOverYear target }
          months { start value priorYearValue change toDate }
          monthToDate { value priorYearValue yearOverYear }
          quarterToDate { start value priorYearValue yearOverYear }
          yearToDate { start value priorYearValue yearOverYear }
          notes { day text correctionReason }
          goals { planYear target }
        }
      }
    }
  }
}
"""
FIRST_SATURDAY = date(2023, 1, 7)
WEEK = date(2024, 9, 28)  # week 90 of the series: value 91


def pct(value: float, base: float) -> float:
    return (value / base - 1) * 100


def test_the_deck_shows_hand_computed_figures_and_reads_as_it_was(
    server: FlywheelServer, leadership: str
) -> None:
    team = charter(server, leadership, "Review", "rae@example.com")["id"]
    sub = charter(server, leadership, "Review sub", "sue@example.com", team)["id"]
    revenue = define(server, leadership, "Review revenue", "OUTPUT", team, financial=True)["id"]
    visits = define(server, leadership, "Review visits", "OUTPUT", team)["id"]
    speed = define(server, leadership, "Review speed", "INPUT", sub, unit="%")["id"]
    body = [
        {"metricId": metric, "periodEnd": str(FIRST_SATURDAY + timedelta(weeks=n)), "value": n + 1}
        for metric in (revenue, visits, speed)
        for n in range(104)
    ]
    loaded = ok(server.post("/api/v1/observations", leadership, body))
    assert loaded["recorded"] == 312
    note = created(
        server.post(
            f"/api/v1/metrics/{visits}/notes",
            leadership,
            {"day": "2024-09-21", "text": "Prime Day moved into this week"},
        )
    )
    graph = server.graphql(leadership)
    data, _ = graph.query(SIX_TWELVE, wait_for=note["position"], week=str(WEEK), team=team)
    deck = data["weeklyBusinessReview"]
    assert [s["teamName"] for s in deck["sections"]] == ["Review", "Review sub"]
    names = [m["metric"]["name"] for m in deck["sections"][0]["metrics"]]
    assert names == ["Review visits", "Review revenue"], "outputs before financial ones"
    view = deck["sections"][0]["metrics"][0]["sixTwelve"]
    assert [w["value"] for w in view["weeks"]] == [86, 87, 88, 89, 90, 91]
    assert view["lastWeek"] == 91
    assert view["weekOverWeek"] == pytest.approx(pct(91, 90))
    assert view["yearOverYear"] == pytest.approx(pct(91, 39))
    assert view["months"][11]["value"] == 83 + 84 + 85 + 86 + 87
    assert view["months"][11]["change"] == pytest.approx(pct(425, 79 + 80 + 81 + 82))
    assert view["months"][12]["toDate"] is True
    assert view["monthToDate"]["value"] == 88 + 89 + 90 + 91
    assert view["monthToDate"]["priorYearValue"] == 35 + 36 + 37 + 38
    assert view["monthToDate"]["yearOverYear"] == pytest.approx(pct(358, 146))
    assert view["quarterToDate"]["start"] == "2024-07-01"
    assert view["yearToDate"]["value"] == sum(range(53, 92))
    assert view["yearToDate"]["yearOverYear"] == pytest.approx(
        pct(sum(range(53, 92)), sum(range(1, 39)))
    )
    assert [n["text"] for n in view["notes"]] == ["Prime Day moved into this week"]
    rate = deck["sections"][1]["metrics"][0]["sixTwelve"]
    assert rate["changeUnit"] == "BASIS_POINTS" and rate["aggregation"] == "MEAN"
    assert rate["weekOverWeek"] == pytest.approx(100.0), "91% - 90% = 1 point = 100 bps"

    shown_at = note["position"]
    corrected = ok(
        server.post(
            "/api/v1/observations",
            leadership,
            [{"metricId": visits, "periodEnd": "2024-09-28", "value": 100, "reason": "Late"}],
        )
    )
    ok(
        server.post(
            f"/api/v1/variance-notes/{note['id']}/corrections",
            leadership,
            {"text": "Prime Day moved to July", "reason": "Wrong month"},
        )
    )
    now, _ = graph.query(SIX_TWELVE, wait_for=corrected["position"] + 1, week=str(WEEK), team=team)
    latest = now["weeklyBusinessReview"]["sections"][0]["metrics"][0]["sixTwelve"]
    assert latest["lastWeek"] == 100 and latest["notes"][0]["text"] == "Prime Day moved to July"
    then, _ = graph.query(SIX_TWELVE, week=str(WEEK), team=team, at=shown_at)
    assert then == data, "the deck as of last week's position is what was shown then"
    one, _ = graph.query(
        "query($id: ID!, $week: Date!, $at: Int) { metric(id: $id, atPosition: $at) "
        "{ sixTwelve(weekEnding: $week) { lastWeek notes { text } } } }",
        id=visits,
        week=str(WEEK),
        at=shown_at,
    )
    assert one["metric"]["sixTwelve"] == {
        "lastWeek": 91,
        "notes": [{"text": "Prime Day moved into this week"}],
    }


def test_the_chart_and_the_export_over_http(
    server: FlywheelServer, leadership: str, tmp_path: Path
) -> None:
    team = charter(server, leadership, "Charts", "cat@example.com")["id"]
    metric = define(server, leadership, "Chart orders", "OUTPUT", team)["id"]
    body = [
        {"metricId": metric, "periodEnd": str(FIRST_SATURDAY + timedelta(weeks=n)), "value": n}
        for n in range(104)
    ]
    loaded = ok(server.post("/api/v1/observations", leadership, body))
    server.graphql(leadership).query("{ __typename }", wait_for=loaded["position"])
    headers = {"Authorization": f"Bearer {leadership}"}
    svg = httpx.get(
        f"{server.url}/api/v1/metrics/{metric}/wbr.svg",
        params={"weekEnding": "2024-08-31"},
        headers=headers,
        timeout=60,
    )
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)  # noqa: S314 - the server's own SVG
    group = {element.get("id"): element for element in root.iter() if element.get("id")}
    assert sum(1 for e in group["wbr-weeks"].iter() if e.tag.endswith("use")) == 6
    assert sum(1 for e in group["wbr-months"].iter() if e.tag.endswith("use")) == 12
    png = httpx.get(
        f"{server.url}/api/v1/metrics/{metric}/wbr.png",
        params={"weekEnding": "2024-08-31"},
        headers=headers,
        timeout=60,
    )
    assert png.content.startswith(b"\x89PNG")
    exported = httpx.get(
        f"{server.url}/api/v1/wbr/export",
        params={"weekEnding": "2024-08-31", "teamId": team},
        headers=headers,
        timeout=60,
    )
    assert exported.status_code == 200
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        assert sorted(archive.namelist()) == ["annotations.csv", "config.yaml", "data.csv"]
        config = yaml.safe_load(archive.read("config.yaml"))
        data = archive.read("data.csv").decode()
    assert config["setup"]["week_ending"] == "31-AUG-2024"
    assert config["metrics"]["Chart orders"]["aggf"] == "sum"
    assert data.splitlines()[0] == "Date,Chart orders,Chart orders__Target"
    out = tmp_path / "wbr"
    done = subprocess.run(
        [
            FLYWHEEL,
            "wbr",
            "export",
            "--week-ending",
            "2024-08-31",
            "--team",
            team,
            "--out",
            str(out),
        ],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (out / "data.csv").read_text() == data
