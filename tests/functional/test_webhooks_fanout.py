"""The delivery worker at the limit, for correctness (speed lives in ``make bench``): a fan-out with receivers
that refuse, hang and dawdle reaches every live one exactly once; a 410 stops the rest of a claimed batch
for its subscription; ``tracker deliver`` stops soon after SIGTERM and gives back what it had claimed.
Real commits on fresh databases of both kinds, real receivers on loopback, the real worker process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.wrappers import Request, Response

from tests.benchmarks.server import free_port
from tests.support.accounts import make_user
from tests.support.apps import migrated_app
from tests.support.broadcast import Receiver, receiver, subscribe
from tests.support.databases import fresh_database
from tracker.broadcast.worker import run_once
from tracker.db import get_db
from tracker.models import Delivery, DeliveryAttempt, Solution, Subscription
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

ROOT = Path(__file__).resolve().parents[2]
KINDS = ["sqlite", "postgresql"]
LOOPBACK = {"WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_CONNECT_TIMEOUT": 2.0}


def _change(app: Flask, count: int = 1) -> None:
    """``count`` accepted changes to one solution: every subscription gets ``count`` deliveries."""
    with get_db(app).unit_of_work() as session:
        solution = session.scalar(select(Solution).order_by(Solution.id))
        assert solution is not None
        for i in range(count):
            day = date(2036, 1, 1) + timedelta(days=i)
            update_solution(session, solution, {"switch_earliest_on": day, "switch_latest_on": day}, actor=SYSTEM)


def _deliveries(app: Flask) -> list[Delivery]:
    with get_db(app).unit_of_work() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def _by_path(request: Request, rx: Receiver) -> Response:
    """Answer by path: /hang/… never (until released), /slow/… after a moment, /gone/… 410, else at once."""
    if request.path.startswith("/hang/"):
        return rx.hang()
    if request.path.startswith("/slow/"):
        time.sleep(0.2)
    if request.path.startswith("/gone/"):
        return Response("gone", status=410)
    return Response("ok")


@pytest.mark.parametrize("kind", KINDS)
def test_fan_out_reaches_every_live_receiver_once_past_refusing_hanging_and_slow_ones(
    tmp_path: Path, kind: str
) -> None:
    config = {
        **LOOPBACK,
        "WEBHOOK_READ_TIMEOUT": 2.0,
        "WEBHOOK_CONCURRENCY": 6,  # fewer senders than hanging + slow receivers: claiming must go on regardless
        "WEBHOOK_BATCH_SIZE": 5,
        "WEBHOOK_RECORD_BATCH_SIZE": 7,
    }
    with (
        fresh_database(tmp_path, kind) as url,
        migrated_app(url, **config) as app,
        receiver(lambda _n, req, rx: _by_path(req, rx), max_hang=10) as rx,
    ):
        closed = free_port()
        plan = {f"/ok/{i}": rx.url(f"/ok/{i}") for i in range(40)}
        plan |= {f"/slow/{i}": rx.url(f"/slow/{i}") for i in range(6)}
        hanging = {f"/hang/{i}": rx.url(f"/hang/{i}") for i in range(4)}
        refusing = {f"/refused/{i}": f"http://127.0.0.1:{closed}/refused/{i}" for i in range(4)}
        with get_db(app).unit_of_work() as session:
            owners = [make_user(session, f"fanout{i}-{kind}@kl.dk", "coordinator") for i in range(2)]
            for i, url_ in enumerate([*plan.values(), *hanging.values(), *refusing.values()]):
                subscribe(session, owners[i % 2], url_)  # at most 50 per owner
        _change(app)
        report = run_once(app)
        rx.release.set()

        live_hits = [r.path for r in rx.received if r.path in plan]
        assert sorted(live_hits) == sorted(plan), "every live receiver exactly once"
        assert sorted(r.path for r in rx.received if r.path in hanging) == sorted(hanging)
        assert (report.claimed, report.succeeded, report.failed) == (54, 46, 8)
        deliveries = _deliveries(app)
        assert all(d.claimed_by is None and d.claimed_until is None for d in deliveries), "no claim left behind"
        assert all(d.attempts == 1 for d in deliveries)
        with get_db(app).unit_of_work() as session:
            urls = dict(session.execute(select(Subscription.id, Subscription.url)).all())
            attempts = session.scalar(select(func.count()).select_from(DeliveryAttempt))
        assert attempts == 54, "one attempt row per delivery, written in batches"
        states = {urls[d.subscription_id]: d.state for d in deliveries}
        assert {states[u] for u in plan.values()} == {"succeeded"}
        assert {states[u] for u in [*hanging.values(), *refusing.values()]} == {"pending"}, "retried later"


@pytest.mark.parametrize("kind", KINDS)
def test_a_410_stops_the_rest_of_the_claimed_batch_for_that_subscription(tmp_path: Path, kind: str) -> None:
    # One sender, and a claim takes two rows: the second delivery is claimed but waits for the sender.
    config = {**LOOPBACK, "WEBHOOK_CONCURRENCY": 1, "WEBHOOK_BATCH_SIZE": 10}
    with (
        fresh_database(tmp_path, kind) as url,
        migrated_app(url, **config) as app,
        receiver(lambda _n, req, rx: _by_path(req, rx)) as rx,
    ):
        with get_db(app).unit_of_work() as session:
            owner = make_user(session, f"gone-{kind}@kl.dk", "coordinator")
            gone_id = subscribe(session, owner, rx.url("/gone/a"))[0].id
        _change(app, 4)
        report = run_once(app)

        assert report.claimed == 2, "the first claim held two deliveries of the subscription"
        assert rx.hits() == 1, "the claimed second one was not sent after the receiver said 410"
        deliveries = _deliveries(app)
        assert [d.state for d in deliveries] == ["failed", "pending", "pending", "pending"]
        assert all(d.attempts == 0 and d.claimed_by is None for d in deliveries[1:]), "unsent claims are released"
        with get_db(app).unit_of_work() as session:
            sub = session.get(Subscription, gone_id)
            assert sub is not None and not sub.active and "410" in (sub.disabled_reason or "")
        assert run_once(app).claimed == 0, "nothing more goes to a subscription switched off by a 410"


@pytest.mark.parametrize("kind", KINDS)
def test_tracker_deliver_stops_soon_after_sigterm_and_releases_its_claims(tmp_path: Path, kind: str) -> None:
    with (
        fresh_database(tmp_path, kind) as url,
        migrated_app(url, **LOOPBACK) as app,
        receiver(lambda _n, req, rx: _by_path(req, rx), max_hang=60) as rx,
    ):
        with get_db(app).unit_of_work() as session:
            owner = make_user(session, f"sigterm-{kind}@kl.dk", "coordinator")
            for i in range(3):
                subscribe(session, owner, rx.url(f"/hang/{i}"))
        _change(app, 2)  # six deliveries; three hang and three wait behind them in the claimed batch
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
            "TRACKER_ENV": "testing",
            "TRACKER_DATABASE_URL": url,
            "TRACKER_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "TRACKER_WEBHOOK_READ_TIMEOUT": "60",
            "TRACKER_WEBHOOK_CONCURRENCY": "3",
            "TRACKER_WEBHOOK_STOP_SECONDS": "1",
            "PYTHONPATH": str(ROOT),
            "PYTHONFAULTHANDLER": "1",
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "deliver", "--interval", "0.2"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while rx.hits() < 3 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            assert rx.hits() == 3, "the worker is sending (and hanging) before it is told to stop"
            assert any(d.claimed_by for d in _deliveries(app))
            proc.send_signal(signal.SIGTERM)
            try:
                output, _ = proc.communicate(timeout=10)  # the requirement: gone within 10 s of SIGTERM
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGABRT)  # PYTHONFAULTHANDLER: every thread's stack, for the report
                stacks, _ = proc.communicate(timeout=10)
                pytest.fail("tracker deliver still running 10 s after SIGTERM:\n" + stacks.decode(errors="replace"))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        assert proc.returncode == 0, output.decode(errors="replace")
        assert b"delivery worker stopped" in output
        deliveries = _deliveries(app)
        assert len(deliveries) == 6
        assert all(d.state == "pending" and d.claimed_by is None and d.claimed_until is None for d in deliveries)
        assert all(d.attempts == 0 for d in deliveries), "nothing recorded as tried: they are sent afresh"
