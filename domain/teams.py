"""Single-threaded teams: one leader owns an area end to end, with a permanent team.

A team is chartered with a name, a mission and its leader, optionally under a
parent team. Leadership changes are events with a reason, so the tenure history
is kept. Members are attached as ``REPORTS`` (direct reports of the leader) or
``DEDICATED`` (full-time on the team while reporting elsewhere).

Rules that need more than one team (a person leads at most one team, is a
dedicated member of at most one team, names of active teams are unique) are held
by :mod:`domain.claims`; the command handlers take and release those claims in
the same save as the team.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from eventsourcing.domain import event

from domain.aggregate import AttributedAggregate
from domain.errors import NotFound, RuleViolation
from domain.people import Function, PersonId
from domain.values import CaseInsensitiveEnum, required_text

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


class NotAMember(NotFound):
    def __init__(self, team_id: UUID, person: PersonId) -> None:
        super().__init__("member", person)
        self.detail = f"{person} is not a member of team {team_id}"


def team_name(raw: str) -> str:
    return required_text("name", raw, max_length=MAX_NAME_LENGTH)


def reason_text(raw: str) -> str:
    return required_text("reason", raw, max_length=MAX_REASON_LENGTH)


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

    def __init__(self, name: str, mission: str, leader: PersonId, parent_id: UUID | None) -> None:
        self.name = name
        self.mission = mission
        self.leader = leader
        self.parent_id = parent_id
        self.members: dict[str, str] = {}  # person -> Attachment value
        self.subteams: list[UUID] = []
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
            mission=required_text("mission", mission, max_length=MAX_MISSION_LENGTH),
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
        if person not in self.members:
            raise NotAMember(self.id, person)
        self._member_removed(person=person, reason=reason.strip())

    def attach_subteam(self, team_id: UUID) -> None:
        self._require_active()
        if team_id not in self.subteams:
            self._subteam_attached(team_id=team_id)

    def detach_subteam(self, team_id: UUID) -> None:
        if team_id in self.subteams:
            self._subteam_detached(team_id=team_id)

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
