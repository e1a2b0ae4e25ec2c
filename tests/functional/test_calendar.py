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
from tracker.broadcast.feeds import FEED_ENTRIES
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
    # The feed holds the newest FEED_ENTRIES: the seeded registry alone can fill it, so the oldest may drop out.
    assert len(entries_after) == min(len(entries_before) + 1, FEED_ENTRIES)
    assert entries_after[0].title == "Aula: skæringsdato flyttet fra 1. marts 2030 til 1. maj 2030"
    assert [e.id for e in entries_after[1:]] == [e.id for e in entries_before][: len(entries_after) - 1]


def test_calendar_answers_304_until_something_changes(client: FlaskClient, session: Session) -> None:
    solution = dated_solution(session, "etagtest", date(2033, 1, 1))
    session.commit()
    etag = client.get("/calendar/solutions.ics").headers["ETag"]
    assert client.get("/calendar/solutions.ics", headers={"If-None-Match": etag}).status_code == 304
    update_solution(session, solution, {"switch_state": "postponed"}, actor=SYSTEM)
    session.commit()
    assert client.get("/calendar/solutions.ics", headers={"If-None-Match": etag}).status_code == 200


def test_each_narrowing_of_the_calendar_has_its_own_etag(client: FlaskClient) -> None:
    """The calendar narrowed to one kind of transition is another document: the whole calendar's ETag must not
    earn it a 304 (the filters are part of the validator, not only of the cache key)."""
    whole = client.get("/calendar/solutions.ics")
    narrowed = client.get("/calendar/solutions.ics?kind=loa")
    assert whole.status_code == narrowed.status_code == 200
    assert whole.headers["ETag"] != narrowed.headers["ETag"]
    again = client.get("/calendar/solutions.ics?kind=loa", headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 200 and again.get_data() == narrowed.get_data()
    unchanged = client.get("/calendar/solutions.ics?kind=loa", headers={"If-None-Match": narrowed.headers["ETag"]})
    assert unchanged.status_code == 304


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
    assert {uid for uid in events if uid.startswith("solution-")} == {f"solution-{risky.id}-switch@{HOST}"}
    # Readiness over time adds the staff group's lock-out period (and act-by days of transitions to act on).
    assert any(uid.startswith(f"lockout-{kbh.id}-{risky.id}-") for uid in events)
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


def test_a_brokers_earlier_requirement_dates_the_event_its_reminders_and_every_view(
    client: FlaskClient, session: Session
) -> None:
    """Aula-like: its own switch is 1 July, its broker demands Høj from 1 June. The municipality's calendar,
    its reminders, the readiness API, the page, the CSV export and the feed all say 1 June."""
    import csv
    import io

    from tracker.clock import today_in_denmark
    from tracker.models import ChangeEvent

    year = today_in_denmark().year + 2
    broker_day, own_day = date(year, 6, 1), date(year, 7, 1)
    broker = dated_solution(session, "x-kontekst", broker_day, kind="broker", loa_value="hoej", loa_status="confirmed")
    aula = dated_solution(session, "x-skoleportal", own_day, loa_value="betydelig", loa_status="confirmed")
    update_solution(session, aula, {"brokers": [broker.slug]}, actor=SYSTEM)
    kbh = session.scalar(select(Municipality).where(Municipality.code == "101"))
    assert kbh is not None
    municipality_services.create_idp(
        session, kbh, {"name": "Skole-IdP", "notified_loa": "betydelig", "is_primary": True}, actor=SYSTEM
    )
    municipality_services.add_to_portfolio(session, kbh, aula.slug, actor=SYSTEM)
    user = make_user(session, "bind@kk.dk", "municipality", municipality="101")
    _, token = feed_tokens.create_token(session, user, kbh)
    session.commit()

    event = _events(client, f"/calendar/municipalities/101.ics?token={token}")[f"solution-{aula.id}-switch@{HOST}"]
    start = event["DTSTART"].dt
    assert start == broker_day, "the day the staff are locked out, not the solution's own switch"
    assert event["DTEND"].dt == broker_day + timedelta(days=1)
    assert "lukkes ude fra 1. juni" in str(event["DESCRIPTION"])
    fires = sorted(start + alarm["TRIGGER"].dt for alarm in event.walk("VALARM"))
    assert all(day < broker_day for day in fires), "every reminder comes before the lock-out day"
    assert broker_day - timedelta(days=30) in fires
    # The public calendar keeps the solution's own switch: no municipality's verdict applies there.
    public = _events(client, "/calendar/solutions.ics")[f"solution-{aula.id}-switch@{HOST}"]
    assert public["DTSTART"].dt == own_day

    from tests.support.accounts import bearer
    from tracker.auth.tokens import create_token

    headers = bearer(create_token(session, user, "t")[1])
    session.commit()
    [row] = [
        r
        for r in client.get("/api/v1/municipalities/101/readiness", headers=headers).get_json()["items"]
        if r["solution"]["slug"] == aula.slug
    ]
    assert row["locked_out_from"] == broker_day.isoformat() and row["requirement_from"]["slug"] == broker.slug
    exported = client.get("/api/v1/municipalities/101/readiness.csv", headers=headers).get_data(as_text=True)
    lines = list(csv.reader(io.StringIO(exported), delimiter=";"))
    header, [line] = lines[0], [r for r in lines[1:] if aula.slug in r]
    assert line[header.index("Lukket ude fra")] == broker_day.isoformat()
    session.expire_all()
    feed_event = session.scalars(
        select(ChangeEvent)
        .where(ChangeEvent.type == "municipality.readiness.changed", ChangeEvent.solution_id == aula.id)
        .order_by(ChangeEvent.id.desc())
    ).first()
    assert feed_event is not None and feed_event.changes["readiness"]["after"]["from"] == broker_day.isoformat()
