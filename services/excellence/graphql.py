"""Functional excellence in GraphQL: functional leaders and their tenures, standards with
revisions and exemptions (and the expired ones), second jobs, the leadership principles."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import msgspec
import strawberry
from strawberry import relay

from domain.excellence import DEFAULT_PRINCIPLES, SecondJobKind, StandardArea
from domain.people.values import Function
from projections.excellence import queries
from services.audit.graphql import Recorded
from services.graphql.common import (
    AsOf,
    AtPosition,
    FlywheelInfo,
    NodeIdArgument,
    context,
    describe_values,
    resolve_at,
    uuid_of,
)
from services.graphql.people import LazyPerson, person_at

if TYPE_CHECKING:
    from services.org.graphql import Team

strawberry.enum(
    StandardArea,
    description="What a standard governs: `CODE_REVIEW`, `PROMOTION`, `INTERVIEWING` or `OTHER`.",
)
describe_values(
    StandardArea,
    CODE_REVIEW="How code is reviewed.",
    PROMOTION="How people are promoted.",
    INTERVIEWING="How candidates are interviewed.",
    OTHER="Anything else the function standardises.",
)
strawberry.enum(
    SecondJobKind,
    description="A second job: `BAR_RAISER` in interview loops, a `PROMOTION_PANEL`, "
    "cross-org `CODE_REVIEW`, or `OTHER` (described).",
)
describe_values(
    SecondJobKind,
    BAR_RAISER="Bar raiser in interview loops of other teams.",
    PROMOTION_PANEL="Member of a promotion panel.",
    CODE_REVIEW="Cross-organisation code reviewer.",
    OTHER="Another second job, as its description says.",
)

LazyTeam = Annotated["Team", strawberry.lazy("services.org.graphql")]
_principles = msgspec.json.Decoder(list[dict[str, str]])


async def _team(info: FlywheelInfo, team_id: UUID, at: int | None) -> Team | None:
    from services.org.graphql import Team

    row = await context(info).load.org.team.load(team_id, at)
    return None if row is None else Team.from_row(row, at)


@strawberry.type(description="One functional leader's tenure: from appointment to replacement.")
class Tenure:
    leader: LazyPerson = strawberry.field(description="The leader.")
    reason: str = strawberry.field(description="Why they were appointed.")
    since: datetime = strawberry.field(description="When the tenure began.")
    until: datetime | None = strawberry.field(description="When it ended; null while current.")
    appointed_by: LazyPerson = strawberry.field(description="Who appointed them.")


@strawberry.type(description="A function's leader (e.g. the CTO for ENGINEERING), with history.")
class FunctionalLeader:
    function: Function = strawberry.field(description="The function led.")
    leader: LazyPerson = strawberry.field(description="The current leader.")
    since: datetime = strawberry.field(description="When the current tenure began.")
    at: strawberry.Private[int | None]

    @strawberry.field(description="Every tenure of the function's leadership, oldest first.")
    async def history(self, info: FlywheelInfo) -> list[Tenure]:
        rows = await context(info).load.excellence.tenures.load(self.function.value, self.at)
        return [
            Tenure(
                leader=person_at(row["leader"], self.at),
                reason=row["reason"],
                since=row["since"],
                until=row["until"],
                appointed_by=person_at(row["appointed_by"], self.at),
            )
            for row in rows
        ]


@strawberry.type(description="One version of a standard's body, with why it was revised.")
class StandardRevision:
    revision: int = strawberry.field(description="The version's number, from 1.")
    body: str = strawberry.field(description="The text of that version.")
    reason: str | None = strawberry.field(description="Why it was revised; null for the first.")
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who recorded it.")


@strawberry.type(description="A team's exemption from a standard, until an expiry date.")
class StandardExemption:
    id: UUID = strawberry.field(description="The exemption's id.")
    standard_id: UUID = strawberry.field(description="The standard's id (a UUID).")
    team_id: UUID = strawberry.field(description="The exempted team's id (a UUID).")
    reason: str = strawberry.field(description="Why the team is exempted.")
    expires: date = strawberry.field(description="The last day of the exemption.")
    granted_at: datetime = strawberry.field(description="When it was granted.")
    granted_by: LazyPerson = strawberry.field(description="Who granted it.")
    at: strawberry.Private[int | None]

    @strawberry.field(description="Whether it has expired (its expiry date is before today).")
    def expired(self) -> bool:
        return self.expires < datetime.now(UTC).date()

    @strawberry.field(description="The exempted team.")
    async def team(self, info: FlywheelInfo) -> LazyTeam | None:
        return await _team(info, self.team_id, self.at)

    @staticmethod
    def from_row(row: Any, at: int | None) -> StandardExemption:
        return StandardExemption(
            id=row["id"],
            standard_id=row["standard_id"],
            team_id=row["team_id"],
            reason=row["reason"],
            expires=row["expires"],
            granted_at=row["granted_at"],
            granted_by=person_at(row["granted_by"], at),
            at=at,
        )


@strawberry.type(description="A functional standard: a versioned document of a function.")
class Standard(relay.Node, Recorded):
    key: relay.NodeID[str]
    function: Function = strawberry.field(description="The function it belongs to.")
    area: StandardArea = strawberry.field(description="What it governs.")
    title: str = strawberry.field(description="Its title.")
    body: str = strawberry.field(description="The current version's text.")
    revision: int = strawberry.field(description="The current version's number.")
    retired: bool = strawberry.field(description="Whether it was retired.")
    retire_reason: str | None = strawberry.field(description="Why it was retired.")
    published_at: datetime = strawberry.field(description="When it was first published.")
    published_by: LazyPerson = strawberry.field(description="Who published it.")
    version: int = strawberry.field(description="Its version; send it as `If-Match`.")
    at: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: Any, at: int | None) -> Standard:
        return Standard(
            key=str(row["id"]),
            function=Function(row["function"]),
            area=StandardArea(row["area"]),
            title=row["title"],
            body=row["body"],
            revision=row["revision"],
            retired=row["retired"],
            retire_reason=row["retire_reason"],
            published_at=row["published_at"],
            published_by=person_at(row["published_by"], at),
            version=row["version"],
            at=at,
        )

    @staticmethod
    async def find(info: FlywheelInfo, key: str, at: int | None) -> Standard | None:
        try:
            standard_id = UUID(key)
        except ValueError:
            return None
        row = await context(info).load.excellence.standard.load(standard_id, at)
        return None if row is None else Standard.from_row(row, at)

    @strawberry.field(description="The standard's id as a UUID, as the REST API uses it.")
    def uuid(self) -> UUID:
        return UUID(self.key)

    @strawberry.field(description="Every version, oldest first.")
    async def revisions(self, info: FlywheelInfo) -> list[StandardRevision]:
        rows = await context(info).load.excellence.revisions.load(UUID(self.key), self.at)
        return [
            StandardRevision(
                revision=row["revision"],
                body=row["body"],
                reason=row["reason"],
                at=row["at"],
                by=person_at(row["actor"], self.at),
            )
            for row in rows
        ]

    @strawberry.field(description="The teams exempted from it, by expiry date.")
    async def exemptions(self, info: FlywheelInfo) -> list[StandardExemption]:
        rows = await context(info).load.excellence.exemptions.load(UUID(self.key), self.at)
        return [StandardExemption.from_row(row, self.at) for row in rows]


@strawberry.type(description="A person's second job, with the share of their time it takes.")
class SecondJob(relay.Node, Recorded):
    key: relay.NodeID[str]
    person: LazyPerson = strawberry.field(description="Who carries it.")
    kind: SecondJobKind = strawberry.field(description="What the job is.")
    description: str = strawberry.field(description="The duty, for `OTHER`; may be empty.")
    share: Decimal = strawberry.field(
        description="The share of the person's time (above 0, at most 0.5)."
    )
    active: bool = strawberry.field(description="Whether it is still carried.")
    assigned_at: datetime = strawberry.field(description="When it was assigned.")
    assigned_by: LazyPerson = strawberry.field(description="Who assigned it.")
    ended_at: datetime | None = strawberry.field(description="When it ended.")
    end_reason: str | None = strawberry.field(description="Why it ended.")
    version: int = strawberry.field(description="Its version; send it as `If-Match`.")
    at: strawberry.Private[int | None]

    @staticmethod
    def from_row(row: Any, at: int | None) -> SecondJob:
        return SecondJob(
            key=str(row["id"]),
            person=person_at(row["person"], at),
            kind=SecondJobKind(row["kind"]),
            description=row["description"],
            share=Decimal(row["share"]),
            active=row["active"],
            assigned_at=row["assigned_at"],
            assigned_by=person_at(row["assigned_by"], at),
            ended_at=row["ended_at"],
            end_reason=row["end_reason"],
            version=row["version"],
            at=at,
        )

    @staticmethod
    async def find(info: FlywheelInfo, key: str, at: int | None) -> SecondJob | None:
        try:
            job_id = UUID(key)
        except ValueError:
            return None
        row = await context(info).load.excellence.second_job.load(job_id, at)
        return None if row is None else SecondJob.from_row(row, at)

    @strawberry.field(description="The second job's id as a UUID, as the REST API uses it.")
    def uuid(self) -> UUID:
        return UUID(self.key)


@strawberry.type(description="A leadership principle, which interviews assess.")
class Principle:
    name: str = strawberry.field(description="The principle's name (unique).")
    description: str = strawberry.field(description="What it asks of people.")


@strawberry.type
class ExcellenceQuery:
    @strawberry.field(description="Every function's leader, by function.")
    async def functional_leaders(
        self, info: FlywheelInfo, as_of: AsOf = None, at_position: AtPosition = None
    ) -> list[FunctionalLeader]:
        at = await resolve_at(info, as_of, at_position)
        rows = await queries.functional_leaders(context(info).views, at)
        return [
            FunctionalLeader(
                function=Function(row["function"]),
                leader=person_at(row["leader"], at),
                since=row["since"],
                at=at,
            )
            for row in rows
        ]

    @strawberry.field(description="A standard by its id (UUID or global id).")
    async def standard(
        self,
        info: FlywheelInfo,
        id: NodeIdArgument,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> Standard | None:
        at = await resolve_at(info, as_of, at_position)
        return await Standard.find(info, str(uuid_of(id, "Standard")), at)

    @strawberry.field(description="Standards, by function and title.")
    async def standards(
        self,
        info: FlywheelInfo,
        function: Annotated[
            Function | None, strawberry.argument(description="Only this function's standards.")
        ] = None,
        include_retired: Annotated[
            bool, strawberry.argument(description="Also the retired standards.")
        ] = False,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[Standard]:
        at = await resolve_at(info, as_of, at_position)
        rows = await queries.standards(
            context(info).views, at, None if function is None else function.value, include_retired
        )
        return [Standard.from_row(row, at) for row in rows]

    @strawberry.field(
        description="Exemptions from standards whose expiry date is before `on` (today if "
        "not given): the report of exemptions to renew or end."
    )
    async def expired_exemptions(
        self,
        info: FlywheelInfo,
        on: Annotated[
            date | None, strawberry.argument(description="The day to judge expiry on.")
        ] = None,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[StandardExemption]:
        at = await resolve_at(info, as_of, at_position)
        day = on or datetime.now(UTC).date()
        rows = await queries.expired_exemptions(context(info).views, at, day)
        return [StandardExemption.from_row(row, at) for row in rows]

    @strawberry.field(description="A second job by its id (UUID or global id).")
    async def second_job(
        self,
        info: FlywheelInfo,
        id: NodeIdArgument,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> SecondJob | None:
        at = await resolve_at(info, as_of, at_position)
        return await SecondJob.find(info, str(uuid_of(id, "SecondJob")), at)

    @strawberry.field(description="Second jobs, by person.")
    async def second_jobs(
        self,
        info: FlywheelInfo,
        person: Annotated[
            str | None, strawberry.argument(description="Only this person's second jobs.")
        ] = None,
        active_only: Annotated[
            bool, strawberry.argument(description="Only the jobs still carried.")
        ] = True,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[SecondJob]:
        at = await resolve_at(info, as_of, at_position)
        rows = await queries.second_jobs(
            context(info).views, at, None if person is None else person.lower(), active_only
        )
        return [SecondJob.from_row(row, at) for row in rows]

    @strawberry.field(
        description="The company's leadership principles, which interviews assess (the "
        "default list until leadership sets its own)."
    )
    async def leadership_principles(
        self, info: FlywheelInfo, as_of: AsOf = None, at_position: AtPosition = None
    ) -> list[Principle]:
        at = await resolve_at(info, as_of, at_position)
        row = await queries.principles(context(info).views, at)
        if row is None:
            return [Principle(name=name, description=text) for name, text in DEFAULT_PRINCIPLES]
        raw = row["principles"]
        listed = _principles.decode(raw) if isinstance(raw, (str, bytes)) else list(raw)
        return [Principle(name=p["name"], description=p["description"]) for p in listed]
