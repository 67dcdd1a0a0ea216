"""What a GraphQL request read is freed when the request ends, by reference counting.

Left in reference cycles, a request's DataLoaders (and every row in their caches)
waited for the cycle collector, whose pass over a few dozen requests' rows took
50-150 ms of whichever request it ran in: the team page's p99 (docs/PERFORMANCE.md).
With the collector off, anything still alive after a request is held by a cycle:
the loaders were one each, and graphql-core's execution context, which holds the
request's context, another.
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
from services.graphql.context import FlywheelContext
from services.graphql.executor.execution import FastExecutor
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


KINDS = (FastExecutor, FlywheelContext, ViewLoader, DataLoader)


def alive() -> dict[str, int]:
    """How many of each of a request's objects are alive."""
    things = gc.get_objects()
    return {kind.__name__: sum(isinstance(thing, kind) for thing in things) for kind in KINDS}


async def test_a_graphql_request_leaves_nothing_it_read_behind(
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
        before = alive()
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
        after = alive()
    assert after == before
