"""A mail notice keeps what it is about in typed columns; its key is only its identity (issue 28 item 3).

Real API, real database built by the migrations (ho0001 added the columns).
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_account
from tracker.clock import utcnow
from tracker.models import MailMessage
from tracker.notify.notices import compose_notice


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    return app


def test_a_decision_notice_is_composed_from_its_columns_not_its_key(
    mail_app: Flask, session: Session, client: FlaskClient
) -> None:
    vendor = make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd")
    coordinator = make_account(session, "coordinator", "koord@kl.example.dk")
    session.commit()
    body = {"solution": "kmd-nexus", "required_loa": {"value": "betydelig"}, "evidence": "KMD driftsstatus"}
    created = client.post("/api/v1/proposals", json=body, headers=vendor.bearer)
    assert created.status_code == 201, created.get_json()
    pid = int(created.get_json()["id"])
    rejected = client.post(f"/api/v1/proposals/{pid}/reject", json={"reason": "Nej."}, headers=coordinator.bearer)
    assert rejected.status_code == 200

    session.expire_all()
    mail = session.scalars(
        select(MailMessage).where(MailMessage.user_id == vendor.user.id, MailMessage.kind == "notice")
    ).one()
    assert (mail.notice, mail.proposal_id, mail.decision) == ("proposal_decided", pid, "rejected")
    assert mail.scrape_run_id is None

    mail.key = "renamed"  # the key is the row's identity only: nothing reads it back
    with mail_app.app_context():
        message = compose_notice(session, mail, vendor.user, "da", utcnow())
    assert message is not None
    assert str(message["Subject"]) == "TU-tracker: dit forslag til KMD Nexus er afvist"

    mail.notice = None  # a row that names no subject is not sent
    with mail_app.app_context():
        assert compose_notice(session, mail, vendor.user, "da", utcnow()) is None
    session.rollback()
