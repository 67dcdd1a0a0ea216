"""Goals as views: each goal's current state, every target it had, every check-in.

A check-in is a *blindside* when it is RED and the goal's previous check-in was
GREEN: the goal went from on track to off track with no YELLOW warning between.
A goal keeps ``blindside`` once it has had one. ``fresh_at`` is when the goal
last showed signs of life (its last check-in, else when it was set), which is
what ``staleGoals`` measures.

A check-in writes no version of ``goals``: half the log is check-ins, and each used
to copy the goal's whole row. ``goal_check_ins`` is keyed by the goal alone, so its
versions are the goal's check-ins, each the goal's *latest* check-in from its position
(``valid_from``) until the next one closes it. What a goal's progress is (status,
blindside, the latest check-in's time, freshness, the version) is read from the
goal's version and its latest check-in at the same position
(``projections/goals/queries.py``): a check-in carries the goal's version it made and
whether the goal has had a blindside by then (``blindsided``).
"""

from __future__ import annotations

from domain.goals import CheckInStatus, Goal
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.tables import TemporalTable, columns

GOALS = TemporalTable(
    name="goals",
    key=columns(("id", "uuid")),
    columns=columns(
        ("team_id", "uuid"),
        ("metric_id", "uuid"),
        ("metric_definition_version", "integer"),
        ("plan_year", "integer"),
        ("baseline", "numeric"),
        ("target", "numeric"),
        ("due_date", "date"),
        ("description", "text"),
        ("top_level", "boolean"),
        ("outcome", "text"),
        ("closing_note", "text"),
        ("closed_at", "timestamptz"),
        ("set_at", "timestamptz"),
        ("set_position", "bigint"),
        ("version", "integer"),
    ),
    indexes=(
        ("team_id", "plan_year"),
        ("plan_year",),
        ("metric_id",),
        ("set_position",),
        ("due_date",),
    ),
)

GOAL_TARGETS = TemporalTable(
    name="goal_targets",
    key=columns(("goal_id", "uuid"), ("since_position", "bigint")),
    columns=columns(("target", "numeric"), ("reason", "text"), ("since", "timestamptz")),
)

# A goal's check-ins: each version is one check-in (its position is ``valid_from``).
GOAL_CHECK_INS = TemporalTable(
    name="goal_check_ins",
    key=columns(("goal_id", "uuid")),
    columns=columns(
        ("status", "text"),
        ("note", "text"),
        ("path_to_green", "text"),
        ("at", "timestamptz"),
        ("actor", "text"),
        ("blindside", "boolean"),
        ("blindsided", "boolean"),
        ("goal_version", "integer"),
    ),
)

goals = Projector("goals", tables=[GOALS, GOAL_TARGETS, GOAL_CHECK_INS])


def is_blindside(previous: str | None, status: CheckInStatus) -> bool:
    return previous == CheckInStatus.GREEN.value and status is CheckInStatus.RED


@goals.on(Goal.Set)
async def goal_set(event: Goal.Set, views: ViewBatch) -> None:
    views.put(
        GOALS,
        {
            "id": event.originator_id,
            "team_id": event.team_id,
            "metric_id": event.metric_id,
            "metric_definition_version": event.metric_definition_version,
            "plan_year": event.plan_year,
            "baseline": event.baseline,
            "target": event.target,
            "due_date": event.due_date,
            "description": event.description,
            "top_level": False,
            "outcome": None,
            "closing_note": None,
            "closed_at": None,
            "set_at": views.now,
            "set_position": views.position,
            "version": event.originator_version,
        },
    )
    views.put(
        GOAL_TARGETS,
        {
            "goal_id": event.originator_id,
            "since_position": views.position,
            "target": event.target,
            "reason": None,
            "since": views.now,
        },
    )


@goals.on(Goal.TargetRevised)
async def target_revised(event: Goal.TargetRevised, views: ViewBatch) -> None:
    await views.update(
        GOALS, (event.originator_id,), target=event.target, version=event.originator_version
    )
    views.put(
        GOAL_TARGETS,
        {
            "goal_id": event.originator_id,
            "since_position": views.position,
            "target": event.target,
            "reason": event.reason,
            "since": views.now,
        },
    )


@goals.on(Goal.CheckedIn)
async def checked_in(event: Goal.CheckedIn, views: ViewBatch) -> None:
    previous = await views.get(GOAL_CHECK_INS, (event.originator_id,))
    blindside = is_blindside(None if previous is None else previous["status"], event.status)
    views.put(
        GOAL_CHECK_INS,
        {
            "goal_id": event.originator_id,
            "status": event.status.value,
            "note": event.note,
            "path_to_green": event.path_to_green,
            "at": views.now,
            "actor": event.actor,
            "blindside": blindside,
            "blindsided": blindside or (previous is not None and previous["blindsided"]),
            "goal_version": event.originator_version,
        },
    )


@goals.on(Goal.TopLevelFlagged)
async def top_level_flagged(event: Goal.TopLevelFlagged, views: ViewBatch) -> None:
    await views.update(
        GOALS, (event.originator_id,), top_level=True, version=event.originator_version
    )


@goals.on(Goal.TopLevelUnflagged)
async def top_level_unflagged(event: Goal.TopLevelUnflagged, views: ViewBatch) -> None:
    await views.update(
        GOALS, (event.originator_id,), top_level=False, version=event.originator_version
    )


@goals.on(Goal.Closed)
async def goal_closed(event: Goal.Closed, views: ViewBatch) -> None:
    await views.update(
        GOALS,
        (event.originator_id,),
        outcome=event.outcome.value,
        closing_note=event.note,
        closed_at=views.now,
        version=event.originator_version,
    )
