"""Log lines as JSON with correlation ids; the projection-lag arithmetic."""

from __future__ import annotations

import json
import logging

from services.observability import CorrelationFilter, JsonFormatter, LagTracker, correlation_id_var


def test_a_log_line_is_json_with_the_correlation_id() -> None:
    record = logging.LogRecord(
        "flywheel", logging.INFO, __file__, 1, "chartered %s", ("Payments",), None
    )
    token = correlation_id_var.set("req-7")
    try:
        CorrelationFilter().filter(record)
    finally:
        correlation_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "chartered Payments"
    assert line["correlation_id"] == "req-7"
    assert line["level"] == "INFO"


def test_lag_is_the_age_of_the_oldest_unprojected_event() -> None:
    tracker = LagTracker()
    assert tracker.observe(head=10, views=10, now=100.0) == (0, 0.0)
    assert tracker.observe(head=15, views=10, now=101.0) == (5, 0.0)
    assert tracker.observe(head=20, views=12, now=103.5) == (8, 2.5)
    assert tracker.observe(head=20, views=16, now=104.0) == (4, 0.5), "17 was first seen at 103.5"
    assert tracker.observe(head=20, views=20, now=105.0) == (0, 0.0)


def test_a_log_lines_fields_become_keys_of_its_json_object() -> None:
    record = logging.LogRecord(
        "projections.runner", logging.ERROR, __file__, 1, "stopped at %d", (42,), None
    )
    record.fields = {"position": 42, "event_type": "Team.Chartered", "error": "boom"}
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "stopped at 42"
    assert (line["position"], line["event_type"], line["error"]) == (42, "Team.Chartered", "boom")
