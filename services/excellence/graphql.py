"""Functional excellence in GraphQL: functional leaders and their tenures, standards with
revisions and exemptions (and the expired ones), second jobs, the leadership principles."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar
from uuid import UUID

import msgspec
import strawberry

from domain.excellence import DEFAULT_PRINCIPLES, SecondJobKind, StandardArea
from domain.people.values import Function
from projections.excellence import queries
from services.audit.graphql import Recorded
from services.graphql.common import (
    FlywheelInfo,
    context,
    time_travel,
)
from services.graphql.enums import graphql_enum
from services.graphql.nodes import UuidNode, node_by_id, uuid_field
from services.graphql.people import LazyPerson
from services.graphql.relations import related_list, team_field
from services.graphql.rows import FromRow

if TYPE_CHECKING:
    from services.graphql.loaders import Loaders
    from services.graphql.view_loader import ViewLoader

graphql_enum(
    StandardArea,
    description="What a standard governs: `CODE_REVIEW`, `PROMOTION`, `INTERVIEWING` or `OTHER`.",
    CODE_REVIEW="How code is reviewed.",
    PROMOTION="How people are promoted.",
    INTERVIEWING="How candidates are interviewed.",
    OTHER="Anything else the function standardises.",
)
graphql_enum(
    SecondJobKind,
    description="A second job: `BAR_RAISER` in interview loops, a `PROMOTION_PANEL`, "
    "cross-org `CODE_REVIEW`, or `OTHER` (described).",
    BAR_RAISER="Bar raiser in interview loops of other teams.",
    PROMOTION_PANEL="Member of a promotion panel.",
    CODE_REVIEW="Cross-organisation code reviewer.",
    OTHER="Another second job, as its description says.",
)

_principles = msgspec.json.Decoder(list[dict[str, str]])


@strawberry.type(description="One functional leader's tenure: from appointment to replacement.")
class Tenure(FromRow):
    leader: LazyPerson = strawberry.field(description="The leader.")
    reason: str = strawberry.field(description="Why they were appointed.")
    since: datetime = strawberry.field(description="When the tenure began.")
    until: datetime | None = strawberry.field(description="When it ended; null while current.")
    appointed_by: LazyPerson = strawberry.field(description="Who appointed them.")


@strawberry.type(description="A function's leader (e.g. the CTO for ENGINEERING), with history.")
class FunctionalLeader(FromRow):
    function: Function = strawberry.field(description="The function led.")
    leader: LazyPerson = strawberry.field(description="The current leader.")
    since: datetime = strawberry.field(description="When the current tenure began.")
    at: strawberry.Private[int | None]

    history = related_list(
        Tenure,
        lambda load: load.excellence.tenures,
        "Every tenure of the function's leadership, oldest first.",
        key=lambda leader: leader.function.value,
    )


@strawberry.type(description="One version of a standard's body, with why it was revised.")
class StandardRevision(FromRow):
    COLUMNS: ClassVar = {"by": "actor"}

    revision: int = strawberry.field(description="The version's number, from 1.")
    body: str = strawberry.field(description="The text of that version.")
    reason: str | None = strawberry.field(description="Why it was revised; null for the first.")
    at: datetime = strawberry.field(description="When it was recorded.")
    by: LazyPerson = strawberry.field(description="Who recorded it.")


@strawberry.type(description="A team's exemption from a standard, until an expiry date.")
class StandardExemption(FromRow):
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

    team = team_field("The exempted team.")


@strawberry.type(description="A functional standard: a versioned document of a function.")
class Standard(UuidNode, Recorded):
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

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.excellence.standard

    uuid = uuid_field("standard")

    revisions = related_list(
        StandardRevision, lambda load: load.excellence.revisions, "Every version, oldest first."
    )

    exemptions = related_list(
        StandardExemption,
        lambda load: load.excellence.exemptions,
        "The teams exempted from it, by expiry date.",
    )


@strawberry.type(description="A person's second job, with the share of their time it takes.")
class SecondJob(UuidNode, Recorded):
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

    @classmethod
    def loader(cls, load: Loaders) -> ViewLoader[Any, Any]:
        return load.excellence.second_job

    uuid = uuid_field("second job")


@strawberry.type(description="A leadership principle, which interviews assess.")
class Principle:
    name: str = strawberry.field(description="The principle's name (unique).")
    description: str = strawberry.field(description="What it asks of people.")


@strawberry.type
class ExcellenceQuery:
    @strawberry.field(description="Every function's leader, by function.")
    @time_travel
    async def functional_leaders(
        self, info: FlywheelInfo, at: int | None
    ) -> list[FunctionalLeader]:
        rows = await queries.functional_leaders(context(info).views, at)
        return FunctionalLeader.from_rows(rows, at)

    standard = node_by_id(Standard, "A standard by its id (UUID or global id).")

    @strawberry.field(description="Standards, by function and title.")
    @time_travel
    async def standards(
        self,
        info: FlywheelInfo,
        function: Annotated[
            Function | None, strawberry.argument(description="Only this function's standards.")
        ] = None,
        include_retired: Annotated[
            bool, strawberry.argument(description="Also the retired standards.")
        ] = False,
        *,
        at: int | None,
    ) -> list[Standard]:
        rows = await queries.standards(
            context(info).views, at, None if function is None else function.value, include_retired
        )
        return Standard.from_rows(rows, at)

    @strawberry.field(
        description="Exemptions from standards whose expiry date is before `on` (today if "
        "not given): the report of exemptions to renew or end."
    )
    @time_travel
    async def expired_exemptions(
        self,
        info: FlywheelInfo,
        on: Annotated[
            date | None, strawberry.argument(description="The day to judge expiry on.")
        ] = None,
        *,
        at: int | None,
    ) -> list[StandardExemption]:
        day = on or datetime.now(UTC).date()
        rows = await queries.expired_exemptions(context(info).views, at, day)
        return StandardExemption.from_rows(rows, at)

    second_job = node_by_id(SecondJob, "A second job by its id (UUID or global id).")

    @strawberry.field(description="Second jobs, by person.")
    @time_travel
    async def second_jobs(
        self,
        info: FlywheelInfo,
        person: Annotated[
            str | None, strawberry.argument(description="Only this person's second jobs.")
        ] = None,
        active_only: Annotated[
            bool, strawberry.argument(description="Only the jobs still carried.")
        ] = True,
        *,
        at: int | None,
    ) -> list[SecondJob]:
        rows = await queries.second_jobs(
            context(info).views, at, None if person is None else person.lower(), active_only
        )
        return SecondJob.from_rows(rows, at)

    @strawberry.field(
        description="The company's leadership principles, which interviews assess (the "
        "default list until leadership sets its own)."
    )
    @time_travel
    async def leadership_principles(self, info: FlywheelInfo, at: int | None) -> list[Principle]:
        row = await queries.principles(context(info).views, at)
        if row is None:
            return [Principle(name=name, description=text) for name, text in DEFAULT_PRINCIPLES]
        raw = row["principles"]
        listed = _principles.decode(raw) if isinstance(raw, (str, bytes)) else list(raw)
        return [Principle(name=p["name"], description=p["description"]) for p in listed]
