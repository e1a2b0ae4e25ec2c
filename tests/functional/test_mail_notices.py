"""The proposer hears the outcome of their proposal by mail: accepted, or rejected with the reason.

A real SMTP server on loopback (aiosmtpd), the real API and the real mail worker on a migrated database.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import Account, make_account
from tests.support.mail import html_part, smtp_server, text_part
from tracker.models import MailMessage, User
from tracker.notify import preferences
from tracker.notify.worker import run_once


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    return app


def _propose(client: FlaskClient, account: Account, slug: str, loa: str, evidence: str) -> int:
    body = {"solution": slug, "required_loa": {"value": loa}, "evidence": evidence}
    resp = client.post("/api/v1/proposals", json=body, headers=account.bearer)
    assert resp.status_code == 201, resp.get_json()
    return int(resp.get_json()["id"])


def _notices(session: Session, user: User) -> list[MailMessage]:
    session.expire_all()
    return list(
        session.scalars(select(MailMessage).where(MailMessage.user_id == user.id, MailMessage.kind == "notice"))
    )


def test_the_proposer_is_told_the_outcome_once_with_the_reason(
    mail_app: Flask, session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    vendor = make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd")
    municipality = make_account(session, "municipality", "it@odense.example.dk", municipality="461")
    quiet = make_account(session, "municipality", "stille@aarhus.example.dk", municipality="751")
    coordinator = make_account(session, "coordinator", "koord@kl.example.dk")
    preferences.set_preference(session, quiet.user, {"mode": "off"})
    preferences.set_preference(session, municipality.user, {"mode": "weekly", "language": "en"})
    session.commit()

    accepted = _propose(client, vendor, "kmd-nexus", "betydelig", "KMD driftsstatus 1. december")
    rejected = _propose(client, municipality, "aula", "hoej", "Set i Aulas nyhedsbrev, november 2026")
    ignored = _propose(client, quiet, "fmk", "hoej", "Hørt på et møde")
    reason = "KOMBIT har ikke meldt Høj ud; se kombit.dk."
    ok = client.post(f"/api/v1/proposals/{accepted}/accept", json={"reason": "Tak."}, headers=coordinator.bearer)
    no = client.post(f"/api/v1/proposals/{rejected}/reject", json={"reason": reason}, headers=coordinator.bearer)
    off = client.post(f"/api/v1/proposals/{ignored}/reject", json={"reason": "Nej."}, headers=coordinator.bearer)
    assert ok.status_code == no.status_code == off.status_code == 200
    assert [m.key for m in _notices(session, vendor.user)] == [f"proposal:{accepted}:accepted"]
    assert [m.key for m in _notices(session, municipality.user)] == [f"proposal:{rejected}:rejected"]
    assert _notices(session, quiet.user) == [], "mail turned off: no notice"

    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        run_once(mail_app)
        mine = {str(m["To"]): m for m in inbox.messages if str(m["To"]).endswith(".example.dk")}
        assert set(mine) >= {"drift@kmd.example.dk", "it@odense.example.dk"}
        assert "stille@aarhus.example.dk" not in mine and "koord@kl.example.dk" not in mine

        to_vendor = mine["drift@kmd.example.dk"]
        assert str(to_vendor["Subject"]) == "TU-tracker: dit forslag til KMD Nexus er godkendt"
        assert f"https://tu-tracker.example.dk/forslag/{accepted}" in text_part(to_vendor)
        assert to_vendor["Message-ID"] == _notices(session, vendor.user)[0].message_id
        # A weekly reader gets the answer to their own proposal at once, in their language, with the reason.
        to_odense = mine["it@odense.example.dk"]
        assert str(to_odense["Subject"]) == "TU-tracker: your proposal for Aula was rejected"
        assert reason in text_part(to_odense) and reason in html_part(to_odense)
        assert to_odense["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

        sent = len(inbox.messages)
        run_once(mail_app)
        assert len(inbox.messages) == sent, "a second run sends nothing again"
    assert {m.state for m in _notices(session, vendor.user) + _notices(session, municipality.user)} == {"sent"}
