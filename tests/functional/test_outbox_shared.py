"""The shared leased outbox (webhooks and mail): coalesced immediate mail, one event for a bulk change, the
mail queue's last retry and its cancel-after-opt-out, the queue metrics, and workers woken by PostgreSQL's
LISTEN/NOTIFY. Real SMTP (aiosmtpd) and webhook receivers on loopback, real databases built by the migrations."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.apps import migrated_app
from tests.support.broadcast import Clock, ok, receiver, subscribe
from tests.support.databases import fresh_database
from tests.support.mail import free_port, smtp_server, text_part
from tests.support.municipalities import last_event_id, municipality, stored_readiness_events
from tracker.broadcast import worker as webhook_worker
from tracker.clock import clock_set_to
from tracker.db import get_db
from tracker.models import Delivery, MailAttempt, MailMessage, Solution
from tracker.municipalities import imports
from tracker.notify import preferences
from tracker.notify import worker as mail_worker
from tracker.notify.worker import run_once
from tracker.outbox.queues import MAIL
from tracker.outbox.wake import Waker
from tracker.registry.actors import Actor
from tracker.registry.events import append_events
from tracker.registry.services import update_solution

KL = Actor(label="KL")


def _move(session: Session, solution: Solution, day: date) -> None:
    update_solution(session, solution, {"switch_earliest_on": day, "switch_latest_on": day}, actor=KL)


def _solutions(session: Session, count: int) -> list[Solution]:
    return list(session.scalars(select(Solution).order_by(Solution.id).limit(count)))


def _mails(session: Session) -> list[MailMessage]:
    session.expire_all()
    return list(session.scalars(select(MailMessage).order_by(MailMessage.id)))


def _mail_of(session: Session, user_id: int) -> MailMessage:
    session.expire_all()
    [mail] = session.scalars(select(MailMessage).where(MailMessage.user_id == user_id, MailMessage.kind == "immediate"))
    return mail


def test_five_changes_in_the_window_are_one_mail_listing_every_change(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_COALESCE_SECONDS", 60)
    reader = make_user(session, "samlet@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, reader, {"mode": "immediate", "scope": "all"})
    solutions = _solutions(session, 5)
    clock = Clock()  # a fixed instant: the changes are made then, and the worker looks at that same moment
    with clock_set_to(clock):
        for i, target in enumerate(solutions):
            _move(session, target, date(2033, 2, 1) + timedelta(days=i))
        session.commit()
    [mail] = _mails(session)
    assert mail.kind == "immediate" and len(set(mail.event_ids)) >= 5
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        assert run_once(app, clock=clock).claimed == 0, "the window is still open"
        clock.advance(seconds=61)
        assert run_once(app, clock=clock).sent == 1
    [message] = inbox.messages
    body = text_part(message)
    assert all(s.name in body for s in solutions), "every change is listed"
    assert "og " in str(message["Subject"]) and "mere" in str(message["Subject"])


def test_events_appended_together_join_the_waiting_mail_in_order(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "MAIL_COALESCE_SECONDS", 60)
    reader = make_user(session, "sammen@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, reader, {"mode": "immediate", "scope": "all"})
    first, *rest = _solutions(session, 4)
    with clock_set_to(Clock()):
        _move(session, first, date(2033, 4, 1))  # a mail starts waiting
        waiting = list(_mail_of(session, reader.id).event_ids)
        together = append_events(
            session,
            [
                {"type": "solution.updated", "actor": KL, "solution": s, "changes": {"name": {"before": s.name}}}
                for s in rest
            ],
        )
        session.commit()
    assert [e.id for e in together] == sorted(e.id for e in together)  # ids in the order appended
    mail = _mail_of(session, reader.id)
    assert mail.event_ids == [*waiting, *(e.id for e in together)]  # one mail, the batch joined in order
    assert len(_mails(session)) == 1


def test_a_change_after_the_mail_went_out_starts_a_new_mail(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "to@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, reader, {"mode": "immediate", "scope": "all"})
    first, second = _solutions(session, 2)
    _move(session, first, date(2033, 3, 1))
    session.commit()
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        assert run_once(app).sent == 1
        _move(session, second, date(2033, 3, 2))
        session.commit()
        assert run_once(app).sent == 1
    assert len(inbox.messages) == 2 and len(set(inbox.ids())) == 2


def test_the_mail_outbox_gives_up_after_its_last_retry(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "nede@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, reader, {"mode": "immediate", "scope": "all"})
    _move(session, _solutions(session, 1)[0], date(2033, 4, 1))
    session.commit()
    monkeypatch.setitem(app.config, "MAIL_URL", f"smtp://127.0.0.1:{free_port()}")
    clock = Clock()
    for number, wait in enumerate((timedelta(0), *MAIL.schedule), start=1):
        clock.advance(seconds=wait.total_seconds())
        run_once(app, clock=clock)  # (the days crossed also bring other users' digests, which fail too)
        mail = _mail_of(session, reader.id)
        assert mail.attempts == number, f"attempt {number} is made on schedule"
        if number <= len(MAIL.schedule):
            assert mail.state == "pending" and mail.next_attempt_at == clock() + MAIL.schedule[number - 1]
    assert mail.state == "failed", "the schedule is used up after its last retry"
    clock.advance(days=30)
    run_once(app, clock=clock)
    assert _mail_of(session, reader.id).attempts == len(MAIL.schedule) + 1, "a mail that gave up is not taken again"
    attempts = session.scalar(select(func.count()).select_from(MailAttempt).where(MailAttempt.mail_id == mail.id))
    assert attempts == len(MAIL.schedule) + 1


def test_a_mail_to_someone_who_turned_mail_off_meanwhile_is_cancelled_not_sent(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "fortryder@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, reader, {"mode": "immediate", "scope": "all"})
    _move(session, _solutions(session, 1)[0], date(2033, 5, 1))
    session.commit()
    preferences.set_preference(session, reader, {"mode": "off"})
    session.commit()
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        report = run_once(app)
    assert report.cancelled == 1 and report.sent == 0
    assert inbox.messages == []
    [mail] = _mails(session)
    assert mail.state == "cancelled" and mail.attempts == 0 and mail.claimed_by is None
    assert session.scalar(select(func.count()).select_from(MailAttempt)) == 0, "no attempt was made"


def test_an_import_is_one_event_one_delivery_and_one_mail(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")
    kbh = municipality(session, "101")
    colleague = make_user(session, "kollega@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, colleague, {"mode": "immediate"})
    coordinator = make_user(session, "koord@kl.example.dk", "coordinator")
    names = [s.name for s in _solutions(session, 8)]
    mark = last_event_id(session)
    with receiver(ok) as rx:
        subscribe(session, coordinator, rx.url("/all"))
        report = imports.import_portfolio(
            session, kbh, "portefolje.csv", ("Løsning\n" + "\n".join(names)).encode(), actor=KL
        )
        session.commit()
        assert len(report.added) == 8
        [event] = stored_readiness_events(session, mark)
        assert event.data["count"] == 8 and len(event.data["rows"]) == 8
        assert {row["solution"]["name"] for row in event.data["rows"]} == set(names)
        deliveries = session.scalars(select(Delivery).where(Delivery.event_id == event.id)).all()
        assert len(deliveries) == 1, "one webhook delivery for the whole import"
        assert webhook_worker.run_once(app).succeeded == 1
        [received] = rx.received
        assert b'"count":8' in received.body
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        assert run_once(app).sent == 1
    [message] = inbox.messages
    body = text_part(message)
    assert all(name in body for name in names), "the one mail lists every row"


def test_metrics_show_pending_failed_and_oldest_age_of_both_queues(
    app: Flask, session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "metrik@kbh.example.dk", "municipality", municipality="101")
    preferences.set_preference(session, reader, {"mode": "immediate", "scope": "all"})
    _move(session, _solutions(session, 1)[0], date(2033, 6, 1))
    session.commit()
    text = client.get("/metrics").text
    assert 'tracker_outbox_pending{queue="mail"} 1.0' in text
    assert 'tracker_outbox_pending{queue="webhook"}' in text
    assert 'tracker_outbox_failed{queue="mail"} 0.0' in text
    assert 'tracker_outbox_oldest_pending_age_seconds{queue="mail"}' in text
    assert 'tracker_outbox_oldest_pending_age_seconds{queue="webhook"} 0.0' in text


@pytest.mark.parametrize("queue", ["webhook", "mail"])
def test_on_postgresql_a_waiting_worker_is_woken_by_the_commit(tmp_path: Path, queue: str) -> None:
    """The worker polls once a minute; a committed change still goes out within seconds (NOTIFY)."""
    with (
        fresh_database(tmp_path, "postgresql") as url,
        smtp_server() as (inbox, mail_url),
        migrated_app(url, MAIL_URL=mail_url, WEBHOOK_ALLOWED_NETWORKS="127.0.0.0/8") as app,
        receiver(ok) as rx,
    ):
        with get_db(app).unit_of_work() as session:
            user = make_user(session, "vaek@kl.example.dk", "coordinator")
            preferences.set_preference(session, user, {"mode": "immediate", "scope": "all"})
            subscribe(session, user, rx.url("/woken"))
        arrived = rx.hits if queue == "webhook" else lambda: len(inbox.messages)
        serve = webhook_worker.serve if queue == "webhook" else mail_worker.serve
        waker = Waker(url, queue)
        assert waker.listening.wait(10), "the worker listens"
        stop = threading.Event()
        thread = threading.Thread(target=lambda: serve(app, stop, interval=60.0, waker=waker), daemon=True)
        thread.start()
        try:
            time.sleep(1.0)  # the first round has found nothing; the worker now waits (up to 60 s)
            for n, day in enumerate((date(2033, 7, 1), date(2033, 7, 2)), start=1):
                with get_db(app).unit_of_work() as session:
                    _move(session, _solutions(session, 1)[0], day)
                committed = time.monotonic()
                while arrived() < n and time.monotonic() - committed < 10:
                    time.sleep(0.02)
                assert arrived() >= n, f"change {n} went out within seconds, not at the next poll"
        finally:
            stop.set()
            thread.join(15)
        assert not thread.is_alive()
