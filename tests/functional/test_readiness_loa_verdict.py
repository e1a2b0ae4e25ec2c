"""A ``loa`` transition moves today's verdict, not only the lock-out periods (issue 22 item 3): the row's status,
its action, and its binding day in the API, the CSV export and the private calendar all read the same dated
requirement steps. A transition on a broker drives the rows of the solutions behind it, and its mail reaches the
municipalities using them (a real SMTP server on loopback).

Real database (migrated; SQLite, and PostgreSQL with TRACKER_TEST_DATABASE_URL). Dates are relative to today in
Denmark, which the readiness computation reads.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy.orm import Session

from tests.support.mail import smtp_server, text_part
from tests.support.municipalities import (
    AARHUS,
    COPENHAGEN,
    ODENSE,
    fresh_client,
    idp,
    municipality,
    solution,
    use,
    user_with_token,
)
from tracker.broadcast import feed_tokens
from tracker.clock import today_in_denmark
from tracker.models import Solution, Transition, User
from tracker.notify import preferences
from tracker.notify.worker import run_once
from tracker.registry.actors import SYSTEM, Actor
from tracker.registry.services import create_solution, update_solution
from tracker.registry.transition_writes import create_transition
from tracker.vocabulary import danish_day

TODAY = today_in_denmark()  # readiness reads today's date in Denmark; every date below is relative to it
OWN_SWITCH = TODAY + timedelta(days=100)
RAISE = TODAY + timedelta(days=200)
RAISE_LAST = TODAY + timedelta(days=230)
KL = Actor(label="KL-koordinator")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def sbsys(session: Session) -> Solution:
    """Betydelig from its own switch (100 days ahead); Copenhagen's IdP at Betydelig, Odense's at Høj."""
    found = solution(session, "x-sbsys", loa="betydelig", earliest=OWN_SWITCH, name="SBSYS-test")
    idp(session, COPENHAGEN, "KK IdP", "betydelig", group="administration")
    idp(session, ODENSE, "Odense IdP", "hoej")
    use(session, COPENHAGEN, "x-sbsys")
    use(session, ODENSE, "x-sbsys")
    session.commit()
    return found


def _loa(session: Session, target: Solution, earliest: Any, **fields: Any) -> Transition:
    values = {
        "kind": "loa",
        "title": f"{target.name} kræver Høj",
        "earliest_on": earliest,
        "latest_on": fields.pop("latest_on", earliest),
        "precision": "day",
        "required_loa": "hoej",
        "category": "plan_for_change",
        **fields,
    }
    transition = create_transition(session, target, values, actor=KL)
    session.commit()
    return transition


def _row(client: FlaskClient, token: str, code: str, slug: str) -> dict[str, Any]:
    body = client.get(f"/api/v1/municipalities/{code}/readiness", headers={"Authorization": f"Bearer {token}"})
    assert body.status_code == 200
    [row] = [r for r in body.get_json()["items"] if r["solution"]["slug"] == slug]
    return row


def test_a_future_raise_is_at_risk_and_the_api_the_csv_and_the_calendar_agree_on_its_day(
    client: FlaskClient, session: Session, sbsys: Solution
) -> None:
    kk_user, kk_token = user_with_token(session, "it@kk.example.dk", "municipality", COPENHAGEN)
    _, odense_token = user_with_token(session, "it@odense.example.dk", "municipality", ODENSE)
    _, feed_token = feed_tokens.create_token(session, kk_user, municipality(session, COPENHAGEN))
    session.commit()
    assert _row(client, kk_token, COPENHAGEN, "x-sbsys")["status"] == "ok"

    _loa(session, sbsys, RAISE, latest_on=RAISE_LAST)
    row = _row(client, kk_token, COPENHAGEN, "x-sbsys")
    assert (row["status"], row["days_left"], row["locked_out_from"]) == ("at_risk", 200, RAISE.isoformat())
    assert row["requirement_from"] == {"slug": "x-sbsys", "name": "SBSYS-test"}
    assert row["action"] == {
        "code": "notify_idp",
        "text": f"Anmeld IdP'en 'KK IdP' på Høj senest {danish_day(RAISE - timedelta(days=1))}",
    }
    assert row["next_lockout"]["from"] == RAISE.isoformat()
    # The solution's own facts are unchanged: the API still shows its NSIS login switch.
    assert row["required_loa"]["value"] == "betydelig" and row["switch_date"]["earliest"] == OWN_SWITCH.isoformat()
    # Odense's IdP is at Høj: nothing to do.
    odense = _row(client, odense_token, ODENSE, "x-sbsys")
    assert (odense["status"], odense["action"]["code"], odense["next_lockout"]) == ("ok", "none", None)

    # The CSV export: the same verdict and day.
    text = client.get(
        f"/api/v1/municipalities/{COPENHAGEN}/readiness.csv", headers={"Authorization": f"Bearer {kk_token}"}
    ).data.decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    [line] = [r for r in rows if r[header.index("Slug")] == "x-sbsys"]
    assert line[header.index("Status")] == "I fare"
    assert line[header.index("Dage tilbage")] == "200"
    assert line[header.index("Lukket ude fra")] == RAISE.isoformat()
    assert line[header.index("Kravet stammer fra")] == "SBSYS-test"
    assert line[header.index("Gør nu")].startswith("Anmeld IdP'en 'KK IdP' på Høj senest")

    # The private calendar: the solution's event lies on the raise's days (earliest to latest), not its switch.
    calendar = Calendar.from_ical(client.get(f"/calendar/municipalities/{COPENHAGEN}.ics?token={feed_token}").data)
    [event] = [e for e in calendar.walk("VEVENT") if f"solution-{sbsys.id}-" in str(e["UID"])]
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (RAISE, RAISE_LAST + timedelta(days=1))


def test_a_raise_that_took_effect_locks_staff_out_today(client: FlaskClient, session: Session, sbsys: Solution) -> None:
    _, kk_token = user_with_token(session, "it@kk.example.dk", "municipality", COPENHAGEN)
    session.commit()
    took_effect = TODAY - timedelta(days=30)
    _loa(session, sbsys, took_effect, state="switched")
    row = _row(client, kk_token, COPENHAGEN, "x-sbsys")
    assert (row["status"], row["status_text"], row["locked_out_from"]) == (
        "locked_out",
        "Lukket ude",
        took_effect.isoformat(),
    )
    assert row["action"]["code"] == "use_mitid_erhverv" and "på Høj" in row["action"]["text"]
    assert row["next_lockout"]["from"] == took_effect.isoformat()


def test_a_brokers_loa_transition_drives_the_row_and_its_mail_reaches_the_municipalities_behind_it(
    app: Flask, client: FlaskClient, session: Session, sbsys: Solution, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu-tracker.example.dk")
    monkeypatch.setitem(app.config, "MAIL_FROM", "TU-tracker <tu-tracker@example.dk>")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5.0)
    broker = create_solution(
        session,
        actor=SYSTEM,
        slug="x-kontekst",
        name="Kontekst-test",
        fields={"kind": "broker", "loa_value": "betydelig", "loa_status": "confirmed", "loa_evidence": "Testdata"},
    )
    update_solution(session, sbsys, {"brokers": [broker.slug]}, actor=SYSTEM)
    idp(session, AARHUS, "Aarhus IdP", "betydelig")
    kk_user, kk_token = user_with_token(session, "it@kk.example.dk", "municipality", COPENHAGEN)
    aarhus_user, _ = user_with_token(session, "it@aarhus.example.dk", "municipality", AARHUS)
    readers: list[User] = [kk_user, aarhus_user]
    for reader in readers:
        preferences.set_preference(session, reader, {"mode": "immediate", "scope": "portfolio"})
    session.commit()

    title = "Kontekst kræver Høj"
    _loa(session, broker, RAISE, title=title)
    row = _row(client, kk_token, COPENHAGEN, "x-sbsys")
    assert (row["status"], row["locked_out_from"]) == ("at_risk", RAISE.isoformat())
    assert row["requirement_from"] == {"slug": "x-kontekst", "name": "Kontekst-test"}
    assert "på Høj" in row["action"]["text"]

    with smtp_server() as (inbox, url):
        monkeypatch.setitem(app.config, "MAIL_URL", url)
        run_once(app)
    kk_mail = [text_part(m) for m in inbox.messages if m["To"] == kk_user.email]
    assert kk_mail and title in kk_mail[0], "Copenhagen reaches the broker through SBSYS: its transition concerns it"
    assert not [m for m in inbox.messages if m["To"] == aarhus_user.email], "Aarhus uses neither"
