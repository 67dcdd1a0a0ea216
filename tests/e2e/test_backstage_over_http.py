"""The Backstage catalog over HTTP: import, re-import, refusals, export checked by Backstage."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml

from services.backstage.catalog import Source, parse_catalog
from services.backstage.importer import BackstageImports, current_state
from services.backstage.plan import plan_import
from services.commands import CommandBus
from tests.backstage.backstage_model import check_with_backstage
from tests.backstage.catalogs import all_documents
from tests.commands import InMemoryCommands
from tests.e2e.conftest import FlywheelServer
from tests.people import CEO

IMPORT = "/api/v1/imports/backstage"
EXPORT = "/api/v1/exports/backstage"
YAML = {"Content-Type": "application/yaml"}


def send(server: FlywheelServer, token: str | None, text: str, **params: Any) -> httpx.Response:
    headers = {**YAML, **({"Authorization": f"Bearer {token}"} if token else {})}
    return httpx.post(
        f"{server.url}{IMPORT}", content=text.encode(), headers=headers, params=params, timeout=60
    )


def export(server: FlywheelServer, token: str, position: int) -> str:
    answer = httpx.get(
        f"{server.url}{EXPORT}",
        headers={"Authorization": f"Bearer {token}", "X-Flywheel-Position": str(position)},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/yaml")
    assert int(answer.headers["x-flywheel-position"]) >= position
    return answer.text


def test_a_broken_catalog_is_refused_whole_with_every_problem(
    server: FlywheelServer, leadership: str
) -> None:
    broken = (
        all_documents()
        .replace("    flywheel.dev/leader: dave@example.com\n", "")
        .replace("owner: group:ledger", "owner: group:billing")
    )
    refused = send(server, leadership, broken)
    assert refused.status_code == 400, refused.text
    problem = refused.json()
    assert problem["rule"] == "backstage-catalog-invalid"
    assert refused.headers["content-type"].startswith("application/problem+json")
    found = {(e["entity"], e["file"]) for e in problem["errors"]}
    assert ("group:default/ledger", "request body (document 3)") in found
    assert any("billing" in e["message"] and "dangling" in e["message"] for e in problem["errors"])
    assert "Engineering" not in export(server, leadership, 0)


def test_only_leadership_imports_and_only_yaml(server: FlywheelServer) -> None:
    planner = server.token("planner@example.com", "planner")
    assert send(server, planner, all_documents(), dryRun="true").status_code == 403
    assert send(server, None, all_documents()).status_code == 401
    leader = server.token("ceo@example.com", "leadership")
    as_json = httpx.post(
        f"{server.url}{IMPORT}",
        json={"kind": "Group"},
        headers={"Authorization": f"Bearer {leader}"},
        timeout=30,
    )
    assert as_json.status_code == 415


def test_import_dry_run_reimport_and_an_export_backstage_accepts(
    server: FlywheelServer, leadership: str
) -> None:
    dry = send(server, leadership, all_documents(), dryRun="true")
    assert dry.status_code == 200, dry.text
    planned = dry.json()
    assert planned["dryRun"] is True and planned["position"] is None
    assert {"add"} == {step["action"] for step in planned["steps"]}
    assert any(n["entity"] == "system:default/money" for n in planned["notes"])

    done = send(server, leadership, all_documents())
    assert done.status_code == 200, done.text
    imported = done.json()
    assert imported["position"] > 0 and imported["importId"].startswith("backstage-import:")
    assert [s["summary"] for s in imported["steps"]] == [s["summary"] for s in planned["steps"]]

    again = send(server, leadership, all_documents()).json()
    assert again["steps"] == [] and again["position"] is None

    text = export(server, leadership, imported["position"])
    entities = list(yaml.safe_load_all(text))
    kinds = sorted(e["kind"] for e in entities)
    assert kinds.count("Group") == 3 and kinds.count("Component") == 2 and kinds.count("API") == 2
    verdict = check_with_backstage(entities)
    assert [e for e in verdict["entities"] if not e["valid"]] == []
    assert len(verdict["entities"]) == len(entities)
    payments = next(e for e in entities if e["metadata"]["name"] == "payments")
    assert payments["metadata"]["annotations"]["flywheel.dev/leader"] == "alice@example.com"
    assert payments["spec"]["parent"] == "group:default/engineering"

    # The export imported again changes nothing here ...
    assert send(server, leadership, text).json()["steps"] == []
    # ... and into an empty Flywheel yields the same org and boundaries: the original
    # catalog then plans nothing there.
    empty = InMemoryCommands.open()
    bus = CommandBus(empty.app)
    BackstageImports(bus).import_catalog(CEO, parse_catalog([Source("export", text)]))
    original = parse_catalog([Source("catalog", all_documents())])
    names = (["Engineering", "payments", "ledger"], ["checkout", "ledger-writer"])
    replan = plan_import(original, current_state(bus, *names))
    assert replan.ok and replan.steps == [], [s.describe() for s in replan.steps]


def test_export_needs_a_role(server: FlywheelServer) -> None:
    roleless = server.token("someone@example.com")
    answer = httpx.get(
        f"{server.url}{EXPORT}", headers={"Authorization": f"Bearer {roleless}"}, timeout=30
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("text", "kind", "namespace"),
    [
        ("payments", "group", "default"),
        ("user:alice", "group", "ops"),
        ("Other/Payments", "api", "default"),
        ("API:default/checkout-api", "component", "x"),
    ],
)
def test_references_resolve_as_backstage_resolves_them(
    text: str, kind: str, namespace: str
) -> None:
    from services.backstage.catalog import parse_ref

    verdict = check_with_backstage([], [(text, kind, namespace)])
    assert verdict["refs"] == [str(parse_ref(text, default_kind=kind, default_namespace=namespace))]
