"""Transitions reach feeds (feedparser) and calendars (icalendar): entries per event, filters by kind/category/
major, one calendar event per transition and one for its act-by day, stable UIDs, SEQUENCE raised on change."""

from __future__ import annotations

from datetime import date

import feedparser
from flask.testing import FlaskClient
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.support.accounts import make_user
from tests.support.broadcast import solution_by_slug, subscribe, token_for
from tracker.models import Delivery, Subscription, Transition
from tracker.registry.actors import SYSTEM
from tracker.registry.transition_writes import create_transition, set_lead_time, update_transition

HOST = "127.0.0.1"


def _oiosaml(session: Session) -> Transition:
    aula = solution_by_slug(session, "aula")
    t = create_transition(
        session,
        aula,
        {
            "kind": "protocol",
            "title": "OIOSAML 4.0.0",
            "earliest_on": date(2031, 6, 1),
            "latest_on": date(2031, 6, 30),
            "precision": "month",
            "category": "plan_for_change",
            "major": True,
            "source_url": "https://digst.dk/it-loesninger/standarder/oiosaml-profiler/",
            "source_kind": "authority",
        },
        actor=SYSTEM,
    )
    session.commit()
    return t


def _feed(client: FlaskClient, url: str) -> feedparser.FeedParserDict:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data
    feed = feedparser.parse(resp.data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def _events(client: FlaskClient, url: str) -> dict[str, Event]:
    resp = client.get(url)
    assert resp.status_code == 200, resp.data
    return {str(e["UID"]): e for e in Calendar.from_ical(resp.data).walk("VEVENT")}


def test_feeds_carry_transition_events_and_filter_by_kind_category_major(client: FlaskClient, session: Session) -> None:
    t = _oiosaml(session)
    newest = _feed(client, "/feeds/changes.atom").entries[0]
    assert newest.title.startswith("Aula: ny overgang «OIOSAML 4.0.0» (Protokol)")
    assert "1. juni 2031" in newest.title
    assert newest.tags[0].term == "transition.created"
    update_transition(session, t, {"earliest_on": date(2031, 9, 1), "latest_on": None}, actor=SYSTEM)
    session.commit()
    for query in ("kind=protocol", "category=plan_for_change", "major=true", "kind=protocol&major=true"):
        for fmt in ("atom", "rss"):
            entries = _feed(client, f"/feeds/changes.{fmt}?{query}").entries
            assert [e.tags[0].term for e in entries[:2]] == ["transition.date_changed", "transition.created"], query
            assert all(e.tags[0].term.startswith("transition.") for e in entries)
    assert (
        "flyttet fra 1. juni 2031 til 1. september 2031"
        in _feed(client, "/feeds/changes.atom?kind=protocol").entries[0].title
    )
    for query in ("kind=certificate", "category=stay_informed", "major=false&kind=protocol"):
        entries = _feed(client, f"/feeds/changes.atom?{query}").entries
        assert t.id not in [int(e.get("id", "0").rsplit("/", 1)[-1]) for e in entries]
        assert all("OIOSAML 4.0.0" not in e.title for e in entries), query
    solution = _feed(client, "/feeds/solutions/aula.atom?kind=protocol").entries
    assert {e.tags[0].term for e in solution} == {"transition.created", "transition.date_changed"}
    bad = client.get("/feeds/changes.atom?kind=teleport")
    assert bad.status_code == 422


def test_calendar_has_an_event_per_transition_and_its_act_by_day_with_rising_sequence(
    client: FlaskClient, session: Session
) -> None:
    t = _oiosaml(session)
    events = _events(client, "/calendar/solutions.ics")
    main, act = events[f"transition-{t.id}@{HOST}"], events[f"transition-{t.id}-act-by@{HOST}"]
    assert main.decoded("DTSTART") == date(2031, 6, 1) and main.decoded("DTEND") == date(2031, 7, 1)
    assert act.decoded("DTSTART") == date(2030, 12, 3)  # 180 days before the earliest day
    assert int(main["SEQUENCE"]) == int(act["SEQUENCE"]) == 0
    assert str(main["SUMMARY"]) == "Aula: OIOSAML 4.0.0" and str(main["STATUS"]) == "TENTATIVE"
    assert "Afledt handlingsfrist" in str(act["DESCRIPTION"])
    assert any(f"solution-{s}-switch@{HOST}" in events for s in range(1, 200)), "the switches are still there"

    update_transition(session, t, {"earliest_on": date(2031, 9, 1), "latest_on": date(2031, 9, 30)}, actor=SYSTEM)
    session.commit()
    events = _events(client, "/calendar/solutions.ics")
    main, act = events[f"transition-{t.id}@{HOST}"], events[f"transition-{t.id}-act-by@{HOST}"]
    assert main.decoded("DTSTART") == date(2031, 9, 1) and int(main["SEQUENCE"]) == 1
    assert act.decoded("DTSTART") == date(2031, 3, 5) and int(act["SEQUENCE"]) == 1

    set_lead_time(session, "protocol", 30, actor=SYSTEM)  # a coordinator's new lead time moves the act-by day
    session.commit()
    act = _events(client, "/calendar/solutions.ics")[f"transition-{t.id}-act-by@{HOST}"]
    assert act.decoded("DTSTART") == date(2031, 8, 2) and int(act["SEQUENCE"]) == 2

    update_transition(session, t, {"state": "cancelled"}, actor=SYSTEM)
    session.commit()
    narrowed = _events(client, "/calendar/solutions.ics?kind=protocol")
    assert str(narrowed[f"transition-{t.id}@{HOST}"]["STATUS"]) == "CANCELLED"
    assert int(narrowed[f"transition-{t.id}@{HOST}"]["SEQUENCE"]) == 3
    assert all(uid.startswith("transition-") for uid in narrowed)
    assert f"transition-{t.id}@{HOST}" not in _events(client, "/calendar/solutions.ics?kind=wallet")


def test_webhook_subscriptions_filter_transition_events_by_kind_category_and_major(
    client: FlaskClient, session: Session
) -> None:
    owner = make_user(session, "hooks-tr@kl.example.dk", "coordinator")
    everything, _ = subscribe(session, owner, "https://127.0.0.1:9/alle")
    certificates, _ = subscribe(session, owner, "https://127.0.0.1:9/cert", transitions={"kinds": ["certificate"]})
    major, _ = subscribe(session, owner, "https://127.0.0.1:9/stor", transitions={"major": True})
    planning, _ = subscribe(
        session, owner, "https://127.0.0.1:9/plan", transitions={"categories": ["plan_for_change"], "major": None}
    )
    t = _oiosaml(session)  # protocol, plan_for_change, major
    update_transition(session, t, {"major": False}, actor=SYSTEM)
    session.commit()

    def delivered(sub: Subscription) -> list[str]:
        rows = session.scalars(
            select(Delivery.event_type).where(Delivery.subscription_id == sub.id).order_by(Delivery.id)
        )
        return list(rows)

    assert delivered(everything) == ["transition.created", "transition.updated"]
    assert delivered(certificates) == []
    assert delivered(major) == ["transition.created"], "the update says major is false now"
    assert delivered(planning) == ["transition.created", "transition.updated"]
    token = token_for(session, owner)
    session.commit()
    listed = client.get(f"/api/v1/subscriptions/{certificates.id}", headers={"Authorization": f"Bearer {token}"})
    assert listed.get_json()["transitions"] == {"kinds": ["certificate"], "categories": [], "major": None}
    bad = client.patch(
        f"/api/v1/subscriptions/{certificates.id}",
        json={"transitions": {"kinds": ["teleport"]}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 422
