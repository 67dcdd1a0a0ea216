"""What "the database went away" looks like through asyncpg."""

from __future__ import annotations

import asyncpg
from asyncpg.exceptions import OperatorInterventionError

CONNECTION_LOST: tuple[type[Exception], ...] = (
    OSError,  # refused, reset, unreachable
    TimeoutError,  # no answer in time
    asyncpg.PostgresConnectionError,  # the connection broke or could not be made
    OperatorInterventionError,  # the server is shutting down or starting up
    asyncpg.InterfaceError,  # the connection was closed under us
)
