"""The generated company's PR/FAQs: a funnel, not a tunnel.

Each plan year, members draft PR/FAQs for their teams (about one for every four
teams). Most stop early, on purpose: each ring advances about half of what it
reviews, stops a quarter and sends the rest back to revise once; a few are
withdrawn, a few stay drafts. Deciders are the rings' own: the team's leader, the
parent team's leader, then leadership.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from bench.company_org import CHIEF, Org
from bench.company_writer import Writer
from domain.org.team import Team
from domain.prfaqs import FaqAudience, PrFaq, Recommendation, Ring, content_of

TEAMS_PER_PRFAQ = 4
ADVANCE, STOP = 0.5, 0.25  # the rest: revise once, then decided again
WITHDRAW, UNREVIEWED = 0.05, 0.1


@dataclass
class PrFaqs:
    org: Org
    rng: random.Random
    written: list[PrFaq] = field(default_factory=list)

    @property
    def writer(self) -> Writer:
        return self.org.writer

    def year(self, year: int) -> None:
        """This year's PR/FAQs, each taken as far through the rings as it gets."""
        for index in range(max(len(self.org.teams) // TEAMS_PER_PRFAQ, 4)):
            team = self.rng.choice(self.org.teams)
            if team.disbanded:
                continue
            prfaq = self._draft(team, year, index)
            roll = self.rng.random()
            if roll < WITHDRAW:
                with self.writer.command(prfaq.author) as work:
                    work.touch(prfaq)
                    prfaq.withdraw("Another team took it on")
            elif roll >= WITHDRAW + UNREVIEWED:
                self._review(prfaq, team)

    def _draft(self, team: Team, year: int, index: int) -> PrFaq:
        author = self.rng.choice(sorted(team.members)) if team.members else team.leader
        content = content_of(
            title=f"{team.name}: idea {year}-{index}",
            heading=f"{team.name} launches idea {index}",
            subheading="Customers get what they asked for",
            customer=f"Customers of {team.name}",
            problem="They wait too long for what they need",
            solution="Build it so they do not",
            summary=f"From {year + 1}, customers of {team.name} wait less.",
            launch_date=date(year + 1, 1 + index % 12, 1),
            leader_quote="We start from the customer.",
            customer_quote="Finally.",
            faq=[(FaqAudience.INTERNAL, "What does it cost?", "Two engineers for a year.")],
        )
        with self.writer.command(author) as work:
            prfaq = work.add(PrFaq.draft(author=author, team_id=team.id, content=content))
        self.written.append(prfaq)
        return prfaq

    def _decider(self, team: Team, ring: Ring) -> str:
        if ring is Ring.TEAM:
            return team.leader
        parent = self.org.parent_of(team)
        if ring is Ring.ORG and parent is not None and not parent.disbanded:
            return parent.leader
        return CHIEF

    def _review(self, prfaq: PrFaq, team: Team) -> None:
        revised = False
        while not prfaq.state.closed:
            ring = prfaq.ring
            other = self.rng.choice(self.org.teams).leader
            reviewer = other if other != prfaq.author else CHIEF
            with self.writer.command(prfaq.author) as work:
                work.touch(prfaq)
                number = prfaq.open_review(ring, [reviewer])
            roll = self.rng.random()
            outcome = (
                Recommendation.ADVANCE
                if roll < ADVANCE
                else Recommendation.STOP
                if roll < ADVANCE + STOP or revised
                else Recommendation.REVISE
            )
            with self.writer.command(reviewer) as work:
                work.touch(prfaq)
                prfaq.give_feedback(number, reviewer, outcome, "Reviewed against the problem")
            with self.writer.command(self._decider(team, ring)) as work:
                work.touch(prfaq)
                prfaq.close_round(
                    number, outcome, "Not this year" if outcome is Recommendation.STOP else None
                )
            if outcome is Recommendation.REVISE:
                revised = True
                with self.writer.command(prfaq.author) as work:
                    work.touch(prfaq)
                    content = {**prfaq.content, "problem": "They wait days for what they need"}
                    prfaq.revise(content=content, team_id=None, reason="What the review asked")
