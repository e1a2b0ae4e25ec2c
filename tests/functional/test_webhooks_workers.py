"""Workers under stress: parallel workers never double-send, a killed worker loses nothing, a fan-out to 200
receivers is not held up by 20 that never answer. Real commits on fresh databases, real receivers on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request, Response

from tests.support.accounts import make_user
from tests.support.apps import migrated_app
from tests.support.broadcast import Clock, Receiver, allow_loopback, receiver, receivers, subscribe
from tests.support.databases import fresh_database
from tracker.broadcast.worker import run_once
from tracker.clock import utcnow
from tracker.db import get_db
from tracker.models import Delivery, DeliveryAttempt, Solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

ROOT = Path(__file__).resolve().parents[2]


def _changes(session: Session, count: int) -> None:
    """``count`` switch-date changes spread over the starter solutions (fixture dates)."""
    solutions = list(session.scalars(select(Solution).order_by(Solution.id)))
    for i in range(count):
        target = solutions[i % len(solutions)]
        day = date(2035, 1, 1) + timedelta(days=i)
        update_solution(session, target, {"switch_earliest_on": day, "switch_latest_on": day}, actor=SYSTEM)


def _all_deliveries(app: Flask) -> list[Delivery]:
    with get_db(app).unit_of_work() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


LOOPBACK_CONFIG = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_CONNECT_TIMEOUT": 2.0}


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_two_workers_in_parallel_never_send_a_delivery_twice(tmp_path: Path, kind: str) -> None:
    def slow_ok(_n: int, _request: Request, _rx: Receiver) -> Response:
        time.sleep(0.01)  # keep both workers busy at the same time
        return Response("ok")

    with (
        fresh_database(tmp_path, kind) as url,
        migrated_app(
            url, WEBHOOK_CONCURRENCY=4, WEBHOOK_BATCH_SIZE=3, WEBHOOK_READ_TIMEOUT=10.0, **LOOPBACK_CONFIG
        ) as app,
        receiver(slow_ok) as rx,
    ):
        with get_db(app).unit_of_work() as session:
            owner = make_user(session, "parallel@kl.dk", "coordinator")
            for i in range(4):
                subscribe(session, owner, rx.url(f"/r{i}"))
            _changes(session, 30)
        expected = {d.message_id for d in _all_deliveries(app)}
        assert len(expected) == 120
        start = threading.Barrier(2)
        reports: list[Any] = []

        def work(name: str) -> None:
            start.wait()
            reports.append(run_once(app, holder=name))

        threads = [threading.Thread(target=work, args=(f"worker-{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        received = rx.ids()
        assert sorted(received) == sorted(expected), "every delivery exactly once"
        assert all(r.claimed > 0 for r in reports), "both workers took part"
        assert sum(r.succeeded for r in reports) == 120
        assert {d.state for d in _all_deliveries(app)} == {"succeeded"}


def test_a_worker_killed_mid_batch_loses_nothing(fresh_db: str) -> None:
    """A real worker process is SIGKILLed while three of its requests hang; after its leases lapse another
    worker sends them, and every event reaches the receiver (at least once; dedupe on webhook-id)."""
    hang_first = 3
    healthy = threading.Event()

    def behaviour(n: int, _request: Request, rx: Receiver) -> Response:
        if n < hang_first and not healthy.is_set():
            return rx.hang()
        return Response("ok")

    with migrated_app(fresh_db, **LOOPBACK_CONFIG) as app, receiver(behaviour) as rx:
        with get_db(app).unit_of_work() as session:
            owner = make_user(session, "killed@kl.dk", "coordinator")
            subscribe(session, owner, rx.url("/a"))
            subscribe(session, owner, rx.url("/b"))
            _changes(session, 6)
        expected = {d.message_id for d in _all_deliveries(app)}
        env = {
            **os.environ,
            "TRACKER_ENV": "testing",
            "TRACKER_DATABASE_URL": fresh_db,
            "TRACKER_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TRACKER_WEBHOOK_READ_TIMEOUT": "60",
            "TRACKER_WEBHOOK_CONCURRENCY": "4",
            "TRACKER_WEBHOOK_BATCH_SIZE": "4",
            "TRACKER_WEBHOOK_CLAIM_SECONDS": "120",
            "PYTHONPATH": str(ROOT),
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "deliver", "--once"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                done = [d for d in _all_deliveries(app) if d.state == "succeeded"]
                if rx.hits() >= len(expected) and len(done) == len(expected) - hang_first:
                    break
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.1)
            else:
                pytest.fail(f"worker made no progress: {rx.hits()} hits")
        finally:
            proc.kill()
            proc.wait(10)
        stranded = [d for d in _all_deliveries(app) if d.state == "pending"]
        assert len(stranded) == hang_first
        assert all(d.claimed_until is not None and d.claimed_until > utcnow() for d in stranded)
        healthy.set()
        rx.release.set()
        # Before the leases lapse nobody may take the rows; afterwards a new worker does.
        assert run_once(app).claimed == 0
        later = Clock()  # a fixed instant well after the leases the real clock just granted
        assert run_once(app, clock=later).succeeded == hang_first
        assert set(rx.ids()) == expected, "every event arrived"
        assert {d.state for d in _all_deliveries(app)} == {"succeeded"}


@pytest.mark.slow
def test_fan_out_to_200_receivers_is_not_held_up_by_20_that_never_answer(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A read timeout far above a loopback answer even on a loaded CI machine: only the hung receivers time out.
    # How fast the fan-out is belongs to `make bench` (fan-out p50/p95/last), not to this test.
    allow_loopback(app, monkeypatch, WEBHOOK_READ_TIMEOUT=5.0, WEBHOOK_CONCURRENCY=32, WEBHOOK_BATCH_SIZE=50)
    arrivals: dict[int, float] = {}
    lock = threading.Lock()

    def healthy(_n: int, _request: Request, rx: Receiver) -> Response:
        with lock:
            arrivals.setdefault(rx.port, time.monotonic())
        return Response("ok")

    owners = [make_user(session, f"fanout{i}@kl.dk", "coordinator") for i in range(10)]
    with receivers(180, healthy) as good, receivers(20, lambda _n, _r, rx: rx.hang(), max_hang=20) as stuck:
        for i, rx in enumerate(good + stuck):
            subscribe(session, owners[i % len(owners)], rx.url())
        solution = session.scalar(select(Solution).where(Solution.slug == "aula"))
        assert solution is not None
        update_solution(session, solution, {"switch_earliest_on": date(2036, 1, 1)}, actor=SYSTEM)
        session.commit()
        clock = Clock()
        started = time.monotonic()
        report = run_once(app, clock=clock)
        elapsed = time.monotonic() - started
        print(f"fan-out: 180 healthy in {max(arrivals.values()) - started:.2f}s, run {elapsed:.2f}s")
        assert report.claimed == 200 and report.succeeded == 180 and report.failed == 20
        assert len(arrivals) == 180
        assert all(rx.hits() == 1 for rx in stuck)
        for rx in stuck:
            rx.release.set()
        session.expire_all()
        pending = session.scalars(select(Delivery).where(Delivery.state == "pending")).all()
        assert len(pending) == 20
        errors = session.scalars(
            select(DeliveryAttempt.error).where(DeliveryAttempt.delivery_id.in_([d.id for d in pending]))
        ).all()
        assert all("Intet svar" in (e or "") for e in errors)
        # Later, on schedule, the 20 are tried again (and now answer).
        clock.advance(seconds=10)
        assert run_once(app, clock=clock).succeeded == 20
        assert all(rx.hits() == 2 for rx in stuck)
