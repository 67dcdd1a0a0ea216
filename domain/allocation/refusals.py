"""How the yearly allocation and disagree and commit refuse a command.

Each refusal is a 409 that names the broken rule; the docstrings are the
explanations the API publishes under ``/problems``. The rules themselves are
checked in the aggregate (``domain/allocation/cycle.py``). Disagree and commit's
own refusals are every decision's: ``domain/decisions.py``.
"""

from __future__ import annotations

from domain.errors import RuleViolation


class AllocationCycleExists(RuleViolation):
    """A fiscal year has at most one OP1 and one OP2: leadership referees resources once or
    twice a year, not continuously."""

    rule = "allocation-cycle-exists"


class Op1NotLocked(RuleViolation):
    """OP2 revisits a settled plan: it opens only once that fiscal year's OP1 is LOCKED, and
    starts from OP1's envelope and funding."""

    rule = "op1-not-locked"


class PhaseOutOfOrder(RuleViolation):
    """A cycle moves forward one phase at a time, OPEN -> REVIEW -> DECIDED -> LOCKED, and
    never steps back: requests are heard before decisions, decisions before commitment."""

    rule = "phase-out-of-order"


class RequestsClosed(RuleViolation):
    """Teams submit and revise requests while the cycle is OPEN; once leadership reviews,
    the asks stand as they are."""

    rule = "requests-closed"


class ReviewNotStarted(RuleViolation):
    """Decisions are recorded in REVIEW, after every team has had its say while the cycle
    was OPEN. Advance the cycle to REVIEW first."""

    rule = "review-not-started"


class CycleDecided(RuleViolation):
    """Once a cycle is DECIDED, its envelope, decisions, dissent and scenarios are settled:
    people now commit, and leadership locks the plan."""

    rule = "cycle-decided"


class CycleNotDecided(RuleViolation):
    """Commitment follows the decision: disagree while the cycle is OPEN or in REVIEW, and
    commit once it is DECIDED."""

    rule = "cycle-not-decided"


class CycleLocked(RuleViolation):
    """After the lock nothing changes except an amendment, a recorded exception with a reason
    and an approver. Falling back into daily resource contention is what the yearly cycle
    exists to prevent; the count of amendments shows how often it happens."""

    rule = "cycle-locked"


class CycleNotLocked(RuleViolation):
    """Amendments are exceptions to a locked plan. Before the lock, revise the decision
    itself."""

    rule = "cycle-not-locked"


class CycleCarriedForward(RuleViolation):
    """Once the year's OP2 has opened, OP1's numbers live on in OP2: change them there."""

    rule = "cycle-carried-forward"


class FundedBeyondRequest(RuleViolation):
    """A team is never funded beyond its request, in any function or in budget: the request
    says what the team needs for the goals it funds. In OP2, a team without a new request
    keeps OP1's funding as its ceiling."""

    rule = "funded-beyond-request"


class EnvelopeExceeded(RuleViolation):
    """The sum of what teams are funded never exceeds the envelope leadership set, in any
    function or in budget. Lower a decision first, or raise the envelope with a reason."""

    rule = "envelope-exceeded"


class RoadmapItemOfAnotherTeam(RuleViolation):
    """A request funds the team's own roadmap items: the funding goes to the team that
    asks, and an item's capacity is counted against its own team's funding. A subteam's
    items are funded by the subteam's own request."""

    rule = "allocation-item-of-another-team"


class RoadmapItemClosedForFunding(RuleViolation):
    """A request funds open roadmap items: a delivered or dropped item needs no people."""

    rule = "allocation-item-closed"


class GoalOfAnotherTeam(RuleViolation):
    """A request funds the team's own goals: every goal has exactly one owning team, which
    runs against it and asks for what it needs. The owning team requests for its goals."""

    rule = "goal-of-another-team"
