"""Atom/RSS feeds read by feedparser (a client we did not write): stable ids, Danish summaries, 304s, privacy."""

from __future__ import annotations

from datetime import date

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import dated_solution, log_in, solution_by_slug
from tracker.broadcast import feed_tokens
from tracker.models import Municipality, Solution
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution


def _municipality(session: Session, code: str) -> Municipality:
    found = session.scalar(select(Municipality).where(Municipality.code == code))
    assert found is not None
    return found


def _move(session: Session, solution: Solution, day: date, **extra: object) -> None:
    update_solution(session, solution, {"switch_earliest_on": day, "switch_latest_on": day, **extra}, actor=SYSTEM)
    session.commit()


def test_changes_feed_has_stable_ids_danish_summaries_and_links_back(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    aula = solution_by_slug(session, "aula")
    _move(
        session,
        aula,
        date(2030, 3, 1),
        switch_precision="day",
        switch_source_kind="authority",
        switch_source_url="https://example.org/aula-beslutning",
    )
    _move(session, aula, date(2030, 5, 1))
    resp = client.get("/feeds/changes.atom")
    assert resp.status_code == 200 and resp.mimetype == "application/atom+xml"
    feed = feedparser.parse(resp.data)
    assert not feed.bozo, feed.get("bozo_exception")
    newest = feed.entries[0]
    assert newest.title == "Aula: skæringsdato flyttet fra 1. marts 2030 til 1. maj 2030"
    assert "kilde: https://example.org/aula-beslutning (myndighed)" in newest.summary
    assert newest.id.startswith("tag:tu-tracker,2026:event/")
    assert newest.link == app.config["BASE_URL"] + "/loesninger/aula"
    again = feedparser.parse(client.get("/feeds/changes.atom").data)
    assert [e.id for e in again.entries] == [e.id for e in feed.entries], "ids never change"
    rss = feedparser.parse(client.get("/feeds/changes.rss").data)
    assert not rss.bozo and rss.version.startswith("rss")
    assert rss.entries[0].id == newest.id and rss.entries[0].title == newest.title


def test_required_level_summary_names_level_and_confidence(client: FlaskClient, session: Session) -> None:
    fixture = dated_solution(session, "niveautest", date(2032, 1, 1))
    update_solution(
        session, fixture, {"loa_value": "betydelig", "loa_status": "expected"}, actor=SYSTEM, reason="Webinar-svar"
    )
    session.commit()
    [entry, *_] = feedparser.parse(client.get("/feeds/changes.atom").data).entries
    assert entry.title == "NIVEAUTEST: krævet sikringsniveau ændret fra Ukendt til Betydelig (Forventet (KL))"
    assert "Begrundelse: Webinar-svar" in entry.summary


def test_conditional_get_answers_304_until_something_changes(client: FlaskClient, session: Session) -> None:
    aula = solution_by_slug(session, "aula")
    _move(session, aula, date(2030, 6, 1))
    first = client.get("/feeds/changes.atom")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get("/feeds/changes.atom", headers={"If-None-Match": etag}).status_code == 304
    not_modified = client.get("/feeds/changes.atom", headers={"If-Modified-Since": last_modified})
    assert not_modified.status_code == 304 and not_modified.data == b""
    assert client.get("/feeds/changes.rss", headers={"If-None-Match": etag}).status_code == 200, "per format"
    _move(session, aula, date(2030, 7, 1))
    changed = client.get("/feeds/changes.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_solution_feed_holds_only_that_solution(client: FlaskClient, session: Session) -> None:
    _move(session, solution_by_slug(session, "aula"), date(2030, 8, 1))
    _move(session, solution_by_slug(session, "fmk"), date(2030, 9, 1))
    feed = feedparser.parse(client.get("/feeds/solutions/fmk.atom").data)
    assert feed.entries and all(e.title.startswith("FMK") for e in feed.entries)
    assert client.get("/feeds/solutions/findes-ikke.atom").status_code == 404


@pytest.fixture
def two_municipalities(session: Session) -> dict[str, str]:
    """Copenhagen uses Aula, Aarhus uses FMK; both through an IdP below the (fixture) required level."""
    kbh, aar = _municipality(session, "101"), _municipality(session, "751")
    for municipality in (kbh, aar):
        municipality_services.create_idp(
            session, municipality, {"name": "Lokal IdP", "notified_loa": "betydelig", "is_primary": True}, actor=SYSTEM
        )
    for slug in ("aula", "fmk"):
        update_solution(
            session,
            solution_by_slug(session, slug),
            {
                "loa_value": "hoej",
                "loa_status": "confirmed",
                "switch_earliest_on": date(2031, 1, 1),
                "switch_latest_on": date(2031, 1, 1),
                "switch_state": "planned",
            },
            actor=SYSTEM,
        )
    municipality_services.add_to_portfolio(session, kbh, "aula", actor=SYSTEM)
    municipality_services.add_to_portfolio(session, aar, "fmk", actor=SYSTEM)
    kbh_user = make_user(session, "it@kk.dk", "municipality", municipality="101")
    aar_user = make_user(session, "it@aarhus.dk", "municipality", municipality="751")
    _, kbh_token = feed_tokens.create_token(session, kbh_user, kbh)
    _, aar_token = feed_tokens.create_token(session, aar_user, aar)
    session.commit()
    return {"kbh": kbh_token, "aar": aar_token}


def test_municipality_feed_holds_its_portfolio_and_own_readiness_only(
    client: FlaskClient, session: Session, two_municipalities: dict[str, str]
) -> None:
    _move(session, solution_by_slug(session, "aula"), date(2031, 2, 1))
    _move(session, solution_by_slug(session, "fmk"), date(2031, 3, 1))
    resp = client.get(f"/feeds/municipalities/101.atom?token={two_municipalities['kbh']}")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"].startswith("private")
    feed = feedparser.parse(resp.data)
    titles = [e.title for e in feed.entries]
    assert any(t.startswith("Aula: skæringsdato flyttet") for t in titles)
    assert not any(t.startswith("FMK") for t in titles)
    readiness = [e for e in feed.entries if any(t.term == "municipality.readiness.changed" for t in e.tags)]
    assert readiness and all(e.title.startswith("København: parathed for Aula") for e in readiness)
    # rel=self is the subscribed address, token included (readers refresh from it); nowhere else.
    body = resp.get_data(as_text=True)
    assert body.count(two_municipalities["kbh"]) == 1
    assert f'101.atom?token={two_municipalities["kbh"]}" rel="self"' in body
    public = client.get("/feeds/changes.atom").get_data(as_text=True)
    assert "parathed" not in public, "readiness never reaches the public feed"


def test_municipality_feed_refuses_missing_wrong_foreign_and_revoked_tokens(
    client: FlaskClient, session: Session, two_municipalities: dict[str, str]
) -> None:
    for url in (
        "/feeds/municipalities/101.atom",
        "/feeds/municipalities/101.atom?token=ftk_guess",
        f"/feeds/municipalities/101.atom?token={two_municipalities['aar']}",
        f"/calendar/municipalities/101.ics?token={two_municipalities['aar']}",
    ):
        resp = client.get(url, headers={"Accept": "application/json"})
        assert resp.status_code == 403, url
        assert "token" in resp.get_json()["error"]["message"].lower()
    assert client.get(f"/feeds/municipalities/999.atom?token={two_municipalities['kbh']}").status_code == 404
    kbh = _municipality(session, "101")
    [row] = feed_tokens.list_tokens(session, make_user(session, "koord@kl.dk", "coordinator"), kbh)
    feed_tokens.revoke_token(session, make_user(session, "it2@kk.dk", "municipality", municipality="101"), kbh, row.id)
    session.commit()
    assert client.get(f"/feeds/municipalities/101.atom?token={two_municipalities['kbh']}").status_code == 403


def test_municipality_users_and_coordinators_read_without_a_token(
    client: FlaskClient, session: Session, two_municipalities: dict[str, str]
) -> None:
    own = make_user(session, "own@kk.dk", "municipality", municipality="101")
    other = make_user(session, "other@aarhus.dk", "municipality", municipality="751")
    session.commit()
    log_in(client, own)
    assert client.get("/feeds/municipalities/101.atom").status_code == 200
    log_in(client, other)
    assert client.get("/feeds/municipalities/101.atom").status_code == 403


def test_feed_entries_for_a_new_fixture_solution(client: FlaskClient, session: Session) -> None:
    dated_solution(session, "testloesning", date(2032, 4, 1), date(2032, 6, 30), switch_text="Q2 2032")
    session.commit()
    [entry, *_] = feedparser.parse(client.get("/feeds/changes.atom").data).entries
    assert entry.title.startswith("TESTLOESNING: ny løsning i registret")
    assert "skæringsdato 1. april 2032 – 30. juni 2032" in entry.title


def test_user_text_reaches_rss_readers_as_text_never_as_html(client: FlaskClient, session: Session) -> None:
    from defusedxml import ElementTree

    attack = '<img src="https://evil.example/x.png" onerror="alert(1)"> & <b>fed</b>'
    fixture = dated_solution(session, "rss-tekst", date(2033, 1, 1))
    update_solution(session, fixture, {"loa_value": "betydelig"}, actor=SYSTEM, reason=attack)
    session.commit()
    rss = client.get("/feeds/changes.rss").data
    items = [i for i in ElementTree.fromstring(rss).iter("item") if "RSS-TEKST" in (i.findtext("title") or "").upper()]
    description = items[0].findtext("description") or ""
    # What a reader renders as HTML holds the markup escaped: it shows the characters, loads no image.
    assert "<img" not in description and "<b>" not in description
    assert "&lt;img src=" in description and "&amp; &lt;b&gt;fed&lt;/b&gt;" in description
    parsed = feedparser.parse(rss).entries[0]
    assert attack in parsed.summary or "&lt;img" in parsed.summary
    # Atom's summary is typed text: the same words, escaped once by XML only.
    atom = ElementTree.fromstring(client.get("/feeds/changes.atom").data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    summaries = [e.findtext("a:summary", namespaces=ns) or "" for e in atom.iterfind("a:entry", ns)]
    assert any(attack in s for s in summaries)
