"""E-mail through a real SMTP server on loopback (aiosmtpd): immediate alerts, one-click unsubscribe, digests
with a frozen clock, bad input, and an unreachable server. Real database built by the migrations."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer, make_user
from tests.support.broadcast import Clock, log_in, token_for
from tests.support.mail import free_port, html_part, smtp_server, text_part
from tracker.clock import DANISH_TIME as DANISH
from tracker.clock import clock_set_to
from tracker.models import (
    ChangeEvent,
    MailAttempt,
    MailMessage,
    MailPreference,
    Municipality,
    PortfolioEntry,
    Solution,
    User,
)
from tracker.notify import preferences
from tracker.notify.digests import period_bounds
from tracker.notify.worker import run_once
from tracker.registry.actors import Actor
from tracker.registry.services import update_solution

KBH = "101"


def _portfolio(session: Session, code: str, solution: Solution) -> None:
    municipality = session.scalar(select(Municipality).where(Municipality.code == code))
    assert municipality is not None
    session.add(PortfolioEntry(municipality_id=municipality.id, solution_id=solution.id))
    session.flush()


def _some_solutions(session: Session, count: int) -> list[Solution]:
    return list(session.scalars(select(Solution).order_by(Solution.id).limit(count)))


def _move(session: Session, solution: Solution, day: date, actor: Actor) -> None:
    update_solution(session, solution, {"switch_earliest_on": day, "switch_latest_on": day}, actor=actor)


def _prefer(session: Session, user: User, **values: str) -> None:
    preferences.set_preference(session, user, values)


def _mails(session: Session, user: User) -> list[MailMessage]:
    session.expire_all()
    return list(session.scalars(select(MailMessage).where(MailMessage.user_id == user.id).order_by(MailMessage.id)))


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    return app


def test_immediate_mail_names_the_solution_once_and_one_click_unsubscribes(
    mail_app: Flask, session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "it@kbh.example.dk", "municipality", municipality=KBH)
    outsider = make_user(session, "it@aarhus.example.dk", "municipality", municipality="751")
    coordinator = make_user(session, "koord@kl.example.dk", "coordinator")
    _prefer(session, reader, mode="immediate")
    _prefer(session, outsider, mode="immediate")  # Aarhus does not use the solution
    solution = _some_solutions(session, 1)[0]
    _portfolio(session, KBH, solution)
    _move(session, solution, date(2031, 3, 1), Actor.of(coordinator))
    session.commit()

    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        report = run_once(mail_app)
        assert report.sent == 1
        assert len(inbox.messages) == 1
        msg = inbox.messages[0]
        assert msg["To"] == "it@kbh.example.dk"
        assert solution.name in str(msg["Subject"])
        assert f"https://tu-tracker.example.dk/loesninger/{solution.slug}" in text_part(msg)
        assert f'href="https://tu-tracker.example.dk/loesninger/{solution.slug}"' in html_part(msg)
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links = str(msg["List-Unsubscribe"])
        assert "<mailto:tu-tracker@example.dk?subject=unsubscribe>" in links
        https_link = links.split(",")[0].strip().strip("<>")
        assert https_link.startswith("https://tu-tracker.example.dk/afmeld/")
        assert msg["Message-ID"] == _mails(session, reader)[0].message_id

        # A second run (the CLI) sends nothing more.
        result = mail_app.test_cli_runner().invoke(args=["tracker", "notify", "--once"])
        assert result.exit_code == 0, result.output
        assert "0 sent" in result.output
        assert len(inbox.messages) == 1

    # RFC 8058 one-click: a POST without login or CSRF token switches the user's mail off.
    path = https_link.removeprefix("https://tu-tracker.example.dk")
    resp = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200
    session.expire_all()
    assert preferences.preference_of(session, reader)["mode"] == "off"
    assert preferences.preference_of(session, outsider)["mode"] == "immediate"


def test_english_user_gets_english_framing_and_nobody_is_mailed_about_their_own_change(
    mail_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "en@kbh.example.dk", "municipality", municipality=KBH)
    _prefer(session, reader, mode="immediate", scope="all", language="en")
    first, second = _some_solutions(session, 2)
    _move(session, first, date(2031, 4, 1), Actor.of(reader))  # their own change
    _move(session, second, date(2031, 4, 2), Actor(label="KL"))
    session.commit()
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        run_once(mail_app)
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert second.name in str(msg["Subject"])
    assert "One-click unsubscribe" in text_part(msg)
    assert msg["Content-Language"] == "en"
    # The change line itself is English too (dates and labels included), not the Danish feed wording.
    assert "switch date" in text_part(msg) and "2 April 2031" in text_part(msg)
    assert "skæringsdato" not in text_part(msg) and "april 2031" not in text_part(msg)


def test_digests_one_per_user_per_period_with_every_change_once(
    mail_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    daily = make_user(session, "daglig@kbh.example.dk", "municipality", municipality=KBH)  # default: daily
    weekly = make_user(session, "ugentlig@kbh.example.dk", "municipality", municipality=KBH)
    _prefer(session, weekly, mode="weekly")
    solutions = _some_solutions(session, 3)
    baseline = session.scalar(select(func.max(ChangeEvent.id))) or 0  # the seed's own events are older
    for s in solutions[:2]:
        _portfolio(session, KBH, s)
    # Fixed instants, never the wall clock: the changes come on a Monday afternoon (Danish winter time), the
    # digest boundary is Tuesday 07:00 Danish time, the run half an hour later.
    boundary = datetime(2040, 3, 6, 7, tzinfo=DANISH).astimezone(UTC)
    with clock_set_to(Clock(boundary - timedelta(hours=18))):
        for i, s in enumerate(solutions):  # the third is not in the portfolio
            _move(session, s, date(2032, 1, 1 + i), Actor(label="KL"))
        _move(session, solutions[0], date(2032, 2, 1), Actor(label="KL"))
        session.commit()
    clock = Clock(boundary + timedelta(minutes=30))
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        first = run_once(mail_app, clock=clock)
        again = run_once(mail_app, clock=clock)
        to_daily = [m for m in inbox.messages if m["To"] == daily.email]
        assert first.digests >= 1 and again.digests == 0
        assert len(to_daily) == 1
        [digest] = [m for m in _mails(session, daily) if m.kind == "daily"]
        ours = [i for i in digest.event_ids if i > baseline]
        assert len(ours) == 3 == len(set(ours))
        assert len(digest.event_ids) == len(set(digest.event_ids))
        body = text_part(to_daily[0])
        assert body.count(f"== {solutions[0].name} ==") == 1  # grouped by solution
        assert solutions[2].name not in body
        assert f"dagens ændringer ({len(digest.event_ids)} ændringer" in str(to_daily[0]["Subject"])

        # The next day: only what changed since.
        with clock_set_to(Clock(boundary + timedelta(hours=6))):
            _move(session, solutions[1], date(2032, 3, 1), Actor(label="KL"))
            session.commit()
        clock.advance(days=1)
        run_once(mail_app, clock=clock)
        digests = [m for m in _mails(session, daily) if m.kind == "daily"]
        assert len(digests) == 2
        assert len(digests[1].event_ids) == 1 and digests[1].event_ids[0] not in digests[0].event_ids

        # The weekly digest comes on the Monday after, holding all four changes once.
        run_once(mail_app, clock=Clock(datetime(2040, 3, 12, 7, 5, tzinfo=DANISH)))
        weeklies = [m for m in _mails(session, weekly) if m.kind == "weekly"]
        assert len(weeklies) == 1
        ours = [i for i in weeklies[0].event_ids if i > baseline]
        assert len(ours) == 4 == len(set(ours))
        assert len([m for m in inbox.messages if m["To"] == weekly.email]) == 1


def test_period_bounds_follow_danish_time() -> None:
    # Summer time: 07:00 in Copenhagen is 05:00 UTC.
    start, end = period_bounds("daily", datetime(2026, 7, 1, 5, 30, tzinfo=UTC))
    assert end == datetime(2026, 7, 1, 5, tzinfo=UTC) and start == datetime(2026, 6, 30, 5, tzinfo=UTC)
    # Before 07:00 the period ended yesterday; winter time is UTC+1.
    start, end = period_bounds("daily", datetime(2026, 12, 2, 5, 59, tzinfo=UTC))
    assert end == datetime(2026, 12, 1, 6, tzinfo=UTC)
    # Across the switch to winter time the day is 25 hours long.
    start, end = period_bounds("daily", datetime(2026, 10, 25, 7, tzinfo=UTC))
    assert end - start == timedelta(hours=25)
    # Weekly periods end on Monday 07:00: Wednesday 2 December 2026 → Monday 30 November.
    start, end = period_bounds("weekly", datetime(2026, 12, 2, 12, tzinfo=UTC))
    assert end == datetime(2026, 11, 30, 6, tzinfo=UTC) and end - start == timedelta(days=7)
    # Monday 06:59 Danish time still belongs to the week before.
    _, end = period_bounds("weekly", datetime(2026, 11, 30, 5, 59, tzinfo=UTC))
    assert end == datetime(2026, 11, 23, 6, tzinfo=UTC)


def test_preference_api_defaults_validation_and_danish_errors(session: Session, client: FlaskClient) -> None:
    user = make_user(session, "api@kbh.example.dk", "municipality", municipality=KBH)
    token = token_for(session, user)
    session.commit()
    resp = client.get("/api/v1/account/notifications", headers=bearer(token))
    assert resp.status_code == 200
    assert resp.get_json() == {
        "mode": "daily",
        "scope": "portfolio",
        "language": "da",
        "alerts": [],
        "action_reminder_days": 7,
        "transition_kinds": [],
        "transition_categories": [],
        "transition_major_only": False,
    }
    for body in ({"mode": "hourly"}, {"scope": "neighbours"}, {"mode": 3}, "immediate"):
        resp = client.put("/api/v1/account/notifications", json=body, headers=bearer(token))
        assert resp.status_code == 422, body
        assert "Ugyldige mailindstillinger" in resp.get_json()["error"]["message"] or isinstance(body, str)
    resp = client.put("/api/v1/account/notifications", json={"mode": "hourly"}, headers=bearer(token))
    assert "Ukendt værdi" in resp.get_json()["error"]["details"]["fields"]["mode"]
    resp = client.put("/api/v1/account/notifications?lang=en", json={"mode": "hourly"}, headers={**bearer(token)})
    assert resp.status_code == 422
    session.expire_all()
    assert session.get(MailPreference, user.id) is None, "nothing changed"
    resp = client.put("/api/v1/account/notifications", json={"mode": "weekly", "scope": "all"}, headers=bearer(token))
    assert resp.status_code == 200
    assert resp.get_json() == {
        "mode": "weekly",
        "scope": "all",
        "language": "da",
        "alerts": [],
        "action_reminder_days": 7,
        "transition_kinds": [],
        "transition_categories": [],
        "transition_major_only": False,
    }
    resp = client.get("/api/v1/account/notifications")
    assert resp.status_code == 401


def test_account_form_saves_and_refuses_unknown_values(session: Session, client: FlaskClient) -> None:
    user = make_user(session, "form@kbh.example.dk", "municipality", municipality=KBH)
    session.commit()
    log_in(client, user)
    page = client.get("/konto")
    assert page.status_code == 200 and 'name="mode" value="daily" checked' in page.text
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/konto/mail", data={"csrf_token": csrf, "mode": "hourly", "scope": "all"})
    assert resp.status_code == 422 and "Ukendt værdi" in resp.text
    session.expire_all()
    assert preferences.preference_of(session, user)["mode"] == "daily"
    resp = client.post("/konto/mail", data={"csrf_token": csrf, "mode": "immediate", "scope": "all"})
    assert resp.status_code == 302
    session.expire_all()
    assert preferences.preference_of(session, user) == {
        "mode": "immediate",
        "scope": "all",
        "language": "da",
        "alerts": [],
        "action_reminder_days": 7,  # the account form keeps the default when the field is left as it was
        "transition_kinds": [],
        "transition_categories": [],
        "transition_major_only": False,
    }


def test_forged_or_expired_unsubscribe_token_changes_nothing(
    mail_app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, "tok@kbh.example.dk", "municipality", municipality=KBH)
    _prefer(session, user, mode="immediate")
    session.commit()
    good = preferences.unsubscribe_token(user)
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")

    class OldSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 400 * 86400

    old = URLSafeTimedSerializer(mail_app.config["SECRET_KEY"], salt=preferences.TOKEN_SALT, signer=OldSigner)
    expired = old.dumps({"u": user.id})
    other_key = URLSafeTimedSerializer("not-our-secret", salt=preferences.TOKEN_SALT).dumps({"u": user.id})
    for token in (forged, expired, other_key, "x"):
        assert client.get(f"/afmeld/{token}").status_code == 404
        resp = client.post(f"/afmeld/{token}", data={"List-Unsubscribe": "One-Click"})
        assert resp.status_code == 404, token
    assert "udløbet" in client.post(f"/afmeld/{expired}").text
    session.expire_all()
    assert preferences.preference_of(session, user)["mode"] == "immediate"
    page = client.get(f"/afmeld/{good}")
    assert page.status_code == 200
    session.expire_all()
    assert preferences.preference_of(session, user)["mode"] == "immediate", "a GET changes nothing"


def test_unreachable_smtp_server_records_retries_and_the_admin_sees_the_address(
    mail_app: Flask, session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = make_user(session, "down@kbh.example.dk", "municipality", municipality=KBH)
    admin = make_user(session, "admin@kl.example.dk", "admin")
    coordinator = make_user(session, "koord2@kl.example.dk", "coordinator")
    _prefer(session, reader, mode="immediate", scope="all")
    token = token_for(session, coordinator)
    session.commit()
    monkeypatch.setitem(mail_app.config, "MAIL_URL", f"smtp://127.0.0.1:{free_port()}")
    solution = _some_solutions(session, 1)[0]
    # The change goes through the API while the mail server is down: the request is unaffected.
    current = client.get(f"/api/v1/solutions/{solution.slug}")
    resp = client.patch(
        f"/api/v1/solutions/{solution.slug}",
        json={"description": "Ny beskrivelse"},
        headers={**bearer(token), "If-Match": current.headers["ETag"]},
    )
    assert resp.status_code == 200, resp.get_json()
    clock = Clock()
    report = run_once(mail_app, clock=clock)
    assert report.failed == 1 and report.sent == 0
    [mail] = _mails(session, reader)
    assert mail.state == "pending" and mail.attempts == 1 and mail.next_attempt_at > clock()
    assert "kunne ikke nås" in (mail.last_error or "")
    assert run_once(mail_app, clock=clock).claimed == 0, "not before the backoff"
    clock.advance(minutes=2)
    assert run_once(mail_app, clock=clock).failed == 1
    attempts = session.scalars(select(MailAttempt).where(MailAttempt.mail_id == mail.id)).all()
    assert len(attempts) == 2 and all(a.address == reader.email and a.error for a in attempts)

    log_in(client, admin)
    page = client.get("/admin/mail")
    assert page.status_code == 200 and reader.email in page.text and "kunne ikke nås" in page.text
    log_in(client, coordinator)
    assert client.get("/admin/mail").status_code == 403

    # The server comes back: the next due retry delivers it, once.
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        clock.advance(minutes=10)
        assert run_once(mail_app, clock=clock).sent == 1
        clock.advance(hours=5)
        assert run_once(mail_app, clock=clock).claimed == 0
    assert inbox.ids() == [mail.message_id]


def test_permanent_refusal_gives_up_at_once(mail_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    reader = make_user(session, "gone@kbh.example.dk", "municipality", municipality=KBH)
    _prefer(session, reader, mode="immediate", scope="all")
    _move(session, _some_solutions(session, 1)[0], date(2033, 1, 1), Actor(label="KL"))
    session.commit()
    with smtp_server(refuse="550 no such user") as (_inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        run_once(mail_app)
    [mail] = _mails(session, reader)
    assert mail.state == "failed" and "550" in (mail.last_error or "")


def test_without_a_mail_url_mails_are_eml_files(
    mail_app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    reader = make_user(session, "eml@kbh.example.dk", "municipality", municipality=KBH)
    _prefer(session, reader, mode="immediate", scope="all")
    _move(session, _some_solutions(session, 1)[0], date(2033, 2, 1), Actor(label="KL"))
    session.commit()
    monkeypatch.setitem(mail_app.config, "MAIL_URL", f"file://{tmp_path}/mail")
    assert run_once(mail_app).sent == 1
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1 and b"List-Unsubscribe-Post" in files[0].read_bytes()
