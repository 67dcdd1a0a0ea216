"""REST commands on metrics, under ``/api/v1/metrics``.

A metric is never a blend of other metrics. Bodies that ask for one through
``composedOf``, ``components`` or ``weights`` are decoded (rather than refused
as unknown fields) so that the refusal is the ``compound-metric`` rule, which
explains why, not a bare "unknown field".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller
from litestar.openapi.spec import OpenAPIType
from litestar.params import Parameter
from msgspec import Meta

from domain.metrics import (
    MAX_ABSOLUTE_VALUE,
    MAX_DEFINITION_LENGTH,
    MAX_HYPOTHESIS_LENGTH,
    MAX_NAME_LENGTH,
    MAX_REASON_LENGTH,
    MAX_UNIT_LENGTH,
    Aggregation,
    Direction,
    MetricKind,
)
from services.api.bodies import CommandBody
from services.api.commands import command
from services.api.text import LINE
from services.dates import YEARS, checked_date
from services.metrics.commands import MetricCommands

Number = Annotated[
    Decimal,
    Meta(
        extra_json_schema={
            "description": "A JSON number, kept exactly as sent; less than 10^18 in magnitude.",
            "examples": [1250.5],
            "extra": {
                "type": OpenAPIType.NUMBER,
                "exclusive_minimum": -int(MAX_ABSOLUTE_VALUE),
                "exclusive_maximum": int(MAX_ABSOLUTE_VALUE),
            },
        }
    ),
]
Definition = Annotated[str, Meta(min_length=1, max_length=MAX_DEFINITION_LENGTH)]
Reason = Annotated[str, Meta(min_length=1, max_length=MAX_REASON_LENGTH)]
Refused = Annotated[
    Any,
    Meta(
        description="Refused with the `compound-metric` rule when it names anything: a metric "
        "is never a weighted blend of other metrics, because a blend hides which input moved "
        "the output."
    ),
]


class AsksForBlend(CommandBody):
    """The fields by which a body could ask for a compound metric; all are refused."""

    composed_of: Refused = None
    components: Refused = None
    weights: Refused = None

    def blended(self) -> list[str]:
        """What the body asks to blend; empty when it asks for no blend."""
        named: list[str] = []
        for value in (self.composed_of, self.components, self.weights):
            if isinstance(value, dict):
                named.extend(str(key) for key in value)
            elif isinstance(value, list):
                named.extend(_describe(item) for item in value)
            elif value not in (None, ""):
                named.append(_describe(value))
        return list(dict.fromkeys(named))


def _describe(value: object) -> str:
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


class DefineMetric(AsksForBlend, kw_only=True):
    name: Annotated[
        str, Meta(min_length=1, max_length=MAX_NAME_LENGTH, examples=["In-stock selection"]), LINE
    ]
    kind: MetricKind
    unit: Annotated[str, Meta(min_length=1, max_length=MAX_UNIT_LENGTH, examples=["%"]), LINE]
    direction: Direction
    definition: Definition
    owner_team_id: UUID
    financial: bool = False
    aggregation: Aggregation | None = None


class RedefineMetric(AsksForBlend, kw_only=True):
    definition: Definition
    reason: Reason
    aggregation: Aggregation | None = None


class DeclareDriver(CommandBody):
    output_metric_id: UUID
    hypothesis: Annotated[str, Meta(min_length=1, max_length=MAX_HYPOTHESIS_LENGTH)]


class RecordObservation(CommandBody):
    period_end: Annotated[date, Meta(description=f"Years {YEARS}.")]
    value: Number
    reason: Reason | None = None

    def __post_init__(self) -> None:
        checked_date(self.period_end, "periodEnd")


MetricId = Annotated[UUID, Parameter(description="The metric's id (a UUID).")]


class MetricController(Controller):
    path = "/api/v1/metrics"
    tags = ["Metrics"]

    define = command(
        "/",
        status_code=201,
        summary="Define a metric",
        description="The owner team's leader or leadership defines an `INPUT` metric (a "
        "controllable action) or an `OUTPUT` metric (a lagging result); only outputs may be "
        "`financial`. Names are unique. A compound metric (`composedOf`, `components`, "
        "`weights`) is refused with the `compound-metric` rule.",
        runs=MetricCommands.define_metric,
        body=DefineMetric,
    )

    redefine = command(
        "/{metric_id:uuid}/definition",
        summary="Redefine a metric",
        description="A new version of the metric's definition, with the reason; the old "
        "versions are kept, and goals keep the version they were set against.",
        runs=MetricCommands.redefine_metric,
        ids=[MetricId],
        body=RedefineMetric,
    )

    declare_driver = command(
        "/{metric_id:uuid}/drives",
        summary="Declare an output metric this input metric drives",
        description="Only input -> output: an output metric drives nothing, and two input "
        "metrics are not linked. The hypothesis says why the input moves the output.",
        runs=MetricCommands.declare_driver,
        ids=[MetricId],
        body=DeclareDriver,
    )

    record_observation = command(
        "/{metric_id:uuid}/observations",
        summary="Record the metric's value for a period",
        description="One value per metric and period (`observation-exists` otherwise). "
        "With a `reason`, the value corrects the one recorded for that period; the old value "
        "stays in the history.",
        runs=MetricCommands.record_observation,
        ids=[MetricId],
        body=RecordObservation,
    )
