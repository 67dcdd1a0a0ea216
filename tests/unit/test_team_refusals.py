"""Every refusal of a team, compared whole (rule, text, payload), and what each change records."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.org.team import (
    MAX_MISSION_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    AlreadyLeader,
    AlreadyMember,
    Attachment,
    LeaderCannotBeMember,
    NotAMember,
    ReorganisationCycle,
    Team,
    TeamAlreadyUnderParent,
    TeamDisbanded,
    TeamHasActiveSubteams,
    TeamOwnsActiveServices,
    TeamStatus,
)
from domain.people.values import Function, PersonId
from tests.unit.refusals import blank, refusal, too_long
from tests.unit.test_teams import ALICE, BOB, CAROL, chartered


def recorded(team: Team) -> list[object]:
    return list(team.collect_events())


def test_a_charter_keeps_its_values_at_their_longest() -> None:
    team = Team.charter(name="n" * MAX_NAME_LENGTH, mission="m" * MAX_MISSION_LENGTH, leader=ALICE)
    assert (team.name, team.mission, team.leader) == (
        "n" * MAX_NAME_LENGTH,
        "m" * MAX_MISSION_LENGTH,
        ALICE,
    )
    assert team.disbanded is False and team.status is TeamStatus.ACTIVE


def test_a_charter_names_the_field_it_refuses() -> None:
    def charter(name: str = "Payments", mission: str = "Move money") -> object:
        return Team.charter(name=name, mission=mission, leader=ALICE)

    assert refusal(lambda: charter(name=" ")) == blank("name")
    assert refusal(lambda: charter(name="n" * (MAX_NAME_LENGTH + 1))) == too_long(
        "name", MAX_NAME_LENGTH
    )
    assert refusal(lambda: charter(mission="\t")) == blank("mission")
    assert refusal(lambda: charter(mission="m" * (MAX_MISSION_LENGTH + 1))) == too_long(
        "mission", MAX_MISSION_LENGTH
    )


def test_the_leadership_refusals_and_a_promotion() -> None:
    team = chartered()
    assert refusal(lambda: team.appoint_leader(ALICE, "Again"), team) == (
        AlreadyLeader,
        "alice@example.com already leads team 'Payments'",
        {"team_id": str(team.id)},
    )
    assert refusal(lambda: team.appoint_leader(BOB, "  "), team) == blank("reason")
    assert refusal(lambda: team.appoint_leader(BOB, "r" * (MAX_REASON_LENGTH + 1))) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    team.add_member(BOB, Function.DESIGN, Attachment.REPORTS)
    team.collect_events()
    team.appoint_leader(BOB, " Grew into it ")
    removed, appointed = recorded(team)
    assert isinstance(removed, Team.MemberRemoved) and isinstance(appointed, Team.LeaderAppointed)
    assert (removed.person, removed.reason) == (BOB, "Appointed leader: Grew into it")
    assert (appointed.leader, appointed.previous_leader, appointed.reason) == (
        BOB,
        ALICE,
        "Grew into it",
    )


def test_the_membership_refusals() -> None:
    team = chartered()
    assert refusal(lambda: team.add_member(ALICE, Function.PRODUCT, Attachment.REPORTS), team) == (
        LeaderCannotBeMember,
        "alice@example.com leads team 'Payments' and cannot also be its member",
        {"team_id": str(team.id)},
    )
    team.add_member(BOB, Function.PRODUCT, Attachment.DEDICATED)
    team.collect_events()
    assert refusal(lambda: team.add_member(BOB, Function.DESIGN, Attachment.REPORTS), team) == (
        AlreadyMember,
        "bob@example.com is already a member of team 'Payments'",
        {"team_id": str(team.id)},
    )
    assert refusal(lambda: team.remove_member(CAROL), team) == (
        NotAMember,
        f"carol@example.com is not a member of team {team.id}",
        {"kind": "member", "key": "carol@example.com"},
    )
    assert refusal(lambda: team.remove_member(BOB, "r" * (MAX_REASON_LENGTH + 1)), team) == (
        too_long("reason", MAX_REASON_LENGTH)
    )
    team.remove_member(BOB, "  Moved on  ")
    [removed] = recorded(team)
    assert isinstance(removed, Team.MemberRemoved)
    assert (removed.person, removed.reason) == (BOB, "Moved on")


def test_a_member_may_be_removed_without_a_reason() -> None:
    team = chartered()
    for person in (BOB, CAROL):
        team.add_member(person, Function.DESIGN, Attachment.REPORTS)
    team.collect_events()
    team.remove_member(BOB)
    team.remove_member(CAROL, " \t ")
    assert [(event.person, event.reason) for event in recorded(team)] == [  # type: ignore[attr-defined]
        (BOB, ""),
        (CAROL, ""),
    ]


def test_subteams_are_attached_once_and_detached_only_when_attached() -> None:
    team, child, stranger = chartered(), uuid4(), uuid4()
    team.attach_subteam(child)
    team.attach_subteam(child)
    [attached] = recorded(team)
    assert isinstance(attached, Team.SubteamAttached) and attached.team_id == child
    team.detach_subteam(stranger)
    assert recorded(team) == []
    team.detach_subteam(child)
    [detached] = recorded(team)
    assert isinstance(detached, Team.SubteamDetached) and detached.team_id == child
    assert team.subteams == []


def test_the_move_refusals_name_the_team_and_the_chain() -> None:
    team = chartered("A")
    parent, root = uuid4(), uuid4()
    assert refusal(lambda: team.move_under(None, "Reorg"), team) == (
        TeamAlreadyUnderParent,
        "Team 'A' is already a root team",
        {"team_id": str(team.id)},
    )
    assert refusal(lambda: team.move_under(parent, " ", lineage=[(parent, "P")])) == blank("reason")
    team.move_under(parent, " Closer to the work ", lineage=[(parent, "P")])
    [moved] = recorded(team)
    assert isinstance(moved, Team.Reparented)
    assert (moved.parent_id, moved.previous_parent_id, moved.reason) == (
        parent,
        None,
        "Closer to the work",
    )
    assert refusal(lambda: team.move_under(parent, "Again", lineage=[(parent, "P")]), team) == (
        TeamAlreadyUnderParent,
        "Team 'A' is already under 'P'",
        {"team_id": str(team.id)},
    )
    with pytest.raises(ValueError, match=r"^lineage must start with the new parent$"):
        team.move_under(root, "Reorg", lineage=[(parent, "P")])
    child = uuid4()
    # The lineage goes on above the team itself (it sits under P, under R): the chain stops at it.
    lineage = [(child, "C"), (team.id, "A"), (parent, "P"), (root, "R")]
    assert refusal(lambda: team.move_under(child, "Loop", lineage=lineage), team) == (
        ReorganisationCycle,
        "Moving team 'A' under 'C' would make it its own ancestor: 'A' > 'C' > 'A'",
        {"team_id": str(team.id), "chain": [str(team.id), str(child)]},
    )


def test_the_disband_refusals_name_what_is_left() -> None:
    team = chartered()
    subteam, service = uuid4(), uuid4()
    assert refusal(lambda: team.disband(" \n "), team) == blank("reason")
    assert refusal(lambda: team.disband("r" * (MAX_REASON_LENGTH + 1))) == too_long(
        "reason", MAX_REASON_LENGTH
    )
    team.attach_subteam(subteam)
    team.collect_events()
    assert refusal(lambda: team.disband("Reorg"), team) == (
        TeamHasActiveSubteams,
        "Team 'Payments' still has 1 active subteam(s)",
        {"team_id": str(team.id), "subteam_ids": [str(subteam)]},
    )
    team.detach_subteam(subteam)
    team.attach_service(service)
    team.collect_events()
    assert refusal(lambda: team.disband("Reorg"), team) == (
        TeamOwnsActiveServices,
        "Team 'Payments' still owns 1 active service(s)",
        {"team_id": str(team.id), "service_ids": [str(service)]},
    )
    team.detach_service(service)
    team.add_member(BOB, Function.DESIGN, Attachment.REPORTS)
    team.collect_events()
    team.disband(" Merged ")
    removed, disbanded = recorded(team)
    assert isinstance(removed, Team.MemberRemoved) and isinstance(disbanded, Team.Disbanded)
    assert (removed.person, removed.reason) == (BOB, "Team disbanded: Merged")
    assert disbanded.reason == "Merged"
    assert team.disbanded is True and team.status is TeamStatus.DISBANDED


def test_a_disbanded_team_refuses_naming_itself() -> None:
    team = chartered()
    team.disband("Merged")
    team.collect_events()
    disbanded = (TeamDisbanded, "Team 'Payments' is disbanded", {"team_id": str(team.id)})
    assert refusal(lambda: team.appoint_leader(BOB, "r"), team) == disbanded
    assert refusal(lambda: team.attach_service(uuid4()), team) == disbanded
    assert refusal(lambda: team.add_member(PersonId("d@x"), Function.DESIGN, Attachment.REPORTS))
    assert refusal(lambda: team.disband("Again"), team) == disbanded
