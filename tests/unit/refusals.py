"""What a refusal says: its rule, its text and its payload, compared whole.

A client reads all three (the problem's ``rule`` and ``detail``, the ids and the
``field`` it names), so tests compare all three: a rule that answers with the
wrong code, names the wrong field or drops an id fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.domain import Aggregate

from domain.errors import DomainError, InvalidValue

Refusal = tuple[type[DomainError], str, dict[str, Any]]


def refusal(command: Callable[[], object], *untouched: Aggregate) -> Refusal:
    """The refusal ``command`` meets; the ``untouched`` aggregates gain no event from it."""
    before = [(aggregate.version, len(aggregate.pending_events)) for aggregate in untouched]
    with pytest.raises(DomainError) as raised:
        command()
    after = [(aggregate.version, len(aggregate.pending_events)) for aggregate in untouched]
    assert after == before, "a refused command triggers no event"
    error = raised.value
    return type(error), error.detail, error.context


def invalid(field: str, detail: str) -> Refusal:
    return InvalidValue, detail, {"field": field}


def blank(field: str) -> Refusal:
    return invalid(field, f"`{field}` must not be blank")


def too_long(field: str, limit: int) -> Refusal:
    return invalid(field, f"`{field}` is longer than {limit} characters")
