"""Logs and metrics.

**Logs** are one JSON object per line (``FLYWHEEL_LOG_FORMAT=json``, the default
in production) with the request's correlation id on every line logged while
serving it. Nothing logs headers or tokens; settings are never logged.

**Metrics** are Prometheus text at ``/metrics``: requests by route template,
method and status with latency histograms (Litestar's Prometheus middleware),
commands by outcome and rule, the projection lag in events and seconds, and
whether the projection runner (in this process or another) stopped at an event
it cannot apply: where, and the event's type.

A log line's ``extra={"fields": {...}}`` become keys of its JSON object, so a
log pipeline can select on them (the runner logs a stall's position, event type
and error so).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec
from prometheus_client import Counter, Gauge

from projections.status import Stall, ViewsStatus

correlation_id_var: ContextVar[str | None] = ContextVar("flywheel_correlation_id", default=None)

COMMANDS = Counter(
    "flywheel_commands_total",
    "Commands received over REST, by outcome and, for refusals, the rule.",
    ["outcome", "rule"],
)
PROJECTION_LAG_EVENTS = Gauge(
    "flywheel_projection_lag_events", "Events in the log not yet in the views."
)
PROJECTION_LAG_SECONDS = Gauge(
    "flywheel_projection_lag_seconds",
    "Age of the oldest event not yet in the views, as seen by this process.",
)
VIEWS_POSITION = Gauge("flywheel_views_position", "The log position the views have reached.")
LOG_HEAD = Gauge("flywheel_log_head_position", "The last position in the event log.")
STALLED_POSITION = Gauge(
    "flywheel_projection_stalled_position",
    "The position of the event the projection runner stopped at because it cannot apply "
    "it (the views stand just before it); 0 while it applies every event.",
)
STALLED = Gauge(
    "flywheel_projection_stalled",
    "1 while the projection runner is stopped at an event, labelled with the event's "
    "type and why: `chain` (its hash-chain link does not verify) or `error` (applying it "
    "failed). The full error is in the runner's log and in /readyz.",
    ["event_type", "cause"],
)

OUTCOMES = {
    200: "accepted",
    201: "accepted",
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "refused",
    412: "version_mismatch",
    413: "invalid",
    422: "invalid",
    429: "rate_limited",
    503: "unavailable",
}
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def count_command(method: str, path: str, status: int, rule: str | None = None) -> None:
    """Count a REST command's outcome (other requests are not commands)."""
    if method in COMMAND_METHODS and path.startswith("/api/"):
        COMMANDS.labels(outcome=OUTCOMES.get(status, "error"), rule=rule or "").inc()


# -- logs -----------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    _encoder = msgspec.json.Encoder()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlation_id = getattr(record, "correlation_id", None)
        if correlation_id:
            entry["correlation_id"] = correlation_id
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._encoder.encode(entry).decode()


class CorrelationFilter(logging.Filter):
    """Adds the current request's correlation id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = correlation_id_var.get()
        return True


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s]: %(message)s"


def configure_logging(level: str, *, json_lines: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(CorrelationFilter())
    handler.setFormatter(JsonFormatter() if json_lines else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        server_logger = logging.getLogger(name)
        server_logger.handlers[:] = []
        server_logger.propagate = True
    # pgserver logs every initdb and pg_ctl line at INFO; Flywheel says where the data is.
    logging.getLogger("pgserver").setLevel(max(logging.WARNING, root.level))


# -- projection lag --------------------------------------------------------


class LagTracker:
    """Remembers when this process first saw each log head, to age the backlog."""

    def __init__(self, samples: int = 512) -> None:
        self._seen: deque[tuple[int, float]] = deque(maxlen=samples)

    def observe(self, head: int, views: int, now: float | None = None) -> tuple[int, float]:
        now = time.monotonic() if now is None else now
        if not self._seen or head > self._seen[-1][0]:
            self._seen.append((head, now))
        while self._seen and self._seen[0][0] <= views:
            self._seen.popleft()
        lag_events = max(head - views, 0)
        lag_seconds = now - self._seen[0][1] if lag_events and self._seen else 0.0
        LOG_HEAD.set(head)
        VIEWS_POSITION.set(views)
        PROJECTION_LAG_EVENTS.set(lag_events)
        PROJECTION_LAG_SECONDS.set(lag_seconds)
        return lag_events, lag_seconds


def observe_stall(stall: Stall | None) -> None:
    STALLED.clear()
    STALLED_POSITION.set(0 if stall is None else stall.position)
    if stall is not None:
        STALLED.labels(event_type=stall.event_type, cause=stall.cause).set(1)


async def track_lag(
    status: Callable[[], Awaitable[ViewsStatus | None]],
    stop: asyncio.Event,
    every: float = 2.0,
) -> None:
    tracker = LagTracker()
    while not stop.is_set():
        seen = await status()
        if seen is not None:
            tracker.observe(seen.head, seen.position)
            observe_stall(seen.stall)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
