"""The hash chain's one definition: what makes a link verify, and what does not."""

from __future__ import annotations

from uuid import uuid4

from projections.chain import (
    ALTERED,
    BROKEN,
    GENESIS,
    NO_LINK,
    chain_hash,
    event_hash,
    link_problem,
)

AGGREGATE = uuid4()
TOPIC = "domain.org.team:Team.Chartered"
STATE = b'{"name": "Payments"}'


def test_a_link_verifies_only_with_its_bytes_and_its_predecessor() -> None:
    first = event_hash(1, AGGREGATE, 1, TOPIC, STATE)
    link = chain_hash(GENESIS, first)
    assert link_problem(GENESIS, 1, AGGREGATE, 1, TOPIC, STATE, first, link) is None
    assert link_problem(GENESIS, 1, str(AGGREGATE), 1, TOPIC, STATE, first, link) is None
    assert link_problem(GENESIS, 1, AGGREGATE, 1, TOPIC, STATE, None, None) == NO_LINK
    assert link_problem(GENESIS, 1, AGGREGATE, 1, TOPIC, STATE + b" ", first, link) == ALTERED
    assert link_problem(GENESIS, 2, AGGREGATE, 1, TOPIC, STATE, first, link) == ALTERED
    assert link_problem(link, 1, AGGREGATE, 1, TOPIC, STATE, first, link) == BROKEN
