"""Commands on metrics: define, redefine, declare a driver, record an observation
(in the metric's year, :mod:`services.metrics.observations`; the command answers with
the metric, whose version a value does not change).

The owner team's leader or leadership may run them; leadership of the team is
read from the team as it stands on the write side, never from the token.
Metric names are unique through a ``metric-name`` claim saved with the metric.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID

from domain.claims import ClaimKind, normalised_name
from domain.metrics import Metric, MetricNameTaken
from domain.org.team import Team
from services.authorization import require_leader_or_leadership
from services.commands import AreaCommands, Outcome, UnitOfWork
from services.metrics.observations import year_of

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.metrics.rest import DeclareDriver, DefineMetric, RecordObservation, RedefineMetric


class MetricCommands(AreaCommands):
    def define_metric(self, context: CommandContext, body: DefineMetric) -> Outcome:
        def define(work: UnitOfWork) -> Metric:
            owner = work.get(Team, body.owner_team_id, label="team")
            require_leader_or_leadership(context.principal, owner, "Defining a metric")
            metric = work.add(
                Metric.define(
                    name=body.name,
                    kind=body.kind,
                    financial=body.financial,
                    unit=body.unit,
                    direction=body.direction,
                    definition=body.definition,
                    owner=owner,
                    composed_of=body.blended(),
                    aggregation=body.aggregation,
                )
            )
            other = work.claim(ClaimKind.METRIC_NAME, normalised_name(metric.name), metric.id)
            if other is not None:
                raise MetricNameTaken(
                    f"A metric is already named '{metric.name}'", metric_id=str(other)
                )
            return metric

        return self.run(context, define, versioned=False)

    def _by_owner(
        self,
        context: CommandContext,
        metric_id: UUID,
        action: str,
        decide: Callable[[Metric, UnitOfWork], object],
    ) -> Outcome:
        """Load the metric, check that its owner team's leader or leadership calls, decide."""

        def owned(metric: Metric, work: UnitOfWork) -> None:
            owner = work.get(Team, metric.owner_team_id, label="team")
            require_leader_or_leadership(context.principal, owner, action)
            decide(metric, work)

        return self.change(context, Metric, metric_id, owned, label="metric")

    def redefine_metric(
        self, context: CommandContext, metric_id: UUID, body: RedefineMetric
    ) -> Outcome:
        return self._by_owner(
            context,
            metric_id,
            "Redefining a metric",
            lambda metric, _work: metric.redefine(
                body.definition, body.reason, body.blended(), body.aggregation
            ),
        )

    def declare_driver(
        self, context: CommandContext, metric_id: UUID, body: DeclareDriver
    ) -> Outcome:
        def declare(metric: Metric, work: UnitOfWork) -> None:
            output = work.get(Metric, body.output_metric_id, label="output metric")
            metric.declare_driver(output, body.hypothesis)

        return self._by_owner(context, metric_id, "Declaring what a metric drives", declare)

    def record_observation(
        self, context: CommandContext, metric_id: UUID, body: RecordObservation
    ) -> Outcome:
        """A value for a period; with a reason, a correction of the value recorded before."""

        def record(metric: Metric, work: UnitOfWork) -> None:
            year = year_of(work, metric, body.period_end)
            if body.reason is None:
                year.observe(metric, body.period_end, body.value)
            else:
                year.correct(metric, body.period_end, body.value, body.reason)

        return self._by_owner(context, metric_id, "Recording a metric's value", record)
