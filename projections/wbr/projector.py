"""Variance notes as a view: each note's current text, who wrote it, its corrections."""

from __future__ import annotations

from domain.wbr import VarianceNote
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.tables import TemporalTable, columns

WBR_NOTES = TemporalTable(
    name="wbr_notes",
    key=columns(("id", "uuid")),
    columns=columns(
        ("metric_id", "uuid"),
        ("day", "date"),
        ("text", "text"),
        ("written_by", "text"),
        ("written_at", "timestamptz"),
        ("corrections", "integer"),
        ("correction_reason", "text"),
        ("version", "integer"),
    ),
    indexes=(("metric_id", "day"),),
)

wbr = Projector("wbr", tables=[WBR_NOTES])


@wbr.on(VarianceNote.Written)
async def note_written(event: VarianceNote.Written, views: ViewBatch) -> None:
    views.put(
        WBR_NOTES,
        {
            "id": event.originator_id,
            "metric_id": event.metric_id,
            "day": event.day,
            "text": event.text,
            "written_by": event.actor,
            "written_at": views.now,
            "corrections": 0,
            "correction_reason": None,
            "version": event.originator_version,
        },
    )


@wbr.on(VarianceNote.Corrected)
async def note_corrected(event: VarianceNote.Corrected, views: ViewBatch) -> None:
    key = (event.originator_id,)
    note = await views.require(WBR_NOTES, key)
    await views.update(
        WBR_NOTES,
        key,
        text=event.text,
        corrections=note["corrections"] + 1,
        correction_reason=event.reason,
        version=event.originator_version,
    )
