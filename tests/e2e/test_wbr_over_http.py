"""The weekly business review over HTTP: observations in bulk (JSON, wbr-app's CSV, the
CLI), variance notes, the 6-12 view in GraphQL, the charts and the export."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import FLYWHEEL, FlywheelServer
from tests.e2e.planning import charter, define, ok

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
        "query($id: ID!) { metric(id: $id) { observations(first: 50) "
        "{ edges { node { periodEnd value } } } } }",
        wait_for=done["position"],
        id=shop["rate"],
    )
    assert data["metric"]["observations"]["edges"] == [], "the refused upload recorded nothing"
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
