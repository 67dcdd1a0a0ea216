"""Expected outcomes and the track record in GraphQL ("right a lot").

A decision (an approved PR/FAQ, an allocation cycle's decision) may state what it
expects; once the date has passed, the metric's observations say whether it came
true. The track record counts each decision-maker's outcomes, and the company's
splits the decisions that met dissent from those that did not.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, ClassVar, Self
from uuid import UUID

import strawberry

from domain.decisions import DecisionKind, OutcomeStatus
from projections.prfaqs import outcomes as report
from projections.prfaqs import queries as prfaq_queries
from services.graphql.common import (
    AsOf,
    AtPosition,
    FlywheelInfo,
    context,
    resolve_at,
)
from services.graphql.enums import graphql_enum
from services.graphql.people import LazyPerson, person_at
from services.graphql.relations import metric_field
from services.graphql.rows import FromRow

graphql_enum(
    DecisionKind,
    description="`PRFAQ`: a PR/FAQ's approval. `ALLOCATION`: an allocation cycle's decision.",
    PRFAQ="A PR/FAQ's approval.",
    ALLOCATION="An allocation cycle's decision.",
)
graphql_enum(
    OutcomeStatus,
    description="`PENDING`: its date has not passed. Then the metric's latest value in the "
    "month up to it decides: `MET` (reached, in the metric's better direction), `MISSED`, or "
    "`UNKNOWN` (no value in that month).",
    PENDING="Its date has not passed.",
    MET="The metric reached the expected value, in its better direction.",
    MISSED="The metric did not reach the expected value.",
    UNKNOWN="The metric has no value in the month up to the date.",
)


def today_of(as_of: datetime | None) -> date:
    """The day outcomes are judged on: that of ``asOf``, or today (UTC)."""
    return (as_of or datetime.now(UTC)).astimezone(UTC).date()


@strawberry.type(description="What a decision expects: a metric reaching a value by a date.")
class ExpectedOutcome(FromRow):
    COLUMNS: ClassVar = {
        "decision_kind": "kind",
        "decision_title": "title",
        "decided_by": "decider",
        "observed_value": "observed",
    }

    decision_id: UUID = strawberry.field(description="The PR/FAQ's or the cycle's id.")
    decision_kind: DecisionKind = strawberry.field(description="What kind of decision.")
    decision_title: str = strawberry.field(
        description="The PR/FAQ's title, or the cycle (`OP1 2027`)."
    )
    decided_by: LazyPerson = strawberry.field(
        description="Who decided (approved, or made DECIDED)."
    )
    decided_at: datetime = strawberry.field(description="When it was decided.")
    met_dissent: bool = strawberry.field(description="Whether the decision met dissent.")
    target: float = strawberry.field(description="The value the metric should reach.")
    by: date = strawberry.field(description="The date it should reach it by.")
    note: str = strawberry.field(description="Why this outcome is expected.")
    stated_by: LazyPerson = strawberry.field(description="Who stated it.")
    status: OutcomeStatus = strawberry.field(description="Whether it came true, as of the read.")
    observed_value: float | None = strawberry.field(
        description="The deciding value: the metric's latest in the month up to `by`."
    )
    observed_period_end: date | None = strawberry.field(
        description="The period end of the deciding value."
    )
    metric_id: strawberry.Private[UUID]
    at: strawberry.Private[int | None]

    metric = metric_field("The metric expected to move.")

    @classmethod
    def judged(cls, row: Any, at: int | None, today: date) -> Self:
        """The outcome a row states, its status as judged on ``today``."""
        return cls.from_row(
            row, at, met_dissent=row["dissents"] > 0, status=report.status_of(row, today)
        )


@strawberry.type(description="Outcomes by status, and the met rate.")
class OutcomeFigures(FromRow):
    decisions: int = strawberry.field(description="Decisions with an expected outcome.")
    outcomes: int = strawberry.field(description="Expected outcomes.")
    met: int = strawberry.field(description="Outcomes met.")
    missed: int = strawberry.field(description="Outcomes missed.")
    unknown: int = strawberry.field(description="Outcomes past their date with no value.")
    pending: int = strawberry.field(description="Outcomes whose date has not passed.")
    met_rate: float | None = strawberry.field(
        description="Met over met and missed; null while none is decided."
    )


@strawberry.type(description="A decision-maker's track record: were they right a lot?")
class TrackRecord:
    person: LazyPerson = strawberry.field(description="The decision-maker.")
    figures: OutcomeFigures = strawberry.field(description="Their outcomes by status.")


@strawberry.type(
    description="The company's track record, and whether decisions that met dissent fared "
    "worse or better than the rest."
)
class DecisionTrackRecord:
    overall: OutcomeFigures = strawberry.field(description="Every decided decision's outcomes.")
    with_dissent: OutcomeFigures = strawberry.field(
        description="The outcomes of decisions that met dissent."
    )
    without_dissent: OutcomeFigures = strawberry.field(
        description="The outcomes of decisions that met none."
    )
    by_decider: list[TrackRecord] = strawberry.field(
        description="Each decision-maker's record, by handle."
    )


async def outcomes_of_decision(
    info: FlywheelInfo, decision_id: UUID, at: int | None
) -> list[ExpectedOutcome]:
    rows = await context(info).load.prfaqs.outcomes.load(decision_id, at)
    today = today_of(None)
    return [ExpectedOutcome.judged(row, at, today) for row in rows]


@strawberry.type
class OutcomeQuery:
    @strawberry.field(
        description="Expected outcomes of decided decisions, soonest `by` first: with `by`, "
        "those due by that date; with `status`, those in that status."
    )
    async def expected_outcomes(
        self,
        info: FlywheelInfo,
        status: Annotated[
            OutcomeStatus | None, strawberry.argument(description="Only outcomes in this status.")
        ] = None,
        by: Annotated[
            date | None, strawberry.argument(description="Only outcomes due by this date.")
        ] = None,
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> list[ExpectedOutcome] | None:
        at = await resolve_at(info, as_of, at_position)
        today = today_of(as_of)
        rows = await prfaq_queries.expected_outcomes(
            context(info).views, at, prfaq_queries.OutcomeScope(by=by)
        )
        found = [ExpectedOutcome.judged(row, at, today) for row in rows]
        return [outcome for outcome in found if status is None or outcome.status is status]

    @strawberry.field(description="One decision-maker's track record.")
    async def track_record(
        self,
        info: FlywheelInfo,
        person: Annotated[str, strawberry.argument(description="The decision-maker's handle.")],
        as_of: AsOf = None,
        at_position: AtPosition = None,
    ) -> TrackRecord | None:
        at = await resolve_at(info, as_of, at_position)
        rows = await prfaq_queries.expected_outcomes(
            context(info).views, at, prfaq_queries.OutcomeScope(decider=person)
        )
        return TrackRecord(
            person=person_at(person, at),
            figures=OutcomeFigures.from_fields(report.figures(rows, today_of(as_of))),
        )

    @strawberry.field(
        description="The company's track record, split by whether decisions met dissent, and "
        "each decision-maker's."
    )
    async def decision_track_record(
        self, info: FlywheelInfo, as_of: AsOf = None, at_position: AtPosition = None
    ) -> DecisionTrackRecord | None:
        at = await resolve_at(info, as_of, at_position)
        today = today_of(as_of)
        rows = await prfaq_queries.expected_outcomes(
            context(info).views, at, prfaq_queries.OutcomeScope()
        )
        with_dissent, without_dissent = report.dissent_split(rows, today)
        return DecisionTrackRecord(
            overall=OutcomeFigures.from_fields(report.figures(rows, today)),
            with_dissent=OutcomeFigures.from_fields(with_dissent),
            without_dissent=OutcomeFigures.from_fields(without_dissent),
            by_decider=[
                TrackRecord(person=person_at(handle, at), figures=OutcomeFigures.from_fields(found))
                for handle, found in report.by_decider(rows, today).items()
            ],
        )
