"""``flywheel serve --workers N``: N server processes on one port, and the read side's
background work once, in the process that started them.

The parent opens the runtime (starting the embedded PostgreSQL if there is no
``DATABASE_URL``, and migrating), runs the projections, the digests and the webhooks
as ``flywheel project`` does, and hands the listening socket to N worker processes
(uvicorn's supervisor: it restarts a worker that dies and stops them all on SIGTERM).
Each worker is an API replica of the deployment's topology (docs/DEPLOY.md): it reads
the same settings with the database's address and ``FLYWHEEL_RUN_PROJECTIONS=false``,
so one process projects however many serve.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import sys
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from services.settings import ENVIRONMENT_VARIABLES, load_settings

# Command threads share the GIL with the event loop; a thread back from the database
# while holding the event store's table lock waits up to the switch interval for the
# GIL, and every other writer waits on that lock. 1 ms instead of 5 ms keeps that wait
# short (measured: bench/commands.py, 16 clients).
SWITCH_INTERVAL_SECONDS = 0.001


def worker_environment(database_url: str, read_url: str) -> dict[str, str]:
    """What a worker is told on top of the parent's environment: where the database is
    (the embedded one has no address until the parent starts it), that another
    process projects and migrates, and nothing else."""
    return {
        ENVIRONMENT_VARIABLES["database_url"]: database_url,
        ENVIRONMENT_VARIABLES["database_read_url"]: read_url,
        ENVIRONMENT_VARIABLES["run_projections"]: "false",
        ENVIRONMENT_VARIABLES["migrate_on_start"]: "false",
    }


def worker_app() -> Callable[..., object]:
    """The ASGI app of one worker process (uvicorn's factory, imported by name)."""
    from services.api.app import asgi_app
    from services.observability import configure_logging
    from services.runtime import Runtime

    settings = load_settings()
    configure_logging(settings.log_level.value, json_lines=settings.json_logs)
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    runtime = Runtime.open(settings)
    atexit.register(runtime.close)
    return asgi_app(runtime)


class BackgroundWork:
    """The projections, digests and webhooks (``Runtime.project``) on an event loop of
    their own, in a thread of the parent, while the workers serve."""

    def __init__(self, work: Callable[[asyncio.Event], Coroutine[Any, Any, None]]) -> None:
        self._work = work
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._main, name="flywheel-background")
        self.error: BaseException | None = None

    def _main(self) -> None:
        try:
            self._loop.run_until_complete(self._work(self._stop))
        except BaseException as error:  # kept for the parent, which reports it
            self.error = error
        finally:
            self._loop.close()

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        with contextlib.suppress(RuntimeError):  # the loop ended already
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
