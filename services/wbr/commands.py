"""Commands of the weekly business review: observations in bulk, variance notes.

**Bulk observations** follow the single observation's rules (one value per metric and
period; a different value for a recorded period needs a reason and is recorded as
a correction), for every metric named, all or nothing: every metric is loaded,
every value checked, and every event (in each metric's years) saved in one atomic
write. A value equal to
the one recorded is no change and records nothing, so a warehouse export can be
sent again. Several values for one metric and date in a CSV (wbr-app's daily rows)
are first combined by the metric's aggregation.

The caller must lead the owner team of every metric named, or be leadership.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from domain.claims import Claim, ClaimKind, claim_id, normalised_name
from domain.errors import InvalidValue, NotFound
from domain.metrics import Metric
from domain.org.team import Team
from domain.wbr import VarianceNote, combine
from services.authorization import require_leader_or_leadership
from services.commands import AreaCommands, Outcome, UnitOfWork
from services.metrics.observations import year_of

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.wbr.rest import CorrectNote, WriteNote

MAX_OBSERVATIONS = 100_000


@dataclass(frozen=True)
class BulkValue:
    """One value sent: its metric (by id, or by name as a CSV column names it), the period's
    end, the number, a reason when it corrects a recorded value, and where it was sent
    (``observations[3]``, ``line 12``) for refusals."""

    period_end: date
    value: Decimal
    where: str
    metric_id: UUID | None = None
    metric_name: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class BulkOutcome:
    """How many values were recorded, corrected and found unchanged, for how many
    metrics, and the log position reached (None when nothing changed)."""

    recorded: int
    corrected: int
    unchanged: int
    metrics: int
    position: int | None


class _NothingChanged(Exception):
    pass


def _prefixed(error: Exception, where: str) -> Exception:
    """The same refusal, saying which value it is about."""
    if isinstance(error, InvalidValue):
        return InvalidValue(error.field, f"{where}: {error.detail}")
    if isinstance(error, NotFound):
        return error
    detail = getattr(error, "detail", str(error))
    return type(error)(f"{where}: {detail}", **getattr(error, "context", {}))


class WbrCommands(AreaCommands):
    def record_observations(
        self,
        context: CommandContext,
        values: Sequence[BulkValue],
        *,
        combine_same_day: bool = False,
    ) -> BulkOutcome:
        """Record every value or none (see the module's docstring)."""
        if not values:
            raise InvalidValue("observations", "Send at least one observation")
        if len(values) > MAX_OBSERVATIONS:
            raise InvalidValue("observations", f"At most {MAX_OBSERVATIONS} observations at once")
        counts: dict[str, int] = {}

        def record(work: UnitOfWork) -> Metric:
            by_name: dict[str, Metric] = {}
            owners_checked: set[UUID] = set()

            def metric_of(value: BulkValue) -> Metric:
                if value.metric_id is not None:
                    metric = work.find(Metric, value.metric_id)
                    if metric is None:
                        raise NotFound("metric", value.metric_id)
                else:
                    name = normalised_name(value.metric_name or "")
                    found = by_name.get(name)
                    if found is None:
                        claim = work.find(Claim, claim_id(ClaimKind.METRIC_NAME, name))
                        holder = claim.holder if claim is not None else None
                        metric_found = work.find(Metric, holder) if holder else None
                        if metric_found is None:
                            raise InvalidValue(
                                value.metric_name or "metric",
                                f"{value.where}: no metric is named `{value.metric_name}`",
                            )
                        found = by_name[name] = metric_found
                    metric = found
                if metric.id not in owners_checked:
                    owner = work.get(Team, metric.owner_team_id, label="team")
                    require_leader_or_leadership(
                        context.principal, owner, f"Recording the values of '{metric.name}'"
                    )
                    owners_checked.add(metric.id)
                return metric

            grouped: dict[tuple[UUID, date], list[BulkValue]] = defaultdict(list)
            metrics: dict[UUID, Metric] = {}
            for value in values:
                metric = metric_of(value)
                metrics[metric.id] = metric
                key = (metric.id, value.period_end)
                if grouped[key] and not combine_same_day:
                    raise InvalidValue(
                        "observations",
                        f"{value.where}: '{metric.name}' has a second value for "
                        f"{value.period_end.isoformat()} in this upload (one per metric and "
                        "period)",
                    )
                grouped[key].append(value)
            recorded = corrected = unchanged = 0
            target: Metric | None = None
            for (metric_id, period_end), sent in sorted(
                grouped.items(), key=lambda item: (str(item[0][0]), item[0][1])
            ):
                metric = metrics[metric_id]
                number = combine(metric.aggregation, [value.value for value in sent])
                assert number is not None
                last = sent[-1]
                year = year_of(work, metric, period_end)
                previous = year.value(period_end)
                try:
                    if previous is not None and previous == number:
                        unchanged += 1
                        continue
                    if previous is None:
                        year.observe(metric, period_end, number)
                        recorded += 1
                    elif last.reason is None:
                        year.observe(metric, period_end, number)  # refused: observation-exists
                    else:
                        year.correct(metric, period_end, number, last.reason)
                        corrected += 1
                except Exception as error:
                    raise _prefixed(error, last.where) from error
                target = target or metric
            counts.update(
                recorded=recorded, corrected=corrected, unchanged=unchanged, metrics=len(metrics)
            )
            if target is None:
                raise _NothingChanged
            return target

        try:
            outcome = self.run(context, record, versioned=False)
        except _NothingChanged:
            return BulkOutcome(0, 0, counts["unchanged"], counts["metrics"], None)
        return BulkOutcome(
            counts["recorded"],
            counts["corrected"],
            counts["unchanged"],
            counts["metrics"],
            outcome.position,
        )

    def write_note(self, context: CommandContext, metric_id: UUID, body: WriteNote) -> Outcome:
        """The metric's owner team leader or leadership notes a variance for a date."""

        def write(work: UnitOfWork) -> VarianceNote:
            metric = work.get(Metric, metric_id, label="metric")
            owner = work.get(Team, metric.owner_team_id, label="team")
            require_leader_or_leadership(context.principal, owner, "Writing a variance note")
            return work.add(VarianceNote.write(metric, body.day, body.text))

        return self.run(context, write, versioned=False)

    def correct_note(self, context: CommandContext, note_id: UUID, body: CorrectNote) -> Outcome:
        """A new text for a note, with the reason; as writing, the owner's leader or leadership."""

        def correct(work: UnitOfWork) -> VarianceNote:
            note = work.get(VarianceNote, note_id, label="variance note")
            metric = work.get(Metric, note.metric_id, label="metric")
            owner = work.get(Team, metric.owner_team_id, label="team")
            require_leader_or_leadership(context.principal, owner, "Correcting a variance note")
            note.correct(body.text, body.reason)
            return note

        return self.run(context, correct)
