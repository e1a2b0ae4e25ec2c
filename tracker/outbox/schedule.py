"""When a failed outbox row is tried again: a fixed schedule per queue, with jitter, honouring Retry-After."""

from __future__ import annotations

import random
from datetime import timedelta

from tracker.outbox.lease import Queue


def next_delay(
    queue: Queue, failures: int, retry_after: timedelta | None = None, rng: random.Random | None = None
) -> timedelta | None:
    """The wait after the ``failures``-th failed attempt; None when the schedule is used up (the row fails)."""
    if failures < 1 or failures > len(queue.schedule):
        return None
    base = queue.schedule[failures - 1]
    if queue.jitter:
        base = timedelta(seconds=base.total_seconds() * (1 + (rng or random).uniform(-queue.jitter, queue.jitter)))
    return max(base, retry_after) if retry_after else base
