"""The generated company's org and API boundaries: teams, people, services, APIs.

Teams form a tree ``depth`` levels deep under one root; each has a leader and
members across functions, reporting to the leader or dedicated while reporting
elsewhere. Services are owned by teams (more of them in the deeper levels),
publish APIs of every kind and visibility, and consume APIs of other teams:
mostly public ones, some of their own team's, and some internal APIs of other
teams (the violations the boundary report exists to find). Every change is a
domain method inside :meth:`Writer.command`, taking the claims the real command
takes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from bench.company_writer import Writer
from domain.boundaries import Api, ApiKind, Service, Visibility
from domain.claims import ClaimKind, normalised_name
from domain.org.chart import ORG_CHART_ID, OrgChart
from domain.org.team import Attachment, Team
from domain.people.person import Person
from domain.people.values import Function, PersonId

CHIEF = PersonId("ceo@acme.example")
AREAS = (
    "Payments", "Checkout", "Search", "Catalog", "Fulfilment", "Pricing", "Identity",
    "Messaging", "Analytics", "Billing", "Logistics", "Support", "Growth", "Ads", "Media",
    "Mobile", "Platform", "Security", "Data", "Marketplace",
)  # fmt: skip
NOUNS = (
    "Core", "Platform", "Experience", "Insights", "Infrastructure", "Operations", "Tools",
    "Quality", "Foundations", "Services",
)  # fmt: skip
FUNCTIONS = (
    (Function.ENGINEERING, 0.55), (Function.PRODUCT, 0.1), (Function.DESIGN, 0.08),
    (Function.DATA_SCIENCE, 0.07), (Function.OPERATIONS, 0.06), (Function.QUALITY, 0.06),
    (Function.MARKETING, 0.05), (Function.FINANCE, 0.03),
)  # fmt: skip
API_KINDS = (ApiKind.REST, ApiKind.REST, ApiKind.GRPC, ApiKind.GRAPHQL, ApiKind.EVENTS)
DEDICATED_SHARE = 0.3
DEPENDENCIES_PER_SERVICE = 3
OWN_TEAM_SHARE = 0.2  # dependencies on the own team's other services
VIOLATION_SHARE = 0.1  # dependencies on another team's internal API


def level_sizes(teams: int, depth: int) -> list[int]:
    """How many teams on each level: one root, then a geometric fan-out to ``teams``."""
    if depth <= 1 or teams <= 1:
        return [max(teams, 1)]
    low, high = 1.0, float(teams)
    for _ in range(60):
        ratio = (low + high) / 2
        total = sum(ratio**level for level in range(depth))
        low, high = (ratio, high) if total < teams else (low, ratio)
    sizes = [max(1, round(ratio**level)) for level in range(depth)]
    sizes[-1] = max(1, teams - sum(sizes[:-1]))
    return sizes


@dataclass
class Org:
    """Everything of the org and its boundaries the generator needs to remember."""

    writer: Writer
    rng: random.Random
    teams: list[Team] = field(default_factory=list)
    level: dict[UUID, int] = field(default_factory=dict)
    by_id: dict[UUID, Team] = field(default_factory=dict)
    services: list[Service] = field(default_factory=list)
    service_by_id: dict[UUID, Service] = field(default_factory=dict)
    apis: list[Api] = field(default_factory=list)
    api_by_id: dict[str, Api] = field(default_factory=dict)
    public_apis: list[Api] = field(default_factory=list)
    internal_apis: list[Api] = field(default_factory=list)
    people: int = 0
    chart: OrgChart | None = None

    # -- people ----------------------------------------------------------

    def person(self) -> PersonId:
        self.people += 1
        return PersonId(f"person{self.people:06d}@acme.example")

    def function(self) -> Function:
        roll = self.rng.random()
        for function, share in FUNCTIONS:
            roll -= share
            if roll < 0:
                return function
        return Function.ENGINEERING

    def team_name(self, index: int) -> str:
        area = AREAS[index % len(AREAS)]
        noun = NOUNS[(index // len(AREAS)) % len(NOUNS)]
        return f"{area} {noun} {index}"

    def parent_of(self, team: Team) -> Team | None:
        return None if team.parent_id is None else self.by_id[team.parent_id]

    # -- teams -----------------------------------------------------------

    def charter_tree(self, teams: int, depth: int) -> None:
        """The whole tree, level by level; each team gets its members right after."""
        previous: list[Team] = []
        index = 0
        for level, size in enumerate(level_sizes(teams, depth)):
            current: list[Team] = []
            for position in range(size):
                parent = previous[position % len(previous)] if previous else None
                team = self.charter(index, parent, level)
                current.append(team)
                index += 1
            previous = current

    def charter(self, index: int, parent: Team | None, level: int) -> Team:
        leader = self.person()
        name = "Acme" if parent is None else self.team_name(index)
        with self.writer.command(CHIEF) as work:
            team = work.add(
                Team.charter(
                    name=name,
                    mission=f"{name} owns its area end to end: {AREAS[index % len(AREAS)]}",
                    leader=leader,
                    parent_id=None if parent is None else parent.id,
                )
            )
            if parent is not None:
                parent.attach_subteam(team.id)
                work.touch(parent)
            work.claim(ClaimKind.TEAM_NAME, normalised_name(team.name), team.id)
            work.claim(ClaimKind.TEAM_LEADER, leader, team.id)
            # Leaders name themselves: personal data, sealed with a key per person.
            work.add(Person.name(person=leader, display_name=f"Leader {index:05d}"))
        self.teams.append(team)
        self.by_id[team.id] = team
        self.level[team.id] = level
        for _ in range(self.rng.randint(4, 12)):
            self.add_member(team)
        return team

    def add_member(self, team: Team) -> None:
        person = self.person()
        attachment = (
            Attachment.DEDICATED if self.rng.random() < DEDICATED_SHARE else Attachment.REPORTS
        )
        with self.writer.command(team.leader) as work:
            work.touch(team)
            team.add_member(person, self.function(), attachment)
            if attachment is Attachment.DEDICATED:
                work.claim(ClaimKind.DEDICATED_MEMBER, person, team.id)

    def remove_member(self, team: Team, reason: str) -> None:
        if not team.members:
            return
        person = PersonId(self.rng.choice(sorted(team.members)))
        with self.writer.command(team.leader) as work:
            work.touch(team)
            dedicated = team.attachment_of(person) is Attachment.DEDICATED
            team.remove_member(person, reason)
            if dedicated:
                work.release(ClaimKind.DEDICATED_MEMBER, person, team.id)

    def change_leader(self, team: Team) -> None:
        """A member is promoted, or someone new takes over; claims follow."""
        promoted = [p for p, a in team.members.items() if a == Attachment.REPORTS.value]
        leader = PersonId(self.rng.choice(sorted(promoted))) if promoted else self.person()
        with self.writer.command(CHIEF) as work:
            work.touch(team)
            previous = team.leader
            dedicated = team.attachment_of(leader) is Attachment.DEDICATED
            team.appoint_leader(leader, f"{previous} moves on; {leader} takes over")
            work.release(ClaimKind.TEAM_LEADER, previous, team.id)
            work.claim(ClaimKind.TEAM_LEADER, leader, team.id)
            if dedicated:
                work.release(ClaimKind.DEDICATED_MEMBER, leader, team.id)

    def lineage(self, team: Team) -> list[tuple[UUID, str]]:
        chain: list[tuple[UUID, str]] = []
        current: Team | None = team
        while current is not None:
            chain.append((current.id, current.name))
            current = self.parent_of(current)
        return chain

    def reorganise(self, team: Team) -> bool:
        """Move a team under another team on its parent's level (so never into its own
        subtree), through the org chart as the move command does."""
        parent = self.parent_of(team)
        if parent is None:
            return False
        peers = [t for t in self.teams if self.level[t.id] == self.level[parent.id]]
        candidates = [t for t in peers if t.id != parent.id]
        if not candidates:
            return False
        new_parent = self.rng.choice(candidates)
        with self.writer.command(CHIEF) as work:
            if self.chart is None:
                self.chart = OrgChart.start()
                assert self.chart.id == ORG_CHART_ID
            work.touch(self.chart, team, new_parent, parent)
            team.move_under(
                new_parent.id,
                f"Reorganisation: {team.name} joins {new_parent.name}",
                lineage=self.lineage(new_parent),
            )
            new_parent.attach_subteam(team.id)
            parent.detach_subteam(team.id)
            self.chart.record_move(team.id, new_parent.id)
        return True

    # -- services and APIs -------------------------------------------------

    def owner_for_service(self) -> Team:
        """Deeper teams own more services: pick a team weighted by its level."""
        levels = max(self.level.values()) + 1
        while True:
            team = self.rng.choice(self.teams)
            if self.rng.random() < (self.level[team.id] + 1) / levels:
                return team

    def register_service(self, owner: Team) -> Service:
        number = len(self.services)
        name = f"{owner.name.split()[0].lower()}-{NOUNS[number % len(NOUNS)].lower()}-{number}"
        with self.writer.command(owner.leader) as work:
            work.touch(owner)
            service = work.add(
                Service.register(
                    name=name, description=f"The {name} service of {owner.name}", owner=owner
                )
            )
            work.claim(ClaimKind.SERVICE_NAME, normalised_name(service.name), service.id)
        self.services.append(service)
        self.service_by_id[service.id] = service
        return service

    def publish_api(self, service: Service) -> Api:
        owner = self.by_id[service.owner_team_id]
        number = len(self.apis)
        kind = self.rng.choice(API_KINDS)
        visibility = Visibility.INTERNAL if self.rng.random() < 0.6 else Visibility.PUBLIC
        with self.writer.command(owner.leader) as work:
            work.touch(service)
            api = work.add(
                Api.publish(
                    service,
                    name=f"{service.name}-{kind.value.lower()}-{number}",
                    version=f"v{1 + number % 3}",
                    kind=kind,
                    visibility=visibility,
                )
            )
        self.apis.append(api)
        self.api_by_id[str(api.id)] = api
        (self.public_apis if visibility is Visibility.PUBLIC else self.internal_apis).append(api)
        return api

    def grow_boundaries(self, services: int, apis: int) -> None:
        """New services, each publishing at least one API, then their dependencies."""
        created = [self.register_service(self.owner_for_service()) for _ in range(services)]
        for service in created:
            self.publish_api(service)
        for _ in range(max(0, apis - len(created))):
            self.publish_api(self.rng.choice(created))
        for service in created:
            for _ in range(DEPENDENCIES_PER_SERVICE):
                self.declare_dependency(service)

    def dependency_candidate(self, service: Service) -> Api | None:
        roll = self.rng.random()
        if roll < OWN_TEAM_SHARE:
            owner = self.by_id[service.owner_team_id]
            pool = [self.service_by_id[sid] for sid in owner.services if sid != service.id]
            apis = [api for other in pool for api in self._apis_of(other)]
            return self.rng.choice(apis) if apis else None
        pool = self.internal_apis if roll < OWN_TEAM_SHARE + VIOLATION_SHARE else self.public_apis
        return self.rng.choice(pool) if pool else None

    def _apis_of(self, service: Service) -> list[Api]:
        return [self.api_by_id[api_id] for api_id in service.apis]

    def declare_dependency(self, service: Service) -> None:
        for _ in range(4):
            api = self.dependency_candidate(service)
            if (
                api is None
                or api.retired
                or api.service_id == service.id
                or api.id in service.dependencies
            ):
                continue
            owner = self.by_id[service.owner_team_id]
            with self.writer.command(owner.leader) as work:
                work.touch(service, api)
                service.declare_dependency(api)
            return

    def deprecate_api(self, api: Api, today: date) -> None:
        service = self.service_by_id[api.service_id]
        owner = self.by_id[service.owner_team_id]
        with self.writer.command(owner.leader) as work:
            work.touch(api)
            api.deprecate(
                date(today.year + 1, 6, 30), f"{api.name} {api.api_version} is superseded"
            )
        if not api.consumers and self.rng.random() < 0.5:
            with self.writer.command(owner.leader) as work:
                work.touch(api, service)
                api.retire("Nobody consumes it any more", provider=service)

    def transfer_service(self, service: Service) -> None:
        current = self.by_id[service.owner_team_id]
        siblings = [t for t in self.teams if t.parent_id == current.parent_id and t is not current]
        if not siblings:
            return
        new_owner = self.rng.choice(siblings)
        with self.writer.command(CHIEF) as work:
            work.touch(service, current, new_owner)
            service.transfer(
                current_owner=current,
                new_owner=new_owner,
                reason=f"{new_owner.name} takes over {service.name}",
            )

    def churn(self, today: date) -> None:
        """A year's changes: leaders, members, a few reorganisations, transfers, deprecations."""
        rng = self.rng
        for team in self.teams:
            roll = rng.random()
            if roll < 0.04:
                self.change_leader(team)
            elif roll < 0.16:
                self.remove_member(team, "Moved to another team")
                self.add_member(team)
            elif roll < 0.17:
                self.reorganise(team)
        for service in rng.sample(self.services, k=len(self.services) // 50):
            self.transfer_service(service)
        live = [api for api in self.apis if not api.deprecated and not api.retired]
        for api in rng.sample(live, k=len(live) * 3 // 100):
            self.deprecate_api(api, today)
