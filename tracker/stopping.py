"""How long-running commands stop: SIGINT or SIGTERM sets one event the command's loop watches.

A worker told to stop finishes what it can within its own grace period and gives back what it claimed. If
something still holds the process well after that (a driver call that does not return, a stuck thread), the
watchdog prints every thread's stack to stderr, for the log, and ends the process; whatever it still had
claimed comes back when its lease lapses. A process manager that waits for the exit is never kept waiting.
"""

from __future__ import annotations

import faulthandler
import os
import signal
import sys
import threading
import time
from types import FrameType


def stop_event(*, watchdog_seconds: float | None = None) -> threading.Event:
    """An event set by SIGINT/SIGTERM; with ``watchdog_seconds``, the process is gone that long after it."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        if not stop.is_set() and watchdog_seconds is not None:
            threading.Thread(target=_watchdog, args=(watchdog_seconds,), name="watchdog", daemon=True).start()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    return stop


def _watchdog(seconds: float) -> None:
    """After ``seconds``, print every thread's stack to stderr and end the process (exit status 1).

    ``faulthandler.dump_traceback_later`` does the same from C, but with a timed lock wait, which never
    expires under libfaketime's faked monotonic clock (see ``pause``); this thread sleeps instead.
    """
    time.sleep(seconds)
    faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
    sys.stderr.flush()
    os._exit(1)


def pause(event: threading.Event, seconds: float) -> bool:
    """Wait until ``event`` is set or ``seconds`` pass; whether it was set (``Event.wait(seconds)``'s answer).

    It sleeps in slices of at most 50 ms instead of calling ``Event.wait(seconds)``: a set event
    is seen within that slice, and the wait also ends under libfaketime, with which the suite is run at a faked
    hour: on its faked monotonic clock a timed wait on a lock never expires (``time.sleep`` does).
    """
    deadline = time.monotonic() + seconds
    while not event.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(0.05, left))
    return True
