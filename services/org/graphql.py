"""Who owns what, in GraphQL: teams, their leaders and members, people, the org tree.

Every object remembers ``at``, the log position it was read as of (``None`` for
the current state), and reads its relations as of the same position, so a whole
answer describes one moment.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import strawberry

from domain.errors import InvalidValue
from domain.org.team import Attachment, TeamStatus
from domain.people.values import Function, person_id
from domain.personal_data import Sealed
from projections.hiring.queries import participants
from projections.org import queries as org_queries
from services.audit.graphql import HistoryConnection, Recorded, history
from services.boundaries.graphql_enums import ApiStatus, ServiceStatus
from services.goals.graphql import GoalConnection, goals_of_team
from services.graphql.common import (
    FlywheelInfo,
    context,
    enum_value,
    key_of,
    optional_field,
    search_text,
    time_travel,
    uuid_of,
    uuid_or_none,
)
from services.graphql.connections import (
    KEY,
    MOMENT,
    TEXT,
    Connection,
    Paging,
    order_fields,
    order_input,
    paged,
)
from services.graphql.enums import graphql_enum
from services.graphql.errors import NOT_FOUND, client_error
from services.graphql.lists import ListFilter, ListOrder, list_field
from services.graphql.nodes import AggregateNode, ViewNode, node_by_id
from services.graphql.people import LazyPerson
from services.graphql.relations import related_list, team_field
from services.graphql.rows import FromRow
from services.metrics.graphql import MetricConnection, metrics_of_team
from services.personal_data import open_sealed
from services.roadmap.graphql_enums import Horizon, ItemStatus

if TYPE_CHECKING:
    from services.allocation.graphql import TeamAllocation
    from services.boundaries.graphql import ApiConnection, ServiceConnection
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader
    from services.hiring.graphql import Requisition
    from services.roadmap.graphql import RoadmapItem

# Team.services and Team.apis return types of the boundaries module, which itself
# builds on Team: the types are lazy and the resolvers import it when they run.
BOUNDARIES = "services.boundaries.graphql"
ALLOCATION = "services.allocation.graphql"  # builds on Team and Person in the same way
ROADMAP = "services.roadmap.graphql"
HIRING = "services.hiring.graphql"

graphql_enum(
    Function,
    description="A function a team member works in.",
    ENGINEERING="Software engineering.",
    PRODUCT="Product management.",
    DESIGN="Design and user research.",
    DATA_SCIENCE="Data science and analytics.",
    OPERATIONS="Operations.",
    QUALITY="Quality assurance.",
    MARKETING="Marketing.",
    FINANCE="Finance.",
    RECRUITING="Recruiting: recruiters and sourcers (never a loop's bar raiser).",
)
graphql_enum(
    Attachment,
    description="`REPORTS`: a direct report of the leader. "
    "`DEDICATED`: full-time on the team while reporting elsewhere.",
    REPORTS="A direct report of the leader.",
    DEDICATED="Full-time on the team while reporting elsewhere.",
)
graphql_enum(
    TeamStatus,
    description="Whether a team is active.",
    ACTIVE="The team exists and owns its area.",
    DISBANDED="The team was disbanded; it keeps its history.",
)


@strawberry.type(
    description="The erasure of a person's personal data: their key was destroyed, so every "
    "personal value recorded about them (the display name) reads as null from then on."
)
class Erasure:
    at: datetime = strawberry.field(description="When the erasure was recorded.")
    by: Person = strawberry.field(description="Who erased the data.")
    reason: str = strawberry.field(description="Why the data was erased.")


@strawberry.type(description="A person, known by their handle (usually an e-mail address).")
class Person(ViewNode, Recorded):
    """Keyed by handle: ``Person(key=handle, at=at)``."""

    @strawberry.field(description="The person's handle, e.g. alice@example.com.")
    def handle(self) -> str:
        return self.key

    @strawberry.field(
        description="The person's display name (personal data, stored encrypted with their "
        "key); null when none was set, and for good once their personal data was erased. "
        "A candidate's name (someone interviewing who is not on a team) is for the "
        "participants of their interview loops, leadership and themselves; null for others."
    )
    async def display_name(self, info: FlywheelInfo) -> str | None:
        if not await self._name_readable(info):
            return None
        row = await context(info).load.org.person.load(self.key, self.at)
        if row is None or row["display_name_sealed"] is None:
            return None
        key = await context(info).load.org.person_key.load(self.key, None)
        return open_sealed(key, Sealed(self.key, bytes(row["display_name_sealed"])))

    async def _name_readable(self, info: FlywheelInfo) -> bool:
        """Anyone's but a candidate's, as ``InterviewLoop.candidateName`` rules."""
        principal = context(info).principal
        if principal is None:
            return False
        if principal.is_leadership or principal.subject == self.key:
            return True
        load = context(info).load.org
        loops = await load.candidacies.load(self.key, self.at)
        if not loops:
            return True
        if await load.memberships.load(self.key, self.at) or await load.team_led_by.load(
            self.key, self.at
        ):
            return True  # hired: on a team like anyone else
        return any(principal.subject in participants(loop) for loop in loops)

    @strawberry.field(
        description="The erasure of the person's personal data, as of the position read; "
        "null when it was not erased."
    )
    async def erased(self, info: FlywheelInfo) -> Erasure | None:
        row = await context(info).load.org.person.load(self.key, self.at)
        if row is None or row["erased_at"] is None:
            return None
        return Erasure(
            at=row["erased_at"],
            by=Person(key=row["erased_by"], at=self.at),
            reason=row["erasure_reason"],
        )

    @strawberry.field(description="The active team this person leads, if any.")
    async def leads(self, info: FlywheelInfo) -> Team | None:
        row = await context(info).load.org.team_led_by.load(self.key, self.at)
        return None if row is None else Team.from_row(row, self.at)

    memberships = related_list(
        "Membership",
        lambda load: load.org.memberships,
        "The teams this person is a member of.",
        key=lambda person: person.key,
    )

    @strawberry.field(
        description="The events this person caused, oldest first. Auditors and leadership only."
    )
    @paged
    async def history(self, info: FlywheelInfo, paging: Paging) -> HistoryConnection | None:
        return await history(info, paging, at=self.at, actor=self.key)

    @classmethod
    async def find(cls, info: FlywheelInfo, key: str, at: int | None) -> Person | None:
        known = await context(info).load.org.person_known.load(key, at)
        return Person(key=key, at=at) if known else None


@strawberry.type(description="A leader's tenure of a team.")
class Leadership(FromRow):
    person: LazyPerson = strawberry.field(description="The leader.")
    since: datetime = strawberry.field(description="When the tenure began.")
    until: datetime | None = strawberry.field(
        description="When the tenure ended; null while it lasts."
    )
    reason: str | None = strawberry.field(
        description="Why this leader was appointed; null for the leader named at the charter."
    )


@strawberry.type(description="A person attached to a team.")
class Membership(FromRow):
    person: LazyPerson = strawberry.field(description="The member.")
    function: Function = strawberry.field(description="The function the member works in.")
    attachment: Attachment = strawberry.field(description="How the member is attached to the team.")
    since: datetime = strawberry.field(description="When the member joined the team.")
    team_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    team = team_field("The team.", nullable=False)


@strawberry.type(description="How many members a team has in one function.")
class FunctionCoverage:
    function: Function = strawberry.field(description="The function.")
    count: int = strawberry.field(description="How many members work in it.")
    covered: bool = strawberry.field(description="At least one member works in it.")


@strawberry.type(description="A single-threaded team: one leader owns its area end to end.")
class Team(AggregateNode, Recorded):
    COLUMNS: ClassVar = {"leader_handle": "leader"}

    name: str = strawberry.field(description="The team's name.")
    mission: str = strawberry.field(description="What the team is for, in a sentence or two.")
    status: TeamStatus = strawberry.field(description="Whether the team is active or disbanded.")
    chartered_at: datetime = strawberry.field(description="When the team was chartered.")
    version: int = strawberry.field(
        description="The team's version; send it as `If-Match` to guard a command."
    )
    parent_id: strawberry.Private[UUID | None]
    leader_handle: strawberry.Private[str]
    leader_since: strawberry.Private[datetime]
    leader_reason: strawberry.Private[str | None]

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.org.team

    parent = team_field("The parent team in the org tree; null for a root team.", of="parent_id")

    children = related_list(
        "Team", lambda load: load.org.children, "The teams directly under this one."
    )
    ancestors = related_list(
        "Team",
        lambda load: load.org.ancestors,
        "The teams above this one: its parent first, the root last.",
    )

    @strawberry.field(description="The services the team owns, by name.")
    @paged
    async def services(
        self,
        info: FlywheelInfo,
        paging: Paging,
        status: Annotated[
            ServiceStatus | None, strawberry.argument(description="Only services in this status.")
        ] = None,
    ) -> Annotated[ServiceConnection, strawberry.lazy(BOUNDARIES)] | None:
        from services.boundaries.graphql import services_of_team

        return await services_of_team(info, UUID(self.key), self.at, paging, status)

    @strawberry.field(description="The APIs of the services the team owns, by name and version.")
    @paged
    async def apis(
        self,
        info: FlywheelInfo,
        paging: Paging,
        status: Annotated[
            ApiStatus | None, strawberry.argument(description="Only APIs in this status.")
        ] = None,
    ) -> Annotated[ApiConnection, strawberry.lazy(BOUNDARIES)] | None:
        from services.boundaries.graphql import apis_of_team

        return await apis_of_team(info, UUID(self.key), self.at, paging, status)

    @strawberry.field(description="The current leader and since when.")
    def leader(self) -> Leadership:
        return Leadership(
            person=Person(key=self.leader_handle, at=self.at),
            since=self.leader_since,
            until=None,
            reason=self.leader_reason,
        )

    leader_history = related_list(
        Leadership,
        lambda load: load.org.leader_history,
        "Every leader of the team, oldest first, with reasons.",
    )
    members = related_list(
        Membership, lambda load: load.org.members, "The team's members, by handle."
    )

    @strawberry.field(
        description="Members per function, every function listed: `covered` is false "
        "for the functions the team lacks."
    )
    async def function_coverage(self, info: FlywheelInfo) -> list[FunctionCoverage]:
        rows = await context(info).load.org.members.load(UUID(self.key), self.at)
        counts = Counter(row["function"] for row in rows)
        return [
            FunctionCoverage(
                function=function,
                count=counts[function.value],
                covered=counts[function.value] > 0,
            )
            for function in Function
        ]

    @strawberry.field(description="The team's goals as they were set, of one plan year if given.")
    @paged
    async def goals(
        self,
        info: FlywheelInfo,
        plan_year: Annotated[
            int | None, strawberry.argument(description="Only goals of this plan year.")
        ] = None,
        *,
        paging: Paging,
    ) -> GoalConnection | None:
        return await goals_of_team(info, UUID(self.key), self.at, plan_year, paging)

    @strawberry.field(description="The metrics the team owns, by name.")
    @paged
    async def metrics(self, info: FlywheelInfo, paging: Paging) -> MetricConnection | None:
        return await metrics_of_team(info, UUID(self.key), self.at, paging)

    @strawberry.field(
        description="What the team requested and was funded with in the fiscal year's OP1 and "
        "OP2, amendments included."
    )
    async def allocation(
        self,
        info: FlywheelInfo,
        fiscal_year: Annotated[int, strawberry.argument(description="The fiscal year, e.g. 2027.")],
    ) -> Annotated[TeamAllocation, strawberry.lazy(ALLOCATION)] | None:
        from services.allocation.graphql import team_allocation

        return await team_allocation(info, UUID(self.key), fiscal_year, self.at)

    @strawberry.field(
        description="The team's roadmap items, by target date (undated last), in one horizon "
        "and one status if given."
    )
    async def roadmap(
        self,
        info: FlywheelInfo,
        horizon: Annotated[
            Horizon | None, strawberry.argument(description="Only items in this horizon.")
        ] = None,
        status: Annotated[
            ItemStatus | None, strawberry.argument(description="Only items in this status.")
        ] = None,
    ) -> list[Annotated[RoadmapItem, strawberry.lazy(ROADMAP)]]:
        from services.roadmap.graphql import roadmap_of_team

        return await roadmap_of_team(info, UUID(self.key), self.at, horizon, status)

    @strawberry.field(description="The team's requisitions, by fiscal year and opening.")
    async def requisitions(
        self, info: FlywheelInfo
    ) -> list[Annotated[Requisition, strawberry.lazy(HIRING)]]:
        from services.hiring.graphql import requisitions_of_team

        return await requisitions_of_team(info, UUID(self.key), self.at)


@strawberry.type(description="A team's place in the org tree.")
class OrgTreeEntry:
    team: Team = strawberry.field(description="The team.")
    depth: int = strawberry.field(description="0 for the tree's root, 1 for its children...")


@strawberry.type(description="A page of teams, by name unless `orderBy` says otherwise.")
class TeamConnection(Connection[Team]):
    pass


TeamOrderField, TEAM_SORTS = order_fields(
    "TeamOrderField",
    "What a list of teams can be sorted by.",
    NAME=("The team's name.", (("name", TEXT), ("id", KEY))),
    CHARTERED_AT=("When the team was chartered.", (("chartered_at", MOMENT), ("id", KEY))),
    STATUS=(
        "The team's status (active before disbanded), then its name.",
        (("status", TEXT), ("name", TEXT), ("id", KEY)),
    ),
)


TeamOrder = order_input(
    "TeamOrder", TeamOrderField, "How to sort a list of teams; ties are broken by the team's id."
)


@strawberry.input(description="Narrow a list of teams; every given field must match.")
class TeamFilter:
    name_contains: str | None = optional_field(
        "Only teams named with this text (any case; up to 100 characters)."
    )
    parent_id: strawberry.ID | None = optional_field(
        "Only the children of this team (a UUID or a Team global id)."
    )
    status: TeamStatus | None = optional_field("Only teams in this status.")


def team_filter(given: TeamFilter | None) -> org_queries.TeamFilter:
    if given is None:
        return org_queries.TeamFilter()
    return org_queries.TeamFilter(
        name_contains=search_text(given.name_contains),
        parent_id=uuid_or_none(given.parent_id, "Team", "filter.parentId"),
        status=enum_value(given.status),
    )


def person_handle(value: str) -> str:
    """A person given by handle or by Person global id."""
    try:
        return person_id(key_of(value, "Person"), field="id")
    except InvalidValue as error:
        raise client_error(error.detail) from None


@strawberry.type
class OrgQuery:
    team = node_by_id(Team, "A team by its id (UUID or global id).", "team")

    teams = list_field(
        TeamConnection,
        Team.from_row,
        org_queries.team_page,
        description="Teams by name (or as `orderBy` says), a page at a time.",
        filter=ListFilter(TeamFilter, "Only the teams that match.", team_filter),
        order=ListOrder(
            TeamOrder, TEAM_SORTS, TeamOrderField.NAME, "How to sort; by name if not given."
        ),
    )

    @strawberry.field(description="A person by handle (e.g. alice@example.com) or global id.")
    @time_travel
    async def person(
        self,
        info: FlywheelInfo,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The person's handle or global id.")
        ],
        at: int | None,
    ) -> Person | None:
        return await Person.find(info, person_handle(id), at)

    @strawberry.field(
        description="The org tree, depth first with children by name: every root team and "
        "the teams under them, or the subtree under `teamId`. A computed document, read whole."
    )
    @time_travel
    async def org_tree(
        self,
        info: FlywheelInfo,
        team_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="The subtree's root; leave it out for every root."),
        ] = None,
        include_disbanded: Annotated[
            bool, strawberry.argument(description="Also list disbanded teams.")
        ] = False,
        *,
        at: int | None,
    ) -> list[OrgTreeEntry] | None:
        root = None if team_id is None else uuid_of(team_id, "Team", "teamId")
        rows = await org_queries.org_tree(
            context(info).views, at, root, include_disbanded=include_disbanded
        )
        if root is not None and not rows:
            raise client_error(f"No team with id {team_id}", NOT_FOUND)
        return [OrgTreeEntry(team=Team.from_row(row, at), depth=row["depth"]) for row in rows]
