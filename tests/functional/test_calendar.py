"""iCalendar subscriptions read by the icalendar library: one all-day event per switch, stable UID, rising
SEQUENCE, reminders, and a municipality's private calendar with what each switch means for its staff."""

from __future__ import annotations

from datetime import date, timedelta

import feedparser
from flask.testing import FlaskClient
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import dated_solution, solution_by_slug
from tracker.broadcast import feed_tokens
from tracker.models import Municipality
from tracker.municipalities import services as municipality_services
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution

# UIDs are in the domain of TRACKER_BASE_URL (the testing default http://127.0.0.1:8000).
HOST = "127.0.0.1"


def _events(client: FlaskClient, url: str) -> dict[str, Event]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data
    assert resp.mimetype == "text/calendar"
    calendar = Calendar.from_ical(resp.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_each_known_switch_is_an_all_day_event_with_reminders_and_sources(
    client: FlaskClient, session: Session
) -> None:
    solution = dated_solution(
        session,
        "kalendertest",
        date(2032, 3, 1),
        date(2032, 3, 31),
        switch_text="marts 2032",
        loa_value="betydelig",
        loa_status="expected",
        loa_source_url="https://example.org/niveau",
    )
    session.commit()
    events = _events(client, "/calendar/solutions.ics")
    event = events[f"solution-{solution.id}-switch@{HOST}"]
    assert event.decoded("DTSTART") == date(2032, 3, 1)
    assert event.decoded("DTEND") == date(2032, 4, 1), "DTEND is exclusive: the day after the last"
    assert int(event["SEQUENCE"]) == 0
    description = str(event["DESCRIPTION"])
    assert "Krævet sikringsniveau: Betydelig (Forventet (KL)), kilde: https://example.org/niveau" in description
    assert "kilde: https://example.org/kalendertest/dato" in description
    assert str(event["URL"]).endswith("/loesninger/kalendertest")
    triggers = sorted(alarm.decoded("TRIGGER") for alarm in event.walk("VALARM"))
    assert triggers == [timedelta(days=-30), timedelta(days=-7)]
    assert str(event["STATUS"]) == "CONFIRMED"
    undated = solution_by_slug(session, "os2valghalla")
    assert f"solution-{undated.id}-switch@{HOST}" not in events, "no invented dates"


def test_changing_a_switch_date_moves_the_event_and_adds_one_feed_entry(client: FlaskClient, session: Session) -> None:
    aula = solution_by_slug(session, "aula")
    update_solution(
        session, aula, {"switch_earliest_on": date(2030, 3, 1), "switch_latest_on": date(2030, 3, 1)}, actor=SYSTEM
    )
    session.commit()
    uid = f"solution-{aula.id}-switch@{HOST}"
    before = _events(client, "/calendar/solutions.ics")[uid]
    entries_before = feedparser.parse(client.get("/feeds/changes.atom").data).entries
    update_solution(
        session, aula, {"switch_earliest_on": date(2030, 5, 1), "switch_latest_on": date(2030, 5, 1)}, actor=SYSTEM
    )
    session.commit()
    after = _events(client, "/calendar/solutions.ics")[uid]
    entries_after = feedparser.parse(client.get("/feeds/changes.atom").data).entries
    assert after.decoded("DTSTART") == date(2030, 5, 1) and before.decoded("DTSTART") == date(2030, 3, 1)
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert len(entries_after) == len(entries_before) + 1
    assert entries_after[0].title == "Aula: skæringsdato flyttet fra 1. marts 2030 til 1. maj 2030"
    assert [e.id for e in entries_after[1:]] == [e.id for e in entries_before]


def test_calendar_answers_304_until_something_changes(client: FlaskClient, session: Session) -> None:
    solution = dated_solution(session, "etagtest", date(2033, 1, 1))
    session.commit()
    etag = client.get("/calendar/solutions.ics").headers["ETag"]
    assert client.get("/calendar/solutions.ics", headers={"If-None-Match": etag}).status_code == 304
    update_solution(session, solution, {"switch_state": "postponed"}, actor=SYSTEM)
    session.commit()
    assert client.get("/calendar/solutions.ics", headers={"If-None-Match": etag}).status_code == 200


def test_municipality_calendar_holds_its_portfolio_and_says_who_is_locked_out(
    client: FlaskClient, session: Session
) -> None:
    kbh = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert kbh is not None
    risky = dated_solution(session, "kbh-risiko", date(2031, 9, 1), loa_value="hoej", loa_status="confirmed")
    other = dated_solution(session, "ikke-kbh", date(2031, 10, 1), loa_value="hoej", loa_status="confirmed")
    municipality_services.create_idp(
        session, kbh, {"name": "KK IdP", "notified_loa": "betydelig", "is_primary": True}, actor=SYSTEM
    )
    municipality_services.add_to_portfolio(session, kbh, "kbh-risiko", actor=SYSTEM)
    user = make_user(session, "kal@kk.dk", "municipality", municipality="101")
    _, token = feed_tokens.create_token(session, user, kbh)
    session.commit()
    events = _events(client, f"/calendar/municipalities/101.ics?token={token}")
    assert set(events) == {f"solution-{risky.id}-switch@{HOST}"}
    assert f"solution-{other.id}-switch@{HOST}" not in events
    event = events[f"solution-{risky.id}-switch@{HOST}"]
    assert "Jeres medarbejdere lukkes ude fra 1. september 2031" in str(event["DESCRIPTION"])
    assert "I fare" in str(event["SUMMARY"])
    resp = client.get(f"/calendar/municipalities/101.ics?token={token}")
    assert resp.headers["Cache-Control"].startswith("private")
    assert (
        client.get(
            f"/calendar/municipalities/101.ics?token={token}", headers={"If-None-Match": resp.headers["ETag"]}
        ).status_code
        == 304
    )
    assert client.get("/calendar/municipalities/101.ics").status_code == 403
