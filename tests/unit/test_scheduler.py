"""The scheduler: exactly one leader (advisory lock on PostgreSQL, lease row on SQLite); jobs leave a record."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support.apps import make_test_app
from tests.support.databases import fresh_database
from tests.support.waiting import wait_until
from tracker import scheduler
from tracker.clock import utcnow
from tracker.db import get_db, make_engine
from tracker.migrate import upgrade
from tracker.models import JobRun, SchedulerLease

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

CALLS: list[str] = []


def record_call(app: Flask, label: str = "x") -> None:
    """A job function for the tests: remembers it ran."""
    CALLS.append(label)


def failing_job(app: Flask) -> None:
    """A job that fails."""
    raise RuntimeError("boom")


@pytest.fixture
def sched_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own migrated database (real commits), SQLite unless parametrized with a kind."""
    kind = getattr(request, "param", "sqlite")
    with fresh_database(tmp_path, kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        app = make_test_app(url, SCHEDULER_LEASE_SECONDS=2)
        yield app
        get_db(app).engine.dispose()


@pytest.mark.parametrize("sched_app", KINDS, indirect=True)
def test_only_one_scheduler_leads_and_a_standby_takes_over(sched_app: Flask) -> None:
    app = sched_app
    first, second = scheduler.LeaderLock(app, "host:1"), scheduler.LeaderLock(app, "host:2")
    assert first.acquire() is True
    assert second.acquire() is False
    assert first.acquire() is True  # renewing keeps leadership
    assert second.acquire() is False
    first.release()
    assert second.acquire() is True
    assert first.acquire() is False
    second.release()


def test_an_expired_lease_is_taken_over(sched_app: Flask) -> None:
    app = sched_app
    dead = scheduler.LeaderLock(app, "dead:1")
    assert dead.acquire()
    with get_db(app).unit_of_work() as session:
        lease = session.get(SchedulerLease, "scheduler")
        assert lease is not None
        lease.expires_at = utcnow() - timedelta(seconds=1)  # the leader died without releasing
    assert scheduler.LeaderLock(app, "alive:2").acquire() is True
    assert dead.acquire() is False


def test_run_job_records_success_and_failure(sched_app: Flask) -> None:
    app = sched_app
    CALLS.clear()
    scheduler.run_job(app, scheduler.Job("t-ok", f"{__name__}:record_call", 60, kwargs={"label": "a"}), "h:1")
    scheduler.run_job(app, scheduler.Job("t-fail", f"{__name__}:failing_job", 60), "h:1")
    assert CALLS == ["a"]
    with get_db(app).unit_of_work() as session:
        runs = {r.job_id: r for r in session.scalars(select(JobRun))}
    assert runs["t-ok"].outcome == "ok" and runs["t-ok"].finished_at is not None
    assert runs["t-fail"].outcome == "failed" and "boom" in (runs["t-fail"].error or "")


def _lease_holder(app: Flask) -> str | None:
    with get_db(app).unit_of_work() as session:
        lease = session.get(SchedulerLease, "scheduler")
        return None if lease is None else lease.holder


def test_serve_starts_jobs_only_as_leader_and_stops_cleanly(sched_app: Flask) -> None:
    app = sched_app
    other = scheduler.LeaderLock(app, "someone-else:9")
    # The other leader's lease outlasts the check however slow the machine (it never renews in this test):
    # the standby must wait for the release, not for the lease to run out.
    other.lease = timedelta(minutes=5)
    assert other.acquire()
    stop = threading.Event()
    thread = threading.Thread(target=scheduler.serve, args=(app, stop), kwargs={"poll_seconds": 0.2})
    thread.start()
    # A negative check needs some time to pass: five polls of the standby, without stealing the lease.
    time.sleep(1.0)
    assert _lease_holder(app) == "someone-else:9"  # the standby did not steal it
    other.release()
    wait_until(lambda: _lease_holder(app) == scheduler.holder_id(), what="the standby takes the released lease")
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive()
    with get_db(app).unit_of_work() as session:
        assert session.get(SchedulerLease, "scheduler") is None  # released on shutdown


def test_job_list_is_declarative_with_stable_ids(base_app: Flask) -> None:
    ids = [job.id for job in scheduler.jobs(base_app)]
    assert "deliver_webhooks" in ids
    assert len(ids) == len(set(ids))
