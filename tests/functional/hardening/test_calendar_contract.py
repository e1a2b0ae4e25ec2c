"""Item 13: X-PUBLISHED-TTL is an RFC 5545 duration; SEQUENCE and DTSTAMP move with any change of an entry's
content (level, text), not only its date; the UID's domain is the host of TRACKER_BASE_URL."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar, Event
from sqlalchemy.orm import Session

from tests.support.broadcast import dated_solution
from tracker.registry.actors import SYSTEM
from tracker.registry.services import update_solution


def _event(client: FlaskClient, uid: str) -> Event:
    resp = client.get("/calendar/solutions.ics")
    assert resp.status_code == 200
    for event in Calendar.from_ical(resp.data).walk("VEVENT"):
        if str(event["UID"]) == uid:
            return event
    raise AssertionError(f"no event {uid}")


def test_published_ttl_is_a_duration(client: FlaskClient) -> None:
    body = client.get("/calendar/solutions.ics").get_data(as_text=True)
    assert "X-PUBLISHED-TTL:PT6H\r\n" in body and "6:00:00" not in body


def test_sequence_and_stamp_follow_content_and_uid_uses_the_base_url_host(
    app: Flask, client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "BASE_URL", "https://tu.example.dk")
    solution = dated_solution(session, "kal-indhold", date(2033, 5, 1), loa_value="betydelig", loa_status="expected")
    session.commit()
    uid = f"solution-{solution.id}-switch@tu.example.dk"
    first = _event(client, uid)
    update_solution(session, solution, {"loa_value": "hoej"}, actor=SYSTEM)
    session.commit()
    second = _event(client, uid)
    assert int(second["SEQUENCE"]) == int(first["SEQUENCE"]) + 1
    assert second.decoded("DTSTAMP") >= first.decoded("DTSTAMP")  # to the second: the update is that recent
    assert second.decoded("LAST-MODIFIED") == second.decoded("DTSTAMP")
    update_solution(session, solution, {"switch_text": "1. maj 2033 (bekræftet)"}, actor=SYSTEM)
    session.commit()
    assert int(_event(client, uid)["SEQUENCE"]) == int(second["SEQUENCE"]) + 1
