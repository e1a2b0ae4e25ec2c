"""The service's one clock: what instant it is, and what day it is for the users.

Everything that decides by the time (a switch "on 1 March", a token's expiry, a digest's day, a webhook's
timestamp) asks here, never ``datetime.now()``/``date.today()``/``time.time()``; timers that only measure a
duration keep ``time.monotonic()``. Production reads the system clock. A test, a replay or a job run "as of"
an instant sets the clock for its context with ``clock_set_to``: this thread or task then reads that instant,
and every day, time stamp and "today in Denmark" moves with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

# A switch 'on 1 March' starts at Danish midnight: every "today" of the service is this zone's date.
DANISH_TIME = ZoneInfo("Europe/Copenhagen")

# A clock set for the current context (see ``clock_set_to``); None: the system clock.
_clock: ContextVar[Callable[[], datetime] | None] = ContextVar("tracker_clock", default=None)


def utcnow() -> datetime:
    """The current instant, aware UTC: the context's clock when one is set, else the system clock."""
    clock = _clock.get()
    return clock() if clock is not None else datetime.now(UTC)


def timestamp() -> float:
    """The current instant as seconds since the epoch (``time.time()`` by this clock)."""
    return utcnow().timestamp()


def today_in_denmark() -> date:
    """Today's date where the users are: the current instant in Copenhagen (not UTC's date, 1–2 hours behind)."""
    return utcnow().astimezone(DANISH_TIME).date()


@contextlib.contextmanager
def clock_set_to(clock: Callable[[], datetime]) -> Iterator[None]:
    """Within the block (this thread or task), the clock reads ``clock`` (aware instants): a replay at a given
    instant, or a test that must not depend on the day or hour it runs at. Jobs that take a ``clock`` argument
    get it passed."""
    token = _clock.set(clock)
    try:
        yield
    finally:
        _clock.reset(token)
