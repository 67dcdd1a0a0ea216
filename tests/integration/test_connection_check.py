"""The pool's check on each checkout, without a round trip: a connection whose backend
the server ended is refused (and closed, so the pool drops it); a live one passes."""

from __future__ import annotations

import time

import psycopg
import pytest

from services.recorder import check_without_round_trip


def test_a_terminated_backend_is_refused_and_a_live_connection_passes(database_url: str) -> None:
    with (
        psycopg.connect(database_url, autocommit=True) as live,
        psycopg.connect(database_url, autocommit=True) as doomed,
    ):
        live.execute("SELECT 1")
        check_without_round_trip(live)  # idle, nothing unread: passes

        pid = doomed.info.backend_pid
        live.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while True:  # the server's notice and end of file reach the socket
            try:
                check_without_round_trip(doomed)
            except psycopg.OperationalError:
                break
            assert time.monotonic() < deadline, "the ended backend was never noticed"
            time.sleep(0.01)  # polling a condition (the socket), with a deadline
        assert doomed.closed, "closed, so that the pool drops it"
        with pytest.raises(psycopg.OperationalError):
            check_without_round_trip(doomed)
        check_without_round_trip(live)
