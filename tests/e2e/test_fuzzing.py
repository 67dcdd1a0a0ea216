"""Schemathesis against the running server: the OpenAPI document and the GraphQL schema.

A fixed seed and example budget keep the run repeatable. Over REST every check runs:
besides no server errors and no answer outside its documented status codes, content
types, headers and schema, the server must accept what the document says is valid
(``positive_data_acceptance``) and refuse what it says is not
(``negative_data_rejection``), refuse a missing token, an unsupported method, and so
on. Identifiers of a small seeded org are supplied for path parameters, so the fuzzer
reaches the commands' rules instead of stopping at 404.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database
from tests.e2e.conftest import FlywheelServer

pytestmark = pytest.mark.slow

SEED = "20261126"
REST_EXAMPLES = 2  # per operation and phase: every check over 106 operations in about a minute
CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
)
GRAPHQL_EXAMPLES = 20  # per root field
SCHEMATHESIS = str(Path(sys.executable).parent / "schemathesis")
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")

# Rules of a body that JSON Schema cannot state, so a body the document allows may
# still be refused with 400: a scenario allocates each team at most once (a list's
# items unique by one of their fields), a webhook's URL must be an http(s) URL to a
# destination the operator allows (services/feeds/destinations.py), and a Backstage
# catalog or a CSV of observations is read by its own parser (references resolve, a
# `Date` column). For these operations alone, 400 counts as an answer to data the
# document allows.
ONLY_JSON_SCHEMA_FALLS_SHORT = (
    ("POST", "/api/v1/cycles/{cycle_id}/scenarios"),
    ("POST", "/api/v1/webhooks"),
    ("POST", "/api/v1/imports/backstage"),
    ("POST", "/api/v1/observations"),
)
ACCEPTED_OR_RULE_REFUSED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
# The coverage phase draws strings of each boundary length through the text patterns
# (a handle's lists every printable character), which takes minutes; the other phases
# draw through the same patterns.
PHASES = "examples,fuzzing,stateful"


@pytest.fixture(scope="module")
def fuzzed(
    postgres_server: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlywheelServer]:
    with fresh_database(postgres_server) as url:
        server = FlywheelServer(tmp_path_factory.mktemp("fuzzed"), url)
        server.start_with(
            {**server.env, "FLYWHEEL_RATE_LIMIT": "0", "FLYWHEEL_GRAPHQL_RATE_LIMIT": "0"}
        )
        yield server
        server.stop()


def seed_org(server: FlywheelServer, token: str) -> dict[str, str]:
    team = server.post(
        "/api/v1/teams", token, {"name": "Fuzz", "mission": "m", "leader": "fuzz@example.com"}
    ).json()
    service = server.post(
        "/api/v1/services", token, {"name": "fuzzer", "ownerTeamId": team["id"], "description": "d"}
    ).json()
    api = server.post(
        f"/api/v1/services/{service['id']}/apis",
        token,
        {"name": "fuzz-api", "version": "1", "kind": "REST", "visibility": "PUBLIC"},
    ).json()
    metric = server.post(
        "/api/v1/metrics",
        token,
        {
            "name": "Fuzz rate",
            "kind": "INPUT",
            "unit": "count",
            "direction": "INCREASE",
            "definition": "inputs fuzzed per run",
            "ownerTeamId": team["id"],
        },
    ).json()
    goal = server.post(
        "/api/v1/goals",
        token,
        {
            "teamId": team["id"],
            "metricId": metric["id"],
            "planYear": 2027,
            "baseline": 1,
            "target": 2,
            "dueDate": "2027-12-31",
            "description": "More fuzz",
        },
    ).json()
    return {
        "team_id": team["id"],
        "service_id": service["id"],
        "api_id": api["id"],
        "metric_id": metric["id"],
        "goal_id": goal["id"],
        "person": "fuzz@example.com",
        "handle": "fuzz@example.com",
    }


def rest_config(ids: dict[str, str]) -> str:
    parameters = "".join(f'{name} = "{value}"\n' for name, value in ids.items())
    operations = "".join(
        f'\n[[operations]]\ninclude-path = "{path}"\ninclude-method = "{method}"\n'
        f"checks.positive_data_acceptance.expected-statuses = {ACCEPTED_OR_RULE_REFUSED!r}\n"
        for method, path in ONLY_JSON_SCHEMA_FALLS_SHORT
    ).replace("'", '"')
    return f"[parameters]\n{parameters}{operations}"


def run_schemathesis(
    location: str, token: str, config: Path, examples: int, checks: str, *extra: str
) -> None:
    """Run the schemathesis CLI from the config's folder, where it keeps its cache."""
    done = subprocess.run(
        [
            SCHEMATHESIS,
            "--config-file",
            str(config),
            "--no-color",
            "run",
            location,
            "--checks",
            checks,
            "--max-examples",
            str(examples),
            "--seed",
            SEED,
            "--generation-database",
            "none",
            "--header",
            f"Authorization: Bearer {token}",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=config.parent,
        env={**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)},
    )
    summary = done.stdout[-6000:]
    assert done.returncode == 0, summary
    assert " passed" in summary, summary


def test_the_rest_api_keeps_its_documented_contract(fuzzed: FlywheelServer, tmp_path: Path) -> None:
    token = fuzzed.token("ceo@example.com", "leadership")
    ids = seed_org(fuzzed, token)
    config = tmp_path / "schemathesis.toml"
    config.write_text(rest_config(ids))
    location = f"{fuzzed.url}/schema/openapi.json"
    run_schemathesis(location, token, config, REST_EXAMPLES, "all", "--phases", PHASES)


def test_the_graphql_api_keeps_its_schema(fuzzed: FlywheelServer, tmp_path: Path) -> None:
    token = fuzzed.token("ceo@example.com", "leadership")
    config = tmp_path / "schemathesis.toml"
    config.write_text("")
    run_schemathesis(f"{fuzzed.url}/graphql", token, config, GRAPHQL_EXAMPLES, CHECKS)
