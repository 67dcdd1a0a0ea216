"""Roadmaps as views: the items (their team, status, target date and health now),
every slip and pull-in, every check-in, the milestones and the dependencies."""

from __future__ import annotations

from typing import Any

import msgspec

from domain.allocation.cycle import AllocationCycle, CyclePhase
from domain.roadmap import (
    DependencyKind,
    ItemStatus,
    RoadmapBaseline,
    RoadmapItem,
    RoadmapSettings,
)
from projections.allocation.projector import ALLOCATION_CYCLES
from projections.batch import ViewBatch
from projections.projector import Projector
from projections.storable import storable_json
from projections.tables import TemporalTable, columns

ROADMAP_ITEMS = TemporalTable(
    name="roadmap_items",
    key=columns(("id", "uuid")),
    columns=columns(
        ("team_id", "uuid"),
        ("title", "text"),
        ("outcome", "text"),
        ("horizon", "text"),
        ("status", "text"),
        ("goal_ids", "uuid[]"),
        ("headcount", "jsonb"),
        ("prfaq_id", "uuid"),
        ("target_date", "date"),
        ("health", "text"),
        ("proposed_at", "timestamptz"),
        ("closed_at", "timestamptz"),
        ("close_note", "text"),
        ("version", "integer"),
    ),
    indexes=(("team_id",), ("prfaq_id",)),
)

# A slip (days > 0) or a pull-in (days < 0), numbered by the item's version.
ROADMAP_SLIPS = TemporalTable(
    name="roadmap_slips",
    key=columns(("item_id", "uuid"), ("number", "integer")),
    columns=columns(
        ("previous", "date"),
        ("target_date", "date"),
        ("days", "integer"),
        ("reason", "text"),
        ("at", "timestamptz"),
        ("actor", "text"),
    ),
)

ROADMAP_CHECK_INS = TemporalTable(
    name="roadmap_check_ins",
    key=columns(("item_id", "uuid"), ("number", "integer")),
    columns=columns(
        ("health", "text"),
        ("note", "text"),
        ("path_back", "text"),
        ("blindside", "boolean"),
        ("at", "timestamptz"),
        ("actor", "text"),
    ),
)

ROADMAP_MILESTONES = TemporalTable(
    name="roadmap_milestones",
    key=columns(("id", "uuid")),
    columns=columns(
        ("item_id", "uuid"),
        ("name", "text"),
        ("date", "date"),
        ("done", "boolean"),
        ("done_at", "timestamptz"),
    ),
    indexes=(("item_id",),),
)

ROADMAP_DEPENDENCIES = TemporalTable(
    name="roadmap_dependencies",
    key=columns(("item_id", "uuid"), ("target_id", "uuid")),
    columns=columns(("kind", "text"), ("added_at", "timestamptz")),
    indexes=(("target_id",),),
)

# A plan of record: every roadmap as of ``position`` (the lock's or the naming's
# own event). ``cycle_id`` names the locked cycle; null for a baseline leadership named.
ROADMAP_BASELINES = TemporalTable(
    name="roadmap_baselines",
    key=columns(("id", "uuid")),
    columns=columns(
        ("name", "text"),
        ("position", "bigint"),
        ("at", "timestamptz"),
        ("cycle_id", "uuid"),
        ("actor", "text"),
    ),
)

# Every change of leadership's roadmap settings, numbered by the settings' version; the
# current settings are the last change visible.
ROADMAP_SETTINGS = TemporalTable(
    name="roadmap_settings",
    key=columns(("number", "integer")),
    columns=columns(
        ("prfaq_required_above", "integer"),
        ("previous", "integer"),
        ("reason", "text"),
        ("at", "timestamptz"),
        ("actor", "text"),
    ),
)

roadmap = Projector(
    "roadmap",
    tables=[
        ROADMAP_ITEMS,
        ROADMAP_SLIPS,
        ROADMAP_CHECK_INS,
        ROADMAP_MILESTONES,
        ROADMAP_DEPENDENCIES,
        ROADMAP_BASELINES,
        ROADMAP_SETTINGS,
    ],
)

_encoder = msgspec.json.Encoder()


async def _item(views: ViewBatch, event: RoadmapItem.Event, **changes: Any) -> None:
    await views.update(
        ROADMAP_ITEMS, (event.originator_id,), version=event.originator_version, **changes
    )


@roadmap.on(RoadmapItem.Proposed)
async def proposed(event: RoadmapItem.Proposed, views: ViewBatch) -> None:
    views.put(
        ROADMAP_ITEMS,
        {
            "id": event.originator_id,
            "team_id": event.team_id,
            "title": event.title,
            "outcome": event.outcome,
            "horizon": event.horizon.value,
            "status": ItemStatus.PROPOSED.value,
            "goal_ids": list(event.goal_ids),
            "headcount": storable_json(event.headcount, _encoder.encode),
            "prfaq_id": event.prfaq_id,
            "target_date": None,
            "health": None,
            "proposed_at": views.now,
            "closed_at": None,
            "close_note": None,
            "version": event.originator_version,
        },
    )


@roadmap.on(RoadmapItem.Committed)
async def committed(event: RoadmapItem.Committed, views: ViewBatch) -> None:
    await _item(views, event, status=ItemStatus.COMMITTED.value, target_date=event.target_date)


@roadmap.on(RoadmapItem.Started)
async def started(event: RoadmapItem.Started, views: ViewBatch) -> None:
    await _item(views, event, status=ItemStatus.IN_PROGRESS.value)


@roadmap.on(RoadmapItem.Paused)
async def paused(event: RoadmapItem.Paused, views: ViewBatch) -> None:
    await _item(views, event, status=ItemStatus.PAUSED.value)


@roadmap.on(RoadmapItem.Resumed)
async def resumed(event: RoadmapItem.Resumed, views: ViewBatch) -> None:
    await _item(views, event, status=ItemStatus(event.status).value)


@roadmap.on(RoadmapItem.Delivered)
async def delivered(event: RoadmapItem.Delivered, views: ViewBatch) -> None:
    await _item(
        views,
        event,
        status=ItemStatus.DELIVERED.value,
        closed_at=views.now,
        close_note=event.note or None,
    )


@roadmap.on(RoadmapItem.Dropped)
async def dropped(event: RoadmapItem.Dropped, views: ViewBatch) -> None:
    await _item(
        views, event, status=ItemStatus.DROPPED.value, closed_at=views.now, close_note=event.reason
    )


@roadmap.on(RoadmapItem.TargetDateMoved)
async def target_date_moved(event: RoadmapItem.TargetDateMoved, views: ViewBatch) -> None:
    views.put(
        ROADMAP_SLIPS,
        {
            "item_id": event.originator_id,
            "number": event.originator_version,
            "previous": event.previous,
            "target_date": event.target_date,
            "days": event.days,
            "reason": event.reason,
            "at": views.now,
            "actor": event.actor,
        },
    )
    await _item(views, event, target_date=event.target_date)


@roadmap.on(RoadmapItem.MilestoneAdded)
async def milestone_added(event: RoadmapItem.MilestoneAdded, views: ViewBatch) -> None:
    views.put(
        ROADMAP_MILESTONES,
        {
            "id": event.milestone_id,
            "item_id": event.originator_id,
            "name": event.name,
            "date": event.date,
            "done": False,
            "done_at": None,
        },
    )
    await _item(views, event)


@roadmap.on(RoadmapItem.MilestoneDone)
async def milestone_done(event: RoadmapItem.MilestoneDone, views: ViewBatch) -> None:
    await views.update(ROADMAP_MILESTONES, (event.milestone_id,), done=True, done_at=views.now)
    await _item(views, event)


@roadmap.on(RoadmapItem.CheckedIn)
async def checked_in(event: RoadmapItem.CheckedIn, views: ViewBatch) -> None:
    views.put(
        ROADMAP_CHECK_INS,
        {
            "item_id": event.originator_id,
            "number": event.originator_version,
            "health": event.health.value,
            "note": event.note,
            "path_back": event.path_back or None,
            "blindside": event.blindside,
            "at": views.now,
            "actor": event.actor,
        },
    )
    await _item(views, event, health=event.health.value)


@roadmap.on(RoadmapItem.Transferred)
async def transferred(event: RoadmapItem.Transferred, views: ViewBatch) -> None:
    await _item(views, event, team_id=event.to_team_id)


@roadmap.on(RoadmapItem.DependencyAdded)
async def dependency_added(event: RoadmapItem.DependencyAdded, views: ViewBatch) -> None:
    views.put(
        ROADMAP_DEPENDENCIES,
        {
            "item_id": event.originator_id,
            "target_id": event.target_id,
            "kind": DependencyKind(event.kind).value,
            "added_at": views.now,
        },
    )
    await _item(views, event)


@roadmap.on(RoadmapItem.DependencyRemoved)
async def dependency_removed(event: RoadmapItem.DependencyRemoved, views: ViewBatch) -> None:
    views.end(ROADMAP_DEPENDENCIES, (event.originator_id, event.target_id))
    await _item(views, event)


@roadmap.on(RoadmapItem.HeadcountChanged)
async def headcount_changed(event: RoadmapItem.HeadcountChanged, views: ViewBatch) -> None:
    await _item(views, event, headcount=storable_json(event.headcount, _encoder.encode))


@roadmap.on(RoadmapSettings.PrFaqThresholdSet)
async def prfaq_threshold_set(event: RoadmapSettings.PrFaqThresholdSet, views: ViewBatch) -> None:
    views.put(
        ROADMAP_SETTINGS,
        {
            "number": event.originator_version,
            "prfaq_required_above": event.prfaq_required_above,
            "previous": event.previous,
            "reason": event.reason or None,
            "at": views.now,
            "actor": event.actor,
        },
    )


def _baseline(views: ViewBatch, event: Any, name: str, cycle_id: Any) -> None:
    views.put(
        ROADMAP_BASELINES,
        {
            "id": event.originator_id,
            "name": name,
            "position": views.position,
            "at": views.now,
            "cycle_id": cycle_id,
            "actor": event.actor,
        },
    )


@roadmap.on(RoadmapBaseline.Recorded)
async def baseline_recorded(event: RoadmapBaseline.Recorded, views: ViewBatch) -> None:
    _baseline(views, event, event.name, None)


@roadmap.on(AllocationCycle.PhaseAdvanced)
async def cycle_locked(event: AllocationCycle.PhaseAdvanced, views: ViewBatch) -> None:
    """Locking a cycle fixes the plan of record, named for the cycle (``FY2027 OP1``)."""
    if event.phase is CyclePhase.LOCKED:
        cycle = await views.require(ALLOCATION_CYCLES, (event.originator_id,))
        name = f"FY{cycle['fiscal_year']} {cycle['kind']}"
        _baseline(views, event, name, event.originator_id)
