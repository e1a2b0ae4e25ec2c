"""The response cache in front of feeds and calendars: private documents stay private, and what changes
without a change event (a municipality's IdPs and portfolio) still reaches the cached calendar and feed."""

from __future__ import annotations

import gzip
from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.benchmarks.sqlcount import count_statements
from tests.support.accounts import make_user
from tests.support.broadcast import dated_solution
from tracker.broadcast import feed_tokens
from tracker.db import get_db
from tracker.models import Municipality, PortfolioEntry
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM


def _municipality(session: Session, code: str) -> Municipality:
    found = session.scalar(select(Municipality).where(Municipality.code == code))
    assert found is not None
    return found


def _token(session: Session, municipality: Municipality, email: str) -> str:
    user = make_user(session, email, "municipality", municipality=municipality.code)
    _, token = feed_tokens.create_token(session, user, municipality)
    return token


def _description(body: bytes) -> str:
    """The one switch event's text (a lock-out period has an event of its own beside it)."""
    [event] = [e for e in Calendar.from_ical(body).walk("VEVENT") if str(e["UID"]).startswith("solution-")]
    return str(event["DESCRIPTION"])


def test_a_cached_private_calendar_and_feed_need_their_own_municipalitys_token(
    client: FlaskClient, session: Session
) -> None:
    kbh, aar = _municipality(session, "101"), _municipality(session, "751")
    dated_solution(session, "cache-kbh", date(2032, 5, 1), loa_value="hoej", loa_status="confirmed")
    municipality_services.add_to_portfolio(session, kbh, "cache-kbh", actor=SYSTEM)
    kbh_token, aar_token = _token(session, kbh, "cache@kk.dk"), _token(session, aar, "cache@aarhus.dk")
    session.commit()
    for url in ("/calendar/municipalities/101.ics", "/feeds/municipalities/101.atom"):
        first = client.get(f"{url}?token={kbh_token}")
        again = client.get(f"{url}?token={kbh_token}")
        assert first.status_code == again.status_code == 200 and first.data == again.data, url
        assert first.headers["ETag"] == again.headers["ETag"], "a cache hit names the same version"
        etag = first.headers["ETag"]
        assert client.get(f"{url}?token={kbh_token}", headers={"If-None-Match": etag}).status_code == 304
        # Now cached: still nothing for another municipality's token, a guessed one or none at all.
        for other in (f"{url}?token={aar_token}", f"{url}?token=ftk_guess", url):
            resp = client.get(other, headers={"If-None-Match": etag})
            assert resp.status_code == 403, other
            assert b"cache-kbh" not in resp.data
        own = client.get(url.replace("101", "751") + f"?token={aar_token}")
        assert own.status_code == 200 and b"cache-kbh" not in own.data, "Aarhus gets its own document"


def test_the_cached_calendar_follows_idp_and_portfolio_changes_that_append_no_event(
    client: FlaskClient, session: Session
) -> None:
    kbh = _municipality(session, "101")
    dated_solution(session, "cache-idp", date(2032, 6, 1), loa_value="hoej", loa_status="confirmed")
    first_idp = municipality_services.create_idp(
        session, kbh, {"name": "Første IdP", "notified_loa": "betydelig", "is_primary": True}, actor=SYSTEM
    )
    second_idp = municipality_services.create_idp(
        session, kbh, {"name": "Anden IdP", "notified_loa": "betydelig"}, actor=SYSTEM
    )
    municipality_services.add_to_portfolio(session, kbh, "cache-idp", actor=SYSTEM)
    token = _token(session, kbh, "idp@kk.dk")
    session.commit()
    url = f"/calendar/municipalities/101.ics?token={token}"
    before = client.get(url)
    assert "IdP: Første IdP" in _description(before.data)

    # Same level, so the verdict (and the event log) stays put; only the IdP's name moves.
    municipality_services.update_idp(session, first_idp, {"name": "Omdøbt IdP"}, actor=SYSTEM)
    session.commit()
    renamed = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert renamed.status_code == 200 and "IdP: Omdøbt IdP" in _description(renamed.data)

    # Point the portfolio entry at the other IdP in place: no timestamp, no event, yet the text must follow.
    entry = session.scalar(select(PortfolioEntry).where(PortfolioEntry.municipality_id == kbh.id))
    assert entry is not None
    entry.idps = [second_idp]
    session.commit()
    moved = client.get(url, headers={"If-None-Match": renamed.headers["ETag"]})
    assert moved.status_code == 200 and "IdP: Anden IdP" in _description(moved.data)


def test_a_repeated_document_comes_from_the_cache_without_reading_the_registry(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """A hit costs the one query that says whether the rendering still holds, however large the document."""
    kbh = _municipality(session, "101")
    for n in range(3):
        dated_solution(session, f"cache-hit-{n}", date(2032, 5, 1 + n), loa_value="hoej", loa_status="confirmed")
        municipality_services.add_to_portfolio(session, kbh, f"cache-hit-{n}", actor=SYSTEM)
    token = _token(session, kbh, "hit@kk.dk")
    session.commit()
    engine = get_db(app).engine
    for url in (
        f"/calendar/municipalities/101.ics?token={token}",
        f"/feeds/municipalities/101.atom?token={token}",
        "/calendar/solutions.ics",
        "/feeds/changes.atom",
        "/api/v1/solutions?limit=2",
    ):
        first = client.get(url)
        with count_statements(engine) as log:
            again = client.get(url)
        assert again.status_code == 200 and again.data == first.data, url
        assert again.headers.get("Link") == first.headers.get("Link"), url
        # The token and its owner may be looked up (cached for AUTH_CACHE_SECONDS where configured); the
        # registry is not read, only the newest change event that stamps it.
        assert not any("FROM solution" in q or "portfolio_entry" in q for q in log.queries), (url, log.queries)
        assert sum("change_event" in q for q in log.queries) == 1, (url, log.queries)


def test_a_large_cached_body_is_sent_gzipped_to_clients_that_accept_it(client: FlaskClient, session: Session) -> None:
    for n in range(40):
        dated_solution(session, f"gzip-{n:02d}", date(2031, 1 + n % 12, 1 + n % 27), loa_value="hoej")
    session.commit()
    for url in ("/calendar/solutions.ics", "/api/v1/solutions?limit=40", "/feeds/changes.atom"):
        plain = client.get(url)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers, url
        assert len(plain.data) >= 8 * 1024, (url, len(plain.data))
        assert "Accept-Encoding" in plain.headers.get("Vary", ""), url
        for _ in range(2):  # the miss and the hit
            packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
            assert packed.headers["Content-Encoding"] == "gzip", url
            assert gzip.decompress(packed.data) == plain.data, url
            assert len(packed.data) < len(plain.data) / 3, url
            assert packed.headers["ETag"].startswith("W/"), url
            assert packed.headers.get("Link") == plain.headers.get("Link"), url
        # The compressed copy's ETag still names this version: a 304, for either kind of client.
        for accept in ("gzip", "identity"):
            again = client.get(url, headers={"If-None-Match": packed.headers["ETag"], "Accept-Encoding": accept})
            assert again.status_code == 304, (url, accept)
    # Refusing gzip outright (q=0) gets the body as it is.
    refused = client.get("/calendar/solutions.ics", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
