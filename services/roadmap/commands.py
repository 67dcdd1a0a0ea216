"""Commands on roadmap items: propose, the lifecycle, target dates, milestones,
check-ins, dependencies and transfers.

The owning team's leader or leadership proposes an item and changes it; the team's
members (and its leader, and leadership) check in on its health. An item from a
PR/FAQ needs the PR/FAQ approved, belongs to the PR/FAQ's team and takes the
``roadmap-prfaq`` claim, so a PR/FAQ becomes at most one item. A transfer is for the
owning team's leader or leadership, to an active team.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from uuid import UUID, uuid4

from domain.boundaries import Api, ApiStatus
from domain.claims import ClaimKind, normalised_name
from domain.errors import InvalidValue
from domain.org.team import Team, TeamDisbanded
from domain.people.values import Function
from domain.prfaqs import PrFaq, PrFaqState
from domain.roadmap import (
    ROADMAP_GRAPH_ID,
    ROADMAP_SETTINGS_ID,
    DependencyKind,
    Health,
    Horizon,
    RoadmapBaseline,
    RoadmapBaselineNameTaken,
    RoadmapGraph,
    RoadmapItem,
    RoadmapPrFaqNotApproved,
    RoadmapPrFaqTaken,
    RoadmapSettings,
)
from services.authorization import (
    require_leader_or_leadership,
    require_leadership,
    require_owner_or_leadership,
    require_team_member,
)
from services.commands import CommandBus, Outcome, UnitOfWork
from services.principal import Principal

MILESTONE = "RoadmapMilestone"  # what adding a milestone answers with


def _active_team(work: UnitOfWork, team_id: UUID) -> Team:
    team = work.get(Team, team_id, label="team")
    if team.disbanded:
        raise TeamDisbanded(
            f"Team '{team.name}' is disbanded and cannot own a roadmap item",
            team_id=str(team.id),
        )
    return team


def _owned(work: UnitOfWork, principal: Principal, item_id: UUID, action: str) -> RoadmapItem:
    item = work.get(RoadmapItem, item_id, label="roadmap item")
    require_owner_or_leadership(principal, work.get(Team, item.team_id, label="team"), action)
    return item


def _graph(work: UnitOfWork) -> RoadmapGraph:
    """The dependency graph's guard, read before any item: a change committed after this
    read bumps its version and makes this save conflict (and the command run again); one
    committed before it is already in the graph read."""
    return work.find(RoadmapGraph, ROADMAP_GRAPH_ID) or work.add(RoadmapGraph.start())


def _admit(work: UnitOfWork, item: RoadmapItem) -> None:
    """Leadership's PR/FAQ threshold, if set, for a new item or a new headcount."""
    settings = work.find(RoadmapSettings, ROADMAP_SETTINGS_ID)
    if settings is not None:
        settings.admit(item)


Change = Callable[[RoadmapItem], object]


class RoadmapCommands:
    def __init__(self, bus: CommandBus) -> None:
        self.bus = bus

    def propose(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        team_id: UUID | None,
        title: str,
        outcome: str,
        horizon: Horizon,
        goal_ids: list[UUID],
        headcount: Mapping[Function, int],
        prfaq_id: UUID | None = None,
    ) -> Outcome:
        """An item of ``team_id``'s roadmap; from an approved PR/FAQ, its team's."""

        def propose(work: UnitOfWork) -> RoadmapItem:
            owner_id = team_id
            if prfaq_id is not None:
                prfaq = work.get(PrFaq, prfaq_id, label="PR/FAQ")
                if prfaq.state is not PrFaqState.APPROVED:
                    raise RoadmapPrFaqNotApproved(
                        f"The PR/FAQ is {prfaq.state.value}; only an approved PR/FAQ becomes "
                        "a roadmap item",
                        prfaq_id=str(prfaq_id),
                        state=prfaq.state.value,
                    )
                owner_id = prfaq.team_id
            if owner_id is None:
                raise InvalidValue("teamId", "`teamId` is required for an item without a PR/FAQ")
            team = _active_team(work, owner_id)
            require_leader_or_leadership(principal, team, "Proposing a roadmap item")
            item = work.add(
                RoadmapItem.propose(
                    team_id=team.id,
                    title=title,
                    outcome=outcome,
                    horizon=horizon,
                    goal_ids=goal_ids,
                    headcount=headcount,
                    prfaq_id=prfaq_id,
                )
            )
            _admit(work, item)
            if prfaq_id is not None:
                other = work.claim(ClaimKind.ROADMAP_PRFAQ, str(prfaq_id), item.id)
                if other is not None:
                    raise RoadmapPrFaqTaken(
                        "The PR/FAQ is on the roadmap already",
                        prfaq_id=str(prfaq_id),
                        item_id=str(other),
                    )
            return item

        return self.bus.run(principal, correlation_id, propose)

    def _change(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        action: str,
        change: Change,
        expected_version: int | None,
    ) -> Outcome:
        def run(work: UnitOfWork) -> RoadmapItem:
            item = _owned(work, principal, item_id, action)
            change(item)
            return item

        return self.bus.run(principal, correlation_id, run, expected_version=expected_version)

    def commit(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        target_date: date,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Committing a roadmap item",
            lambda item: item.commit(target_date),
            expected_version,
        )

    def change_headcount(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        headcount: Mapping[Function, int],
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        """A new headcount for an open item, held to leadership's PR/FAQ threshold."""

        def change(work: UnitOfWork) -> RoadmapItem:
            item = _owned(work, principal, item_id, "Changing a roadmap item's headcount")
            item.change_headcount(headcount, reason)
            _admit(work, item)
            return item

        return self.bus.run(principal, correlation_id, change, expected_version=expected_version)

    def set_prfaq_threshold(
        self,
        principal: Principal,
        correlation_id: str,
        *,
        prfaq_required_above: int | None,
        reason: str | None = None,
    ) -> Outcome:
        """Leadership requires items needing more than ``prfaq_required_above`` people (in
        total) to come from a PR/FAQ; ``None`` lifts the rule."""
        require_leadership(principal, "Changing the roadmap settings")

        def change(work: UnitOfWork) -> RoadmapSettings:
            settings = work.find(RoadmapSettings, ROADMAP_SETTINGS_ID) or work.add(
                RoadmapSettings.start()
            )
            settings.require_prfaq_above(prfaq_required_above, reason)
            return settings

        return self.bus.run(principal, correlation_id, change)

    def start(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Starting a roadmap item",
            lambda item: item.start(),
            expected_version,
        )

    def pause(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Pausing a roadmap item",
            lambda item: item.pause(reason),
            expected_version,
        )

    def resume(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Resuming a roadmap item",
            lambda item: item.resume(),
            expected_version,
        )

    def deliver(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        note: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Delivering a roadmap item",
            lambda item: item.deliver(note),
            expected_version,
        )

    def drop(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Dropping a roadmap item",
            lambda item: item.drop(reason),
            expected_version,
        )

    def move_target_date(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        target_date: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Moving a roadmap item's target date",
            lambda item: item.move_target_date(target_date, reason),
            expected_version,
        )

    def add_milestone(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        name: str,
        on: date,
        expected_version: int | None = None,
    ) -> Outcome:
        """A dated milestone; the answer names it."""
        milestone_id = uuid4()  # the same id on every retry of the command

        def add(work: UnitOfWork) -> RoadmapItem:
            item = _owned(work, principal, item_id, "Adding a milestone")
            item.add_milestone(milestone_id, name, on)
            work.answer_with(MILESTONE, milestone_id)
            return item

        return self.bus.run(principal, correlation_id, add, expected_version=expected_version)

    def complete_milestone(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        milestone_id: UUID,
        *,
        expected_version: int | None = None,
    ) -> Outcome:
        return self._change(
            principal,
            correlation_id,
            item_id,
            "Marking a milestone done",
            lambda item: item.complete_milestone(milestone_id),
            expected_version,
        )

    def check_in(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        health: Health,
        note: str | None,
        path_back: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        def check_in(work: UnitOfWork) -> RoadmapItem:
            item = work.get(RoadmapItem, item_id, label="roadmap item")
            team = work.get(Team, item.team_id, label="team")
            require_team_member(principal, team, "Checking in on a roadmap item")
            item.check_in(health, note, path_back)
            return item

        return self.bus.run(principal, correlation_id, check_in, expected_version=expected_version)

    def depend_on_item(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        target_id: UUID,
        expected_version: int | None = None,
    ) -> Outcome:
        def depend(work: UnitOfWork) -> RoadmapItem:
            graph = _graph(work)
            item = _owned(work, principal, item_id, "Adding a dependency")
            work.get(RoadmapItem, target_id, label="roadmap item")

            def recorded_on_item(node: UUID) -> list[UUID]:
                found = work.find(RoadmapItem, node)
                return [] if found is None else found.item_dependencies()

            item.depend_on_item(
                target_id, lambda node: graph.dependencies_of(node, recorded_on_item)
            )
            graph.record(item)
            return item

        return self.bus.run(principal, correlation_id, depend, expected_version=expected_version)

    def depend_on_api(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        api_id: UUID,
        expected_version: int | None = None,
    ) -> Outcome:
        def depend(work: UnitOfWork) -> RoadmapItem:
            item = _owned(work, principal, item_id, "Adding a dependency")
            api = work.get(Api, api_id, label="API")
            item.depend_on_api(api_id, retired=api.status is ApiStatus.RETIRED)
            return item

        return self.bus.run(principal, correlation_id, depend, expected_version=expected_version)

    def remove_dependency(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        target_id: UUID,
        *,
        reason: str | None,
        expected_version: int | None = None,
    ) -> Outcome:
        def remove(work: UnitOfWork) -> RoadmapItem:
            graph = _graph(work)
            item = _owned(work, principal, item_id, "Removing a dependency")
            kind = item.dependencies.get(str(target_id))
            item.remove_dependency(target_id, reason)
            if kind == DependencyKind.ITEM.value:
                graph.record(item)
            return item

        return self.bus.run(principal, correlation_id, remove, expected_version=expected_version)

    def transfer(
        self,
        principal: Principal,
        correlation_id: str,
        item_id: UUID,
        *,
        to_team_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Outcome:
        def transfer(work: UnitOfWork) -> RoadmapItem:
            item = _owned(work, principal, item_id, "Transferring a roadmap item")
            _active_team(work, to_team_id)
            item.transfer(to_team_id, reason)
            return item

        return self.bus.run(principal, correlation_id, transfer, expected_version=expected_version)

    def record_baseline(self, principal: Principal, correlation_id: str, *, name: str) -> Outcome:
        """Leadership names the roadmaps as they stand a plan of record."""
        require_leadership(principal, "Recording a roadmap baseline")

        def record(work: UnitOfWork) -> RoadmapBaseline:
            baseline = work.add(RoadmapBaseline.record(name))
            key = normalised_name(baseline.name)
            other = work.claim(ClaimKind.ROADMAP_BASELINE, key, baseline.id)
            if other is not None:
                raise RoadmapBaselineNameTaken(
                    f"A baseline is already named '{baseline.name}'", baseline_id=str(other)
                )
            return baseline

        return self.bus.run(principal, correlation_id, record)
