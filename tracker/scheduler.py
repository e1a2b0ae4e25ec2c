"""The scheduler process: a declarative job list, run by exactly one active scheduler (leader lock).

PostgreSQL: a session-level advisory lock held on a dedicated connection (released when the process dies).
SQLite: a lease row renewed well before it expires; a standby takes over once it has lapsed.
Each job runs in its own app context and transaction and leaves a ``job_run`` row.
"""

from __future__ import annotations

import importlib
import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import IntegrityError

from scrapers import SOURCES
from tracker.clock import utcnow
from tracker.db import get_db
from tracker.models import JobRun, SchedulerLease
from tracker.stopping import pause

log = logging.getLogger(__name__)

ADVISORY_LOCK_KEY = 0x7475_7472  # 'tutr': any constant unique to this service
LEASE_NAME = "scheduler"


@dataclass(frozen=True)
class Job:
    """A job: stable id, dotted path of a function taking the app, and its interval."""

    id: str
    func: str
    seconds: int
    jitter: int = 0
    kwargs: dict[str, Any] = field(default_factory=dict)


def jobs(app: Flask) -> list[Job]:
    """The declarative job list, read from configuration once."""
    result = [
        Job(
            "deliver_webhooks",
            "tracker.broadcast.worker:scheduled_run",
            app.config["DELIVERY_INTERVAL_SECONDS"],
        ),
        Job("send_mail", "tracker.notify.worker:scheduled_run", app.config["MAIL_INTERVAL_SECONDS"]),
        # What the passing days move in municipalities' actions (a switch day reached, a group that has left).
        Job("follow_actions", "tracker.actions.sync:scheduled_follow", 3600),
    ]
    for key in SOURCES:
        result.append(
            Job(
                f"scrape:{key}",
                "tracker.ingest.services:scheduled_scrape",
                app.config["SCRAPE_INTERVAL_MINUTES"] * 60,
                jitter=app.config["SCRAPE_JITTER_SECONDS"],
                kwargs={"source_key": key},
            )
        )
    return result


def _resolve(path: str) -> Callable[..., Any]:
    module, _, name = path.partition(":")
    func: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return func


def run_job(app: Flask, job: Job, holder: str) -> None:
    """Run one job with a ``job_run`` record; errors are logged and recorded, never raised into APScheduler."""
    db = get_db(app)
    with db.unit_of_work() as session:
        run = JobRun(job_id=job.id, holder=holder)
        session.add(run)
    try:
        with app.app_context():
            _resolve(job.func)(app, **job.kwargs)
        outcome, error = "ok", None
    except Exception as exc:
        log.exception("job %s failed", job.id)
        outcome, error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
    with db.unit_of_work() as session:
        row = session.get(JobRun, run.id)
        if row is not None:
            row.finished_at, row.outcome, row.error = utcnow(), outcome, error


class LeaderLock:
    """Exactly one active scheduler across processes and machines sharing the database."""

    def __init__(self, app: Flask, holder: str) -> None:
        """Prepare the lock for the app's database."""
        self.app = app
        self.holder = holder
        self.lease = timedelta(seconds=app.config["SCHEDULER_LEASE_SECONDS"])
        self.engine = get_db(app).engine
        self._conn: Connection | None = None

    @property
    def postgres(self) -> bool:
        """Whether the advisory lock (rather than the lease row) is used."""
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        """Try once to become (or stay) leader."""
        if self.postgres:
            if self._conn is not None:
                return self._still_connected()
            conn = self.engine.connect()
            got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY}).scalar())
            conn.commit()
            if got:
                self._conn = conn
            else:
                conn.close()
            return got
        return self._renew_lease()

    def _still_connected(self) -> bool:
        assert self._conn is not None
        try:
            self._conn.execute(text("SELECT 1"))
            self._conn.commit()
            return True
        except Exception:
            self._conn = None
            return False

    def _renew_lease(self) -> bool:
        now = utcnow()
        with get_db(self.app).unit_of_work() as session:
            row = session.scalar(select(SchedulerLease).where(SchedulerLease.name == LEASE_NAME).with_for_update())
            if row is None:
                session.add(SchedulerLease(name=LEASE_NAME, holder=self.holder, expires_at=now + self.lease))
                try:
                    session.flush()
                except IntegrityError:
                    return False
                return True
            if row.holder != self.holder and row.expires_at > now:
                return False
            row.holder, row.expires_at = self.holder, now + self.lease
            return True

    def release(self) -> None:
        """Give up leadership (on shutdown), so a standby can take over at once."""
        if self.postgres:
            if self._conn is not None:
                try:
                    self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                    self._conn.commit()
                finally:
                    self._conn.close()
                    self._conn = None
            return
        with get_db(self.app).unit_of_work() as session:
            row = session.get(SchedulerLease, LEASE_NAME)
            if row is not None and row.holder == self.holder:
                session.delete(row)


def holder_id() -> str:
    """A name for this process: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def serve(app: Flask, stop: threading.Event, *, poll_seconds: float | None = None) -> None:
    """Stand by until leader, then run the jobs until stopped or leadership is lost."""
    holder = holder_id()
    lock = LeaderLock(app, holder)
    poll = poll_seconds or max(1.0, lock.lease.total_seconds() / 3)
    scheduler: BackgroundScheduler | None = None
    try:
        while not stop.is_set():
            leader = lock.acquire()
            if leader and scheduler is None:
                log.info("scheduler %s is leader; starting %d jobs", holder, len(jobs(app)))
                scheduler = _start(app, holder)
            elif not leader and scheduler is not None:
                log.warning("scheduler %s lost leadership; stopping jobs", holder)
                scheduler.shutdown(wait=False)
                scheduler = None
            pause(stop, poll)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=True)
        lock.release()


def _start(app: Flask, holder: str) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1})
    for job in jobs(app):
        # First runs are spread out so a restart does not hit every source at once.
        first = utcnow() + timedelta(seconds=random.uniform(1, 5 + job.jitter))  # noqa: S311 - not security
        scheduler.add_job(
            run_job,
            "interval",
            seconds=job.seconds,
            jitter=job.jitter or None,
            id=job.id,
            next_run_time=first,
            args=[app, job, holder],
        )
    scheduler.start()
    return scheduler
