"""Commands on roadmap items: propose, the lifecycle, target dates, milestones,
check-ins, dependencies and transfers.

The owning team's leader or leadership proposes an item and changes it; the team's
members (and its leader, and leadership) check in on its health. An item from a
PR/FAQ needs the PR/FAQ approved, belongs to the PR/FAQ's team and takes the
``roadmap-prfaq`` claim, so a PR/FAQ becomes at most one item. A transfer is for the
owning team's leader or leadership, to an active team.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.boundaries import Api, ApiStatus
from domain.claims import ClaimKind, normalised_name
from domain.errors import InvalidValue
from domain.org.team import Team, TeamDisbanded
from domain.prfaqs import PrFaq, PrFaqState
from domain.roadmap import (
    ROADMAP_GRAPH_ID,
    ROADMAP_SETTINGS_ID,
    DependencyKind,
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
from services.commands import AreaCommands, Outcome, UnitOfWork
from services.principal import Principal

if TYPE_CHECKING:  # the bodies are the REST API's; a command only reads them
    from services.api.commands import CommandContext
    from services.roadmap.rest import (
        AddDependency,
        AddMilestone,
        ChangeHeadcount,
        CheckIn,
        CommitItem,
        DeliverItem,
        DropItem,
        MoveTargetDate,
        PauseItem,
        ProposeItem,
        RecordBaseline,
        RoadmapSettingsBody,
        TransferItem,
    )

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


class RoadmapCommands(AreaCommands):
    def propose(self, context: CommandContext, body: ProposeItem) -> Outcome:
        """An item of ``body.team_id``'s roadmap; from an approved PR/FAQ, its team's."""
        prfaq_id = body.prfaq_id

        def propose(work: UnitOfWork) -> RoadmapItem:
            owner_id = body.team_id
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
            require_leader_or_leadership(context.principal, team, "Proposing a roadmap item")
            item = work.add(
                RoadmapItem.propose(
                    team_id=team.id,
                    title=body.title,
                    outcome=body.outcome,
                    horizon=body.horizon,
                    goal_ids=body.goal_ids,
                    headcount=body.headcount,
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

        return self.run(context, propose, versioned=False)

    def _on(
        self,
        context: CommandContext,
        item_id: UUID,
        action: str,
        change: Callable[[RoadmapItem, UnitOfWork], object],
    ) -> Outcome:
        """Run ``change`` on the item once its owning team's leader or leadership is known
        to be calling, at the version ``If-Match`` names."""

        def run(work: UnitOfWork) -> RoadmapItem:
            item = _owned(work, context.principal, item_id, action)
            change(item, work)
            return item

        return self.run(context, run)

    def commit(self, context: CommandContext, item_id: UUID, body: CommitItem) -> Outcome:
        return self._on(
            context,
            item_id,
            "Committing a roadmap item",
            lambda item, _: item.commit(body.target_date),
        )

    def change_headcount(
        self, context: CommandContext, item_id: UUID, body: ChangeHeadcount
    ) -> Outcome:
        """A new headcount for an open item, held to leadership's PR/FAQ threshold."""

        def change(item: RoadmapItem, work: UnitOfWork) -> None:
            item.change_headcount(body.headcount, body.reason)
            _admit(work, item)

        return self._on(context, item_id, "Changing a roadmap item's headcount", change)

    def set_prfaq_threshold(self, context: CommandContext, body: RoadmapSettingsBody) -> Outcome:
        """Leadership requires items needing more than ``body.prfaq_required_above`` people
        (in total) to come from a PR/FAQ; ``None`` lifts the rule."""
        require_leadership(context.principal, "Changing the roadmap settings")

        def change(work: UnitOfWork) -> RoadmapSettings:
            settings = work.find(RoadmapSettings, ROADMAP_SETTINGS_ID) or work.add(
                RoadmapSettings.start()
            )
            settings.require_prfaq_above(body.prfaq_required_above, body.reason)
            return settings

        return self.run(context, change, versioned=False)

    def start(self, context: CommandContext, item_id: UUID) -> Outcome:
        return self._on(context, item_id, "Starting a roadmap item", lambda item, _: item.start())

    def pause(self, context: CommandContext, item_id: UUID, body: PauseItem) -> Outcome:
        return self._on(
            context, item_id, "Pausing a roadmap item", lambda item, _: item.pause(body.reason)
        )

    def resume(self, context: CommandContext, item_id: UUID) -> Outcome:
        return self._on(context, item_id, "Resuming a roadmap item", lambda item, _: item.resume())

    def deliver(self, context: CommandContext, item_id: UUID, body: DeliverItem) -> Outcome:
        return self._on(
            context, item_id, "Delivering a roadmap item", lambda item, _: item.deliver(body.note)
        )

    def drop(self, context: CommandContext, item_id: UUID, body: DropItem) -> Outcome:
        return self._on(
            context, item_id, "Dropping a roadmap item", lambda item, _: item.drop(body.reason)
        )

    def move_target_date(
        self, context: CommandContext, item_id: UUID, body: MoveTargetDate
    ) -> Outcome:
        return self._on(
            context,
            item_id,
            "Moving a roadmap item's target date",
            lambda item, _: item.move_target_date(body.target_date, body.reason),
        )

    def add_milestone(self, context: CommandContext, item_id: UUID, body: AddMilestone) -> Outcome:
        """A dated milestone; the answer names it."""
        milestone_id = uuid4()  # the same id on every retry of the command

        def add(item: RoadmapItem, work: UnitOfWork) -> None:
            item.add_milestone(milestone_id, body.name, body.date)
            work.answer_with(MILESTONE, milestone_id)

        return self._on(context, item_id, "Adding a milestone", add)

    def complete_milestone(
        self, context: CommandContext, item_id: UUID, milestone_id: UUID
    ) -> Outcome:
        return self._on(
            context,
            item_id,
            "Marking a milestone done",
            lambda item, _: item.complete_milestone(milestone_id),
        )

    def check_in(self, context: CommandContext, item_id: UUID, body: CheckIn) -> Outcome:
        def check_in(item: RoadmapItem, work: UnitOfWork) -> None:
            team = work.get(Team, item.team_id, label="team")
            require_team_member(context.principal, team, "Checking in on a roadmap item")
            item.check_in(body.health, body.note, body.path_back)

        return self.change(context, RoadmapItem, item_id, check_in, label="roadmap item")

    def add_dependency(
        self, context: CommandContext, item_id: UUID, body: AddDependency
    ) -> Outcome:
        """On another roadmap item (``body.item_id``) or on an API (``body.api_id``)."""
        if body.item_id is not None:
            return self._depend_on_item(context, item_id, body.item_id)
        assert body.api_id is not None
        return self._depend_on_api(context, item_id, body.api_id)

    def _depend_on_item(self, context: CommandContext, item_id: UUID, target_id: UUID) -> Outcome:
        def depend(work: UnitOfWork) -> RoadmapItem:
            graph = _graph(work)
            item = _owned(work, context.principal, item_id, "Adding a dependency")
            work.get(RoadmapItem, target_id, label="roadmap item")

            def recorded_on_item(node: UUID) -> list[UUID]:
                found = work.find(RoadmapItem, node)
                return [] if found is None else found.item_dependencies()

            item.depend_on_item(
                target_id, lambda node: graph.dependencies_of(node, recorded_on_item)
            )
            graph.record(item)
            return item

        return self.run(context, depend)

    def _depend_on_api(self, context: CommandContext, item_id: UUID, api_id: UUID) -> Outcome:
        def depend(item: RoadmapItem, work: UnitOfWork) -> None:
            api = work.get(Api, api_id, label="API")
            item.depend_on_api(api_id, retired=api.status is ApiStatus.RETIRED)

        return self._on(context, item_id, "Adding a dependency", depend)

    def remove_dependency(
        self, context: CommandContext, item_id: UUID, target_id: UUID, reason: str = ""
    ) -> Outcome:
        def remove(work: UnitOfWork) -> RoadmapItem:
            graph = _graph(work)
            item = _owned(work, context.principal, item_id, "Removing a dependency")
            kind = item.dependencies.get(str(target_id))
            item.remove_dependency(target_id, reason)
            if kind == DependencyKind.ITEM.value:
                graph.record(item)
            return item

        return self.run(context, remove)

    def transfer(self, context: CommandContext, item_id: UUID, body: TransferItem) -> Outcome:
        def transfer(item: RoadmapItem, work: UnitOfWork) -> None:
            _active_team(work, body.to_team_id)
            item.transfer(body.to_team_id, body.reason)

        return self._on(context, item_id, "Transferring a roadmap item", transfer)

    def record_baseline(self, context: CommandContext, body: RecordBaseline) -> Outcome:
        """Leadership names the roadmaps as they stand a plan of record."""
        require_leadership(context.principal, "Recording a roadmap baseline")

        def record(work: UnitOfWork) -> RoadmapBaseline:
            baseline = work.add(RoadmapBaseline.record(body.name))
            key = normalised_name(baseline.name)
            other = work.claim(ClaimKind.ROADMAP_BASELINE, key, baseline.id)
            if other is not None:
                raise RoadmapBaselineNameTaken(
                    f"A baseline is already named '{baseline.name}'", baseline_id=str(other)
                )
            return baseline

        return self.run(context, record, versioned=False)
