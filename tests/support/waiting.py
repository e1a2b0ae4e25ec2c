"""Waiting on a condition instead of on the clock: a loaded machine makes a test slower, never red."""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, text

# Generous on purpose: this bounds a hang, it measures nothing (speed lives in ``make bench``).
PATIENCE_SECONDS = 60.0


def wait_until(condition: Callable[[], object], *, what: str, timeout: float = PATIENCE_SECONDS) -> None:
    """Return as soon as ``condition()`` is true; fail naming ``what`` if it never becomes true."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


def lock_waiters(engine: Engine) -> int:
    """How many PostgreSQL sessions of this database are waiting on a lock right now (asked on a third connection)."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
            ).scalar_one()
        )
