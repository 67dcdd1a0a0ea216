"""The Backstage import through the normal commands, on in-memory storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.boundaries import Api, Service
from domain.org.team import PersonLeadsAnotherTeam, Team
from services.api.commands import CommandContext
from services.backstage.catalog import Source, parse_catalog, read_catalog_files
from services.backstage.importer import BackstageImports, CatalogRefused
from services.commands import CommandBus, Forbidden
from services.org.rest import CharterTeam
from tests.backstage.catalogs import FILES, all_documents, write_catalog
from tests.commands import Commands, event_count
from tests.people import CEO, PLANNER


def importer(flywheel: Commands) -> BackstageImports:
    return BackstageImports(CommandBus(flywheel.app))


def body(text: str) -> list[Source]:
    return [Source("request body", text)]


def events_of(flywheel: Commands, after: int) -> list[object]:
    return [
        flywheel.app.mapper.to_domain_event(item)
        for item in flywheel.app.recorder.select_notifications(after + 1, 10_000)
    ]


def test_a_catalog_of_several_files_imports_in_one_write_with_its_provenance(
    flywheel: Commands, tmp_path: Path
) -> None:
    catalog = read_catalog_files(write_catalog(tmp_path))
    assert catalog.errors == []
    result = importer(flywheel).import_catalog(CEO, catalog)
    assert result.position == event_count(flywheel)
    events = events_of(flywheel, 0)
    # one atomic write, every event attributed to the caller under the import's id
    assert {(e.actor, e.correlation_id) for e in events} == {(CEO.subject, result.import_id)}  # type: ignore[attr-defined]
    assert result.import_id.startswith("backstage-import:")
    teams = {
        t.name: t
        for t in (flywheel.app.repository.get(e.originator_id) for e in events)
        if isinstance(t, Team)
    }  # type: ignore[attr-defined]
    assert set(teams) == {"Engineering", "payments", "ledger"}
    assert teams["payments"].parent_id == teams["Engineering"].id
    assert teams["payments"].members == {
        "bob@example.com": "DEDICATED",
        "erin@example.com": "REPORTS",
    }
    services = {
        s.name: s
        for s in (flywheel.app.repository.get(e.originator_id) for e in events)  # type: ignore[attr-defined]
        if isinstance(s, Service)
    }
    assert services["checkout"].owner_team_id == teams["payments"].id
    (consumed,) = services["checkout"].dependencies
    api = flywheel.app.repository.get(consumed)
    assert isinstance(api, Api) and (api.name, api.service_id) == (
        "ledger-events",
        services["ledger-writer"].id,
    )
    # Reasons, where a command takes one, say where the change came from.
    assert len(result.recorded) == len(result.plan.steps) > 10


def test_importing_the_same_catalog_again_records_nothing(
    flywheel: Commands, tmp_path: Path
) -> None:
    path = write_catalog(tmp_path)
    importer(flywheel).import_catalog(CEO, read_catalog_files(path))
    before = event_count(flywheel)
    again = importer(flywheel).import_catalog(CEO, read_catalog_files(path))
    assert again.plan.steps == [] and again.position is None
    assert event_count(flywheel) == before


def test_a_changed_catalog_records_only_the_differences_with_the_reason(
    flywheel: Commands, tmp_path: Path
) -> None:
    importer(flywheel).import_catalog(CEO, read_catalog_files(write_catalog(tmp_path)))
    before = event_count(flywheel)
    files = dict(FILES)
    files["org/groups.yaml"] = files["org/groups.yaml"].replace(
        "flywheel.dev/leader: dave@example.com", "flywheel.dev/leader: frank@example.com"
    )
    files["org/users.yaml"] = files["org/users.yaml"].replace(
        "memberOf: [ledger, payments]", "memberOf: [ledger]"
    )
    result = importer(flywheel).import_catalog(
        CEO, read_catalog_files(write_catalog(tmp_path, files))
    )
    assert [step.describe() for step in result.plan.steps] == [
        "remove erin@example.com from team 'payments'",
        "appoint frank@example.com to lead team 'ledger'",
    ]
    events = events_of(flywheel, before)
    types = [type(e).__qualname__ for e in events]
    assert types.count("Team.MemberRemoved") == 1 and types.count("Team.LeaderAppointed") == 1
    assert all(t.startswith(("Team.", "Claim.")) for t in types)
    reasons = {getattr(e, "reason", None) for e in events} - {None}
    assert reasons == {"imported from Backstage"}
    assert {e.correlation_id for e in events} == {result.import_id}  # type: ignore[attr-defined]


def test_a_dry_run_plans_and_records_nothing(flywheel: Commands) -> None:
    result = importer(flywheel).import_catalog(
        CEO, parse_catalog(body(all_documents())), dry_run=True
    )
    assert result.dry_run and len(result.plan.steps) > 10
    assert event_count(flywheel) == 0


def test_a_broken_catalog_is_refused_whole_with_every_problem(flywheel: Commands) -> None:
    broken = (
        all_documents()
        .replace("    flywheel.dev/leader: dave@example.com\n", "")
        .replace("owner: group:ledger", "owner: group:billing")
    )
    with pytest.raises(CatalogRefused) as refused:
        importer(flywheel).import_catalog(CEO, parse_catalog(body(broken)))
    messages = [str(problem) for problem in refused.value.problems]
    assert any("group:default/ledger" in m and "no leader" in m for m in messages)
    assert any("group:default/billing" in m and "dangling" in m for m in messages)
    assert all(m.startswith("request body") for m in messages)
    assert event_count(flywheel) == 0


def test_a_rule_broken_midway_records_nothing(flywheel: Commands) -> None:
    # alice already leads a team the catalog does not mention: a person leads one team
    flywheel.org.charter_team(
        CommandContext(CEO, "c"),
        CharterTeam(name="Growth", mission="Grow", leader="alice@example.com"),
    )
    before = event_count(flywheel)
    with pytest.raises(PersonLeadsAnotherTeam):
        importer(flywheel).import_catalog(CEO, parse_catalog(body(all_documents())))
    assert event_count(flywheel) == before


def test_only_leadership_imports(flywheel: Commands) -> None:
    with pytest.raises(Forbidden):
        importer(flywheel).import_catalog(
            PLANNER, parse_catalog(body(all_documents())), dry_run=True
        )
    assert event_count(flywheel) == 0


def test_locations_are_followed_once_with_missing_and_remote_targets_reported(
    tmp_path: Path,
) -> None:
    files = dict(FILES)
    files["catalog-info.yaml"] += (
        "    - ./catalog-info.yaml\n"  # a loop back to itself: read once
        "    - ./org/missing.yaml\n"
        "---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: remote\n"
        "spec:\n  type: url\n  target: https://example.com/catalog-info.yaml\n"
        "---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: globbed\n"
        "spec:\n  type: file\n  target: ./org/*.yaml\n"
    )
    catalog = read_catalog_files(write_catalog(tmp_path, files))
    assert [str(problem.entity) for problem in catalog.errors] == ["location:default/company"]
    assert "missing.yaml does not exist" in catalog.errors[0].message
    assert any("is remote: not fetched" in note.message for note in catalog.notes)
    # every file read once: no entity twice despite the loop and the glob
    assert len(catalog.of_kind("group")) == 3 and len(catalog.of_kind("user")) == 4


def test_a_directory_means_its_catalog_info_yaml(tmp_path: Path) -> None:
    write_catalog(tmp_path)
    catalog = read_catalog_files(tmp_path)
    assert catalog.errors == [] and len(catalog.of_kind("component")) == 2


def test_a_leader_moving_between_imported_teams_passes_every_rule(flywheel: Commands) -> None:
    importer(flywheel).import_catalog(CEO, parse_catalog(body(all_documents())))
    changed = (
        all_documents()
        .replace("flywheel.dev/leader: alice@example.com", "flywheel.dev/leader: dave@example.com")
        .replace(
            "flywheel.dev/leader: dave@example.com\nspec:\n  type: team\n  parent: group:",
            "flywheel.dev/leader: frank@example.com\nspec:\n  type: team\n  parent: group:",
        )
    )
    result = importer(flywheel).import_catalog(CEO, parse_catalog(body(changed)))
    assert result.position == event_count(flywheel)
    again = importer(flywheel).import_catalog(CEO, parse_catalog(body(changed)))
    assert again.plan.steps == []


def without(text: str, *names: str) -> str:
    """The catalog file without the entities of these names."""
    documents = text.split("---\n")
    return "---\n".join(d for d in documents if not any(f"  name: {n}\n" in d for n in names))


def test_what_left_the_catalog_is_retired_and_disbanded_and_flywheels_own_teams_are_not(
    flywheel: Commands, tmp_path: Path
) -> None:
    importer(flywheel).import_catalog(CEO, read_catalog_files(write_catalog(tmp_path)))
    own = flywheel.org.charter_team(
        CommandContext(CEO, "t"), CharterTeam(name="Kept", mission="m", leader="kim@example.com")
    )
    files = {
        name: without(text, "ledger", "ledger-writer", "ledger-events")
        for name, text in FILES.items()
    }
    files["org/groups.yaml"] = files["org/groups.yaml"].replace(
        "children: [payments, ledger]", "children: [payments]"
    )
    files["org/users.yaml"] = files["org/users.yaml"].replace(
        "memberOf: [ledger, payments]", "memberOf: [payments]"
    )
    files["systems/payments.yaml"] = files["systems/payments.yaml"].replace(
        "  consumesApis: [ledger-events]\n", ""
    )
    changed = read_catalog_files(write_catalog(tmp_path, files))
    planned = importer(flywheel).import_catalog(CEO, changed, dry_run=True)
    assert [(step.action, step.describe()) for step in planned.plan.steps] == [
        ("remove", "service 'checkout' no longer consumes API 'ledger-events v1'"),
        ("remove", "retire API 'ledger-events' v1 of service 'ledger-writer'"),
        ("remove", "retire service 'ledger-writer' (no longer in the catalog)"),
        ("remove", "disband team 'ledger' (no longer in the catalog)"),
    ]
    result = importer(flywheel).import_catalog(CEO, changed)
    assert len(result.recorded) == 4
    teams = {
        t.name: t
        for t in (flywheel.app.repository.get(e.originator_id) for e in events_of(flywheel, 0))  # type: ignore[attr-defined]
        if isinstance(t, Team)
    }
    assert teams["ledger"].disbanded and not teams["payments"].disbanded
    assert not flywheel.app.repository.get(own.id).disbanded
    # Once gone, gone: the same catalog again records nothing.
    before = event_count(flywheel)
    again = importer(flywheel).import_catalog(CEO, changed)
    assert again.plan.steps == [] and event_count(flywheel) == before
