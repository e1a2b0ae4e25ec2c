"""Waking workers when the outbox gets rows: PostgreSQL ``LISTEN/NOTIFY``, polling as the fallback.

Whoever writes outbox rows calls ``announce`` in the same transaction: ``pg_notify`` is delivered when (and
only if) that transaction commits, and PostgreSQL folds identical notices of one transaction into one. A
worker's ``Waker`` holds one connection with ``LISTEN`` in a daemon thread and sets an event for its queue;
the worker waits on that event with its poll interval as the timeout, so a lost connection (reconnected with
a growing pause) or SQLite (no notices at all) only makes it as slow as polling.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tracker.stopping import pause

log = logging.getLogger(__name__)

CHANNEL = "tracker_outbox"


def announce(session: Session, queue_name: str) -> None:
    """Tell listening workers (at commit) that ``queue_name`` has new rows; nothing on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :queue)"), {"channel": CHANNEL, "queue": queue_name})


def _dsn(database_url: str) -> str | None:
    """A libpq connection string for a ``postgresql+psycopg://`` URL; None for any other database."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    rendered: str = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return rendered


class Waker:
    """Set when a notice for ``queue_name`` arrives; ``wait`` returns early then. Inert on SQLite."""

    def __init__(self, database_url: str, queue_name: str) -> None:
        """Start listening at once (on PostgreSQL), so no notice between now and the first wait is missed."""
        self.queue_name = queue_name
        self.event = threading.Event()
        self.listening = threading.Event()  # set while the LISTEN connection is up (tests and the bench wait on it)
        self._closed = threading.Event()
        self._dsn = _dsn(database_url)
        self._thread: threading.Thread | None = None
        if self._dsn is not None:
            self._thread = threading.Thread(target=self._listen, name=f"wake-{queue_name}", daemon=True)
            self._thread.start()

    @property
    def active(self) -> bool:
        """Whether notices can wake this worker at all (PostgreSQL)."""
        return self._thread is not None

    def wait(self, timeout: float) -> bool:
        """Wait until woken or ``timeout`` passes; True when woken. Clears the wake-up."""
        woken = pause(self.event, timeout)
        self.event.clear()
        return woken

    def close(self) -> None:
        """Stop listening (the thread ends within a second)."""
        self._closed.set()
        self.event.set()

    def _listen(self) -> None:
        import psycopg

        backoff = 0.5
        while not self._closed.is_set():
            try:
                with psycopg.connect(self._dsn or "", autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    self.event.set()  # rows committed while we were not listening are looked for at once
                    backoff = 0.5
                    while not self._closed.is_set():
                        for notice in conn.notifies(timeout=1.0):
                            if notice.payload == self.queue_name:
                                self.event.set()
            except Exception as exc:  # the database went away: poll meanwhile, reconnect with a growing pause
                self.listening.clear()
                log.warning("outbox listener for %s lost its connection (%s); polling", self.queue_name, exc)
                pause(self._closed, backoff)
                backoff = min(backoff * 2, 30.0)
        self.listening.clear()


def waker_for(app: Any, queue_name: str) -> Waker:
    """A ``Waker`` on the app's database."""
    return Waker(str(app.config["DATABASE_URL"]), queue_name)
