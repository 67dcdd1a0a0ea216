"""Team commands through the application on in-memory storage: rules, roles, refusals."""

from __future__ import annotations

from uuid import UUID, uuid4

from domain.errors import InvalidValue, NotFound
from domain.org.team import (
    Attachment,
    PersonDedicatedElsewhere,
    PersonLeadsAnotherTeam,
    Team,
    TeamDisbanded,
    TeamHasActiveSubteams,
    TeamNameTaken,
)
from domain.people.values import Function
from services.api.commands import CommandContext
from services.commands import Forbidden, VersionMismatch
from services.org.rest import AddMember, AppointLeader, CharterTeam, DisbandTeam
from services.principal import Role
from tests.commands import (
    Commands,
    charter,
    event_count,
    refused_and_nothing_recorded,
)
from tests.people import CEO, PLANNER, principal


def test_a_charter_saves_the_team_with_its_claims_and_answers_the_position(
    flywheel: Commands,
) -> None:
    outcome = flywheel.org.charter_team(
        CommandContext(CEO, "corr-1"),
        CharterTeam(name="Payments", mission="Move money", leader="alice@example.com"),
    )
    assert (outcome.kind, outcome.version) == ("Team", 1)
    assert outcome.position == event_count(flywheel) == 3  # the team, its name, its leader
    team = flywheel.app.repository.get(outcome.id)
    assert isinstance(team, Team) and team.leader == "alice@example.com"


def test_a_person_leads_at_most_one_team(flywheel: Commands) -> None:
    charter(flywheel, "Payments", "alice@example.com")
    refusal = refused_and_nothing_recorded(
        flywheel, PersonLeadsAnotherTeam, lambda: charter(flywheel, "Risk", "Alice@Example.com")
    )
    assert "Payments" in str(refusal)


def test_leadership_is_free_again_once_handed_over(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    flywheel.org.appoint_leader(
        CommandContext(CEO, "t"),
        payments,
        AppointLeader(leader="bob@example.com", reason="Alice moves"),
    )
    charter(flywheel, "Risk", "alice@example.com")
    refused_and_nothing_recorded(
        flywheel, PersonLeadsAnotherTeam, lambda: charter(flywheel, "Fraud", "bob@example.com")
    )


def test_names_of_active_teams_are_unique_without_case(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    refused_and_nothing_recorded(
        flywheel, TeamNameTaken, lambda: charter(flywheel, " payments ", "bob@example.com")
    )
    flywheel.org.disband_team(CommandContext(CEO, "t"), payments, DisbandTeam(reason="Merged"))
    charter(flywheel, "PAYMENTS", "bob@example.com")


def test_a_person_is_dedicated_to_at_most_one_team(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    risk = charter(flywheel, "Risk", "bob@example.com")

    def add(team: UUID, attachment: Attachment) -> None:
        flywheel.org.add_member(
            CommandContext(CEO, "t"),
            team,
            AddMember(person="dana@example.com", function=Function.DESIGN, attachment=attachment),
        )

    add(payments, Attachment.DEDICATED)
    refused_and_nothing_recorded(
        flywheel, PersonDedicatedElsewhere, lambda: add(risk, Attachment.DEDICATED)
    )
    add(risk, Attachment.REPORTS)  # reporting to one leader while dedicated elsewhere is fine
    flywheel.org.remove_member(CommandContext(CEO, "t"), payments, person="dana@example.com")
    flywheel.org.remove_member(CommandContext(CEO, "t"), risk, person="dana@example.com")
    add(risk, Attachment.DEDICATED)


def test_promoting_a_dedicated_member_frees_their_dedication(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    risk = charter(flywheel, "Risk", "bob@example.com")
    flywheel.org.add_member(
        CommandContext(CEO, "t"),
        payments,
        AddMember(
            person="erin@example.com", function=Function.PRODUCT, attachment=Attachment.DEDICATED
        ),
    )
    flywheel.org.appoint_leader(
        CommandContext(CEO, "t"),
        payments,
        AppointLeader(leader="erin@example.com", reason="Promoted"),
    )
    flywheel.org.appoint_leader(
        CommandContext(CEO, "t"),
        risk,
        AppointLeader(leader="alice@example.com", reason="Moves over"),
    )
    team = flywheel.app.repository.get(payments)
    assert team.leader == "erin@example.com" and team.members == {}


def test_subteams_hang_under_an_active_parent(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    checkout = charter(flywheel, "Checkout", "bob@example.com", parent=payments)
    refusal = refused_and_nothing_recorded(
        flywheel,
        TeamHasActiveSubteams,
        lambda: flywheel.org.disband_team(
            CommandContext(CEO, "t"), payments, DisbandTeam(reason="Reorg")
        ),
    )
    assert "Checkout" in str(refusal)
    flywheel.org.disband_team(CommandContext(CEO, "t"), checkout, DisbandTeam(reason="Folded in"))
    flywheel.org.disband_team(CommandContext(CEO, "t"), payments, DisbandTeam(reason="Reorg"))
    refused_and_nothing_recorded(
        flywheel,
        TeamDisbanded,
        lambda: charter(flywheel, "Wallet", "carol@example.com", parent=payments),
    )


def test_unknown_ids_are_not_found(flywheel: Commands) -> None:
    refused_and_nothing_recorded(
        flywheel,
        NotFound,
        lambda: flywheel.org.appoint_leader(
            CommandContext(CEO, "t"), uuid4(), AppointLeader(leader="x@example.com", reason="r")
        ),
    )
    refused_and_nothing_recorded(
        flywheel, NotFound, lambda: charter(flywheel, "Orphan", "x@example.com", parent=uuid4())
    )


def test_bad_values_are_refused(flywheel: Commands) -> None:
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: charter(flywheel, " ", "x@example.com")
    )
    refused_and_nothing_recorded(
        flywheel, InvalidValue, lambda: charter(flywheel, "Ok", "two words")
    )


def test_who_may_do_what(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    risk = charter(flywheel, "Risk", "bob@example.com")
    alice = principal("alice@example.com", Role.MEMBER)
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.org.charter_team(
            CommandContext(PLANNER, "t"), CharterTeam(name="X", mission="m", leader="z@example.com")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.org.add_member(
            CommandContext(alice, "t"),
            risk,
            AddMember(
                person="f@example.com", function=Function.DESIGN, attachment=Attachment.REPORTS
            ),
        ),
    )
    flywheel.org.add_member(
        CommandContext(alice, "t"),
        payments,
        AddMember(person="f@example.com", function=Function.DESIGN, attachment=Attachment.REPORTS),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: flywheel.org.appoint_leader(
            CommandContext(alice, "t"), payments, AppointLeader(leader="f@example.com", reason="r")
        ),
    )


def test_a_stale_expected_version_is_refused(flywheel: Commands) -> None:
    payments = charter(flywheel, "Payments", "alice@example.com")
    refused_and_nothing_recorded(
        flywheel,
        VersionMismatch,
        lambda: flywheel.org.appoint_leader(
            CommandContext(CEO, "t").at_version(7),
            payments,
            AppointLeader(leader="b@example.com", reason="r"),
        ),
    )
    outcome = flywheel.org.appoint_leader(
        CommandContext(CEO, "t").at_version(1),
        payments,
        AppointLeader(leader="b@example.com", reason="r"),
    )
    assert outcome.version == 2
