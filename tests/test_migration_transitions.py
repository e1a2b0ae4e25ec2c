"""Migration tr0001 on both databases, with the seeded registry in it: every solution's required_loa and
switch_date are the same before and after — in the solution rows, the API, the changes feed, the calendar and the
CSV export — and each solution's NSIS login switch becomes its ``login``/``loa`` transition; down and up again.

"Before" is the registry at ``saml0001`` (the transition tables do not exist; what every reader showed was the
solution columns, read here with SQL); the readers' answers are compared across a full down-and-up cycle.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import feedparser
import pytest
from icalendar import Calendar
from sqlalchemy import text
from sqlalchemy.engine import Engine

from tests.support.apps import make_test_app, migrate_and_seed
from tests.support.databases import fresh_database
from tracker.db import get_db, make_engine
from tracker.migrate import downgrade, upgrade
from tracker.starter_transitions import DATAFORDELEREN_OCES3

KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
COLUMNS = (
    "slug, loa_value, loa_status, loa_source_kind, loa_source_url, loa_evidence, switch_earliest_on, "
    "switch_latest_on, switch_precision, switch_text, switch_state, switch_status, switch_source_kind, "
    "switch_source_url, switch_evidence"
)


def _rows(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        return {r[0]: tuple(r[1:]) for r in conn.execute(text(f"SELECT {COLUMNS} FROM solution ORDER BY slug"))}


def _surfaces(url: str) -> dict[str, Any]:
    """What the readers say about each solution's required_loa and switch_date."""
    app = make_test_app(url)
    try:
        client = app.test_client()
        api = client.get("/api/v1/solutions?limit=500").get_json()["items"]
        feed = feedparser.parse(client.get("/feeds/changes.atom").data)
        assert not feed.bozo
        calendar = Calendar.from_ical(client.get("/calendar/solutions.ics").data)
        switches = {
            str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND"), str(e["SUMMARY"]), int(e["SEQUENCE"]))
            for e in calendar.walk("VEVENT")
            if str(e["UID"]).startswith("solution-")
        }
        exported = client.get("/api/v1/solutions.csv")
        assert exported.status_code == 200, exported.data[:300]
        return {
            "api": {s["slug"]: (s["required_loa"], s["switch_date"]) for s in api},
            "feed": [(e.id, e.title, e.summary) for e in feed.entries],
            "calendar": switches,
            "csv": list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")))),
        }
    finally:
        get_db(app).engine.dispose()


def _nsis_transitions(engine: Engine) -> dict[str, tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT s.slug, t.kind, t.required_loa, t.loa_status, t.earliest_on, t.latest_on, t.precision, "
                "t.text, t.state, t.status, t.source_url FROM transition t JOIN solution s ON s.id = t.solution_id "
                "WHERE t.nsis_login ORDER BY s.slug"
            )
        )
        return {r[0]: tuple(r[1:]) for r in rows}


@pytest.mark.parametrize("kind", KINDS)
def test_required_loa_and_switch_date_are_the_same_before_and_after(kind: str, tmp_path: Path) -> None:
    with fresh_database(tmp_path, kind) as url:
        migrate_and_seed(url)
        engine = make_engine(url)
        # A registry seeded before this change kept a certificate switch in a solution's switch date: keep one.
        with engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE solution SET switch_earliest_on = :e, switch_latest_on = :l, switch_precision = 'day', "
                    "switch_text = :t, switch_state = 'switched', switch_status = 'confirmed', "
                    "switch_source_kind = 'authority', switch_source_url = :u, switch_evidence = :ev "
                    "WHERE slug = 'datafordeleren'"
                ),
                {
                    "e": DATAFORDELEREN_OCES3["switch_earliest_on"],
                    "l": DATAFORDELEREN_OCES3["switch_latest_on"],
                    "t": DATAFORDELEREN_OCES3["switch_text"],
                    "u": DATAFORDELEREN_OCES3["switch_source_url"],
                    "ev": DATAFORDELEREN_OCES3["switch_evidence"],
                },
            )
        downgrade(engine, "saml0001")
        with engine.connect() as conn:
            versions = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
        assert versions == {"saml0001"}
        before = _rows(engine)
        assert str(before["datafordeleren"][5])[:10] == DATAFORDELEREN_OCES3["switch_earliest_on"]
        upgrade(engine)
        assert _rows(engine) == before, "the migration changed no solution's facts"
        mirrors = _nsis_transitions(engine)
        for slug, row in before.items():
            loa_value, loa_status = row[0], row[1]
            has_fact = (
                row[5] is not None
                or row[6] is not None
                or loa_value != "ukendt"
                or row[9] != "unknown"
                or row[10] != "unknown"
                or loa_status != "unknown"
            )
            assert (slug in mirrors) == has_fact, slug
            if has_fact:
                assert mirrors[slug] == (
                    "loa" if loa_value != "ukendt" else "login",
                    loa_value,
                    loa_status,
                    row[5],
                    row[6],
                    row[7],
                    row[8],
                    row[9],
                    row[10],
                    row[12],
                ), slug
        assert mirrors["fmk"][:3] == ("loa", "betydelig", "expected")
        assert str(mirrors["datafordeleren"][3])[:10] == DATAFORDELEREN_OCES3["switch_earliest_on"]
        first = _surfaces(url)
        for slug, row in before.items():
            loa, switch = first["api"][slug]
            assert (loa["value"], loa["status"], loa["source"]["url"]) == (row[0], row[1], row[3]), slug
            assert (switch["earliest"], switch["latest"], switch["precision"], switch["state"]) == (
                row[5] and str(row[5])[:10],
                row[6] and str(row[6])[:10],
                row[7],
                row[9],
            ), slug
        # Down and up again: the readers answer byte for byte the same about every solution.
        downgrade(engine, "saml0001")
        assert _rows(engine) == before
        upgrade(engine)
        assert _rows(engine) == before and _nsis_transitions(engine) == mirrors
        assert _surfaces(url) == first
        engine.dispose()
