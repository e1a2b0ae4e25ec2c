"""Mail narrowed to chosen transitions (issue 22, item 4): kinds, categories and major only, through a real SMTP
server on loopback (aiosmtpd), immediate (coalesced) and in the digest; other events are never narrowed; the
preference through the API (enums in the OpenAPI document, Danish 422 naming the value, nothing stored) and the
account page's form (plain HTML checkboxes, no JavaScript)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import bearer, make_user
from tests.support.broadcast import Clock, log_in, token_for
from tests.support.mail import smtp_server, text_part
from tests.support.municipalities import solution as make_solution
from tests.support.municipalities import use
from tracker.clock import DANISH_TIME as DANISH
from tracker.clock import clock_set_to
from tracker.models import MailMessage, MailPreference, Solution, User
from tracker.models.vocab import TransitionCategory, TransitionKind
from tracker.notify import preferences
from tracker.notify.worker import run_once
from tracker.registry.actors import Actor
from tracker.registry.services import update_solution
from tracker.registry.transition_writes import create_transition

KBH = "101"
KL = Actor(label="KL")
CERTIFICATE = "OCES3-systemcertifikat"
PROTOCOL = "OIOSAML 4.0.0"
NOTIFICATIONS = "/api/v1/account/notifications"


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    return app


@pytest.fixture
def used(session: Session) -> Solution:
    """A solution in Copenhagen's portfolio (so its changes concern Copenhagen's users)."""
    found = make_solution(session, "x-fordeling", name="Fordelingssystem-test")
    use(session, KBH, "x-fordeling")
    session.flush()
    return found


def _reader(session: Session, email: str, **preference: Any) -> User:
    user = make_user(session, email, "municipality", municipality=KBH)
    preferences.set_preference(session, user, preference)
    return user


def _transitions(session: Session, solution: Solution) -> None:
    """A minor certificate change to fix, a major protocol change to plan for, and a switch-date change."""
    create_transition(
        session,
        solution,
        {
            "kind": "certificate",
            "title": CERTIFICATE,
            "earliest_on": date(2031, 2, 1),
            "category": "prevent_or_fix",
            "major": False,
        },
        actor=KL,
    )
    create_transition(
        session,
        solution,
        {
            "kind": "protocol",
            "title": PROTOCOL,
            "earliest_on": date(2031, 6, 1),
            "category": "plan_for_change",
            "major": True,
        },
        actor=KL,
    )
    update_solution(
        session, solution, {"switch_earliest_on": date(2031, 9, 1), "switch_latest_on": date(2031, 9, 1)}, actor=KL
    )


def _to(inbox: list[EmailMessage], user: User) -> list[str]:
    return [text_part(m) for m in inbox if m["To"] == user.email]


def test_immediate_mail_follows_each_readers_transition_filter(
    mail_app: Flask, session: Session, used: Solution, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificates = _reader(session, "cert@kbh.example.dk", mode="immediate", transition_kinds=["certificate"])
    major = _reader(session, "major@kbh.example.dk", mode="immediate", transition_major_only=True)
    planners = _reader(session, "plan@kbh.example.dk", mode="immediate", transition_categories=["plan_for_change"])
    everything = _reader(session, "alt@kbh.example.dk", mode="immediate")
    # Narrowed once and cleared again: the empty filter is everything, as before filters existed.
    cleared = _reader(session, "ryddet@kbh.example.dk", mode="immediate", transition_kinds=["wallet"])
    preferences.set_preference(session, cleared, {"transition_kinds": [], "transition_major_only": False})
    _transitions(session, used)
    session.commit()

    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        report = run_once(mail_app)
        assert report.sent == 5 and len(inbox.messages) == 5  # each reader's changes coalesced into one mail

    [mail] = _to(inbox.messages, certificates)
    assert CERTIFICATE in mail and PROTOCOL not in mail
    assert "skæringsdato" in mail, "a change of the solution's own facts is never narrowed"
    [mail] = _to(inbox.messages, major)
    assert PROTOCOL in mail and CERTIFICATE not in mail and "skæringsdato" in mail
    [mail] = _to(inbox.messages, planners)
    assert PROTOCOL in mail and CERTIFICATE not in mail and "skæringsdato" in mail
    for reader in (everything, cleared):
        [mail] = _to(inbox.messages, reader)
        assert CERTIFICATE in mail and PROTOCOL in mail and "skæringsdato" in mail


def test_a_reader_whose_filter_matches_none_of_the_changes_gets_no_mail(
    mail_app: Flask, session: Session, used: Solution, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallets = _reader(session, "wallet@kbh.example.dk", mode="immediate", transition_kinds=["wallet"])
    create_transition(session, used, {"kind": "certificate", "title": CERTIFICATE}, actor=KL)
    session.commit()
    session.expire_all()
    assert session.scalars(select(MailMessage).where(MailMessage.user_id == wallets.id)).all() == []
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        run_once(mail_app)
    assert _to(inbox.messages, wallets) == []


def test_the_digest_follows_the_filter_too(
    mail_app: Flask, session: Session, used: Solution, monkeypatch: pytest.MonkeyPatch
) -> None:
    certificates = _reader(session, "cert-daglig@kbh.example.dk", transition_kinds=["certificate"])  # daily
    major = _reader(session, "major-ugentlig@kbh.example.dk", mode="weekly", transition_major_only=True)
    everything = make_user(session, "daglig@kbh.example.dk", "municipality", municipality=KBH)  # no row at all
    # Fixed instants, never the wall clock: the changes on a Monday afternoon, the daily digest's boundary
    # Tuesday 07:00 Danish time, the weekly one the Monday after.
    boundary = datetime(2040, 3, 6, 7, tzinfo=DANISH).astimezone(UTC)
    with clock_set_to(Clock(boundary - timedelta(hours=18))):
        _transitions(session, used)
        session.commit()
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        run_once(mail_app, clock=Clock(boundary + timedelta(minutes=30)))
        run_once(mail_app, clock=Clock(datetime(2040, 3, 12, 7, 5, tzinfo=DANISH)))

    [digest] = _to(inbox.messages, certificates)
    assert CERTIFICATE in digest and PROTOCOL not in digest and "skæringsdato" in digest
    [digest] = _to(inbox.messages, major)
    assert PROTOCOL in digest and CERTIFICATE not in digest and "skæringsdato" in digest
    [digest] = _to(inbox.messages, everything)
    assert CERTIFICATE in digest and PROTOCOL in digest and "skæringsdato" in digest


def test_the_api_takes_the_filter_documents_it_and_refuses_bad_values_in_danish(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    user = make_user(session, "api-filter@kbh.example.dk", "municipality", municipality=KBH)
    token = token_for(session, user)
    session.commit()

    document = client.get("/api/v1/openapi.json").get_json()
    [schema] = [s for name, s in document["components"]["schemas"].items() if name.startswith("Notification")]
    properties = schema["properties"]
    assert properties["transition_kinds"]["items"]["enum"] == list(TransitionKind)
    assert properties["transition_categories"]["items"]["enum"] == list(TransitionCategory)
    assert properties["transition_major_only"]["type"] == "boolean"

    for body, field, words in (
        ({"transition_kinds": ["certificate", "teleport"]}, "transition_kinds", "Ukendt værdi: 'teleport'"),
        ({"transition_categories": ["panic"]}, "transition_categories", "Ukendt værdi: 'panic'"),
        ({"transition_categories": "plan_for_change"}, "transition_categories", "Skal være en liste"),
        ({"transition_kinds": [7]}, "transition_kinds", "Ukendt værdi: '7'"),
        ({"transition_major_only": "yes"}, "transition_major_only", "true eller false"),
        ({"mode": "immediate", "transition_major_only": 1}, "transition_major_only", "true eller false"),
    ):
        resp = client.put(NOTIFICATIONS, json=body, headers=bearer(token))
        assert resp.status_code == 422, body
        error = resp.get_json()["error"]
        assert "Ugyldige mailindstillinger" in error["message"]
        assert words in error["details"]["fields"][field], (body, error)
    english = client.put(
        NOTIFICATIONS, json={"transition_kinds": ["teleport"]}, headers={**bearer(token), "Accept-Language": "en"}
    )
    assert english.status_code == 422
    assert "Unknown value: 'teleport'" in english.get_json()["error"]["details"]["fields"]["transition_kinds"]
    session.expire_all()
    assert session.get(MailPreference, user.id) is None, "nothing stored"

    wanted = {
        "transition_kinds": ["certificate", "protocol", "certificate"],
        "transition_categories": ["plan_for_change"],
        "transition_major_only": True,
    }
    resp = client.put(NOTIFICATIONS, json=wanted, headers=bearer(token))
    assert resp.status_code == 200, resp.get_json()
    stored = {"transition_kinds": ["protocol", "certificate"], "transition_categories": ["plan_for_change"]}
    assert resp.get_json() | stored == resp.get_json(), "the vocabulary's order, each once"
    assert resp.get_json()["transition_major_only"] is True and resp.get_json()["mode"] == "daily"
    assert client.get(NOTIFICATIONS, headers=bearer(token)).get_json() == resp.get_json()
    session.expire_all()
    row = session.get(MailPreference, user.id)
    assert row is not None and row.transition_kinds == ["protocol", "certificate"] and row.transition_major_only is True

    # Left out: kept. Emptied: everything again.
    kept = client.put(NOTIFICATIONS, json={"mode": "weekly"}, headers=bearer(token)).get_json()
    assert kept["transition_kinds"] == ["protocol", "certificate"] and kept["mode"] == "weekly"
    cleared = client.put(
        NOTIFICATIONS,
        json={"transition_kinds": [], "transition_categories": None, "transition_major_only": False},
        headers=bearer(token),
    ).get_json()
    assert (cleared["transition_kinds"], cleared["transition_categories"], cleared["transition_major_only"]) == (
        [],
        [],
        False,
    )


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def test_the_account_page_edits_the_filter_with_plain_checkboxes(session: Session, client: FlaskClient) -> None:
    user = make_user(session, "form-filter@kbh.example.dk", "municipality", municipality=KBH)
    session.commit()
    log_in(client, user)
    page = client.get("/konto").text
    assert "Hvilke overgange vil du have mail om?" in page
    for value in (*TransitionKind, *TransitionCategory):
        assert f'value="{value}" id=' in page and f'value="{value}" id="transition_' in page
    assert 'type="checkbox" class="form-checkbox" name="transition_major_only"' in page
    assert " checked" not in page.split("transitions-hint")[1].split("action_reminder_days")[0], "nothing ticked"

    form = {
        "csrf_token": _csrf(page),
        "mode": "immediate",
        "scope": "portfolio",
        "language": "da",
        "transitions_shown": "1",
        "transition_kinds": ["certificate", "wallet"],
        "transition_categories": ["prevent_or_fix"],
        "transition_major_only": "1",
    }
    resp = client.post("/konto/mail", data=form)
    assert resp.status_code == 302
    session.expire_all()
    saved = preferences.preference_of(session, user)
    assert saved["transition_kinds"] == ["certificate", "wallet"]
    assert saved["transition_categories"] == ["prevent_or_fix"] and saved["transition_major_only"] is True
    page = client.get("/konto").text
    assert 'name="transition_kinds" value="certificate" id="transition_kinds-certificate" checked' in page
    assert 'name="transition_major_only" value="1" id="transition_major_only" checked' in page

    # A value no box offers (a hand-made post): a Danish 422 naming it, nothing changed.
    resp = client.post("/konto/mail", data={**form, "transition_kinds": ["certificate", "teleport"]})
    assert resp.status_code == 422 and "Ukendt værdi: &#39;teleport&#39;" in resp.text
    session.expire_all()
    assert preferences.preference_of(session, user)["transition_kinds"] == ["certificate", "wallet"]

    # Every box unticked: every transition again.
    unticked = {k: v for k, v in form.items() if not k.startswith("transition_")}
    assert client.post("/konto/mail", data=unticked).status_code == 302
    session.expire_all()
    saved = preferences.preference_of(session, user)
    assert (saved["transition_kinds"], saved["transition_categories"], saved["transition_major_only"]) == (
        [],
        [],
        False,
    )

    english = client.get("/konto?lang=en").text
    assert "Which transitions do you want mail about?" in english and "Major changes only" in english
