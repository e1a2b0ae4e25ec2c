"""Real clients over real HTTP get the large cached documents gzip-compressed and read them as usual:
``requests`` (what integrators script with), feedparser (feed readers) and icalendar on what requests decoded."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import feedparser
import pytest
import requests
from icalendar import Calendar
from sqlalchemy.orm import Session

from tests.support.apps import make_test_app, serving
from tests.support.broadcast import dated_solution
from tests.support.fresh import migrate_and_seed
from tracker.db import get_db

SWITCHES = 40  # enough that the calendar, feed and list are well over the compression threshold


@pytest.fixture
def server(fresh_db: str) -> Iterator[str]:
    """The app on a free loopback port, on its own migrated and seeded database with many dated switches."""
    migrate_and_seed(fresh_db)
    app = make_test_app(fresh_db, SERVER_NAME=None)
    with Session(get_db(app).engine) as session:
        for n in range(SWITCHES):
            dated_solution(session, f"zip-{n:02d}", date(2031, 1 + n % 12, 1 + n % 27), loa_value="hoej")
        session.commit()
    with serving(app) as url:
        yield url


def test_requests_feedparser_and_icalendar_read_the_compressed_documents(server: str) -> None:
    calendar = requests.get(f"{server}/calendar/solutions.ics", timeout=10)
    assert calendar.status_code == 200 and calendar.headers["Content-Encoding"] == "gzip"
    events = Calendar.from_ical(calendar.content).walk("VEVENT")
    assert len(events) >= SWITCHES  # every switch, read from the bytes requests decompressed

    listed = requests.get(f"{server}/api/v1/solutions?limit={SWITCHES}", timeout=10)
    assert listed.headers["Content-Encoding"] == "gzip" and len(listed.json()["items"]) == SWITCHES
    assert listed.json()["has_more"] is True and 'rel="next"' in listed.headers["Link"]
    # A conditional GET with the compressed copy's ETag: 304.
    again = requests.get(
        f"{server}/api/v1/solutions?limit={SWITCHES}", headers={"If-None-Match": listed.headers["ETag"]}, timeout=10
    )
    assert again.status_code == 304

    feed = feedparser.parse(f"{server}/feeds/changes.atom")
    assert feed.get("status") == 200 and not feed.bozo, feed.get("bozo_exception")
    assert feed.headers.get("content-encoding") == "gzip" and len(feed.entries) >= SWITCHES // 2
