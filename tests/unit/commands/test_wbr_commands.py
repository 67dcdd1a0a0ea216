"""Bulk observations and variance notes on in-memory storage: all or nothing, the single
observation's rules, roles."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.metrics import MetricYear, ObservationExists
from domain.wbr import NoteUnchanged, VarianceNote
from services.api.commands import CommandContext
from services.commands import CommandBus, Forbidden
from services.metrics.rest import RecordObservation
from services.wbr.commands import BulkValue, WbrCommands
from services.wbr.rest import CorrectNote, WriteNote
from services.wbr.wbr_csv import read_csv
from tests.commands import Commands, refused_and_nothing_recorded
from tests.goal_fixtures import company
from tests.people import CEO, principal

RITA = principal("rita@x.io")  # leads Retail, which owns Selection
FIN = principal("fin@x.io")  # leads Finance, which owns Revenue
SUNDAY = date(2025, 1, 5)


def wbr(flywheel: Commands) -> WbrCommands:
    return WbrCommands(CommandBus(flywheel.app))


def value(day: date, number: int | str, *, name: str = "Selection", **extra: object) -> BulkValue:
    return BulkValue(
        period_end=day,
        value=Decimal(number),
        where=f"v{day}",
        metric_name=name,
        **extra,  # type: ignore[arg-type]
    )


def test_many_values_for_several_metrics_are_saved_at_once(flywheel: Commands) -> None:
    org = company(flywheel)
    values = [value(SUNDAY + timedelta(weeks=n), n) for n in range(30)]
    values += [value(SUNDAY, 7, name="REVENUE")]
    outcome = wbr(flywheel).record_observations(CommandContext(CEO, "t"), values)
    assert (outcome.recorded, outcome.corrected, outcome.metrics) == (31, 0, 2)
    selection = flywheel.app.repository.get(MetricYear.create_id(org.selection, 2025)).values
    assert len(selection) == 30 and selection["2025-01-12"] == "1"
    revenue = flywheel.app.repository.get(MetricYear.create_id(org.revenue, 2025))
    assert revenue.values == {"2025-01-05": "7"}


def test_one_refused_value_records_nothing(flywheel: Commands) -> None:
    org = company(flywheel)
    flywheel.metrics.record_observation(
        CommandContext(CEO, "t"),
        org.selection,
        RecordObservation(period_end=SUNDAY, value=Decimal(1)),
    )
    refusal = refused_and_nothing_recorded(
        flywheel,
        ObservationExists,
        lambda: wbr(flywheel).record_observations(
            CommandContext(CEO, "t"), [value(SUNDAY + timedelta(days=1), 5), value(SUNDAY, 2)]
        ),
    )
    assert f"v{SUNDAY}" in str(refusal), "the refusal says which value"


def test_a_changed_value_with_a_reason_is_a_correction_and_an_equal_one_is_no_change(
    flywheel: Commands,
) -> None:
    org = company(flywheel)
    flywheel.metrics.record_observation(
        CommandContext(CEO, "t"),
        org.selection,
        RecordObservation(period_end=SUNDAY, value=Decimal(1)),
    )
    outcome = wbr(flywheel).record_observations(
        CommandContext(CEO, "t"),
        [value(SUNDAY, 3, reason="Late orders"), value(SUNDAY + timedelta(7), 4)],
    )
    assert (outcome.recorded, outcome.corrected) == (1, 1)
    again = wbr(flywheel).record_observations(CommandContext(CEO, "t"), [value(SUNDAY, 3)])
    assert (again.recorded, again.corrected, again.unchanged, again.position) == (0, 0, 1, None)
    started, observed, corrected, _ = flywheel.app.events.get(
        MetricYear.create_id(org.selection, SUNDAY.year)
    )
    assert isinstance(started, MetricYear.Started) and isinstance(observed, MetricYear.Observed)
    assert isinstance(corrected, MetricYear.ObservationCorrected)
    assert (corrected.previous_value, corrected.value) == (Decimal(1), Decimal(3))


def test_a_metric_led_by_someone_else_refuses_the_whole_upload(flywheel: Commands) -> None:
    company(flywheel)
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: wbr(flywheel).record_observations(
            CommandContext(RITA, "t"), [value(SUNDAY, 1), value(SUNDAY, 2, name="Revenue")]
        ),
    )
    assert (
        wbr(flywheel).record_observations(CommandContext(RITA, "t"), [value(SUNDAY, 1)]).recorded
        == 1
    )


def test_an_unknown_metric_name_and_a_second_value_for_a_period_are_refused(
    flywheel: Commands,
) -> None:
    company(flywheel)
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: wbr(flywheel).record_observations(
            CommandContext(CEO, "t"), [value(SUNDAY, 1, name="Nope")]
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: wbr(flywheel).record_observations(
            CommandContext(CEO, "t"), [value(SUNDAY, 1), value(SUNDAY, 2)]
        ),
    )


def test_daily_csv_rows_of_one_date_combine_by_the_metrics_aggregation(flywheel: Commands) -> None:
    org = company(flywheel)  # fixture metrics count things: SUM
    data = read_csv(
        "Date,Selection,Selection__Target\n"
        '"Sun, 05-Jan-2025","1,200",9\n'
        '"Sun, 05-Jan-2025",300,9\n'
        "06-Jan-2025,,9\n"
        "2025-01-07,5,\n"
    )
    assert data.target_columns == ["Selection__Target"]
    values = [
        BulkValue(period_end=c.day, value=c.value, where=str(c.line), metric_name=c.metric_name)
        for c in data.values
    ]
    outcome = wbr(flywheel).record_observations(
        CommandContext(CEO, "t"), values, combine_same_day=True
    )
    assert outcome.recorded == 2
    assert flywheel.app.repository.get(MetricYear.create_id(org.selection, 2025)).values == {
        "2025-01-05": "1500",
        "2025-01-07": "5",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Day,Selection\n2025-01-05,1\n",
        "Date,Selection\nyesterday,1\n",
        "Date,Selection\n2025-01-05,x\n",
    ],
)
def test_malformed_csv_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        read_csv(text)


def test_the_owner_leader_writes_and_corrects_a_note(flywheel: Commands) -> None:
    org = company(flywheel)
    written = wbr(flywheel).write_note(
        CommandContext(RITA, "t"), org.selection, WriteNote(day=SUNDAY, text="Prime Day moved")
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: wbr(flywheel).write_note(
            CommandContext(FIN, "t"), org.selection, WriteNote(day=SUNDAY, text="x")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        Forbidden,
        lambda: wbr(flywheel).correct_note(
            CommandContext(FIN, "t"), written.id, CorrectNote(text="y", reason="z")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        NoteUnchanged,
        lambda: wbr(flywheel).correct_note(
            CommandContext(RITA, "t"), written.id, CorrectNote(text="Prime Day moved", reason="z")
        ),
    )
    refused_and_nothing_recorded(
        flywheel,
        InvalidValue,
        lambda: wbr(flywheel).correct_note(
            CommandContext(RITA, "t"), written.id, CorrectNote(text="Better", reason=" ")
        ),
    )
    wbr(flywheel).correct_note(
        CommandContext(CEO, "t"),
        written.id,
        CorrectNote(text="Prime Day moved to July", reason="Typo"),
    )
    note = flywheel.app.repository.get(written.id)
    assert isinstance(note, VarianceNote)
    assert (note.text, note.day, note.metric_id) == (
        "Prime Day moved to July",
        SUNDAY,
        org.selection,
    )
