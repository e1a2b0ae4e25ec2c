"""How long-running commands stop: SIGINT or SIGTERM sets one event the command's loop watches.

A worker told to stop finishes what it can within its own grace period and gives back what it claimed. If
something still holds the process well after that (a driver call that does not return, a stuck thread), the
watchdog prints every thread's stack to stderr, for the log, and ends the process; whatever it still had
claimed comes back when its lease lapses. A process manager that waits for the exit is never kept waiting.
"""

from __future__ import annotations

import faulthandler
import signal
import sys
import threading
from types import FrameType


def stop_event(*, watchdog_seconds: float | None = None) -> threading.Event:
    """An event set by SIGINT/SIGTERM; with ``watchdog_seconds``, the process is gone that long after it."""
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        if not stop.is_set() and watchdog_seconds is not None:
            faulthandler.dump_traceback_later(watchdog_seconds, exit=True, file=sys.stderr)
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    return stop
