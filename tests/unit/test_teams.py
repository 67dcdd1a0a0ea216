"""The rules of single-threaded teams, checked on the aggregate alone."""

from __future__ import annotations

import contextvars
from uuid import uuid4

import pytest

from domain.errors import InvalidValue, NotFound, RuleViolation
from domain.org.team import (
    AlreadyLeader,
    AlreadyMember,
    Attachment,
    LeaderCannotBeMember,
    NotAMember,
    Team,
    TeamDisbanded,
    TeamHasActiveSubteams,
    TeamStatus,
)
from domain.people.values import Function, PersonId, person_id
from domain.provenance import ProvenanceMissing

ALICE = PersonId("alice@example.com")
BOB = PersonId("bob@example.com")
CAROL = PersonId("carol@example.com")


def chartered(name: str = "Payments") -> Team:
    team = Team.charter(name=name, mission="Move money safely", leader=ALICE)
    team.collect_events()
    return team


def event_names(team: Team) -> list[str]:
    return [type(event).__name__ for event in team.collect_events()]


def test_charter_records_who_and_under_which_request() -> None:
    team = Team.charter(name="  Payments ", mission="Move money", leader=ALICE)
    [event] = team.collect_events()
    assert isinstance(event, Team.Chartered)
    assert (event.name, event.leader, event.parent_id) == ("Payments", ALICE, None)
    assert (event.actor, event.correlation_id) == ("ceo@example.com", "test-correlation")
    assert team.status is TeamStatus.ACTIVE


def test_an_event_without_an_actor_is_a_programming_error() -> None:
    team = chartered()
    outside_any_command = contextvars.Context()
    with pytest.raises(ProvenanceMissing):
        outside_any_command.run(team.add_member, BOB, Function.ENGINEERING, Attachment.REPORTS)
    assert team.collect_events() == []


@pytest.mark.parametrize(
    ("name", "mission"), [("", "m"), ("   ", "m"), ("x" * 121, "m"), ("n", " ")]
)
def test_names_and_missions_must_be_given(name: str, mission: str) -> None:
    with pytest.raises(InvalidValue):
        Team.charter(name=name, mission=mission, leader=ALICE)


def test_appointing_a_leader_ends_the_old_tenure_with_a_reason() -> None:
    team = chartered()
    team.appoint_leader(BOB, "Alice moves to Risk")
    [event] = team.collect_events()
    assert isinstance(event, Team.LeaderAppointed)
    assert (event.leader, event.previous_leader, event.reason) == (
        BOB,
        ALICE,
        "Alice moves to Risk",
    )
    assert team.leader == BOB


def test_a_team_has_one_leader_and_reappointing_them_is_refused() -> None:
    team = chartered()
    with pytest.raises(AlreadyLeader):
        team.appoint_leader(ALICE, "again")
    assert team.collect_events() == []


def test_a_leader_change_needs_a_reason() -> None:
    with pytest.raises(InvalidValue) as refused:
        chartered().appoint_leader(BOB, "  ")
    assert refused.value.field == "reason"


def test_promoting_a_member_ends_their_membership_first() -> None:
    team = chartered()
    team.add_member(BOB, Function.ENGINEERING, Attachment.DEDICATED)
    team.collect_events()
    team.appoint_leader(BOB, "Promoted")
    assert event_names(team) == ["MemberRemoved", "LeaderAppointed"]
    assert team.attachment_of(BOB) is None


def test_members_are_attached_as_reports_or_dedicated() -> None:
    team = chartered()
    team.add_member(BOB, Function.ENGINEERING, Attachment.REPORTS)
    team.add_member(CAROL, Function.DESIGN, Attachment.DEDICATED)
    assert team.attachment_of(BOB) is Attachment.REPORTS
    assert team.attachment_of(CAROL) is Attachment.DEDICATED
    assert event_names(team) == ["MemberAdded", "MemberAdded"]


def test_the_leader_is_not_also_a_member() -> None:
    with pytest.raises(LeaderCannotBeMember):
        chartered().add_member(ALICE, Function.PRODUCT, Attachment.REPORTS)


def test_a_person_is_attached_once() -> None:
    team = chartered()
    team.add_member(BOB, Function.ENGINEERING, Attachment.REPORTS)
    with pytest.raises(AlreadyMember):
        team.add_member(BOB, Function.DESIGN, Attachment.DEDICATED)


def test_removing_someone_who_is_not_a_member_is_not_found() -> None:
    with pytest.raises(NotAMember) as refused:
        chartered().remove_member(BOB)
    assert isinstance(refused.value, NotFound)


def test_disbanding_ends_every_membership() -> None:
    team = chartered()
    team.add_member(BOB, Function.ENGINEERING, Attachment.REPORTS)
    team.add_member(CAROL, Function.DESIGN, Attachment.DEDICATED)
    team.collect_events()
    team.disband("Merged into Checkout")
    assert event_names(team) == ["MemberRemoved", "MemberRemoved", "Disbanded"]
    assert team.members == {}
    assert team.status is TeamStatus.DISBANDED


def test_a_team_with_active_subteams_cannot_be_disbanded() -> None:
    team = chartered()
    team.attach_subteam(uuid4())
    team.collect_events()
    with pytest.raises(TeamHasActiveSubteams):
        team.disband("Reorg")
    assert team.collect_events() == []


@pytest.mark.parametrize(
    "command",
    [
        lambda team: team.appoint_leader(BOB, "late"),
        lambda team: team.add_member(BOB, Function.ENGINEERING, Attachment.REPORTS),
        lambda team: team.remove_member(BOB),
        lambda team: team.disband("again"),
        lambda team: team.attach_subteam(uuid4()),
    ],
)
def test_a_disbanded_team_takes_no_more_commands(command: object) -> None:
    team = chartered()
    team.disband("Done")
    team.collect_events()
    with pytest.raises(TeamDisbanded):
        command(team)  # type: ignore[operator]
    assert team.collect_events() == []


def test_handles_are_compared_without_case_and_must_be_one_word() -> None:
    assert person_id("  Alice@Example.COM ") == "alice@example.com"
    for bad in ["", "  ", "alice smith", "a\tb", "x" * 255]:
        with pytest.raises(InvalidValue):
            person_id(bad)


def test_enums_accept_any_case() -> None:
    assert Attachment("dedicated") is Attachment.DEDICATED
    assert Function("data_science") is Function.DATA_SCIENCE


def test_every_rule_has_a_stable_code_and_an_explanation() -> None:
    catalogue = RuleViolation.catalogue()
    assert {"person-leads-another-team", "team-name-taken", "person-dedicated-elsewhere"} <= set(
        catalogue
    )
    for code, rule in catalogue.items():
        assert code == code.lower() and " " not in code
        assert rule.__doc__ and len(rule.__doc__) > 20
