"""The timeline renders in a browser: Debian's chromium, headless, loads the SVG the
server drew and shows every item of the team.

Skipped, saying so, where chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import FlywheelServer
from tests.e2e.planning import charter, created, ok

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install chromium), so the timeline "
    "cannot be rendered in a browser here",
)


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_the_timeline_renders_every_item_of_the_team(
    server: FlywheelServer, leadership: str, tmp_path: Path
) -> None:
    team = charter(server, leadership, "Atlas", "ada@example.com")["id"]
    titles = ["Maps offline", "Routing <fast>", "Traffic $ live"]
    items: list[dict[str, Any]] = []
    for number, title in enumerate(titles, 1):
        body = {"teamId": team, "title": title, "outcome": "o", "horizon": "NOW"}
        item = created(server.post("/api/v1/roadmap-items", leadership, body))
        ok(
            server.post(
                f"/api/v1/roadmap-items/{item['id']}/commit",
                leadership,
                {"targetDate": f"2027-0{number}-15"},
            )
        )
        items.append(item)
    last = ok(
        server.post(
            f"/api/v1/roadmap-items/{items[0]['id']}/target-date",
            leadership,
            {"targetDate": "2027-02-01", "reason": "Tiles late"},
        )
    )
    server.graphql(leadership).query(
        "query { roadmapBaselines { name } }", wait_for=last["position"]
    )
    response = httpx.get(
        f"{server.url}/api/v1/roadmap.svg",
        params={"teamId": team},
        headers={"Authorization": f"Bearer {leadership}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    picture = tmp_path / "roadmap.svg"
    picture.write_bytes(response.content)

    dom = chromium("--dump-dom", picture.as_uri()).stdout
    for title in titles:
        escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"Atlas · {escaped}" in dom, title
    assert "+17d" in dom
    shot = tmp_path / "roadmap.png"
    chromium(f"--screenshot={shot}", "--window-size=1100,600", picture.as_uri())
    assert shot.read_bytes().startswith(b"\x89PNG")
