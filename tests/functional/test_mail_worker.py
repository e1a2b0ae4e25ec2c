"""A killed ``tracker notify`` loses no mail and sends none twice: a real worker process (several mails in
flight on reused connections) is SIGKILLed while the SMTP server holds its fourth mail and the others are
sent and recorded; after its leases lapse another run sends the rest, each Message-ID once.

The test's clock is a fixed instant, handed to the worker process (``notify --once --at``): a process started
under ``faketime`` begins its faked clock anew, so it must not read its own. Its monotonic clock stays real
(``FAKETIME_DONT_FAKE_MONOTONIC``): libfaketime fakes it too, and Python's timed waits then never return."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from tests.support.accounts import make_user
from tests.support.apps import migrated_app
from tests.support.broadcast import Clock
from tests.support.mail import smtp_server
from tracker.clock import clock_set_to
from tracker.db import get_db
from tracker.models import MailMessage, Solution
from tracker.notify import preferences
from tracker.notify.worker import run_once
from tracker.registry.actors import Actor
from tracker.registry.services import update_solution

ROOT = Path(__file__).resolve().parents[2]


def _states(app: Flask) -> list[str]:
    with get_db(app).unit_of_work() as session:
        return list(session.scalars(select(MailMessage.state)))


def test_a_killed_notify_loses_nothing_and_sends_nothing_twice(fresh_db: str) -> None:
    clock = Clock()  # the instant the changes are made and the worker runs at
    with smtp_server() as (inbox, url), migrated_app(fresh_db, MAIL_URL=url) as app, clock_set_to(clock):
        inbox.hang_from = 4  # the fourth DATA is held until released
        with get_db(app).unit_of_work() as session:
            for i in range(6):  # six people: one person's changes would be coalesced into one mail
                user = make_user(session, f"alle{i}@kbh.example.dk", "municipality", municipality="101")
                preferences.set_preference(session, user, {"mode": "immediate", "scope": "all"})
            target = session.scalars(select(Solution).order_by(Solution.id)).first()
            assert target is not None
            day = date(2034, 1, 1)
            update_solution(
                session, target, {"switch_earliest_on": day, "switch_latest_on": day}, actor=Actor(label="KL")
            )
        with get_db(app).unit_of_work() as session:
            expected = set(session.scalars(select(MailMessage.message_id)))
        assert len(expected) == 6
        env = {
            **os.environ,
            "TRACKER_ENV": "testing",
            "TRACKER_DATABASE_URL": fresh_db,
            "TRACKER_MAIL_URL": url,
            "TRACKER_MAIL_TIMEOUT": "60",
            "TRACKER_MAIL_CLAIM_SECONDS": "120",
            "PYTHONPATH": str(ROOT),
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",  # no effect without faketime
        }
        proc = subprocess.Popen(
            [sys.executable, "-m", "tracker.cli", "notify", "--once", "--at", clock.now.isoformat(timespec="seconds")],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                sent = _states(app).count("sent")
                if inbox.data_seen >= 6 and len(inbox.ids()) == 5 and sent == 5:
                    break  # one mail is held, the five others are accepted and recorded
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.05)
            else:
                pytest.fail("the worker made no progress")
        finally:
            proc.kill()
            proc.wait(10)
        inbox.release.set()
        with get_db(app).unit_of_work() as session:
            rows = list(session.scalars(select(MailMessage)))
        assert sorted(r.state for r in rows) == ["pending"] + ["sent"] * 5
        assert all(r.claimed_until is not None and r.claimed_until > clock.now for r in rows if r.state == "pending")
        # Before the leases lapse nobody takes the rows; afterwards a new run sends exactly the rest.
        assert run_once(app, clock=clock).claimed == 0
        report = run_once(app, clock=Clock(clock.now + timedelta(seconds=121)))  # the 120 s leases have lapsed
        assert report.sent == 1
        assert sorted(inbox.ids()) == sorted(expected), "every mail arrived, none twice"
