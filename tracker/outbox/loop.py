"""The outbox worker's cycle, the same for webhooks and mail: claim due rows as senders come free, send them
in parallel, record outcomes in batches, release what was not sent.

A ``Channel`` says how one outbox claims, sends and records; this module only schedules. At most
``concurrency`` sends run at once and up to twice as many rows are claimed, so one receiver that hangs holds
one sender until its timeout while claiming and sending go on. Outcomes are written together (at most
``record_batch`` per transaction, at the latest every ``RECORD_EVERY`` seconds). When ``stop`` is set, nothing
new starts; sends in flight get ``stop_seconds`` to finish, then their claims are released. Between rounds
``serve`` sleeps until the poll interval passes or a ``Waker`` (PostgreSQL ``LISTEN``) says rows arrived.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from tracker.db import Database
from tracker.outbox.lease import Queue, release
from tracker.outbox.pool import Result, SenderPool
from tracker.outbox.wake import Waker
from tracker.stopping import pause as wait_or_stop

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
RECORD_EVERY = 0.2  # seconds: the longest an outcome waits to be written with others


class Claim(Protocol):
    """A claimed row: its id and the lease token it was claimed with."""

    @property
    def row_id(self) -> int:
        """The outbox row's id."""

    @property
    def token(self) -> str:
        """The claim's token (``claimed_by``)."""


Item = TypeVar("Item", bound=Claim)
Outcome = TypeVar("Outcome")


class Channel(Protocol[Item, Outcome]):
    """How one outbox claims, sends and records. One object per run (it may keep per-run state)."""

    queue: Queue
    db: Database
    concurrency: int
    batch: int
    record_batch: int
    stop_seconds: float

    def claim(self, token: str, now: datetime, limit: int) -> list[Item]:
        """Claim up to ``limit`` due rows (committed) with what is needed to send them."""

    def open(self) -> Any:
        """A sender thread's resource (an HTTP session, an SMTP connection), kept for all its sends."""

    def close(self, resource: Any) -> None:
        """Close a sender thread's resource."""

    def send(self, item: Item, resource: Any) -> Outcome | None:
        """Send one row; None when it must not be sent now (its claim is released)."""

    def record(self, results: list[tuple[Item, Outcome]], now: datetime) -> dict[int, str]:
        """Write outcomes in one transaction; returns each row's new state by id (rows gone are left out)."""

    def urgent(self, outcome: Outcome) -> bool:
        """Whether this outcome must be written before anything more is claimed (e.g. a 410 Gone)."""


@dataclass
class RunReport:
    """What one run did: rows claimed, sent, failed (retry or given up), cancelled."""

    claimed: int = 0
    succeeded: int = 0
    failed: int = 0
    cancelled: int = 0
    states: dict[str, int] = field(default_factory=dict)


@dataclass
class _Run(Generic[Item, Outcome]):
    channel: Channel[Item, Outcome]
    clock: Clock
    report: RunReport = field(default_factory=RunReport)
    in_flight: dict[int, Item] = field(default_factory=dict)
    done: list[tuple[Item, Outcome]] = field(default_factory=list)
    unsent: list[Item] = field(default_factory=list)
    oldest_done: float = 0.0

    def take(self, result: Result[Item, Outcome]) -> None:
        """Note one sender result (a result of an earlier, released claim is ignored)."""
        if self.in_flight.pop(result.item.row_id, None) is None:
            return
        if result.outcome is None:
            self.unsent.append(result.item)
            return
        if not self.done:
            self.oldest_done = time.monotonic()
        self.done.append((result.item, result.outcome))

    def flush(self) -> None:
        """Write the outcomes collected so far in one transaction, and release what was not sent."""
        channel = self.channel
        if self.done:
            batch, self.done = self.done, []
            try:
                states = channel.record(batch, self.clock())
            except Exception:  # the leases lapse and the rows are taken again
                log.exception("could not record %s %s outcomes", len(batch), channel.queue.name)
                states = {}
            for state in states.values():
                self.report.states[state] = self.report.states.get(state, 0) + 1
                if state == channel.queue.done_state:
                    self.report.succeeded += 1
                elif state == "cancelled":
                    self.report.cancelled += 1
                elif state != "deleted":
                    self.report.failed += 1
        if self.unsent:
            unsent, self.unsent = self.unsent, []
            try:
                release(channel.db, channel.queue, [(i.row_id, i.token) for i in unsent])
            except Exception:  # the leases lapse instead
                log.exception("could not release %s unsent %s rows", len(unsent), channel.queue.name)


def run_once(
    channel: Channel[Item, Outcome],
    *,
    holder: str,
    clock: Clock,
    stop: threading.Event | None = None,
    poll: float = 1.0,
    waker: Waker | None = None,
) -> RunReport:
    """Send every row that is due now; returns when nothing due is left and nothing is in flight."""
    stop = stop or threading.Event()
    run: _Run[Item, Outcome] = _Run(channel, clock)
    pool: SenderPool[Item, Outcome] = SenderPool(
        channel.concurrency, channel.send, channel.open, channel.close, name=channel.queue.name
    )
    # Claimed rows out at once (sending, or queued for the next free sender): twice the senders, or what the
    # channel asks for (mail claims whole batches: each claim composes, and fewer claims cost less).
    capacity = max(2 * channel.concurrency, getattr(channel, "in_flight", 0))
    # Claim again once this many are free (a channel whose claim costs much, like mail's compose, asks for more).
    refill = min(channel.batch, getattr(channel, "claim_min", 0) or capacity // 8)
    exhausted_at: float | None = None
    rounds = 0
    idle = True
    try:
        while not stop.is_set():
            free = capacity - len(run.in_flight)
            woken = waker is not None and waker.event.is_set()
            may_claim = exhausted_at is None or woken or time.monotonic() - exhausted_at >= poll
            if free > 0 and may_claim and (idle or not run.in_flight or free >= refill):
                if woken and waker is not None:
                    waker.event.clear()
                rounds += 1
                claimed = channel.claim(f"{holder}:{rounds}", clock(), min(channel.batch, free))
                exhausted_at = None if claimed else time.monotonic()
                run.report.claimed += len(claimed)
                run.in_flight.update((item.row_id, item) for item in claimed)
                pool.submit(claimed)
            if not run.in_flight and exhausted_at is not None:
                break
            idle = not _collect(pool, run, timeout=0.05 if free > 0 and exhausted_at is None else RECORD_EVERY)
            due = run.done and (
                len(run.done) >= channel.record_batch
                or not run.in_flight
                or time.monotonic() - run.oldest_done >= RECORD_EVERY
                or any(channel.urgent(outcome) for _, outcome in run.done)
            )
            if due or run.unsent:
                run.flush()
        if stop.is_set():
            pool.stop()
            deadline = time.monotonic() + channel.stop_seconds
            while run.in_flight and time.monotonic() < deadline:
                _collect(pool, run, timeout=min(RECORD_EVERY, max(0.01, deadline - time.monotonic())))
            run.unsent.extend(run.in_flight.values())
            run.in_flight.clear()
    finally:
        pool.close()
        run.flush()
    return run.report


def _collect(pool: SenderPool[Item, Outcome], run: _Run[Item, Outcome], *, timeout: float) -> bool:
    """Wait up to ``timeout`` for a sender result, then take every result that is ready; whether any came."""
    if not pool.wait(timeout):
        return False
    while True:
        try:
            run.take(pool.results.get_nowait())
        except queue.Empty:
            return True


def pause(stop: threading.Event, seconds: float, waker: Waker | None) -> None:
    """Sleep between rounds: until ``seconds`` pass, ``stop`` is set, or the waker says rows arrived."""
    deadline = time.monotonic() + seconds
    while not stop.is_set():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        if waker is None or not waker.active:
            wait_or_stop(stop, left)
            continue
        if waker.wait(min(0.25, left)):
            waker.event.set()  # run_once claims at once when it sees the wake-up still set
            return


def serve(
    round_: Callable[[threading.Event, Waker | None], Any],
    stop: threading.Event,
    *,
    interval: float,
    waker: Waker | None,
    name: str,
) -> None:
    """Run ``round_`` until ``stop`` is set, pausing ``interval`` seconds (or until woken) between rounds."""
    try:
        while not stop.is_set():
            try:
                round_(stop, waker)
            except Exception:  # keep serving; the next round retries
                log.exception("%s round failed", name)
            pause(stop, interval, waker)
    finally:
        if waker is not None:
            waker.close()
