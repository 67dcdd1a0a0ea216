"""Problem details as the app's exception handlers write them (no database)."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient

from domain.org.team import TeamDisbanded
from services.api.problems import EXCEPTION_HANDLERS
from services.commands import RETRY_AFTER_SECONDS, ConcurrentChange


@get("/contended", sync_to_thread=False)
def contended() -> None:
    raise ConcurrentChange("Gave up after 12 attempts", attempts=12)


@get("/broken-rule", sync_to_thread=False)
def broken_rule() -> None:
    raise TeamDisbanded("Team 'X' is disbanded")


def test_a_409_from_contention_says_when_to_retry_and_a_rule_does_not() -> None:
    app = Litestar([contended, broken_rule], exception_handlers=EXCEPTION_HANDLERS)
    with TestClient(app) as client:
        contention = client.get("/contended")
        rule = client.get("/broken-rule")
    assert contention.status_code == rule.status_code == 409
    assert contention.json()["rule"] == "concurrent-change"
    assert contention.headers["retry-after"] == str(RETRY_AFTER_SECONDS)
    assert "retry-after" not in rule.headers, "retrying cannot help a broken rule"
