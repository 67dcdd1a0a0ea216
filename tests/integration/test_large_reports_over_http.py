"""Large reports over GraphQL (services/graphql/admission.py), through the real app on
the demo company: whole-company reports wait for a place and keep it until their
answer is encoded, a one-team report never waits, and a request that asks for several
large reports, or goes away while it waits, neither blocks itself nor keeps a place."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

import services.graphql.controller as controller
from services.api.app import create_app
from services.auth import mint_token
from services.principal import Role
from services.runtime import Runtime
from services.seed import CEO, seed_demo
from services.settings import load_settings

SECRET = "a-test-secret-that-is-long-enough-for-hs256"
WAIT = 30.0

WHOLE_COMPANY = """
query { apiBoundaries { provided { api { name } dependencies { consumer { name } } }
  crossTeamDependencies { consumer { name } provider { name } }
  violations { kind service { name } } } }
"""
COUPLING = "query { teamCoupling { edges { dependencies consumer { name } provider { name } } } }"
ONE_TEAM = """
query($team: ID!) { apiBoundaries(teamId: $team) { scope { name } provided { api { name } } } }
"""
TWICE = """
query { a: apiBoundaries { provided { api { name } } } b: apiBoundaries { violations { kind } }
  c: teamCoupling { edges { dependencies } } }
"""


@dataclass
class Served:
    runtime: Runtime
    client: httpx.AsyncClient
    team: str  # a team of the demo company with services

    async def ask(self, query: str, **variables: Any) -> dict[str, Any]:
        answer = await self.client.post("/graphql", json={"query": query, "variables": variables})
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def served(database_url: str, tmp_path: Path) -> AsyncIterator[Served]:
    runtime = Runtime.open(
        load_settings(
            {
                "DATABASE_URL": database_url,
                "FLYWHEEL_DATA_DIR": str(tmp_path / "data"),
                "FLYWHEEL_POOL_SIZE": "4",
                "FLYWHEEL_JWT_SECRET": SECRET,
                "FLYWHEEL_RATE_LIMIT": "0",
                "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0",
            }
        )
    )
    try:
        seeded = seed_demo(runtime)
        await runtime.start()
        assert await runtime.watcher.wait_for(seeded.position, WAIT)
        token = mint_token(SECRET, CEO, [Role.LEADERSHIP])
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(runtime)),  # type: ignore[arg-type]
            base_url="http://flywheel",
            headers={"Authorization": f"Bearer {token}"},
            timeout=WAIT,
        ) as client:
            team = next(iter(seeded.teams.values()))
            yield Served(runtime, client, str(team))
    finally:
        await runtime.stop()
        runtime.close()


async def until(condition: Callable[[], bool], what: str) -> None:
    """Poll a condition of this process, with a deadline."""
    deadline = asyncio.get_running_loop().time() + WAIT
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"never {what}")
        await asyncio.sleep(0.01)  # polling a condition (a counter), with a deadline


async def test_whole_company_reports_wait_for_a_place_and_one_team_does_not(
    served: Served,
) -> None:
    reports = served.runtime.large_reports
    alone = await served.ask(WHOLE_COMPANY)
    assert alone["apiBoundaries"]["provided"] and alone["apiBoundaries"]["violations"]
    held = AsyncExitStack()
    await reports.admit(held)  # another request's report, being built
    boundaries = asyncio.create_task(served.ask(WHOLE_COMPANY))
    coupling = asyncio.create_task(served.ask(COUPLING))
    await until(lambda: reports.waiting == 2, "both waiting")
    one_team = await served.ask(ONE_TEAM, team=served.team)
    assert one_team["apiBoundaries"]["scope"][0]["name"]
    assert not boundaries.done() and not coupling.done()
    await held.aclose()
    assert await boundaries == alone
    assert (await coupling)["teamCoupling"]["edges"]
    assert (reports.building, reports.waiting, reports.most_building) == (0, 0, 1)


async def test_the_place_is_held_until_the_answer_is_encoded(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = served.runtime.large_reports
    encode = controller._encode
    building_while_encoding: list[int] = []

    def encoding(data: object) -> bytes:
        building_while_encoding.append(reports.building)
        return encode(data)

    monkeypatch.setattr(controller, "_encode", encoding)
    await served.ask(WHOLE_COMPANY)
    await served.ask(ONE_TEAM, team=served.team)
    assert building_while_encoding == [1, 0]
    assert reports.building == 0


async def test_a_request_asking_for_several_large_reports_holds_one_place(
    served: Served,
) -> None:
    reports = served.runtime.large_reports
    answer = await asyncio.wait_for(served.ask(TWICE), WAIT)
    assert answer["a"]["provided"] and answer["c"]["edges"]
    assert (reports.building, reports.most_building) == (0, 1)


async def test_a_request_gone_while_waiting_keeps_no_place(served: Served) -> None:
    reports = served.runtime.large_reports
    held = AsyncExitStack()
    await reports.admit(held)
    gone = asyncio.create_task(served.ask(WHOLE_COMPANY))
    await until(lambda: reports.waiting == 1, "waiting")
    gone.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert (reports.building, reports.waiting) == (1, 0)
    await held.aclose()
    assert (await asyncio.wait_for(served.ask(COUPLING), WAIT))["teamCoupling"]["edges"]
    assert reports.building == 0
