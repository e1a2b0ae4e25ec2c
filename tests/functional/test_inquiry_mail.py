"""Inquiry events by e-mail: a new question reaches the solution's vendor, an answer reaches everyone waiting.
Real SMTP server on loopback; the rule is the one the app registers at start (``tracker.connect_features``)."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from tests.support.accounts import make_account, make_role_accounts
from tests.support.mail import smtp_server, text_part
from tracker.notify import preferences
from tracker.notify.worker import run_once

QUESTION = "Hvornår skifter KMD Nexus til NSIS for medarbejdere, og hvilket niveau kræves?"


def test_a_question_mails_the_vendor_and_the_answer_mails_those_waiting(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = make_role_accounts(session)
    aarhus = make_account(session, "municipality", "it-aarhus@example.dk", municipality="751")
    for account in (accounts["vendor_owner"], accounts["vendor_other"], accounts["municipality"], aarhus):
        preferences.set_preference(session, account.user, {"mode": "immediate", "scope": "portfolio"})
    session.commit()
    client = app.test_client()
    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        asked = client.post(
            "/api/v1/solutions/kmd-nexus/inquiries",
            json={"question": QUESTION},
            headers=accounts["municipality"].bearer,
        )
        assert asked.status_code == 201, asked.get_json()
        inquiry_id = asked.get_json()["id"]
        assert client.post(f"/api/v1/inquiries/{inquiry_id}/join", headers=aarhus.bearer).status_code == 200
        run_once(app)
        first = {str(m["To"]) for m in inbox.messages}
        assert accounts["vendor_owner"].user.email in first, "KMD hears of the question about its solution"
        assert accounts["vendor_other"].user.email not in first, "another vendor does not"
        assert accounts["municipality"].user.email not in first, "nobody is mailed about their own question"

        before = len(inbox.messages)
        answer = {"answer": "KMD Nexus kræver betydelig fra 1. marts 2027.", "source_url": "https://kmd.example.dk/n"}
        answered = client.post(
            f"/api/v1/inquiries/{inquiry_id}/answer", json=answer, headers=accounts["vendor_owner"].bearer
        )
        assert answered.status_code == 200, answered.get_json()
        run_once(app)
        second = inbox.messages[before:]
        assert {str(m["To"]) for m in second} >= {accounts["municipality"].user.email, aarhus.user.email}
        assert accounts["vendor_other"].user.email not in {str(m["To"]) for m in second}
        assert all("KMD Nexus" in text_part(m) for m in second)
