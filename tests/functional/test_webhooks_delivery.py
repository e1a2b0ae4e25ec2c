"""Webhook delivery against real receivers on loopback: signatures, retries, dedupe, disabling, SSRF at send time.

The worker's clock is stepped instead of sleeping; the receivers are real HTTP servers in threads.
"""

from __future__ import annotations

import socket
import threading
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request, Response

from tests.support.accounts import make_user
from tests.support.broadcast import Clock, Receiver, allow_loopback, receiver, solution_by_slug, subscribe, verify
from tracker.broadcast import subscriptions as svc
from tracker.broadcast.worker import run_once
from tracker.models import AuditEntry, Delivery, DeliveryAttempt, Subscription, User
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution


def _move_aula(session: Session, day: date) -> None:
    aula = solution_by_slug(session, "aula")
    update_solution(
        session,
        aula,
        {
            "switch_earliest_on": day,
            "switch_latest_on": day,
            "switch_precision": "day",
            "switch_source_kind": "authority",
            "switch_source_url": "https://example.org/aula-dato",
        },
        actor=SYSTEM,
    )
    session.commit()


def _deliveries(session: Session, sub: Subscription) -> list[Delivery]:
    session.expire_all()
    return list(session.scalars(select(Delivery).where(Delivery.subscription_id == sub.id).order_by(Delivery.id)))


@pytest.fixture
def owner(session: Session) -> User:
    """A coordinator who owns the subscriptions."""
    return make_user(session, "hooks@kl.dk", "coordinator")


def test_a_change_arrives_signed_and_verifies_with_the_reference_library(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    with receiver() as rx:
        sub, secret = subscribe(session, owner, rx.url())
        _move_aula(session, date(2031, 5, 1))
        report = run_once(app)
        assert (report.claimed, report.succeeded, report.failed) == (1, 1, 0)
        [got] = rx.received
    body = verify(secret, got)
    assert body["type"] == "solution.switch_date.changed"
    assert body["data"]["solution"]["slug"] == "aula"
    assert body["data"]["changes"]["switch_date.earliest"]["after"] == "2031-05-01"
    assert set(body) == {"type", "timestamp", "data"}
    [delivery] = _deliveries(session, sub)
    assert got.webhook_id == delivery.message_id
    assert delivery.state == "succeeded" and delivery.delivered_at is not None
    [attempt] = session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id)).all()
    assert attempt.status_code == 200 and attempt.latency_ms is not None and attempt.error is None


def _fail_three_times(n: int, _request: Request, _rx: Receiver) -> Response:
    return Response("busy", status=500) if n < 3 else Response("ok", status=200)


def test_a_receiver_failing_three_times_then_succeeding_gets_the_event(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    with receiver(_fail_three_times) as rx:
        sub, secret = subscribe(session, owner, rx.url())
        _move_aula(session, date(2031, 6, 1))
        clock = Clock()
        waits = []
        for step in range(4):
            report = run_once(app, clock=clock)
            assert report.claimed == 1, f"round {step}"
            assert run_once(app, clock=clock).claimed == 0, "nothing is due again before its time"
            [delivery] = _deliveries(session, sub)
            if delivery.state == "succeeded":
                break
            waits.append(delivery.next_attempt_at - clock())
            clock.now = delivery.next_attempt_at + timedelta(seconds=1)
        assert rx.hits() == 4
        ids = rx.ids()
    assert delivery.state == "succeeded" and delivery.attempts == 4
    assert len(set(ids)) == 1, "every retry carries the same webhook-id"
    assert timedelta(seconds=4) < waits[0] < timedelta(seconds=6)
    assert timedelta(minutes=4) < waits[1] < timedelta(minutes=6)
    assert timedelta(minutes=26) < waits[2] < timedelta(minutes=34)
    verify(secret, rx.received[-1])
    attempts = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id).order_by(DeliveryAttempt.id)
    ).all()
    assert [a.status_code for a in attempts] == [500, 500, 500, 200]
    assert "500" in (attempts[0].error or "")


class Deduper:
    """A receiver that acts once per webhook-id, as Standard Webhooks asks receivers to."""

    def __init__(self) -> None:
        """No effects yet."""
        self.effects: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, _n: int, request: Request, _rx: Receiver) -> Response:
        """Act on a new id; acknowledge a repeat without acting again."""
        with self.lock:
            message_id = request.headers["webhook-id"]
            if message_id not in self.effects:
                self.effects.append(message_id)
        return Response("ok")


def test_a_deduplicating_receiver_acts_once_despite_retry_and_redelivery(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    deduper = Deduper()
    with receiver(deduper) as rx:
        sub, _ = subscribe(session, owner, rx.url())
        _move_aula(session, date(2031, 7, 1))
        run_once(app)
        [delivery] = _deliveries(session, sub)
        svc.redeliver(session, sub, delivery.id)
        session.commit()
        run_once(app)
        assert rx.hits() == 2
    assert len(deduper.effects) == 1
    assert deduper.effects == [delivery.message_id]


def test_410_gone_disables_the_subscription_at_once(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    with receiver(lambda *_: Response("gone", status=410)) as rx:
        sub, _ = subscribe(session, owner, rx.url())
        _move_aula(session, date(2031, 8, 1))
        run_once(app)
        _move_aula(session, date(2031, 8, 2))  # the disabled subscription gets no new delivery
        assert run_once(app).claimed == 0
        assert rx.hits() == 1
    session.refresh(sub)
    assert not sub.active and "410" in (sub.disabled_reason or "")
    assert [d.state for d in _deliveries(session, sub)] == ["failed"]
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "subscription.disabled")) is not None


def test_failing_for_more_than_three_days_disables_with_a_notice_and_reenabling_resumes(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    healthy = threading.Event()

    def down_until_fixed(_n: int, _request: Request, _rx: Receiver) -> Response:
        return Response("ok") if healthy.is_set() else Response("down", status=503)

    with receiver(down_until_fixed) as rx:
        sub, _ = subscribe(session, owner, rx.url())
        _move_aula(session, date(2031, 9, 1))
        clock = Clock()
        start = clock()
        for _ in range(20):
            run_once(app, clock=clock)
            session.refresh(sub)
            if not sub.active:
                break
            [delivery] = _deliveries(session, sub)
            clock.now = delivery.next_attempt_at + timedelta(seconds=1)
        assert not sub.active
        assert timedelta(days=3) <= clock() - start < timedelta(days=4)
        assert "uafbrudt" in (sub.disabled_reason or "") and "503" in (sub.disabled_reason or "")
        hits = rx.hits()
        clock.advance(days=1)
        assert run_once(app, clock=clock).claimed == 0, "nothing is sent to a disabled subscription"
        # The schedule is used up as well; the owner fixes the receiver, switches it on and redelivers.
        [delivery] = _deliveries(session, sub)
        assert delivery.state == "failed" and delivery.attempts == 11
        healthy.set()
        svc.update_subscription(session, sub, owner, {"active": True}, policy=svc.TargetPolicy())
        svc.redeliver(session, sub, delivery.id)
        session.commit()
        assert run_once(app).succeeded == 1
        assert rx.hits() == hits + 1
    assert sub.disabled_reason is None and sub.failing_since is None


def test_retry_after_is_honoured(app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch) -> None:
    allow_loopback(app, monkeypatch)
    with receiver(lambda *_: Response("slow down", status=429, headers={"Retry-After": "3600"})) as rx:
        sub, _ = subscribe(session, owner, rx.url())
        _move_aula(session, date(2031, 10, 1))
        clock = Clock()
        run_once(app, clock=clock)
        [delivery] = _deliveries(session, sub)
        assert delivery.next_attempt_at - clock() >= timedelta(seconds=3600)
        clock.advance(minutes=30)
        assert run_once(app, clock=clock).claimed == 0
        assert rx.hits() == 1


def test_a_redirect_to_loopback_is_not_followed(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only 127.0.0.2 is allowed; it redirects to a receiver on 127.0.0.1, which must get nothing."""
    allow_loopback(app, monkeypatch, WEBHOOK_ALLOWED_NETWORKS="127.0.0.2/32")
    with receiver() as internal:
        target = internal.url("/admin")
        with receiver(lambda *_: Response("", status=302, headers={"Location": target}), host="127.0.0.2") as bouncer:
            sub, _ = subscribe(session, owner, bouncer.url())
            _move_aula(session, date(2031, 11, 1))
            run_once(app)
            assert bouncer.hits() == 1
        assert internal.hits() == 0
    [delivery] = _deliveries(session, sub)
    assert delivery.state == "pending" and delivery.last_status == 302, delivery.last_error
    assert "omdirigering" in (delivery.last_error or "")


def test_by_default_a_loopback_target_is_refused_at_delivery(app: Flask, session: Session, owner: User) -> None:
    """Registered under another configuration, but today's default refuses it before connecting."""
    with receiver() as rx:
        sub, _ = subscribe(session, owner, rx.url())
        _move_aula(session, date(2032, 1, 1))
        report = run_once(app)
        assert rx.hits() == 0
    assert report.failed == 1
    [delivery] = _deliveries(session, sub)
    assert "Afvist før afsendelse" in (delivery.last_error or "") and "ikke offentlig" in (delivery.last_error or "")


def test_dns_rebinding_to_loopback_is_refused_at_delivery(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name resolved to a public address at registration and to loopback at delivery (stubbed resolver)."""
    answer = {"ip": "93.184.216.34"}
    real = socket.getaddrinfo

    def resolver(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["ip"], port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with receiver() as rx:
        sub, _ = svc.create_subscription(
            session, owner, url=f"https://rebind.example:{rx.port}/hook", policy=svc.TargetPolicy()
        )
        answer["ip"] = "127.0.0.1"
        _move_aula(session, date(2032, 2, 1))
        run_once(app)
        assert rx.hits() == 0
    [delivery] = _deliveries(session, sub)
    assert "127.0.0.1" in (delivery.last_error or "")


def test_a_receiver_that_never_answers_is_cut_at_the_read_timeout(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch, WEBHOOK_READ_TIMEOUT=0.5)
    with receiver(lambda _n, _r, rx: rx.hang()) as rx:
        sub, _ = subscribe(session, owner, rx.url())
        _move_aula(session, date(2032, 3, 1))
        run_once(app)
    [delivery] = _deliveries(session, sub)
    attempt = session.scalar(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == delivery.id))
    assert attempt is not None and attempt.status_code is None
    assert "Intet svar inden for 0.5 s" in (attempt.error or "")
    assert (attempt.latency_ms or 0) < 3000
    assert delivery.state == "pending"


def test_rotation_signs_with_both_secrets_and_the_test_ping_arrives(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    with receiver() as rx:
        sub, old = subscribe(session, owner, rx.url())
        new = svc.rotate_secret(session, sub, owner)
        svc.send_test(session, sub)
        session.commit()
        run_once(app)
        [got] = rx.received
    assert new != old
    for secret in (old, new):
        assert verify(secret, got)["type"] == "subscription.test"
    assert len(got.headers["webhook-signature"].split(" ")) == 2


def test_the_deliver_command_sends_what_is_due(
    app: Flask, session: Session, owner: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    with receiver() as rx:
        subscribe(session, owner, rx.url())
        _move_aula(session, date(2032, 4, 1))
        result = app.test_cli_runner().invoke(args=["tracker", "deliver", "--once"])
        assert result.exit_code == 0, result.output
        assert "1 claimed, 1 succeeded, 0 failed" in result.output
        assert rx.hits() == 1
