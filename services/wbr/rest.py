"""REST commands of the weekly business review: observations in bulk and variance notes."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import Parameter, QueryParameter
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from msgspec import Meta

from domain.errors import InvalidValue
from domain.metrics import MAX_NAME_LENGTH, MAX_REASON_LENGTH
from domain.wbr import MAX_NOTE_LENGTH
from services.api.bodies import JSON_MEDIA_TYPE, CommandBody
from services.api.commands import (
    COMMAND_ERRORS,
    CommandContext,
    command,
)
from services.api.problems import problem_responses
from services.api.text import LINE, TEXT
from services.dates import YEARS, checked_date
from services.metrics.rest import Number
from services.wbr.commands import BulkOutcome, BulkValue, WbrCommands
from services.wbr.wbr_csv import read_csv

CSV_MEDIA_TYPES = ("text/csv", "application/csv")
Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]


class BulkObservation(CommandBody, kw_only=True):
    """One value: its metric by `metricId` or by `metricName`, the period's end, the
    number, and a `reason` when it changes a recorded value."""

    period_end: Annotated[date, Meta(description=f"Years {YEARS}.")]
    value: Number
    metric_id: UUID | None = None
    metric_name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH), LINE] | None = None
    reason: Reason | None = None


class ObservationsRecorded(msgspec.Struct, rename="camel"):
    """What a bulk upload recorded: new values, corrections, values equal to those already
    recorded (nothing recorded for them), the metrics named, the log position reached
    (null when nothing changed) and the `__Target` columns left out of a CSV."""

    recorded: int
    corrected: int
    unchanged: int
    metrics: int
    position: int | None
    ignored_columns: list[str]


class WriteNote(CommandBody):
    day: Annotated[date, Meta(description=f"The date the note is about. Years {YEARS}.")]
    text: Annotated[str, Meta(min_length=1, max_length=MAX_NOTE_LENGTH)]

    def __post_init__(self) -> None:
        checked_date(self.day, "day")


class CorrectNote(CommandBody):
    text: Annotated[str, Meta(min_length=1, max_length=MAX_NOTE_LENGTH)]
    reason: Reason


def json_values(body: bytes) -> list[BulkValue]:
    try:
        items = msgspec.json.decode(body, type=list[BulkObservation])
    except msgspec.ValidationError as error:
        raise InvalidValue("observations", f"The observations do not fit: {error}") from None
    except msgspec.DecodeError as error:
        raise InvalidValue("body", f"The body is not JSON: {error}") from None
    values = []
    for index, item in enumerate(items):
        where = f"observations[{index}]"
        if (item.metric_id is None) == (item.metric_name is None):
            raise InvalidValue(
                "metricId", f"{where}: name the metric by `metricId` or `metricName`"
            )
        checked_date(item.period_end, f"{where}.periodEnd")
        values.append(
            BulkValue(
                period_end=item.period_end,
                value=item.value,
                where=where,
                metric_id=item.metric_id,
                metric_name=item.metric_name,
                reason=item.reason,
            )
        )
    return values


def csv_values(body: bytes, reason: str | None) -> tuple[list[BulkValue], list[str]]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidValue("body", "The CSV must be UTF-8 text") from None
    data = read_csv(text)
    values = []
    for cell in data.values:
        checked_date(cell.day, f"line {cell.line}: Date")
        values.append(
            BulkValue(
                period_end=cell.day,
                value=cell.value,
                where=f"line {cell.line}, `{cell.metric_name}`",
                metric_name=cell.metric_name,
                reason=reason,
            )
        )
    return values, data.target_columns


def answer(outcome: BulkOutcome, ignored: list[str]) -> ObservationsRecorded:
    return ObservationsRecorded(
        recorded=outcome.recorded,
        corrected=outcome.corrected,
        unchanged=outcome.unchanged,
        metrics=outcome.metrics,
        position=outcome.position,
        ignored_columns=ignored,
    )


class ObservationsController(Controller):
    path = "/api/v1/observations"
    tags = ["Weekly business review"]

    @post(
        "/",
        status_code=200,
        summary="Record many observations at once (JSON or wbr-app's CSV)",
        description="All or nothing, with the rules of a single observation: one value per "
        "metric and period (`observation-exists`), a changed value needs a reason and is "
        "recorded as a correction; a value equal to the one recorded records nothing. "
        "The caller leads the owner team of every metric named, or is leadership.\n\n"
        "`Content-Type: application/json`: a list of `{metricId | metricName, periodEnd, "
        "value, reason?}`.\n\n`Content-Type: text/csv`: wbr-app's data file, a `Date` column "
        "(`Sun, 05-Jan-2020`, `05-Jan-2020` or `2020-01-05`) then a column per metric name, "
        'numbers may have thousands separators (`"523,419"`); several rows for one date are '
        "combined by the metric's aggregation; `<Metric>__Target` columns are left out; the "
        "`reason` parameter applies to every changed value. Bodies up to 1 MiB.",
        responses=problem_responses(*COMMAND_ERRORS),
        request_body={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "minItems": 1, "items": {"type": "object"}},
                },
                **{media_type: {"schema": {"type": "string"}} for media_type in CSV_MEDIA_TYPES},
            },
        },
    )
    async def record(
        self,
        request: Request[Any, Any, Any],
        context: NamedDependency[CommandContext],
        wbr: NamedDependency[WbrCommands],
        reason: Annotated[
            str | None,
            QueryParameter(
                name="reason",
                description="CSV only: why changed values are corrected.",
                max_length=MAX_REASON_LENGTH,
            ),
            TEXT,
        ] = None,
    ) -> ObservationsRecorded:
        media_type = request.content_type[0].lower()
        body = await request.body()
        ignored: list[str] = []
        if media_type in CSV_MEDIA_TYPES:
            values, ignored = csv_values(body, reason)
            combine_same_day = True
        elif JSON_MEDIA_TYPE.fullmatch(media_type):
            values = json_values(body)
            combine_same_day = False
        else:
            raise HTTPException(
                status_code=HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                detail="Send observations as `application/json` or `text/csv`, "
                f"not {media_type or 'untyped'}",
            )
        outcome = await asyncio.to_thread(
            wbr.record_observations, context, values, combine_same_day=combine_same_day
        )
        return answer(outcome, ignored)


NoteId = Annotated[UUID, Parameter(description="The variance note's id (a UUID).")]
MetricId = Annotated[UUID, Parameter(description="The metric's id (a UUID).")]


class VarianceNoteController(Controller):
    path = "/api/v1"
    tags = ["Weekly business review"]

    write_note = command(
        "/metrics/{metric_id:uuid}/notes",
        status_code=201,
        summary="Note a metric's variance for a date",
        description="The metric's owner team leader or leadership explains a variance "
        '("Prime Day moved into this week"); the note shows in the 6-12 view of every '
        "range that holds its date.",
        runs=WbrCommands.write_note,
        ids=[MetricId],
        body=WriteNote,
    )

    correct_note = command(
        "/variance-notes/{note_id:uuid}/corrections",
        summary="Correct a variance note",
        description="A new text with the reason; the old text stays in the history. The "
        "metric's owner team leader or leadership.",
        runs=WbrCommands.correct_note,
        ids=[NoteId],
        body=CorrectNote,
    )
