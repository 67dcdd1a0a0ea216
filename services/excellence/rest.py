"""REST commands of functional excellence: ``/api/v1/functions/{function}/leader``,
``/api/v1/standards``, ``/api/v1/second-jobs``, ``/api/v1/principles``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller
from litestar.openapi.spec import OpenAPIType
from litestar.params import Parameter
from msgspec import Meta

from domain.excellence import (
    MAX_BODY_LENGTH,
    MAX_DESCRIPTION_LENGTH,
    MAX_PRINCIPLE_DESCRIPTION_LENGTH,
    MAX_PRINCIPLE_NAME_LENGTH,
    MAX_PRINCIPLES,
    MAX_REASON_LENGTH,
    MAX_SECOND_JOB_SHARE,
    MAX_TITLE_LENGTH,
    SecondJobKind,
    StandardArea,
)
from domain.people.values import MAX_PERSON_ID_LENGTH, Function
from services.api.bodies import CommandBody, given
from services.api.commands import command
from services.api.text import HANDLE, KIND, LINE
from services.dates import YEARS, checked_date
from services.excellence.commands import ExcellenceCommands

Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]
Person = Annotated[str, Meta(min_length=1, max_length=MAX_PERSON_ID_LENGTH), HANDLE]
Body = Annotated[str, Meta(min_length=1, max_length=MAX_BODY_LENGTH)]


class AppointFunctionalLeader(CommandBody):
    person: Person
    reason: Reason


class PublishStandard(CommandBody):
    function: Function
    area: StandardArea
    title: Annotated[str, Meta(min_length=1, max_length=MAX_TITLE_LENGTH), LINE]
    body: Body


class ReviseStandard(CommandBody):
    body: Body
    reason: Reason


class RetireStandard(CommandBody):
    reason: Reason


class GrantExemption(CommandBody):
    team_id: UUID
    reason: Reason
    expires: Annotated[date, Meta(description=f"The last day of the exemption; years {YEARS}.")]

    def __post_init__(self) -> None:
        checked_date(self.expires, "expires")


class AssignSecondJob(CommandBody, kw_only=True):
    schema_rules: ClassVar[dict[str, Any]] = {
        "if": given("kind", {"const": SecondJobKind.OTHER.value}),
        "then": given("description", {"type": "string", "minLength": 1, KIND: "text"}),
    }

    person: Person
    kind: SecondJobKind
    description: Annotated[str, Meta(max_length=MAX_DESCRIPTION_LENGTH)] | None = None
    share: Annotated[
        Decimal,
        Meta(
            extra_json_schema={
                "description": "The share of the person's time, above 0 and at most 0.5.",
                "extra": {
                    "type": OpenAPIType.NUMBER,
                    "exclusive_minimum": 0,
                    "maximum": float(MAX_SECOND_JOB_SHARE),
                },
            }
        ),
    ]


class EndSecondJob(CommandBody):
    reason: Reason


class Principle(CommandBody):
    name: Annotated[str, Meta(min_length=1, max_length=MAX_PRINCIPLE_NAME_LENGTH), LINE]
    description: Annotated[str, Meta(min_length=1, max_length=MAX_PRINCIPLE_DESCRIPTION_LENGTH)]


class SetPrinciples(CommandBody):
    principles: Annotated[list[Principle], Meta(min_length=1, max_length=MAX_PRINCIPLES)]


FunctionName = Annotated[Function, Parameter(description="The function, e.g. `ENGINEERING`.")]
StandardId = Annotated[UUID, Parameter(description="The standard's id (a UUID).")]
SecondJobId = Annotated[UUID, Parameter(description="The second job's id (a UUID).")]


class FunctionController(Controller):
    path = "/api/v1/functions"
    tags = ["Functional excellence"]

    appoint = command(
        "/{function:str}/leader",
        method="PUT",
        summary="Appoint a function's leader",
        description="Leadership appoints the leader of a function (e.g. the CTO for "
        "`ENGINEERING`) with a reason; a replacement ends the previous tenure, and the "
        "history keeps every tenure. Refused for the sitting leader "
        "(`already-functional-leader`).",
        runs=ExcellenceCommands.appoint_functional_leader,
        ids=[FunctionName],
        body=AppointFunctionalLeader,
    )


class StandardController(Controller):
    path = "/api/v1/standards"
    tags = ["Functional excellence"]

    publish = command(
        "/",
        status_code=201,
        summary="Publish a standard",
        description="A function's leader publishes a standard for their function: its "
        "`area` (`CODE_REVIEW`, `PROMOTION`, `INTERVIEWING`, `OTHER`), `title` and `body`.",
        runs=ExcellenceCommands.publish_standard,
        body=PublishStandard,
    )

    revise = command(
        "/{standard_id:uuid}/revisions",
        summary="Revise a standard",
        description="The function's leader records a new version of the body with the "
        "reason; every version is kept. Refused once retired (`standard-retired`).",
        runs=ExcellenceCommands.revise_standard,
        ids=[StandardId],
        body=ReviseStandard,
    )

    retire = command(
        "/{standard_id:uuid}/retire",
        summary="Retire a standard",
        description="The function's leader retires the standard with a reason "
        "(`standard-retired` if it already is).",
        runs=ExcellenceCommands.retire_standard,
        ids=[StandardId],
        body=RetireStandard,
    )

    exempt = command(
        "/{standard_id:uuid}/exemptions",
        summary="Exempt a team from a standard",
        description="The function's leader or leadership exempts a team until `expires` (a "
        "date after today) with a reason. Answers with the exemption's id "
        "(`StandardExemption`). Expired exemptions are reported (`expiredExemptions`).",
        runs=ExcellenceCommands.grant_exemption,
        ids=[StandardId],
        body=GrantExemption,
    )


class SecondJobController(Controller):
    path = "/api/v1/second-jobs"
    tags = ["Functional excellence"]

    assign = command(
        "/",
        status_code=201,
        summary="Assign a second job",
        description="Leadership or the leader of one of the person's functions assigns a "
        "second job: `kind` (`BAR_RAISER`, `PROMOTION_PANEL`, `CODE_REVIEW`, or `OTHER` with "
        "a `description`) and the `share` of their time (above 0, at most 0.5), which is "
        "subtracted from their team's roadmap capacity.",
        runs=ExcellenceCommands.assign_second_job,
        body=AssignSecondJob,
    )

    end = command(
        "/{second_job_id:uuid}/end",
        summary="End a second job",
        description="Leadership or the leader of the person's function ends it with a "
        "reason (`second-job-ended` if it already ended).",
        runs=ExcellenceCommands.end_second_job,
        ids=[SecondJobId],
        body=EndSecondJob,
    )


class PrinciplesController(Controller):
    path = "/api/v1/principles"
    tags = ["Functional excellence"]

    set_principles = command(
        "/",
        method="PUT",
        summary="Set the leadership principles",
        description="Leadership replaces the company's list of leadership principles, each "
        "with a name (unique: `principle-names-unique`) and a description. Interviewers "
        "cover principles from this list (until it is first set, the default list).",
        runs=ExcellenceCommands.set_principles,
        body=SetPrinciples,
    )
