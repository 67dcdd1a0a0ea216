"""What a GraphQL request read is freed when the request ends, by reference counting.

Left in reference cycles, a request's DataLoaders (and every row in their caches)
waited for the cycle collector, whose pass over a few dozen requests' rows took
50-150 ms of whichever request it ran in: the team page's p99 (docs/PERFORMANCE.md).
With the collector off, anything still alive after a request is held by a cycle.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import httpx
import pytest
from strawberry.dataloader import DataLoader

from services.api.app import asgi_app
from services.api.commands import CommandContext
from services.auth import jwt_secret, mint_token
from services.graphql.view_loader import ViewLoader
from services.org.rest import CharterTeam
from services.principal import Role
from services.runtime import Runtime
from tests.people import CEO

WAIT = 10.0
TEAMS = """
{ teams(first: 10) {
    nodes { name leader { person { handle } } members { person { handle } }
            services(first: 5) { totalCount } goals(planYear: 2026, first: 5) { totalCount } }
} }
"""


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def alive(kind: type) -> int:
    return sum(1 for thing in gc.get_objects() if isinstance(thing, kind))


async def test_a_graphql_request_leaves_no_loader_behind(
    serving: Runtime, collector_off: None
) -> None:
    names = ["Atlas", "Borealis", "Cirrus"]
    teams = [
        serving.org.charter_team(
            CommandContext(CEO, "c"),
            CharterTeam(name=name, mission="m", leader=f"{name.lower()}@example.com"),
        )
        for name in names
    ]
    assert await serving.watcher.wait_for(teams[-1].position, WAIT)
    token = mint_token(jwt_secret(serving.settings), "planner@example.com", [Role.PLANNER])
    transport = httpx.ASGITransport(app=asgi_app(serving))
    async with httpx.AsyncClient(transport=transport, base_url="http://flywheel") as client:
        before = alive(ViewLoader), alive(DataLoader)
        for _ in range(3):
            response = await client.post(
                "/graphql",
                json={"query": TEAMS},
                headers={"Authorization": f"Bearer {token}"},
            )
            assert response.status_code == 200
            answer = response.json()
            assert "errors" not in answer
            assert [team["name"] for team in answer["data"]["teams"]["nodes"]] == names
            assert answer["data"]["teams"]["nodes"][0]["leader"]["person"] == {
                "handle": "atlas@example.com"
            }
        after = alive(ViewLoader), alive(DataLoader)
    assert after == before
