"""The generated company's roadmaps: an item from each approved PR/FAQ, and items of
the teams' own.

Each plan year, about one team in three proposes an item of its own beside the items
from the year's approved PR/FAQs. Most are committed to a date in the year; some
slip (with a reason) or are pulled in, some depend on another team's item (each
addition recorded on the roadmap graph's guard, as the command does), most committed
ones start and half of those are delivered, a few are dropped. In the first year,
after its items, leadership requires items above three people to come from a PR/FAQ;
the generator then gives its own items at most three.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID

from bench.company_org import CHIEF, Org
from bench.company_prfaqs import PrFaqs
from bench.company_writer import Work, Writer
from domain.claims import ClaimKind
from domain.org.team import Team
from domain.prfaqs import PrFaqState
from domain.roadmap import Horizon, RoadmapGraph, RoadmapItem, RoadmapSettings

TEAMS_PER_ITEM = 3
PRFAQ_REQUIRED_ABOVE = 3
COMMIT, SLIP, DEPEND, START, DELIVER, DROP = 0.8, 0.3, 0.2, 0.7, 0.5, 0.05


@dataclass
class Roadmaps:
    org: Org
    prfaqs: PrFaqs
    rng: random.Random
    items: list[RoadmapItem] = field(default_factory=list)
    from_prfaqs: set[UUID] = field(default_factory=set)
    graph: RoadmapGraph | None = None
    settings: RoadmapSettings | None = None

    @property
    def writer(self) -> Writer:
        return self.org.writer

    def year(self, year: int) -> None:
        """This year's items, each taken as far along its lifecycle as it gets."""
        teams = [team for team in self.org.teams if not team.disbanded]
        for prfaq in self.prfaqs.written:
            if prfaq.state is PrFaqState.APPROVED and prfaq.id not in self.from_prfaqs:
                team = next((t for t in teams if t.id == prfaq.team_id), None)
                if team is not None:
                    self.from_prfaqs.add(prfaq.id)
                    self._live(self._propose(team, prfaq.content["title"], prfaq.id), year)
        for index in range(max(len(teams) // TEAMS_PER_ITEM, 3)):
            team = self.rng.choice(teams)
            self._live(self._propose(team, f"{team.name}: item {year}-{index}", None), year)
        if self.settings is None:
            with self.writer.command(CHIEF) as work:
                self.settings = work.add(RoadmapSettings.start())
                self.settings.require_prfaq_above(PRFAQ_REQUIRED_ABOVE, "Big bets start as PR/FAQs")

    def _propose(self, team: Team, title: str, prfaq_id: UUID | None) -> RoadmapItem:
        with self.writer.command(team.leader) as work:
            item = work.add(
                RoadmapItem.propose(
                    team_id=team.id,
                    title=title,
                    outcome="Customers wait less",
                    horizon=self.rng.choice(list(Horizon)),
                    goal_ids=[],
                    headcount={self.org.function(): self.rng.randint(1, self._most(prfaq_id))},
                    prfaq_id=prfaq_id,
                )
            )
            if prfaq_id is not None:
                work.claim(ClaimKind.ROADMAP_PRFAQ, str(prfaq_id), item.id)
        self.items.append(item)
        return item

    def _most(self, prfaq_id: UUID | None) -> int:
        """The most people an item is given: within leadership's threshold once it is set,
        unless it comes from a PR/FAQ."""
        if self.settings is None or prfaq_id is not None:
            return 4
        return PRFAQ_REQUIRED_ABOVE

    def _graph(self, work: Work) -> RoadmapGraph:
        if self.graph is None:
            self.graph = work.add(RoadmapGraph.start())
        else:
            work.touch(self.graph)
        return self.graph

    def _dependencies_of(self, item_id: UUID) -> list[UUID]:
        found = next((item for item in self.items if item.id == item_id), None)
        return [] if found is None else found.item_dependencies()

    def _live(self, item: RoadmapItem, year: int) -> None:
        team = next(t for t in self.org.teams if t.id == item.team_id)
        roll = self.rng.random
        if roll() >= COMMIT:
            return
        target = date(year, 1, 1) + timedelta(days=self.rng.randint(60, 330))
        with self.writer.command(team.leader) as work:
            work.touch(item)
            item.commit(target)
            if roll() < SLIP:
                days = self.rng.choice([-14, 7, 14, 30, 45])
                item.move_target_date(target + timedelta(days=days), "The estimate moved")
            others = [other for other in self.items[-20:] if other.team_id != item.team_id]
            if others and roll() < DEPEND:
                graph = self._graph(work)
                item.depend_on_item(
                    self.rng.choice(others).id,
                    lambda node: graph.dependencies_of(node, self._dependencies_of),
                )
                graph.record(item)
            if roll() < DROP:
                item.drop("Another bet first")
                return
            if roll() < START:
                item.start()
                if roll() < DELIVER:
                    item.deliver("Shipped")
