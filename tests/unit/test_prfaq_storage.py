"""PR/FAQs survive the event store's encoding and snapshots, in memory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

from domain.decisions import ExpectedOutcome
from domain.people.values import PersonId
from domain.prfaq import PrFaq, PrFaqState, Recommendation, Ring
from services.application import SNAPSHOT_INTERVAL, Flywheel
from tests.unit.test_prfaq import AUTHOR, REVIEWER, full


def test_a_prfaq_comes_back_as_itself_from_events_and_from_a_snapshot() -> None:
    app = Flywheel(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    prfaq = PrFaq.draft(author=AUTHOR, team_id=uuid4(), content=full())
    for revision in range(SNAPSHOT_INTERVAL):
        prfaq.revise(content=full(problem=f"Problem {revision}"), team_id=None, reason="r")
    dissent = uuid4()
    prfaq.record_dissent(dissent, PersonId("bo@x.io"), "Costly")
    for ring in Ring:
        number = prfaq.open_review(ring, [REVIEWER])
        prfaq.give_feedback(number, REVIEWER, Recommendation.ADVANCE, "Good")
        if ring is Ring.CEO:
            prfaq.weigh_dissent(dissent, "Heard")
        prfaq.close_round(number, Recommendation.ADVANCE, None)
    prfaq.commit(PersonId("bo@x.io"))
    prfaq.expect(ExpectedOutcome(uuid4(), Decimal("90.5"), date(2026, 6, 30), "n"))
    app.save(prfaq)
    app.take_snapshot(prfaq.id)  # a snapshot holding the rounds, dissent and commitment
    assert app.snapshots is not None
    assert [s.originator_version for s in app.snapshots.get(prfaq.id)][-1] == prfaq.version

    loaded = app.repository.get(prfaq.id)
    assert isinstance(loaded, PrFaq)
    assert (loaded.state, loaded.ring) == (PrFaqState.APPROVED, Ring.CEO)
    assert loaded.content == prfaq.content and loaded.content_hash == prfaq.content_hash
    assert loaded.rounds == prfaq.rounds
    assert (loaded.dissents, loaded.committed) == (prfaq.dissents, prfaq.committed)
    assert loaded.uncommitted_dissenters == []
    assert loaded.version == prfaq.version
