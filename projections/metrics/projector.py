"""Metrics as views: the metrics, every version of their definitions, the metric
tree (input -> output drivers) and their observations (MetricYear's events, and the
metric's own from before values moved there)."""

from __future__ import annotations

from uuid import UUID

from domain.metrics import Metric, MetricYear
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.tables import TemporalTable, columns

METRICS = TemporalTable(
    name="metrics",
    key=columns(("id", "uuid")),
    columns=columns(
        ("name", "text"),
        ("kind", "text"),
        ("financial", "boolean"),
        ("unit", "text"),
        ("direction", "text"),
        ("aggregation", "text"),
        ("owner_team_id", "uuid"),
        ("definition", "text"),
        ("definition_version", "integer"),
        ("defined_at", "timestamptz"),
        ("version", "integer"),
    ),
    indexes=(("name",), ("owner_team_id",), ("kind", "name"), ("defined_at",)),
    searched=("name",),
)

METRIC_DEFINITIONS = TemporalTable(
    name="metric_definitions",
    key=columns(("metric_id", "uuid"), ("version", "integer")),
    columns=columns(("text", "text"), ("reason", "text"), ("since", "timestamptz")),
)

METRIC_DRIVERS = TemporalTable(
    name="metric_drivers",
    key=columns(("input_id", "uuid"), ("output_id", "uuid")),
    columns=columns(("hypothesis", "text"), ("since", "timestamptz")),
    indexes=(("output_id",),),
)

METRIC_OBSERVATIONS = TemporalTable(
    name="metric_observations",
    key=columns(("metric_id", "uuid"), ("period_end", "date")),
    columns=columns(
        ("value", "numeric"),
        ("recorded_at", "timestamptz"),
        ("corrections", "integer"),
        ("correction_reason", "text"),
    ),
)

metrics = Projector(
    "metrics", tables=[METRICS, METRIC_DEFINITIONS, METRIC_DRIVERS, METRIC_OBSERVATIONS]
)


async def _touch(views: ViewBatch, event: Metric.Event) -> None:
    await views.update(METRICS, (event.originator_id,), version=event.originator_version)


@metrics.on(Metric.Defined)
async def metric_defined(event: Metric.Defined, views: ViewBatch) -> None:
    views.put(
        METRICS,
        {
            "id": event.originator_id,
            "name": event.name,
            "kind": event.kind.value,
            "financial": event.financial,
            "unit": event.unit,
            "direction": event.direction.value,
            "aggregation": event.aggregation.value,
            "owner_team_id": event.owner_team_id,
            "definition": event.definition,
            "definition_version": 1,
            "defined_at": views.now,
            "version": event.originator_version,
        },
    )
    views.put(
        METRIC_DEFINITIONS,
        {
            "metric_id": event.originator_id,
            "version": 1,
            "text": event.definition,
            "reason": None,
            "since": views.now,
        },
    )


@metrics.on(Metric.Redefined)
async def metric_redefined(event: Metric.Redefined, views: ViewBatch) -> None:
    changes: dict[str, object] = {}
    if event.aggregation is not None:
        changes["aggregation"] = event.aggregation.value
    await views.update(
        METRICS,
        (event.originator_id,),
        definition=event.definition,
        definition_version=event.definition_version,
        version=event.originator_version,
        **changes,
    )
    views.put(
        METRIC_DEFINITIONS,
        {
            "metric_id": event.originator_id,
            "version": event.definition_version,
            "text": event.definition,
            "reason": event.reason,
            "since": views.now,
        },
    )


@metrics.on(Metric.DriverDeclared)
async def driver_declared(event: Metric.DriverDeclared, views: ViewBatch) -> None:
    views.put(
        METRIC_DRIVERS,
        {
            "input_id": event.originator_id,
            "output_id": event.output_metric_id,
            "hypothesis": event.hypothesis,
            "since": views.now,
        },
    )
    await _touch(views, event)


@metrics.on(MetricYear.Observed)
async def observed(event: MetricYear.Observed, views: ViewBatch) -> None:
    _observed(views, event.metric_id, event)


@metrics.on(MetricYear.ObservationCorrected)
async def observation_corrected(event: MetricYear.ObservationCorrected, views: ViewBatch) -> None:
    await _corrected(views, event.metric_id, event)


# Values recorded on the metric itself, before they moved to MetricYear: the same rows,
# and they moved the metric's version as they were its events. (MetricYear.Started
# carries such values again only for the write side's rules; it projects nothing.)


@metrics.on(Metric.Observed)
async def observed_on_metric(event: Metric.Observed, views: ViewBatch) -> None:
    _observed(views, event.originator_id, event)
    await _touch(views, event)


@metrics.on(Metric.ObservationCorrected)
async def observation_corrected_on_metric(
    event: Metric.ObservationCorrected, views: ViewBatch
) -> None:
    await _corrected(views, event.originator_id, event)
    await _touch(views, event)


def _observed(
    views: ViewBatch, metric_id: UUID, event: Metric.Observed | MetricYear.Observed
) -> None:
    views.put(
        METRIC_OBSERVATIONS,
        {
            "metric_id": metric_id,
            "period_end": event.period_end,
            "value": event.value,
            "recorded_at": views.now,
            "corrections": 0,
            "correction_reason": None,
        },
    )


async def _corrected(
    views: ViewBatch,
    metric_id: UUID,
    event: Metric.ObservationCorrected | MetricYear.ObservationCorrected,
) -> None:
    key = (metric_id, event.period_end)
    recorded = await views.require(METRIC_OBSERVATIONS, key)
    await views.update(
        METRIC_OBSERVATIONS,
        key,
        value=event.value,
        recorded_at=views.now,
        corrections=recorded["corrections"] + 1,
        correction_reason=event.reason,
    )


@metrics.on(Metric.GoalBound)
async def goal_bound(event: Metric.GoalBound, views: ViewBatch) -> None:
    await _touch(views, event)
