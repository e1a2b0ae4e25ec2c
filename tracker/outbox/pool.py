"""Sender threads for an outbox: each keeps one connection-like resource (an HTTP session, an SMTP connection)
for all its sends and hands results back on a queue.

The threads are daemons: a worker told to stop does not wait for a receiver that hangs until its timeout; the
loop releases that claim instead. Threads start as work arrives, up to the pool's size.
"""

from __future__ import annotations

import contextlib
import os
import queue
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class Result(Generic[Item, Outcome]):
    """What became of one claimed row: its outcome, or None when it was not sent (stopping, or skipped)."""

    item: Item
    outcome: Outcome | None


class SenderPool(Generic[Item, Outcome]):
    """Up to ``size`` sender threads; ``send(item, resource)`` returns an outcome, or None for "not sent"."""

    def __init__(
        self,
        size: int,
        send: Callable[[Item, Any], Outcome | None],
        open_resource: Callable[[], Any],
        close_resource: Callable[[Any], None],
        name: str = "sender",
    ) -> None:
        """A pool with no threads yet."""
        self.size = max(1, size)
        self._send = send
        self._open = open_resource
        self._close = close_resource
        self._name = name
        self.results: queue.SimpleQueue[Result[Item, Outcome]] = queue.SimpleQueue()
        self._tasks: queue.SimpleQueue[Item | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._queued = 0  # submitted and not finished: how many threads are worth having
        # A byte on this pipe says "a result is ready": ``wait`` selects on it rather than waiting on the queue
        # with a timeout, so it also ends under libfaketime, whose faked monotonic clock never lets a timed lock
        # wait expire (the suite runs under it). Written and closed under ``_lock``, never after ``close``.
        self._ready_r, self._ready_w = os.pipe()
        os.set_blocking(self._ready_r, False)
        os.set_blocking(self._ready_w, False)
        self._closed = False

    def submit(self, items: list[Item]) -> None:
        """Queue claimed rows in claim order; threads are started up to ``size`` as they are needed."""
        with self._lock:
            self._queued += len(items)
        while len(self._threads) < min(self.size, self._queued):
            thread = threading.Thread(target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True)
            self._threads.append(thread)
            thread.start()
        for item in items:
            self._tasks.put(item)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for a result; whether one is ready (take it with ``results.get_nowait``)."""
        if not self.results.empty():
            return True
        select.select([self._ready_r], [], [], timeout)
        try:
            while os.read(self._ready_r, 4096):
                pass
        except BlockingIOError:
            pass
        return not self.results.empty()

    def close(self) -> None:
        """``stop``, and give back the pipe; a thread still sending (a receiver that hangs) writes no more to it."""
        self.stop()
        with self._lock:
            if not self._closed:
                self._closed = True
                os.close(self._ready_r)
                os.close(self._ready_w)

    def stop(self) -> None:
        """Start nothing new: queued rows come back unsent; the threads end once idle."""
        self._stopping.set()
        for _ in self._threads:
            self._tasks.put(None)

    def _work(self) -> None:
        resource = self._open()
        try:
            while True:
                item = self._tasks.get()
                if item is None:
                    return
                outcome = None if self._stopping.is_set() else self._send(item, resource)
                self.results.put(Result(item, outcome))
                with self._lock:
                    self._queued -= 1
                    if not self._closed:
                        # A full pipe means the loop has plenty to wake for already.
                        with contextlib.suppress(BlockingIOError):
                            os.write(self._ready_w, b"\0")
        finally:
            self._close(resource)
