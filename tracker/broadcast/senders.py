"""The delivery worker's senders: daemon threads that POST claimed deliveries and hand back their outcomes.

Each thread keeps one pinned HTTP session, so connections to a receiver that keeps them open are reused
(every request is still resolved and checked against the SSRF policy). The threads are daemons: a worker
told to stop does not wait for a receiver that hangs until the read timeout; it releases that claim instead.

A claim may take up to twice as many rows as there are senders (the rest wait their turn here), so a 410 Gone
from a subscription's receiver stops the rest of the claimed batch for that subscription at once: a delivery
of it that has not started yet comes back unsent (``outcome`` None) and its claim is released.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from tracker.broadcast.sender import Outcome, SendSettings, send
from tracker.broadcast.transport import pinned_session

if TYPE_CHECKING:
    from tracker.broadcast.worker import Claimed


@dataclass(frozen=True)
class Result:
    """What became of one claimed delivery: its outcome, or None when it was not sent (gone, stopping)."""

    item: Claimed
    outcome: Outcome | None


class SenderPool:
    """Up to ``size`` sender threads, started as work arrives; results come back on ``results``."""

    def __init__(self, size: int, settings: SendSettings) -> None:
        """A pool with no threads yet."""
        self.size = max(1, size)
        self.settings = settings
        self.results: queue.SimpleQueue[Result] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[Claimed | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._gone: set[int] = set()  # subscriptions whose receiver answered 410 during this run
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._queued = 0  # tasks submitted and not finished: how many threads are worth having

    def submit(self, claimed: list[Claimed]) -> None:
        """Queue claimed deliveries, in claim order; threads are started up to ``size`` as they are needed."""
        with self._lock:
            self._queued += len(claimed)
        while len(self._threads) < min(self.size, self._queued):
            thread = threading.Thread(target=self._work, name=f"webhook-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()
        for item in claimed:
            self._tasks.put(item)

    def gone(self, subscription_id: int) -> bool:
        """Whether a receiver of this subscription answered 410 in this run."""
        with self._lock:
            return subscription_id in self._gone

    def stop(self) -> None:
        """Start nothing new: queued deliveries come back unsent; the threads end once idle."""
        self._stopping.set()
        for _ in self._threads:
            self._tasks.put(None)

    def _work(self) -> None:
        session = pinned_session(self.settings.policy, self.settings.user_agent)
        try:
            while True:
                item = self._tasks.get()
                if item is None:
                    return
                self.results.put(Result(item, self._send(item, session)))
                with self._lock:
                    self._queued -= 1

        finally:
            session.close()

    def _send(self, item: Claimed, session: requests.Session) -> Outcome | None:
        """Send one delivery, or None when it must not be sent (stopping, or its subscription said 410)."""
        if self._stopping.is_set() or self.gone(item.subscription_id):
            return None
        try:
            outcome = send(item.url, item.message_id, item.body, item.secrets, self.settings, session)
        except Exception as exc:  # a sender bug must not lose the delivery
            outcome = Outcome(False, None, 0, f"Intern fejl under afsendelse: {type(exc).__name__}")
        if outcome.gone:
            with self._lock:
                self._gone.add(item.subscription_id)
        return outcome
