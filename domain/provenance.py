"""Who caused a change, and under which request.

Every event Flywheel records carries the acting principal and the request's
correlation id. The service layer opens an :func:`acting_as` block around a
command; :class:`~domain.aggregate.AttributedAggregate` stamps the provenance in
force onto each event it triggers. An event triggered outside such a block is a
programming error, so no event can be recorded without an author.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import uuid4


@dataclass(frozen=True)
class Provenance:
    actor: str
    correlation_id: str


class ProvenanceMissing(RuntimeError):
    """An event was triggered outside an ``acting_as`` block."""


_current: ContextVar[Provenance | None] = ContextVar("flywheel_provenance", default=None)


@contextmanager
def acting_as(actor: str, correlation_id: str | None = None) -> Iterator[Provenance]:
    provenance = Provenance(actor=actor, correlation_id=correlation_id or str(uuid4()))
    token = _current.set(provenance)
    try:
        yield provenance
    finally:
        _current.reset(token)


def current_provenance() -> Provenance:
    provenance = _current.get()
    if provenance is None:
        raise ProvenanceMissing(
            "Events must be triggered inside `acting_as(actor, correlation_id)`"
        )
    return provenance
