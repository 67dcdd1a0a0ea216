"""REST commands on published APIs, under ``/api/v1/apis``: deprecate and retire.

APIs are published through their service (``POST /api/v1/services/{id}/apis``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.params import Parameter
from msgspec import Meta

from domain.teams import MAX_REASON_LENGTH
from services.api.commands import (
    COMMAND_ERRORS,
    CommandAccepted,
    accepted,
    caller,
    correlation_id,
    expected_version,
)
from services.api.problems import problem_responses
from services.boundaries import BoundaryCommands
from services.dates import YEARS, checked_date
from services.principal import Principal

Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class DeprecateApi(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    sunset: Annotated[date, Meta(examples=[date(2027, 6, 30)], description=f"Years {YEARS}.")]
    reason: Reason

    def __post_init__(self) -> None:
        checked_date(self.sunset, "sunset")


class RetireApi(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    reason: Reason


ApiId = Annotated[UUID, Parameter(description="The API's id (a UUID).")]


class ApiController(Controller):
    path = "/api/v1/apis"
    tags = ["APIs"]

    @post(
        "/{api_id:uuid}/deprecate",
        status_code=200,
        sync_to_thread=True,
        summary="Deprecate an API",
        description="The providing service's owner announces the API's end: a sunset date "
        "(ISO 8601, e.g. 2027-06-30) and a reason. It stays consumable until retired.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def deprecate(
        self,
        request: Request[Principal, Any, Any],
        api_id: ApiId,
        data: DeprecateApi,
        boundaries: BoundaryCommands,
    ) -> CommandAccepted:
        return accepted(
            boundaries.deprecate_api(
                caller(request),
                correlation_id(request),
                api_id,
                sunset=data.sunset,
                reason=data.reason,
                expected_version=expected_version(request),
            )
        )

    @post(
        "/{api_id:uuid}/retire",
        status_code=200,
        sync_to_thread=True,
        summary="Retire an API",
        description="Refused while any service still consumes the API; the problem names "
        "the consumers.",
        responses=problem_responses(*COMMAND_ERRORS),
    )
    def retire(
        self,
        request: Request[Principal, Any, Any],
        api_id: ApiId,
        data: RetireApi,
        boundaries: BoundaryCommands,
    ) -> CommandAccepted:
        return accepted(
            boundaries.retire_api(
                caller(request),
                correlation_id(request),
                api_id,
                reason=data.reason,
                expected_version=expected_version(request),
            )
        )
