"""The Backstage import's plan: a pure function of the catalog and the current state."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.boundaries import ApiKind, Visibility
from domain.org.team import Attachment
from domain.people.values import Function
from services.backstage import plan as steps
from services.backstage.catalog import Catalog, EntityRef, Source, parse_catalog, parse_ref
from services.backstage.mapping import parse_mapping
from services.backstage.plan import (
    ApiState,
    CurrentState,
    ServiceState,
    TeamState,
    plan_import,
)
from tests.backstage.catalogs import GROUPS, PAYMENTS, USERS, all_documents

pytestmark = pytest.mark.unit


def catalog(*texts: str) -> Catalog:
    return parse_catalog(Source(f"file{i}.yaml", text) for i, text in enumerate(texts))


@pytest.mark.parametrize(
    ("text", "kind", "namespace", "expected"),
    [
        ("payments", "group", "default", "group:default/payments"),
        ("Payments", "group", "ops", "group:ops/payments"),
        ("user:alice", "group", "default", "user:default/alice"),
        ("other/payments", "group", "default", "group:other/payments"),
        ("API:Default/Checkout", "api", "x", "api:default/checkout"),
    ],
)
def test_references_resolve_with_backstages_defaults(
    text: str, kind: str, namespace: str, expected: str
) -> None:
    assert str(parse_ref(text, default_kind=kind, default_namespace=namespace)) == expected


def test_a_reference_without_a_kind_or_name_is_unreadable() -> None:
    with pytest.raises(ValueError, match="names no kind"):
        parse_ref("alice", default_kind=None, default_namespace="default")
    with pytest.raises(ValueError, match="not an entity reference"):
        parse_ref("group:", default_kind=None, default_namespace="default")


def test_an_empty_flywheel_gets_every_team_member_service_api_and_dependency() -> None:
    plan = plan_import(catalog(all_documents()), CurrentState())
    assert plan.ok, plan.errors
    kinds = [type(step).__name__ for step in plan.steps]
    charters = [s for s in plan.steps if isinstance(s, steps.CharterTeam)]
    # parents first, each with its leader; the leader resolved through a user reference
    assert next(c.name for c in charters) == "Engineering"
    assert {(c.name, c.leader) for c in charters} == {
        ("Engineering", "carol@example.com"),
        ("payments", "alice@example.com"),
        ("ledger", "dave@example.com"),
    }
    assert next(c for c in charters if c.name == "payments").parent == "group:default/engineering"
    members = {
        (s.team_name, s.person, s.function, s.attachment)
        for s in plan.steps
        if isinstance(s, steps.AddMember)
    }
    # alice and carol lead their teams: not members of them
    assert members == {
        ("payments", "bob@example.com", Function.PRODUCT, Attachment.DEDICATED),
        ("payments", "erin@example.com", Function.ENGINEERING, Attachment.REPORTS),
        ("ledger", "erin@example.com", Function.ENGINEERING, Attachment.REPORTS),
    }
    publications = {
        (s.service_name, s.name, s.version, s.kind, s.visibility)
        for s in plan.steps
        if isinstance(s, steps.PublishApi)
    }
    assert publications == {
        ("checkout", "checkout-api", "v2", ApiKind.REST, Visibility.PUBLIC),
        ("ledger-writer", "ledger-events", "v1", ApiKind.EVENTS, Visibility.INTERNAL),
    }
    declarations = [s for s in plan.steps if isinstance(s, steps.DeclareDependency)]
    assert [(d.service_name, d.api) for d in declarations] == [
        ("checkout", "api:default/ledger-events")
    ]
    # the order the rules accept: teams, members, services, APIs, dependencies
    assert kinds.index("CharterTeam") < kinds.index("AddMember") < kinds.index("RegisterService")
    assert kinds.index("PublishApi") < kinds.index("DeclareDependency")
    # the System is reported, not guessed
    assert any("System is not imported" in note.message for note in plan.notes)


def _state_after_import() -> CurrentState:
    """The state an import of the full catalog leaves."""
    eng, pay, led = uuid4(), uuid4(), uuid4()
    checkout_api, ledger_events = uuid4(), uuid4()
    checkout, writer = uuid4(), uuid4()
    return CurrentState(
        teams={
            "engineering": TeamState(eng, "Engineering", "carol@example.com", None, {}),
            "payments": TeamState(
                pay,
                "payments",
                "alice@example.com",
                eng,
                {"bob@example.com": "DEDICATED", "erin@example.com": "REPORTS"},
            ),
            "ledger": TeamState(
                led, "ledger", "dave@example.com", eng, {"erin@example.com": "REPORTS"}
            ),
        },
        services={
            "checkout": ServiceState(
                checkout,
                "checkout",
                pay,
                {"checkout-api@v2": ApiState(checkout_api, "checkout-api", "v2")},
                frozenset({ledger_events}),
            ),
            "ledger-writer": ServiceState(
                writer,
                "ledger-writer",
                led,
                {"ledger-events@v1": ApiState(ledger_events, "ledger-events", "v1")},
                frozenset(),
            ),
        },
    )


def test_the_same_catalog_again_plans_nothing() -> None:
    plan = plan_import(catalog(all_documents()), _state_after_import())
    assert plan.ok and plan.steps == []


def test_a_changed_catalog_plans_only_the_differences() -> None:
    state = _state_after_import()
    changed = (
        all_documents()
        .replace("flywheel.dev/leader: dave@example.com", "flywheel.dev/leader: frank@example.com")
        .replace("memberOf: [ledger, payments]", "memberOf: [ledger]")
        .replace("consumesApis: [ledger-events]", "consumesApis: []")
        .replace("  owner: payments\n  providesApis", "  owner: ledger\n  providesApis")
    )
    plan = plan_import(catalog(changed), state)
    assert plan.ok, plan.errors
    described = [(step.action, step.describe()) for step in plan.steps]
    assert described == [
        ("remove", "remove erin@example.com from team 'payments'"),
        ("change", "appoint frank@example.com to lead team 'ledger'"),
        ("change", "transfer service 'checkout' to team 'ledger'"),
        ("remove", "service 'checkout' no longer consumes API 'ledger-events v1'"),
    ]
    transfer = next(s for s in plan.steps if isinstance(s, steps.TransferService))
    assert transfer.to == state.teams["ledger"].id


def test_an_api_no_component_provides_any_more_is_retired_and_a_new_one_published() -> None:
    changed = all_documents().replace(
        "flywheel.dev/api-version: v2", "flywheel.dev/api-version: v3"
    )
    plan = plan_import(catalog(changed), _state_after_import())
    assert [(s.action, s.describe()) for s in plan.steps] == [
        ("remove", "retire API 'checkout-api' v2 of service 'checkout'"),
        ("add", "publish API 'checkout-api' v3 (REST, PUBLIC) from service 'checkout'"),
    ]


def test_every_problem_is_listed_with_its_file_and_entity() -> None:
    broken = GROUPS.replace("    flywheel.dev/leader: dave@example.com\n", "")
    payments = PAYMENTS.replace("owner: group:ledger", "owner: group:billing")
    users = USERS + "---\n" + USERS.split("---\n")[0]  # alice twice
    plan = plan_import(catalog(broken, users, payments), CurrentState())
    assert not plan.ok and plan.steps == []
    found = {(p.source, p.entity, p.message.split(":")[0]) for p in plan.errors}
    assert ("file0.yaml (document 3)", "group:default/ledger", "the group has no leader") in found
    assert any(
        p.entity == "component:default/ledger-writer"
        and "group:default/billing" in p.message
        and "dangling" in p.message
        and p.source == "file2.yaml (document 3)"
        for p in plan.errors
    ), found
    assert any(
        p.entity == "user:default/alice" and "defined twice" in p.message for p in plan.errors
    )


def test_a_mapping_file_names_leaders_and_overrides_annotations() -> None:
    no_leader = GROUPS.replace("    flywheel.dev/leader: dave@example.com\n", "")
    mapping = parse_mapping(
        """
leaders:
  group:default/ledger: grace@example.com
members:
  user:default/bob: {function: DESIGN, attachment: REPORTS}
apis:
  api:default/ledger-events: {version: v7, visibility: PUBLIC}
defaults:
  function: OPERATIONS
"""
    )
    plan = plan_import(catalog(no_leader, USERS, PAYMENTS), CurrentState(), mapping)
    assert plan.ok, plan.errors
    charter = next(s for s in plan.steps if isinstance(s, steps.CharterTeam) and s.name == "ledger")
    assert charter.leader == "grace@example.com"
    members = {
        (s.person, s.function, s.attachment) for s in plan.steps if isinstance(s, steps.AddMember)
    }
    assert ("bob@example.com", Function.DESIGN, Attachment.REPORTS) in members
    assert ("erin@example.com", Function.OPERATIONS, Attachment.REPORTS) in members
    api = next(
        s for s in plan.steps if isinstance(s, steps.PublishApi) and s.name == "ledger-events"
    )
    assert (api.version, api.visibility) == ("v7", Visibility.PUBLIC)


def test_groups_whose_parents_loop_are_refused() -> None:
    looped = GROUPS.replace(
        "children: [payments, ledger]", "children: [payments, ledger]\n  parent: payments"
    )
    plan = plan_import(catalog(looped, USERS, PAYMENTS), CurrentState())
    assert any("loop" in p.message for p in plan.errors)


def test_an_entity_ref_prints_as_backstage_does() -> None:
    assert str(EntityRef("group", "default", "payments")) == "group:default/payments"


def test_a_leader_moving_to_another_team_is_appointed_after_their_team_gets_its_new_one() -> None:
    state = _state_after_import()
    # dave leaves ledger to lead payments; alice (payments) takes ledger... no: frank does
    changed = (
        all_documents()
        .replace("flywheel.dev/leader: alice@example.com", "flywheel.dev/leader: dave@example.com")
        .replace(
            "flywheel.dev/leader: dave@example.com\nspec:\n  type: team\n  parent: group:",
            "flywheel.dev/leader: frank@example.com\nspec:\n  type: team\n  parent: group:",
        )
    )
    plan = plan_import(catalog(changed), state)
    assert plan.ok, plan.errors
    appointments = [s.describe() for s in plan.steps if isinstance(s, steps.AppointLeader)]
    assert appointments == [
        "appoint frank@example.com to lead team 'ledger'",
        "appoint dave@example.com to lead team 'payments'",
    ]


def test_teams_an_earlier_import_held_are_disbanded_subteams_first_once_they_leave() -> None:
    state = _state_after_import()
    parent = TeamState(uuid4(), "Platform", "pat@example.com", None, {})
    child = TeamState(uuid4(), "Build", "bill@example.com", parent.id, {})
    gone = ServiceState(
        uuid4(),
        "builder",
        child.id,
        {"build-api@v1": ApiState(uuid4(), "build-api", "v1")},
        frozenset(),
    )
    left = CurrentState(
        teams=state.teams,
        services=state.services,
        unlisted_teams={parent.id: parent, child.id: child},
        unlisted_services={gone.id: gone},
    )
    plan = plan_import(catalog(all_documents()), left)
    assert [(s.action, s.describe()) for s in plan.steps] == [
        ("remove", "retire API 'build-api' v1 of service 'builder'"),
        ("remove", "retire service 'builder' (no longer in the catalog)"),
        ("remove", "disband team 'Build' (no longer in the catalog)"),
        ("remove", "disband team 'Platform' (no longer in the catalog)"),
    ]
    # what the catalog maps to once the steps ran: the teams and services it names
    assert set(plan.teams) == {team.id for team in state.teams.values()}
    assert set(plan.services) == {service.id for service in state.services.values()}
