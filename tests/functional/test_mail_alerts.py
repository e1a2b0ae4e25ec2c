"""Coordinators' work alerts by mail: new proposals to review, changed source pages, sources turning unhealthy.

Asked for in the mail preference (``alerts``, coordinators only), written in the transaction of what they tell,
sent at once through a real SMTP server on loopback (aiosmtpd) by the real mail worker.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from scrapers.base import Observation
from tests.support.accounts import client_for, make_account
from tests.support.mail import html_part, smtp_server, text_part
from tracker.ingest import services
from tracker.ingest.fetch import FetchedPage, FetchResult
from tracker.ingest.targets import ScrapeSettings, targets_for
from tracker.models import MailMessage, User
from tracker.notify import preferences
from tracker.notify.worker import run_once

SETTINGS = ScrapeSettings(unhealthy_after=2)
TARGET = targets_for("digst_launch", SETTINGS)[0]


@pytest.fixture
def mail_app(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    return app


def _keys(session: Session, user: User) -> list[str]:
    session.expire_all()
    rows = select(MailMessage.key).where(MailMessage.user_id == user.id, MailMessage.kind == "notice")
    return list(session.scalars(rows.order_by(MailMessage.id)))


def _in_queue_order(session: Session, messages: list[Any]) -> list[Any]:
    """Mails in the order they were queued (the worker sends several at once, so they may arrive in any order)."""
    session.expire_all()
    order = {mid: n for n, mid in enumerate(session.scalars(select(MailMessage.message_id).order_by(MailMessage.id)))}
    return sorted(messages, key=lambda m: order[str(m["Message-ID"])])


def _run(session: Session, *, text: str | None = None, loa: str | None = None, fail: bool = False) -> int:
    result = FetchResult(started_at=datetime.now(UTC), outcome="ok", http_status=200, bytes=100)
    if loa is not None:
        result.observations = [
            Observation(
                "digst_launch",
                "kmd-nexus",
                "KMD Nexus",
                "required_loa",
                loa,
                None,
                "exact",
                f"Løsning: KMD Nexus | Sikringsniveau: {loa}",
                TARGET.url,
            )
        ]
    if text is not None:
        result.pages.append(FetchedPage(TARGET.fetch_url, text))
    if fail:
        result.http_status = 503
        result.fail("failed", "Siden kunne ikke hentes: HTTP 503")
    return services.record(session, services.prepare(session, TARGET), result, SETTINGS).id


def test_only_coordinators_may_ask_for_work_alerts(client: FlaskClient, session: Session) -> None:
    municipality = make_account(session, "municipality", "it@kolding.example.dk", municipality="621")
    coordinator = make_account(session, "coordinator", "koord@kl.example.dk")
    session.commit()
    url = "/api/v1/account/notifications"
    refused = client.put(url, json={"alerts": ["proposals"]}, headers=municipality.bearer)
    assert refused.status_code == 422 and "alerts" in refused.get_json()["error"]["details"]["fields"]
    unknown = client.put(url, json={"alerts": ["everything"]}, headers=coordinator.bearer)
    assert unknown.status_code == 422
    ok = client.put(url, json={"alerts": ["sources", "proposals"]}, headers=coordinator.bearer)
    assert ok.status_code == 200 and ok.get_json()["alerts"] == ["proposals", "sources"]
    assert client.get(url, headers=coordinator.bearer).get_json()["alerts"] == ["proposals", "sources"]
    assert client.get(url, headers=municipality.bearer).get_json()["alerts"] == []
    # Nothing was lost by the refused change.
    assert client.put(url, json={"alerts": []}, headers=municipality.bearer).status_code == 200


def test_coordinators_who_asked_hear_of_new_proposals_and_of_what_the_scrapers_found(
    mail_app: Flask, session: Session, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    everything = make_account(session, "coordinator", "alt@kl.example.dk")
    pages_only = make_account(session, "coordinator", "kilder@kl.example.dk")
    none = make_account(session, "coordinator", "ingen@kl.example.dk")
    vendor = make_account(session, "vendor", "drift@kmd.example.dk", organisation="kmd")
    preferences.set_preference(session, everything.user, {"alerts": ["proposals", "sources"], "language": "en"})
    preferences.set_preference(session, pages_only.user, {"alerts": ["sources"]})
    preferences.set_preference(session, none.user, {"mode": "immediate"})
    session.commit()

    body = {"solution": "kmd-nexus", "required_loa": {"value": "hoej"}, "evidence": "KMD's driftsstatus"}
    created = client.post("/api/v1/proposals", json=body, headers=vendor.bearer)
    assert created.status_code == 201
    pid = created.get_json()["id"]
    assert _keys(session, everything.user) == [f"proposal-new:{pid}"]
    assert _keys(session, pages_only.user) == [] and _keys(session, none.user) == []

    first = _run(session, text="Lanceringsdatoer\nKMD Nexus: ukendt")  # the page's first snapshot: no change
    proposed = _run(session, loa="betydelig", text="Lanceringsdatoer\nKMD Nexus: ukendt")  # same page: a proposal
    # The page changes (the same finding again: no second proposal).
    changed = _run(session, loa="betydelig", text="Lanceringsdatoer\nKMD Nexus: Betydelig fra 1. marts 2027")
    _run(session, fail=True)
    unhealthy = _run(session, fail=True)  # the second failure in a row: the source turns unhealthy
    _run(session, fail=True)  # still unhealthy: nothing new to tell
    session.commit()
    assert _keys(session, everything.user) == [
        f"proposal-new:{pid}",
        f"run:{proposed}:p1:c0:u0",
        f"run:{changed}:p0:c1:u0",
        f"run:{unhealthy}:p0:c0:u1",
    ]
    assert _keys(session, pages_only.user) == [f"run:{changed}:p0:c1:u0", f"run:{unhealthy}:p0:c0:u1"]
    assert _keys(session, none.user) == [] and first not in {proposed, changed}

    with smtp_server() as (inbox, url):
        monkeypatch.setitem(mail_app.config, "MAIL_URL", url)
        run_once(mail_app)
    arrived = _in_queue_order(session, inbox.messages)
    mine = [m for m in arrived if str(m["To"]) == "kilder@kl.example.dk"]
    assert [str(m["Subject"]) for m in mine] == ["TU-tracker: nyt fra kilden " + TARGET.name] * 2
    page_change = text_part(mine[0])
    assert f"Siden har ændret sig: {TARGET.fetch_url}" in page_change
    assert f"https://tu-tracker.example.dk/kilder/{TARGET.key}" in page_change
    unhealthy_text = text_part(mine[1])  # the reason as it stands when the mail is written
    assert "Kilden er ikke længere sund:" in unhealthy_text and "mislykkede kørsler i træk" in unhealthy_text
    english = [m for m in arrived if str(m["To"]) == "alt@kl.example.dk"]
    subjects = [str(m["Subject"]) for m in english]
    assert subjects[0] == "TU-tracker: new proposal for KMD Nexus from KMD (leverandør)"
    assert f'href="https://tu-tracker.example.dk/forslag/{pid}"' in html_part(english[0])
    assert "1 new proposal from the source is waiting for review." in text_part(english[1])
    assert not [m for m in inbox.messages if str(m["To"]) in ("ingen@kl.example.dk", "drift@kmd.example.dk")]


def test_the_account_page_offers_work_alerts_to_coordinators_only(app: Flask, session: Session) -> None:
    coordinator = make_account(session, "coordinator", "konto@kl.example.dk")
    municipality = make_account(session, "municipality", "konto@vejle.example.dk", municipality="630")
    session.commit()
    web, token = client_for(app, coordinator)
    assert 'name="alerts" value="sources"' in web.get("/konto").get_data(as_text=True)
    form = {"csrf_token": token, "mode": "daily", "scope": "portfolio", "language": "da", "alerts_shown": "1"}
    assert web.post("/konto/mail", data={**form, "alerts": ["sources"]}).status_code == 302
    assert preferences.preference_of(session, coordinator.user)["alerts"] == ["sources"]
    assert web.post("/konto/mail", data=form).status_code == 302  # every box unticked
    session.expire_all()
    assert preferences.preference_of(session, coordinator.user)["alerts"] == []

    other, other_token = client_for(app, municipality)
    assert 'name="alerts"' not in other.get("/konto").get_data(as_text=True)
    forged = other.post("/konto/mail", data={**form, "csrf_token": other_token, "alerts": ["proposals"]})
    assert forged.status_code == 422 and "Arbejdsbeskeder er for KL" in forged.get_data(as_text=True)
    session.expire_all()
    assert preferences.preference_of(session, municipality.user)["alerts"] == []
