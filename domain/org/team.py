"""Single-threaded teams: one leader owns an area end to end, with a permanent team.

A team is chartered with a name, a mission and its leader, optionally under a
parent team, and may later be moved under another parent (a reorganisation, with
a reason). Leadership changes are events with a reason, so the tenure history
is kept. Members are attached as ``REPORTS`` (direct reports of the leader) or
``DEDICATED`` (full-time on the team while reporting elsewhere). A team records
the active services it owns, so that it cannot be disbanded while it owns any.

Rules that need more than one team (a person leads at most one team, is a
dedicated member of at most one team, names of active teams are unique) are held
by :mod:`domain.claims`; the command handlers take and release those claims in
the same save as the team.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import NotFound, RuleViolation
from domain.people.values import Function, PersonId
from domain.values import CaseInsensitiveEnum, optional_text, required_text

MAX_NAME_LENGTH = 120
MAX_MISSION_LENGTH = 2000
MAX_REASON_LENGTH = 2000


class Attachment(CaseInsensitiveEnum):
    REPORTS = "REPORTS"
    DEDICATED = "DEDICATED"


class TeamStatus(CaseInsensitiveEnum):
    ACTIVE = "ACTIVE"
    DISBANDED = "DISBANDED"


class TeamDisbanded(RuleViolation):
    """A disbanded team takes no more commands; charter a new team instead."""

    rule = "team-disbanded"


class PersonLeadsAnotherTeam(RuleViolation):
    """A person leads at most one team at a time: that is what single-threaded means."""

    rule = "person-leads-another-team"


class TeamNameTaken(RuleViolation):
    """Names of active teams are unique (compared without case)."""

    rule = "team-name-taken"


class PersonDedicatedElsewhere(RuleViolation):
    """A person is a dedicated member of at most one team."""

    rule = "person-dedicated-elsewhere"


class AlreadyLeader(RuleViolation):
    """Appointing the current leader again changes nothing and is refused."""

    rule = "already-leader"


class AlreadyMember(RuleViolation):
    """A person is attached to a team once; remove them first to change the attachment."""

    rule = "already-member"


class LeaderCannotBeMember(RuleViolation):
    """The leader owns the team; they are not also one of its members."""

    rule = "leader-cannot-be-member"


class TeamHasActiveSubteams(RuleViolation):
    """A team with active subteams cannot be disbanded; move or disband those first."""

    rule = "team-has-active-subteams"


class TeamOwnsActiveServices(RuleViolation):
    """A team that still owns active services cannot be disbanded: every service has exactly
    one owning team. Transfer or retire the services first."""

    rule = "team-owns-active-services"


class ReorganisationCycle(RuleViolation):
    """The org tree is a tree: a team cannot be moved under itself or under one of its own
    subteams, since it would become its own ancestor."""

    rule = "reorganisation-cycle"


class TeamAlreadyUnderParent(RuleViolation):
    """Moving a team to the parent it already has (or making a root team a root) changes
    nothing and is refused."""

    rule = "team-already-under-parent"


class NotAMember(NotFound):
    def __init__(self, team_id: UUID, person: PersonId) -> None:
        super().__init__("member", person)
        self.detail = f"{person} is not a member of team {team_id}"


def team_name(raw: str) -> str:
    return required_text("name", raw, max_length=MAX_NAME_LENGTH)


def reason_text(raw: str) -> str:
    return required_text("reason", raw, max_length=MAX_REASON_LENGTH, multiline=True)


def optional_reason(raw: str | None) -> str:
    """A reason that may be left out (blank); one that is given is checked like any other."""
    return optional_text("reason", raw, max_length=MAX_REASON_LENGTH, multiline=True)


class Team(AttributedAggregate):
    class Chartered(AttributedAggregate.Created):
        name: str
        mission: str
        leader: PersonId
        parent_id: UUID | None

    class LeaderAppointed(AttributedAggregate.Event):
        leader: PersonId
        previous_leader: PersonId
        reason: str

    class MemberAdded(AttributedAggregate.Event):
        person: PersonId
        function: Function
        attachment: Attachment

    class MemberRemoved(AttributedAggregate.Event):
        person: PersonId
        reason: str

    class SubteamAttached(AttributedAggregate.Event):
        team_id: UUID

    class SubteamDetached(AttributedAggregate.Event):
        team_id: UUID

    class Disbanded(AttributedAggregate.Event):
        reason: str

    class Reparented(AttributedAggregate.Event):
        parent_id: UUID | None
        previous_parent_id: UUID | None
        reason: str

    class ServiceAttached(AttributedAggregate.Event):
        service_id: UUID

    class ServiceDetached(AttributedAggregate.Event):
        service_id: UUID

    # Version 2 keeps the services the team owns; older snapshots start with none.
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["services"] = []

    def __init__(self, name: str, mission: str, leader: PersonId, parent_id: UUID | None) -> None:
        self.name = name
        self.mission = mission
        self.leader = leader
        self.parent_id = parent_id
        self.members: dict[str, str] = {}  # person -> Attachment value
        self.subteams: list[UUID] = []
        self.services: list[UUID] = []  # the active services the team owns
        self.disbanded = False

    @staticmethod
    def create_id() -> UUID:
        return uuid4()

    @classmethod
    def charter(
        cls, *, name: str, mission: str, leader: PersonId, parent_id: UUID | None = None
    ) -> Team:
        return cls(
            name=team_name(name),
            mission=required_text(
                "mission", mission, max_length=MAX_MISSION_LENGTH, multiline=True
            ),
            leader=leader,
            parent_id=parent_id,
        )

    @property
    def status(self) -> TeamStatus:
        return TeamStatus.DISBANDED if self.disbanded else TeamStatus.ACTIVE

    def attachment_of(self, person: PersonId) -> Attachment | None:
        value = self.members.get(person)
        return None if value is None else Attachment(value)

    def appoint_leader(self, leader: PersonId, reason: str) -> None:
        """Hand the team to a new leader; promoting a member ends their membership."""
        self._require_active()
        why = reason_text(reason)
        if leader == self.leader:
            raise AlreadyLeader(f"{leader} already leads team '{self.name}'", team_id=str(self.id))
        if leader in self.members:
            self._member_removed(person=leader, reason=f"Appointed leader: {why}")
        self._leader_appointed(leader=leader, previous_leader=self.leader, reason=why)

    def add_member(self, person: PersonId, function: Function, attachment: Attachment) -> None:
        self._require_active()
        if person == self.leader:
            raise LeaderCannotBeMember(
                f"{person} leads team '{self.name}' and cannot also be its member",
                team_id=str(self.id),
            )
        if person in self.members:
            raise AlreadyMember(
                f"{person} is already a member of team '{self.name}'", team_id=str(self.id)
            )
        self._member_added(
            person=person, function=Function(function), attachment=Attachment(attachment)
        )

    def remove_member(self, person: PersonId, reason: str = "") -> None:
        self._require_active()
        why = optional_reason(reason)
        if person not in self.members:
            raise NotAMember(self.id, person)
        self._member_removed(person=person, reason=why)

    def attach_subteam(self, team_id: UUID) -> None:
        self._require_active()
        if team_id not in self.subteams:
            self._subteam_attached(team_id=team_id)

    def detach_subteam(self, team_id: UUID) -> None:
        if team_id in self.subteams:
            self._subteam_detached(team_id=team_id)

    def move_under(
        self, parent_id: UUID | None, reason: str, *, lineage: Sequence[tuple[UUID, str]] = ()
    ) -> None:
        """Move the team under another parent, or make it a root (``parent_id`` None).

        ``lineage`` is the new parent and its ancestors, nearest first, as ``(id, name)``:
        the team must not be among them. The caller detaches the team from its old parent
        and attaches it to the new one in the same save.
        """
        self._require_active()
        why = reason_text(reason)
        if parent_id is not None and (not lineage or lineage[0][0] != parent_id):
            raise ValueError("lineage must start with the new parent")
        if parent_id == self.parent_id:
            where = "a root team" if parent_id is None else f"under '{lineage[0][1]}'"
            raise TeamAlreadyUnderParent(
                f"Team '{self.name}' is already {where}", team_id=str(self.id)
            )
        ancestors = [team_id for team_id, _ in lineage]
        if self.id in ancestors:
            # The path from this team down to the new parent, which would close a loop.
            path = list(reversed(lineage[: ancestors.index(self.id) + 1]))
            chain = " > ".join(f"'{name}'" for _, name in [*path, (self.id, self.name)])
            raise ReorganisationCycle(
                f"Moving team '{self.name}' under '{lineage[0][1]}' would make it its own "
                f"ancestor: {chain}",
                team_id=str(self.id),
                chain=[str(team_id) for team_id, _ in path],
            )
        self._reparented(parent_id=parent_id, previous_parent_id=self.parent_id, reason=why)

    def attach_service(self, service_id: UUID) -> None:
        """Record that the team owns the service; a disbanded team owns nothing new."""
        self._require_active()
        if service_id not in self.services:
            self._service_attached(service_id=service_id)

    def detach_service(self, service_id: UUID) -> None:
        if service_id in self.services:
            self._service_detached(service_id=service_id)

    def disband(self, reason: str) -> None:
        """Disband the team; every membership ends with it."""
        self._require_active()
        why = reason_text(reason)
        if self.subteams:
            raise TeamHasActiveSubteams(
                f"Team '{self.name}' still has {len(self.subteams)} active subteam(s)",
                team_id=str(self.id),
                subteam_ids=[str(subteam) for subteam in self.subteams],
            )
        if self.services:
            raise TeamOwnsActiveServices(
                f"Team '{self.name}' still owns {len(self.services)} active service(s)",
                team_id=str(self.id),
                service_ids=[str(service) for service in self.services],
            )
        for person in list(self.members):
            self._member_removed(person=PersonId(person), reason=f"Team disbanded: {why}")
        self._disbanded(reason=why)

    def _require_active(self) -> None:
        if self.disbanded:
            raise TeamDisbanded(f"Team '{self.name}' is disbanded", team_id=str(self.id))

    @event(LeaderAppointed)
    def _leader_appointed(self, leader: PersonId, previous_leader: PersonId, reason: str) -> None:
        self.leader = leader

    @event(MemberAdded)
    def _member_added(self, person: PersonId, function: Function, attachment: Attachment) -> None:
        self.members[person] = Attachment(attachment).value

    @event(MemberRemoved)
    def _member_removed(self, person: PersonId, reason: str) -> None:
        del self.members[person]

    @event(SubteamAttached)
    def _subteam_attached(self, team_id: UUID) -> None:
        self.subteams.append(team_id)

    @event(SubteamDetached)
    def _subteam_detached(self, team_id: UUID) -> None:
        self.subteams.remove(team_id)

    @event(Disbanded)
    def _disbanded(self, reason: str) -> None:
        self.disbanded = True

    @event(Reparented)
    def _reparented(
        self, parent_id: UUID | None, previous_parent_id: UUID | None, reason: str
    ) -> None:
        self.parent_id = parent_id

    @event(ServiceAttached)
    def _service_attached(self, service_id: UUID) -> None:
        self.services.append(service_id)

    @event(ServiceDetached)
    def _service_detached(self, service_id: UUID) -> None:
        self.services.remove(service_id)
