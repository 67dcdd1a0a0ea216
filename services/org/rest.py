"""REST commands on teams, under ``/api/v1/teams``."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller
from litestar.di import NamedDependency
from litestar.params import Parameter, QueryParameter
from msgspec import Meta

from domain.org.team import MAX_MISSION_LENGTH, MAX_NAME_LENGTH, MAX_REASON_LENGTH, Attachment
from domain.people.values import MAX_PERSON_ID_LENGTH, Function
from services.api.bodies import CommandBody
from services.api.commands import CommandAccepted, CommandContext, accepted, command
from services.api.text import HANDLE, LINE, TEXT
from services.org.commands import OrgCommands

Person = Annotated[
    str,
    Meta(min_length=1, max_length=MAX_PERSON_ID_LENGTH, examples=["alice@example.com"]),
    HANDLE,
]
Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class CharterTeam(CommandBody):
    name: Annotated[
        str, Meta(min_length=1, max_length=MAX_NAME_LENGTH, examples=["Payments"]), LINE
    ]
    mission: Annotated[str, Meta(min_length=1, max_length=MAX_MISSION_LENGTH)]
    leader: Person
    parent_id: UUID | None = None


class AppointLeader(CommandBody):
    leader: Person
    reason: Reason


class AddMember(CommandBody):
    person: Person
    function: Function
    attachment: Attachment


class DisbandTeam(CommandBody):
    reason: Reason


class MoveTeam(CommandBody):
    parent_id: UUID | None  # required, so that a root is asked for explicitly with null
    reason: Reason


TeamId = Annotated[UUID, Parameter(description="The team's id (a UUID).")]


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["Teams"]

    charter = command(
        "/",
        status_code=201,
        summary="Charter a team",
        description="Leadership charters a single-threaded team with its leader. "
        "A person leads at most one team; names of active teams are unique.",
        runs=OrgCommands.charter_team,
        body=CharterTeam,
    )

    appoint_leader = command(
        "/{team_id:uuid}/leader",
        summary="Appoint a new leader",
        description="Leadership hands the team to a new leader, with a reason. "
        "The old leader's tenure ends; a member who is promoted stops being a member.",
        runs=OrgCommands.appoint_leader,
        ids=[TeamId],
        body=AppointLeader,
    )

    add_member = command(
        "/{team_id:uuid}/members",
        summary="Add a member",
        description="The team's leader or leadership attaches a person as `REPORTS` "
        "(a direct report of the leader) or `DEDICATED` (full-time on the team, reporting "
        "elsewhere). A person is a dedicated member of at most one team.",
        runs=OrgCommands.add_member,
        ids=[TeamId],
        body=AddMember,
    )

    @command("/{team_id:uuid}/members/{person:str}", method="DELETE", summary="Remove a member")
    def remove_member(
        self,
        team_id: TeamId,
        person: Annotated[str, Parameter(max_length=MAX_PERSON_ID_LENGTH), HANDLE],
        context: NamedDependency[CommandContext],
        org: NamedDependency[OrgCommands],
        reason: Annotated[
            str,
            QueryParameter(name="reason", description="Why the member leaves.", max_length=2000),
            TEXT,
        ] = "",
    ) -> CommandAccepted:
        return accepted(org.remove_member(context, team_id, person=person, reason=reason))

    move = command(
        "/{team_id:uuid}/parent",
        summary="Move a team in the org tree",
        description="Leadership moves the team under another parent (`parentId`), or makes it "
        "a root (`parentId: null`), with a reason: a reorganisation. A team cannot be moved "
        "under itself or one of its subteams; the new parent must be active.",
        runs=OrgCommands.move_team,
        ids=[TeamId],
        body=MoveTeam,
    )

    disband = command(
        "/{team_id:uuid}/disband",
        summary="Disband a team",
        description="Leadership disbands a team, with a reason. Its memberships end; "
        "a team with active subteams or active services cannot be disbanded.",
        runs=OrgCommands.disband_team,
        ids=[TeamId],
        body=DisbandTeam,
    )
