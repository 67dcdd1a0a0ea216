"""Commands on metrics: define, redefine, declare a driver, record an observation.

The owner team's leader or leadership may run them; leadership of the team is
read from the team as it stands on the write side, never from the token.
Metric names are unique through a ``metric-name`` claim saved with the metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from uuid import UUID

from domain.claims import ClaimKind, normalised_name
from domain.metrics import Aggregation, Direction, Metric, MetricKind, MetricNameTaken
from domain.org.team import Team
from services.authorization import require_leader_or_leadership
from services.commands import CommandBus, Outcome, UnitOfWork
from services.principal import Principal


def _owned_metric(work: UnitOfWork, principal: Principal, metric_id: UUID, action: str) -> Metric:
    """The metric, once the caller is known to lead its owner team or be leadership."""
    metric = work.get(Metric, metric_id, label="metric")
    owner = work.get(Team, metric.owner_team_id, label="team")
    require_leader_or_leadership(principal, owner, action)
    return metric


class MetricCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def define_metric(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        name: str,
        kind: MetricKind,
        financial: bool,
        unit: str,
        direction: Direction,
        definition: str,
        owner_team_id: UUID,
        composed_of: Sequence[str] = (),
        aggregation: Aggregation | None = None,
    ) -> Outcome:
        def define(work: UnitOfWork) -> Metric:
            owner = work.get(Team, owner_team_id, label="team")
            require_leader_or_leadership(principal, owner, "Defining a metric")
            metric = work.add(
                Metric.define(
                    name=name,
                    kind=kind,
                    financial=financial,
                    unit=unit,
                    direction=direction,
                    definition=definition,
                    owner=owner,
                    composed_of=composed_of,
                    aggregation=aggregation,
                )
            )
            other = work.claim(ClaimKind.METRIC_NAME, normalised_name(metric.name), metric.id)
            if other is not None:
                raise MetricNameTaken(
                    f"A metric is already named '{metric.name}'", metric_id=str(other)
                )
            return metric

        return self.bus.run(principal, correlation_id, define)

    def redefine_metric(
        self,
        principal: Principal,
        correlation_id: str,
        metric_id: UUID,
        *,
        definition: str,
        reason: str,
        composed_of: Sequence[str] = (),
        expected_version: int | None = None,
        aggregation: Aggregation | None = None,
    ) -> Outcome:
        def redefine(work: UnitOfWork) -> Metric:
            metric = _owned_metric(work, principal, metric_id, "Redefining a metric")
            metric.redefine(definition, reason, composed_of, aggregation)
            return metric

        return self.bus.run(principal, correlation_id, redefine, expected_version=expected_version)

    def declare_driver(
        self,
        principal: Principal,
        correlation_id: str,
        metric_id: UUID,
        *,
        output_metric_id: UUID,
        hypothesis: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def declare(work: UnitOfWork) -> Metric:
            metric = _owned_metric(work, principal, metric_id, "Declaring what a metric drives")
            output = work.get(Metric, output_metric_id, label="output metric")
            metric.declare_driver(output, hypothesis)
            return metric

        return self.bus.run(principal, correlation_id, declare, expected_version=expected_version)

    def record_observation(
        self,
        principal: Principal,
        correlation_id: str,
        metric_id: UUID,
        *,
        period_end: date,
        value: Decimal,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Outcome:
        """A value for a period; with a reason, a correction of the value recorded before."""

        def record(work: UnitOfWork) -> Metric:
            metric = _owned_metric(work, principal, metric_id, "Recording a metric's value")
            if reason is None:
                metric.observe(period_end, value)
            else:
                metric.correct(period_end, value, reason)
            return metric

        return self.bus.run(principal, correlation_id, record, expected_version=expected_version)
