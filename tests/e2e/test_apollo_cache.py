"""Apollo Client's normalised cache survives time travel (issue 20, item 1).

Apollo Client with an ``InMemoryCache`` reads a team now, then as it was at an
earlier position, then now again from the cache alone, and gets the current team:
the past read has an id of its own, so it no longer overwrites the current one.

The test installs ``@apollo/client`` and ``graphql`` with npm into a temporary
folder (``npm install --no-save``, needs the npm registry) and runs the client on
Node 20; without npm or the registry it is skipped, saying why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import FlywheelServer

CLIENT = r"""
import { ApolloClient, InMemoryCache, HttpLink, gql } from "@apollo/client/core/index.js";

const [url, token, id, at] = process.argv.slice(2);
const client = new ApolloClient({
  link: new HttpLink({ uri: url, headers: { Authorization: `Bearer ${token}` }, fetch }),
  cache: new InMemoryCache(),
});
const TEAM = gql`
  query Team($id: ID!, $at: Int) {
    team(id: $id, atPosition: $at) { id name leader { person { id handle } } }
  }
`;
const now = await client.query({ query: TEAM, variables: { id } });
const past = await client.query({ query: TEAM, variables: { id, at: Number(at) } });
const again = await client.query({ query: TEAM, variables: { id }, fetchPolicy: "cache-only" });
console.log(JSON.stringify({
  now: now.data.team, past: past.data.team, again: again.data.team,
  cachedTeams: Object.keys(client.cache.extract()).filter((key) => key.startsWith("Team:")),
}));
"""


@pytest.fixture(scope="module")
def apollo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        pytest.skip("Node and npm are needed to run Apollo Client")
    folder = tmp_path_factory.mktemp("apollo")
    (folder / "package.json").write_text('{"name": "apollo-check", "private": true}')
    try:
        subprocess.run(
            [
                npm,
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                "@apollo/client@3",
                "graphql@16",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as failure:
        pytest.skip(f"npm could not install @apollo/client (no registry?): {failure}")
    (folder / "client.mjs").write_text(CLIENT)
    return folder


def test_apollo_reads_the_current_team_from_cache_after_reading_the_past(
    server: FlywheelServer, leadership: str, apollo: Path
) -> None:
    created = server.post(
        "/api/v1/teams",
        leadership,
        {"name": "Ledger", "mission": "Books that balance", "leader": "ann@example.com"},
    )
    assert created.status_code == 201, created.text
    team = created.json()
    chartered = int(team["position"])
    appointed = server.post(
        f"/api/v1/teams/{team['id']}/leader",
        leadership,
        {"leader": "bob@example.com", "reason": "Ann moved to Risk"},
    )
    assert appointed.status_code in (200, 201), appointed.text
    # Wait for the views to reach the appointment, so "now" is Bob's team.
    server.graphql(leadership).query(
        "{ teams { totalCount } }", wait_for=int(appointed.json()["position"])
    )

    ran = subprocess.run(
        [
            shutil.which("node") or "node",
            "client.mjs",
            f"{server.url}/graphql",
            leadership,
            team["nodeId"],
            str(chartered),
        ],
        cwd=apollo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    seen = json.loads(ran.stdout)
    assert seen["now"]["leader"]["person"]["handle"] == "bob@example.com"
    assert seen["past"]["leader"]["person"]["handle"] == "ann@example.com"
    assert seen["past"]["id"] != seen["now"]["id"]
    # From the cache alone, after the past read: still the current team.
    assert seen["again"] == seen["now"]
    assert len(seen["cachedTeams"]) == 2
