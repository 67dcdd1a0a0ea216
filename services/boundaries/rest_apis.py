"""REST commands on published APIs, under ``/api/v1/apis``: deprecate and retire.

APIs are published through their service (``POST /api/v1/services/{id}/apis``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller
from litestar.params import Parameter
from msgspec import Meta

from domain.org.team import MAX_REASON_LENGTH
from services.api.bodies import CommandBody
from services.api.commands import command
from services.boundaries.commands import BoundaryCommands
from services.dates import YEARS, checked_date

Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class DeprecateApi(CommandBody):
    sunset: Annotated[date, Meta(examples=[date(2027, 6, 30)], description=f"Years {YEARS}.")]
    reason: Reason

    def __post_init__(self) -> None:
        checked_date(self.sunset, "sunset")


class RetireApi(CommandBody):
    reason: Reason


ApiId = Annotated[UUID, Parameter(description="The API's id (a UUID).")]


class ApiController(Controller):
    path = "/api/v1/apis"
    tags = ["APIs"]

    deprecate = command(
        "/{api_id:uuid}/deprecate",
        summary="Deprecate an API",
        description="The providing service's owner announces the API's end: a sunset date "
        "(ISO 8601, e.g. 2027-06-30) and a reason. It stays consumable until retired.",
        runs=BoundaryCommands.deprecate_api,
        ids=[ApiId],
        body=DeprecateApi,
    )

    retire = command(
        "/{api_id:uuid}/retire",
        summary="Retire an API",
        description="Refused while any service still consumes the API; the problem names "
        "the consumers.",
        runs=BoundaryCommands.retire_api,
        ids=[ApiId],
        body=RetireApi,
    )
