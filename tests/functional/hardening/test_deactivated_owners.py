"""Item 1: a deactivated user's webhooks and feed tokens stop; the delivery claim skips inactive owners."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tests.support.accounts import client_for, make_account, make_user
from tests.support.broadcast import allow_loopback, receiver, solution_by_slug, subscribe
from tracker.broadcast import feed_tokens
from tracker.broadcast.worker import run_once
from tracker.models import AuditEntry, Delivery, Municipality, Subscription, User
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution


def _move_aula(session: Session, day: date) -> None:
    update_solution(
        session, solution_by_slug(session, "aula"), {"switch_earliest_on": day, "switch_latest_on": day}, actor=SYSTEM
    )
    session.commit()


def _kbh(session: Session) -> Municipality:
    found = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert found is not None
    return found


def test_cli_deactivate_stops_subscriptions_and_feed_tokens(
    app: Flask, runner: FlaskCliRunner, session: Session
) -> None:
    user = make_user(session, "kbh-hooks@kk.dk", "municipality", municipality="101")
    sub, _ = subscribe(session, user, "https://127.0.0.1:9/hook")
    _, plain = feed_tokens.create_token(session, user, _kbh(session))
    session.commit()
    assert feed_tokens.token_is_valid(session, _kbh(session).id, plain)
    result = runner.invoke(args=["tracker", "users", "deactivate", "--email", "KBH-hooks@kk.dk"])
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert session.get(User, user.id).is_active is False  # type: ignore[union-attr]  # the row exists: this test made it
    assert session.get(Subscription, sub.id).active is False  # type: ignore[union-attr]  # the row exists: this test made it
    assert not feed_tokens.token_is_valid(session, _kbh(session).id, plain)
    anonymous = app.test_client()
    assert anonymous.get(f"/feeds/municipalities/101.atom?token={plain}").status_code == 403
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.deactivate"))
    assert entry is not None and entry.details["subscriptions_disabled"] == 1
    assert entry.details["feed_tokens_revoked"] == 1
    assert runner.invoke(args=["tracker", "users", "deactivate", "--email", "nobody@x.dk"]).exit_code != 0


def test_admin_page_deactivation_disables_the_webhook(app: Flask, session: Session) -> None:
    admin = make_account(session, "admin", "deact-admin@example.dk")
    user = make_user(session, "kbh2@kk.dk", "municipality", municipality="101")
    sub, _ = subscribe(session, user, "https://127.0.0.1:9/hook")
    session.commit()
    client, csrf = client_for(app, admin)
    resp = client.post(f"/admin/brugere/{user.id}/deaktiver", data={"csrf_token": csrf})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)
    session.expire_all()
    assert session.get(Subscription, sub.id).active is False  # type: ignore[union-attr]  # the row exists: this test made it


def test_claim_skips_subscriptions_of_inactive_owners(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    allow_loopback(app, monkeypatch)
    owner = make_user(session, "gone@kl.dk", "coordinator")
    with receiver() as rx:
        sub, _ = subscribe(session, owner, rx.url())
        session.commit()
        # The subscription was left switched on (e.g. deactivated before this rule): nothing is sent anyway.
        session.execute(update(User).where(User.id == owner.id).values(is_active=False))
        session.commit()
        _move_aula(session, date(2032, 1, 5))
        assert run_once(app).claimed == 0
        assert rx.received == []
    pending = session.scalars(select(Delivery).where(Delivery.subscription_id == sub.id)).all()
    assert all(d.state == "pending" for d in pending)
