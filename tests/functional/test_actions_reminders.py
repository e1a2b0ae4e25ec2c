"""Reminders of actions' due days against a real SMTP server on loopback (aiosmtpd) and the real mail worker:
one mail per action per reminder day, on the day the owner chose; none after ``done``; none to a deactivated
owner; the digest lists the reader's overdue actions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_account
from tests.support.mail import smtp_server, text_part
from tests.support.municipalities import idp, municipality, solution, use
from tracker.actions import services
from tracker.actions.sync import sync_municipality
from tracker.auth import admin
from tracker.clock import clock_set_to
from tracker.models import Action, MailMessage
from tracker.notify import preferences
from tracker.notify.worker import run_once

DUE = date(2027, 3, 1)


def at(day: date, hour: int = 9) -> datetime:
    """An instant on a Danish day (winter: UTC+1)."""
    return datetime(day.year, day.month, day.day, hour - 1, 0, tzinfo=UTC)


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    return app


@pytest.fixture
def world(session: Session) -> Iterator[dict[str, Any]]:
    """København: three actions due 1 March 2027 — Omsorg owned by Ida (7 days, the default), Pleje by Bo
    (1 day), Skole by Carl (who will be deactivated)."""
    with clock_set_to(lambda: at(date(2026, 12, 7))):
        kk_idp = idp(session, "101", "KK-IdP", "betydelig", group="Administration")
        for slug in ("omsorg", "pleje", "skole"):
            solution(session, slug, loa="hoej", earliest=DUE, name=slug.capitalize())
            use(session, "101", slug, via=kk_idp)
        ida = make_account(session, "municipality", "ida@kk.example.dk", municipality="101").user
        bo = make_account(session, "municipality", "bo@kk.example.dk", municipality="101").user
        carl = make_account(session, "municipality", "carl@kk.example.dk", municipality="101").user
        root = make_account(session, "admin", "root@example.dk").user
        preferences.set_preference(session, bo, {"action_reminder_days": 1})
        sync_municipality(session, municipality(session, "101"))
        actions = {a.solution.slug: a for a in session.scalars(select(Action)) if a.solution}
        for slug, owner in (("omsorg", ida), ("pleje", bo), ("skole", carl)):
            services.update_action(session, actions[slug], {"owner_user_id": owner.id}, user=ida)
        session.commit()
        yield {"actions": actions, "ida": ida, "bo": bo, "carl": carl, "root": root}


def _run(app: Flask, url: str, when: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_URL", url)
    with clock_set_to(lambda: when):
        run_once(app, clock=lambda: when)


def _reminders(inbox: Any) -> list[tuple[str, str]]:
    return [(str(m["To"]), str(m["Subject"])) for m in inbox.messages if "frist" in str(m["Subject"])]


def test_one_reminder_per_action_on_the_chosen_day_and_none_after_done_or_to_a_deactivated_owner(
    mail_app: Flask, session: Session, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin.set_active(session, admin=world["root"], user=world["carl"], active=False)
    session.commit()
    with smtp_server() as (inbox, url):
        _run(mail_app, url, at(date(2027, 2, 21)), monkeypatch)  # 8 days before: nobody yet
        assert _reminders(inbox) == []
        _run(mail_app, url, at(date(2027, 2, 22)), monkeypatch)  # 7 days before: Ida (default 7)
        _run(mail_app, url, at(date(2027, 2, 22), 15), monkeypatch)  # the same day again: nothing more
        _run(mail_app, url, at(date(2027, 2, 23)), monkeypatch)  # the next day: still one for this due day
        assert _reminders(inbox) == [
            ("ida@kk.example.dk", "TU-tracker: frist 2027-03-01 for en handling, du er ansvarlig for")
        ]
        body = text_part(next(m for m in inbox.messages if str(m["To"]) == "ida@kk.example.dk"))
        assert "Omsorg" in body and f"/kommuner/101/handlinger/{world['actions']['omsorg'].id}" in body
        # Bo closes his action before his day (1 day before): no reminder for him
        services.update_action(session, world["actions"]["pleje"], {"status": "done"}, user=world["bo"])
        session.commit()
        _run(mail_app, url, at(date(2027, 2, 28)), monkeypatch)
        assert [to for to, _ in _reminders(inbox)] == ["ida@kk.example.dk"]
    session.expire_all()
    keys = set(session.scalars(select(MailMessage.key).where(MailMessage.key.like("action-due:%"))))
    assert keys == {f"action-due:{world['actions']['omsorg'].id}:2027-03-01"}  # none for Carl, none for Bo


def test_a_reminder_queued_before_done_is_cancelled_not_sent(
    mail_app: Flask, session: Session, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.notify.action_reminders import queue_reminders

    assert queue_reminders(session, at(date(2027, 2, 22))) == 2  # Ida's and Carl's, written but not yet sent
    services.update_action(session, world["actions"]["omsorg"], {"status": "done"}, user=world["ida"])
    session.commit()
    with smtp_server() as (inbox, url):
        _run(mail_app, url, at(date(2027, 2, 22)), monkeypatch)
        assert [to for to, _ in _reminders(inbox)] == ["carl@kk.example.dk"]
    session.expire_all()
    row = session.scalar(
        select(MailMessage).where(MailMessage.key == f"action-due:{world['actions']['omsorg'].id}:2027-03-01")
    )
    assert row is not None and row.state == "cancelled"


def test_a_moved_due_day_is_reminded_again_and_off_means_none(
    mail_app: Flask, session: Session, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    preferences.set_preference(session, world["bo"], {"action_reminder_days": None})
    session.commit()
    # (Bo chose no reminders: his day, 28 February, passes without one.)
    with smtp_server() as (inbox, url):
        _run(mail_app, url, at(date(2027, 2, 22)), monkeypatch)
        with clock_set_to(lambda: at(date(2027, 2, 22))):
            services.update_action(
                session, world["actions"]["omsorg"], {"due_on": date(2027, 2, 25)}, user=world["ida"]
            )
        session.commit()
        _run(mail_app, url, at(date(2027, 2, 23)), monkeypatch)
        _run(mail_app, url, at(date(2027, 2, 28)), monkeypatch)
        assert [s for to, s in _reminders(inbox) if to == "ida@kk.example.dk"] == [
            "TU-tracker: frist 2027-03-01 for en handling, du er ansvarlig for",
            "TU-tracker: frist 2027-02-25 for en handling, du er ansvarlig for",
        ]
        assert "bo@kk.example.dk" not in [to for to, _ in _reminders(inbox)]


def test_the_digest_lists_the_readers_overdue_actions(
    mail_app: Flask, session: Session, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import update_solution

    # A change in the registry on 2 March gives Ida a daily digest on 3 March; Omsorg is overdue by then.
    with clock_set_to(lambda: at(date(2027, 3, 2), 12)):
        update_solution(session, world["actions"]["omsorg"].solution, {"name": "Omsorg 2"}, actor=SYSTEM)
    session.commit()
    with smtp_server() as (inbox, url):
        _run(mail_app, url, at(date(2027, 3, 3), 8), monkeypatch)
        digest = next(
            m for m in inbox.messages if str(m["To"]) == "ida@kk.example.dk" and "dagens" in str(m["Subject"])
        )
        body = text_part(digest)
        assert "Jeres overskredne handlinger" in body and "Omsorg 2: frist 2027-03-01" in body
        assert "Pleje" not in body.split("Jeres overskredne handlinger")[1]  # Bo's, not Ida's


def test_the_owner_hears_when_the_registry_reopens_their_done_action(
    mail_app: Flask, session: Session, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracker.registry.actors import SYSTEM
    from tracker.registry.services import update_solution

    admin.set_active(session, admin=world["root"], user=world["carl"], active=False)
    with clock_set_to(lambda: at(date(2026, 12, 8))):
        services.update_action(session, world["actions"]["omsorg"], {"status": "done"}, user=world["ida"])
        services.update_action(session, world["actions"]["skole"], {"status": "done"}, user=world["ida"])
        for slug in ("omsorg", "skole"):
            update_solution(
                session,
                world["actions"][slug].solution,
                {"switch_earliest_on": date(2027, 2, 1), "switch_latest_on": date(2027, 2, 1)},
                actor=SYSTEM,
                reason="Udbyderen har fremrykket skiftet",
            )
    session.commit()
    with smtp_server() as (inbox, url):
        _run(mail_app, url, at(date(2026, 12, 8), 12), monkeypatch)
        told = [m for m in inbox.messages if "registeret har ændret" in str(m["Subject"])]
        assert [str(m["To"]) for m in told] == ["ida@kk.example.dk"]  # not Carl: deactivated
        assert str(told[0]["Subject"]) == "TU-tracker: registeret har ændret en handling, du er ansvarlig for (Omsorg)"
        body = text_part(told[0])
        assert "Datoen er ændret fra 1. marts 2027 til 1. februar 2027." in body and "Ikke startet" in body
        assert "Udbyderen har fremrykket skiftet" in body
