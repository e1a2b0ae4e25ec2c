"""Readiness on a timeline (issue 22 item 3): planned IdP changes and staff-group moves give lock-out periods.

The seed document's two-IdP case (KL's webinar: one IdP for the administration, one for the schools; if Aula
moves to NSIS the schools' IdP must be notified at Betydelig): only the schools' group gets a lock-out period,
and a planned raise of the schools' IdP closes it on its date. The region case: a municipality in Region
Hovedstaden whose home-care staff group moves to the region on 1 January 2027 has no rows for that group from
that day. Bad input gets a Danish 422 and stores nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.support.municipalities import fresh_client, idp, log_in, municipality, solution, use, user_with_token
from tracker.broadcast import feed_tokens
from tracker.clock import today_in_denmark
from tracker.models import AuditEntry, ChangeEvent, Idp, IdpChange, Solution, Transition, User
from tracker.municipalities import plans, services
from tracker.municipalities.readiness import municipality_readiness
from tracker.registry.actors import SYSTEM
from tracker.registry.transition_writes import create_transition
from tracker.vocabulary import danish_day

TODAY = today_in_denmark()  # the API reads today's date in Denmark; every date below is relative to it
AULA_DAY = TODAY + timedelta(days=60)
RAISE_DAY = TODAY + timedelta(days=90)
READINESS = "/api/v1/municipalities/101/readiness"
CHANGES = "/api/v1/municipalities/101/idp-changes"
MERGER = date(2027, 1, 1)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return fresh_client(app)


@pytest.fixture
def kk(session: Session) -> dict[str, str]:
    _, token = user_with_token(session, "it@kk.dk", "municipality", "101")
    session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def groups(session: Session) -> tuple[Idp, Idp]:
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    schools = idp(session, "101", "Skoler", "lav", primary=False, group="skoler")
    solution(session, "x-aula", loa="betydelig", earliest=AULA_DAY, name="Aula-test")
    use(session, "101", "x-aula", groups=[admin, schools])
    session.commit()
    return admin, schools


def _rows(client: FlaskClient, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    body = client.get(READINESS, headers=headers).get_json()
    return {row["staff_group"]: row for row in body["items"]}


def _stored(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return (
        session.scalar(select(func.count()).select_from(IdpChange)) or 0,
        session.scalar(select(func.count()).select_from(ChangeEvent)) or 0,
        session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def test_two_idp_case_only_the_schools_are_locked_out_and_a_planned_raise_closes_the_period(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    _, schools = groups
    rows = _rows(client, kk)
    assert rows["administration"]["lockout_periods"] == [] and rows["administration"]["next_lockout"] is None
    period = {
        "from": AULA_DAY.isoformat(),
        "until": None,
        "required_loa": "betydelig",
        "idp_loa": "lav",
        "requirement_from": "x-aula",
    }
    assert rows["skoler"]["lockout_periods"] == [period]
    assert rows["skoler"]["next_lockout"] == period
    assert rows["skoler"]["status"] == "at_risk"  # today's verdict is unchanged by the timeline

    resp = client.post(
        CHANGES,
        json={"idp_id": schools.id, "kind": "loa", "effective_on": RAISE_DAY.isoformat(), "notified_loa": "betydelig"},
        headers=kk,
    )
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert (created["kind"], created["effective_on"], created["idp"]["name"]) == (
        "loa",
        RAISE_DAY.isoformat(),
        "Skoler",
    )
    closed = {**period, "until": RAISE_DAY.isoformat()}
    assert _rows(client, kk)["skoler"]["lockout_periods"] == [closed]  # the cached readiness saw the change

    listed = client.get(CHANGES, headers=kk).get_json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == created["id"]
    assert client.get(f"{CHANGES}/{created['id']}", headers=kk).get_json() == created

    # On and after the raise day the schools are ok and have no period ahead.
    session.expire_all()
    after = municipality_readiness(session, municipality(session, "101"), today=RAISE_DAY)
    school_row = next(r for r in after.rows if r.group == "skoler")
    assert (school_row.assessment.status.value, school_row.next_period) == ("ok", None)

    # Removing the plan opens the period again.
    assert client.delete(f"{CHANGES}/{created['id']}", headers=kk).status_code == 204
    assert _rows(client, kk)["skoler"]["lockout_periods"] == [period]


def test_region_case_home_care_leaves_on_1_january_2027_and_has_no_rows_from_that_day(session: Session) -> None:
    copenhagen = municipality(session, "101")
    assert copenhagen.region == "Region Hovedstaden"
    admin = idp(session, "101", "Administration", "betydelig", group="administration")
    home_care = idp(session, "101", "Hjemmepleje", "lav", primary=False, group="hjemmepleje")
    solution(session, "x-fmk", loa="betydelig", earliest=date(2026, 12, 1), state="planned", name="FMK-test")
    use(session, "101", "x-fmk", groups=[admin, home_care])
    change = plans.create_change(
        session,
        copenhagen,
        {"idp_id": home_care.id, "kind": "leave", "effective_on": "2027-01-01", "destination": "Region Østdanmark"},
        actor=SYSTEM,
    )
    assert change.destination == "Region Østdanmark"

    def groups_on(day: date) -> dict[str | None, Any]:
        session.expire_all()
        rows = municipality_readiness(session, municipality(session, "101"), today=day).rows
        return {row.group: row for row in rows}

    before = groups_on(date(2026, 12, 31))
    assert set(before) == {"administration", "hjemmepleje"}
    assert before["hjemmepleje"].assessment.status.value == "locked_out"
    # Locked out from the switch until the group leaves: not beyond it.
    assert [(p.start, p.end) for p in before["hjemmepleje"].periods] == [(date(2026, 12, 1), MERGER)]
    assert set(groups_on(MERGER)) == {"administration"}
    assert set(groups_on(date(2027, 6, 1))) == {"administration"}


def test_a_group_moving_to_another_idp_is_a_row_of_that_idp_from_the_day(session: Session) -> None:
    old = idp(session, "101", "Gammel IdP", "lav", group="sundhed")
    new = idp(session, "101", "Ny IdP", "hoej", primary=False, group="sundhed-ny")
    solution(session, "x-seb", loa="betydelig", earliest=date(2027, 3, 1), name="SEB-test")
    use(session, "101", "x-seb", via=old)
    copenhagen = municipality(session, "101")
    plans.create_change(
        session, copenhagen, {"idp_id": old.id, "kind": "retire", "effective_on": "2027-04-01"}, actor=SYSTEM
    )
    plans.create_change(
        session,
        copenhagen,
        {"idp_id": old.id, "kind": "move", "effective_on": "2027-04-01", "target_idp_id": new.id},
        actor=SYSTEM,
    )
    session.expire_all()
    early = municipality_readiness(session, municipality(session, "101"), today=date(2027, 1, 1)).rows
    assert [(r.idp.name if r.idp else None, r.idp_source) for r in early] == [("Gammel IdP", "portfolio")]
    assert [(p.start, p.end) for p in early[0].periods] == [(date(2027, 3, 1), date(2027, 4, 1))]
    late = municipality_readiness(session, municipality(session, "101"), today=date(2027, 4, 1)).rows
    assert [(r.idp.name if r.idp else None, r.idp_source, r.assessment.status.value) for r in late] == [
        ("Ny IdP", "moved", "ok")
    ]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"kind": "loa", "effective_on": "1899-12-31", "notified_loa": "hoej"}, "effective_on", "mellem 1900-01-01"),
        ({"kind": "loa", "effective_on": "2101-01-01", "notified_loa": "hoej"}, "effective_on", "mellem 1900-01-01"),
        ({"kind": "loa", "effective_on": "2027-13-01", "notified_loa": "hoej"}, "effective_on", "gyldig dato"),
        ({"kind": "loa", "effective_on": "2027-02-01"}, "notified_loa", "Angiv niveauet"),
        ({"kind": "skift", "effective_on": "2027-02-01"}, "kind", "Skal være en af"),
        ({"kind": "move", "effective_on": "2027-02-01"}, "target_idp_id", "kommunens egne"),
        ({"kind": "retire", "effective_on": "2027-01-15"}, "effective_on", "ligger før en planlagt"),
        ({"kind": "loa", "effective_on": "2027-02-01", "notified_loa": "hoej", "note": "a\x01b"}, "note", "styretegn"),
    ],
)
def test_bad_input_gets_a_danish_422_and_stores_nothing(
    client: FlaskClient,
    session: Session,
    kk: dict[str, str],
    groups: tuple[Idp, Idp],
    body: dict[str, Any],
    field: str,
    words: str,
) -> None:
    _, schools = groups
    planned = client.post(
        CHANGES,
        json={"idp_id": schools.id, "kind": "loa", "effective_on": "2027-02-01", "notified_loa": "betydelig"},
        headers=kk,
    )
    assert planned.status_code == 201
    before = _stored(session)
    resp = client.post(CHANGES, json={"idp_id": schools.id, **body}, headers=kk)
    assert resp.status_code == 422, resp.get_json()
    error = resp.get_json()["error"]
    assert words in error["details"][field] or words in str(error["details"][field])
    assert _stored(session) == before


def test_a_move_to_another_municipalitys_idp_is_refused(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    _, schools = groups
    elsewhere = idp(session, "751", "Aarhus IdP", "hoej")
    session.commit()
    before = _stored(session)
    for body in (
        {"idp_id": schools.id, "kind": "move", "effective_on": "2027-01-01", "target_idp_id": elsewhere.id},
        {"idp_id": elsewhere.id, "kind": "retire", "effective_on": "2027-01-01"},
    ):
        resp = client.post(CHANGES, json=body, headers=kk)
        assert resp.status_code == 422
        assert resp.get_json()["error"]["message"] == "Den planlagte ændring kunne ikke gemmes."
    assert _stored(session) == before
    # Another municipality's user sees nothing of København's plans.
    _, token = user_with_token(session, "it@aarhus.dk", "municipality", "751")
    session.commit()
    assert client.get(CHANGES, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.get(CHANGES).status_code == 401


def test_deleting_the_target_idp_drops_the_moves_to_it(session: Session) -> None:
    old = idp(session, "101", "Gammel", "lav")
    new = idp(session, "101", "Ny", "hoej", primary=False)
    copenhagen = municipality(session, "101")
    plans.create_change(
        session,
        copenhagen,
        {"idp_id": old.id, "kind": "move", "effective_on": "2027-04-01", "target_idp_id": new.id},
        actor=SYSTEM,
    )
    services.delete_idp(session, new, actor=SYSTEM)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(IdpChange)) == 0
    assert municipality_readiness(session, municipality(session, "101"), today=date(2027, 5, 1)).rows == []


def test_a_loa_transition_after_today_opens_a_period_and_asks_the_municipality_to_act(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    raise_to_hoej = TODAY + timedelta(days=200)
    act_by = TODAY + timedelta(days=150)
    aula = session.scalar(select(Solution).where(Solution.slug == "x-aula"))
    assert aula is not None
    transition = create_transition(
        session,
        aula,
        {
            "kind": "loa",
            "title": "Aula-test kræver Høj",
            "earliest_on": raise_to_hoej,
            "latest_on": raise_to_hoej,
            "precision": "day",
            "state": "planned",
            "required_loa": "hoej",
            "act_by_on": act_by,
            "who_must_act": ["local_idp_operators"],
            "what_to_do": "Anmeld IdP'en på Høj.",
            "category": "plan_for_change",
        },
        actor=SYSTEM,
    )
    other = create_transition(
        session,
        aula,
        {"kind": "protocol", "title": "Kun for leverandøren", "who_must_act": ["vendor"], "state": "planned"},
        actor=SYSTEM,
    )
    session.commit()
    rows = _rows(client, kk)
    assert rows["administration"]["lockout_periods"] == [
        {
            "from": raise_to_hoej.isoformat(),
            "until": None,
            "required_loa": "hoej",
            "idp_loa": "betydelig",
            "requirement_from": "x-aula",
        }
    ]
    # Today's verdict reads the same steps: the administration is at risk from the raise's day, and told to
    # have its IdP notified at Høj by the day before.
    admin_row = rows["administration"]
    assert (admin_row["status"], admin_row["days_left"], admin_row["locked_out_from"]) == (
        "at_risk",
        200,
        raise_to_hoej.isoformat(),
    )
    assert admin_row["requirement_from"] == {"slug": "x-aula", "name": "Aula-test"}
    assert admin_row["action"] == {
        "code": "notify_idp",
        "text": f"Anmeld IdP'en 'Administration' på Høj senest {danish_day(raise_to_hoej - timedelta(days=1))}",
    }
    # The schools: locked out from Aula's day at Betydelig, and the period carries on into the Høj one.
    assert [(p["from"], p["until"], p["required_loa"]) for p in rows["skoler"]["lockout_periods"]] == [
        (AULA_DAY.isoformat(), None, "betydelig")
    ]
    # Asked to act: the solution's NSIS login transition (act-by derived from its lead time) and the new one,
    # by act-by day; the vendor's own transition is not the municipality's to act on.
    mirror = session.scalar(select(Transition).where(Transition.solution_id == aula.id, Transition.nsis_login))
    assert mirror is not None and mirror.act_by_on is not None
    asked = rows["administration"]["transitions_to_act_on"]
    assert [(t["id"], t["act_by"], t["act_by_derived"]) for t in asked] == [
        (mirror.id, mirror.act_by_on.isoformat(), True),
        (transition.id, act_by.isoformat(), False),
    ]
    body = client.get(READINESS, headers=kk).get_json()
    assert [t["id"] for t in body["transitions_to_act_on"]] == [mirror.id, transition.id]
    assert other.id not in {t["id"] for t in body["transitions_to_act_on"]}
    # On the transition's own day the administration is locked out.
    session.expire_all()
    later = municipality_readiness(session, municipality(session, "101"), today=raise_to_hoej)
    assert {r.group: r.assessment.status.value for r in later.rows}["administration"] == "locked_out"
    assert {r.group: r.next_period.start if r.next_period else None for r in later.rows}["administration"] == (
        raise_to_hoej
    )


def test_the_timeline_reaches_the_exports_the_calendar_the_feed_and_the_report(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    _, schools = groups
    mark = session.scalar(select(func.max(ChangeEvent.id))) or 0
    resp = client.post(
        CHANGES,
        json={"idp_id": schools.id, "kind": "loa", "effective_on": RAISE_DAY.isoformat(), "notified_loa": "betydelig"},
        headers=kk,
    )
    assert resp.status_code == 201
    last_day = RAISE_DAY - timedelta(days=1)

    # The verdict stays at_risk, but the next lock-out period now ends: one readiness event says so.
    session.expire_all()
    events = list(session.scalars(select(ChangeEvent).where(ChangeEvent.id > mark)))
    assert [e.type for e in events] == ["municipality.readiness.changed"]
    assert events[0].changes["next_lockout"] == {
        "before": {"from": AULA_DAY.isoformat(), "until": None},
        "after": {"from": AULA_DAY.isoformat(), "until": RAISE_DAY.isoformat()},
    }
    assert events[0].data["next_lockout"] == {"from": AULA_DAY.isoformat(), "until": RAISE_DAY.isoformat()}

    # CSV and XLSX: the same rows with the new columns at the end.
    text = client.get("/api/v1/municipalities/101/readiness.csv", headers=kk).data.decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert header[-4:] == [
        "Næste lukkeperiode fra",
        "Næste lukkeperiode til og med",
        "Lukkeperioder",
        "Skift at handle på",
    ]
    by_group = {row[header.index("Brugergruppe")]: row for row in rows}
    assert by_group["skoler"][-4:-1] == [
        AULA_DAY.isoformat(),
        last_day.isoformat(),
        f"{AULA_DAY.isoformat()} – {last_day.isoformat()}",
    ]
    assert by_group["administration"][-4:-1] == ["", "", ""]
    sheet = load_workbook(io.BytesIO(client.get("/api/v1/municipalities/101/readiness.xlsx", headers=kk).data)).active
    head, *cells = list(sheet.iter_rows(values_only=True))
    schools_row = next(r for r in cells if r[head.index("Brugergruppe")] == "skoler")
    assert schools_row[head.index("Næste lukkeperiode til og med")].date() == last_day

    # The calendar: one event over the period's days, and the act-by day of the NSIS login transition.
    municipality_row = municipality(session, "101")
    user = session.scalar(select(User).where(User.email == "it@kk.dk"))
    assert user is not None
    _, token = feed_tokens.create_token(session, user, municipality_row)
    session.commit()
    calendar = Calendar.from_ical(client.get(f"/calendar/municipalities/101.ics?token={token}").data)
    events_by_uid = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    aula = session.scalar(select(Solution).where(Solution.slug == "x-aula"))
    assert aula is not None
    lockout = events_by_uid[f"lockout-{municipality_row.id}-{aula.id}-{schools.id}-{AULA_DAY.isoformat()}@127.0.0.1"]
    assert (lockout.decoded("DTSTART"), lockout.decoded("DTEND")) == (AULA_DAY, RAISE_DAY)
    assert "skoler" in str(lockout["SUMMARY"]) and "Aula-test" in str(lockout["SUMMARY"])
    # The NSIS login transition's act-by day is the switch entry's business (no event of its own).
    assert not any("-act-by" in uid for uid in events_by_uid)
    sequence = int(lockout["SEQUENCE"])
    client.delete(f"{CHANGES}/{resp.get_json()['id']}", headers=kk)
    again = Calendar.from_ical(client.get(f"/calendar/municipalities/101.ics?token={token}").data)
    moved = {str(e["UID"]): e for e in again.walk("VEVENT")}[
        f"lockout-{municipality_row.id}-{aula.id}-{schools.id}-{AULA_DAY.isoformat()}@127.0.0.1"
    ]
    assert int(moved["SEQUENCE"]) > sequence and moved.decoded("DTEND") == AULA_DAY + timedelta(days=1)

    # The feed: the planned change's event names the period's end.
    feed = feedparser.parse(client.get(f"/feeds/municipalities/101.atom?token={token}").data)
    texts = " ".join(entry.get("summary", "") + entry.get("title", "") for entry in feed.entries)
    assert f"Næste lukkeperiode: {danish_day(AULA_DAY)} til og med {danish_day(last_day)}." in texts


def test_the_management_report_lists_next_lockouts(app: Flask, session: Session, groups: tuple[Idp, Idp]) -> None:
    user = session.scalar(select(User).where(User.email == "it@kk.dk"))
    if user is None:
        user, _ = user_with_token(session, "rapport@kk.dk", "municipality", "101")
        session.commit()
    client = fresh_client(app)
    log_in(client, user)
    html = client.get("/kommuner/101/rapport").get_data(as_text=True)
    assert "Lukkeperioder og frister" in html
    assert f"fra {danish_day(AULA_DAY)}, ingen slutdato" in html


def test_the_same_change_twice_is_a_conflict_and_english_is_available(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    _, schools = groups
    body = {"idp_id": schools.id, "kind": "retire", "effective_on": "2030-01-01"}
    assert client.post(CHANGES, json=body, headers=kk).status_code == 201
    again = client.post(CHANGES, json=body, headers=kk)
    assert again.status_code == 422  # a second retirement of the same IdP is refused by the rules first
    assert "allerede en planlagt nedlæggelse" in again.get_json()["error"]["details"]["kind"]
    loa = {"idp_id": schools.id, "kind": "loa", "effective_on": "2029-01-01", "notified_loa": "hoej"}
    assert client.post(CHANGES, json=loa, headers=kk).status_code == 201
    twice = client.post(CHANGES, json=loa, headers=kk)
    assert twice.status_code == 409
    assert twice.get_json()["error"]["message"] == "Der er allerede en sådan ændring på den dato."
    refused = client.post(CHANGES + "?lang=en", json={**loa, "effective_on": "1800-01-01"}, headers=kk)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["message"] == "The planned change could not be saved."


def test_the_planned_changes_export_as_csv(
    client: FlaskClient, session: Session, kk: dict[str, str], groups: tuple[Idp, Idp]
) -> None:
    admin, schools = groups
    for body in (
        {"idp_id": schools.id, "kind": "loa", "effective_on": "2027-03-01", "notified_loa": "betydelig"},
        {"idp_id": schools.id, "kind": "move", "effective_on": "2028-01-01", "target_idp_id": admin.id},
        # After the schools' group has moved in: leaving before it would be refused (either order).
        {"idp_id": admin.id, "kind": "leave", "effective_on": "2029-01-01", "destination": "=Region Østdanmark"},
    ):
        assert client.post(CHANGES, json=body, headers=kk).status_code == 201
    resp = client.get(CHANGES + ".csv", headers=kk)
    assert resp.status_code == 200 and resp.mimetype == "text/csv" and "no-store" in resp.headers["Cache-Control"]
    header, *rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8").removeprefix("\ufeff")), delimiter=";"))
    assert header[:4] == ["Fra dato", "IdP", "Brugergruppe", "Ændring"]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        ("2027-03-01", "Skoler", "Nyt anmeldt niveau"),
        ("2028-01-01", "Skoler", "Gruppen flytter til en anden IdP"),
        ("2029-01-01", "Administration", "Gruppen forlader kommunen"),
    ]
    assert rows[2][6] == "'=Region Østdanmark"  # a spreadsheet formula is neutralised
    assert rows[0][4] == "Betydelig" and rows[1][5] == "Administration"
    assert client.get(CHANGES + ".csv").status_code == 401
